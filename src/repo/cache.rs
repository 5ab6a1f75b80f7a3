//! The parsed-metadata cache: a compact binary form of a repository's primary metadata, keyed
//! on the primary file's checksum, that loads without parsing XML. It is split in two sections
//! so that `list` reads only names, versions and summaries, and dependencies and descriptions
//! are decoded only when asked for.

use crate::rpm::dep::{Dependency, Sense};
use crate::rpm::evr::Evr;
use crate::rpm::package::{Checksum, Package};

const MAGIC: &[u8; 8] = b"XCPMODC3";
const NO_EPOCH: u32 = u32::MAX;

/// How much of each package to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Name, EVR, arch, summary and sizes: what listings show.
    Summary,
    /// Everything, dependencies and files included.
    Full,
}

#[derive(Default)]
struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v)
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes())
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes())
    }
    fn deps(&mut self, deps: &[Dependency]) {
        self.u32(deps.len() as u32);
        for d in deps {
            let mut flags = d.sense.bits();
            if d.pre {
                flags |= 8;
            }
            if d.evr.is_some() {
                flags |= 16;
            }
            self.u8(flags);
            self.str(&d.name);
            if let Some(e) = &d.evr {
                self.u32(e.epoch.unwrap_or(NO_EPOCH));
                self.str(&e.version);
                self.str(&e.release);
            }
        }
    }
}

struct R<'a> {
    b: &'a [u8],
    i: usize,
}

type Res<T> = Result<T, String>;

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        let end = self
            .i
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or("truncated cache")?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }
    fn u8(&mut self) -> Res<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Res<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Res<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn str(&mut self) -> Res<String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 in cache".to_string())
    }
    fn deps(&mut self) -> Res<Vec<Dependency>> {
        let n = self.u32()? as usize;
        // A dependency takes at least 5 bytes of what is left.
        let mut v = Vec::with_capacity(n.min((self.b.len() - self.i) / 5));
        for _ in 0..n {
            let flags = self.u8()?;
            let name = self.str()?;
            let evr = if flags & 16 != 0 {
                let e = self.u32()?;
                Some(Evr::new(
                    (e != NO_EPOCH).then_some(e),
                    self.str()?,
                    self.str()?,
                ))
            } else {
                None
            };
            v.push(Dependency {
                name,
                sense: Sense::from_bits(flags & 7),
                evr,
                pre: flags & 8 != 0,
            });
        }
        Ok(v)
    }
}

/// Encode packages (in listing order) under `key` (the primary checksum).
pub fn encode(key: &str, pkgs: &[Package]) -> Vec<u8> {
    let mut e = Encoder::default();
    pkgs.iter().for_each(|p| e.add(p));
    let identity: Vec<u32> = (0..pkgs.len() as u32).collect();
    let mut out = Vec::new();
    e.write(key, &identity, &mut out)
        .expect("writing to memory");
    out
}

/// Encodes packages added one at a time, in any order; `finish` writes them in the order asked.
#[derive(Default)]
pub struct Encoder {
    sum: W,
    det: W,
    /// Where each package's part of the two sections ends.
    ends: Vec<(usize, usize)>,
}

impl Encoder {
    /// An encoder with room for the packages of a primary document of `len` bytes (what
    /// cannot be reserved is grown into).
    pub fn for_document(len: usize) -> Encoder {
        let mut e = Encoder::default();
        let _ = e.sum.0.try_reserve(len / 8);
        let _ = e.det.0.try_reserve(len / 2);
        e
    }

    pub fn add(&mut self, p: &Package) {
        let (sum, det) = (&mut self.sum, &mut self.det);
        sum.str(&p.name);
        sum.u32(p.evr.epoch.unwrap_or(NO_EPOCH));
        sum.str(&p.evr.version);
        sum.str(&p.evr.release);
        sum.str(&p.arch);
        sum.str(&p.summary);
        sum.u64(p.size_package);
        sum.u64(p.size_installed);
        det.str(&p.url);
        det.str(&p.license);
        det.str(&p.sourcerpm);
        det.u64(p.buildtime);
        det.str(&p.location);
        det.str(&p.checksum.kind);
        det.str(&p.checksum.value);
        det.str(&p.description);
        det.deps(&p.provides);
        det.deps(&p.requires);
        det.deps(&p.conflicts);
        det.deps(&p.obsoletes);
        det.u32(p.files.len() as u32);
        for f in &p.files {
            det.str(f);
        }
        self.ends.push((sum.0.len(), det.0.len()));
    }

    /// Write the cache, the packages in `order` (`order[k]` = the `k`th added).
    pub fn write(
        &self,
        key: &str,
        order: &[u32],
        out: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        let span = |k: u32, which: fn(&(usize, usize)) -> usize| {
            let k = k as usize;
            let start = if k == 0 { 0 } else { which(&self.ends[k - 1]) };
            start..which(&self.ends[k])
        };
        let mut head = W(Vec::new());
        head.0.extend_from_slice(MAGIC);
        head.str(key);
        head.u64(order.len() as u64);
        head.u64(self.sum.0.len() as u64);
        out.write_all(&head.0)?;
        for &k in order {
            out.write_all(&self.sum.0[span(k, |e| e.0)])?;
        }
        out.write_all(&(self.det.0.len() as u64).to_le_bytes())?;
        for &k in order {
            out.write_all(&self.det.0[span(k, |e| e.1)])?;
        }
        Ok(())
    }
}

/// Read a cache file, loading only the sections `detail` needs (the summary section of a
/// large repository is a fraction of the file).
pub fn read_file(
    path: &std::path::Path,
    key: &str,
    repo: &str,
    detail: Detail,
) -> Res<Vec<Package>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if detail == Detail::Full {
        let mut data = Vec::new();
        f.read_to_end(&mut data).map_err(|e| e.to_string())?;
        return decode(&data, key, repo, detail);
    }
    let head_len = 8 + 4 + key.len() + 16;
    let mut head = vec![0u8; head_len];
    f.read_exact(&mut head)
        .map_err(|_| "truncated cache".to_string())?;
    let sum_len = u64::from_le_bytes(head[head_len - 8..].try_into().expect("8 bytes"));
    // The length is read from the file: reserve no more than the file holds.
    let file_len = f.metadata().map_err(|e| e.to_string())?.len();
    let sum_len = sum_len.min(file_len);
    let mut data = head;
    data.reserve(sum_len as usize);
    (&mut f)
        .take(sum_len)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    decode(&data, key, repo, detail)
}

/// The key a cache file was written for, without decoding it.
pub fn key_of(data: &[u8]) -> Option<String> {
    let mut r = R { b: data, i: 0 };
    if r.take(8).ok()? != MAGIC {
        return None;
    }
    r.str().ok()
}

/// Decode a cache written by `encode`, if it is for `key`. `repo` is set on each package.
pub fn decode(data: &[u8], key: &str, repo: &str, detail: Detail) -> Res<Vec<Package>> {
    let mut r = R { b: data, i: 0 };
    if r.take(8)? != MAGIC {
        return Err("not a cache file".into());
    }
    if r.str()? != key {
        return Err("cache is for other metadata".into());
    }
    let n = r.u64()? as usize;
    let sum_len = r.u64()? as usize;
    let sum = r.take(sum_len)?;
    let mut s = R { b: sum, i: 0 };
    // A package takes at least 40 bytes of the section: `n` cannot promise more than that.
    let mut pkgs = Vec::with_capacity(n.min(sum.len() / 40));
    for _ in 0..n {
        let name = s.str()?;
        let e = s.u32()?;
        let evr = Evr::new((e != NO_EPOCH).then_some(e), s.str()?, s.str()?);
        pkgs.push(Package {
            name,
            evr,
            arch: s.str()?,
            repo: repo.to_string(),
            summary: s.str()?,
            size_package: s.u64()?,
            size_installed: s.u64()?,
            ..Default::default()
        });
    }
    if detail == Detail::Full {
        let det_len = r.u64()? as usize;
        let mut d = R {
            b: r.take(det_len)?,
            i: 0,
        };
        for p in pkgs.iter_mut() {
            p.url = d.str()?;
            p.license = d.str()?;
            p.sourcerpm = d.str()?;
            p.buildtime = d.u64()?;
            p.location = d.str()?;
            p.checksum = Checksum {
                kind: d.str()?,
                value: d.str()?,
            };
            p.description = d.str()?;
            p.provides = d.deps()?;
            p.requires = d.deps()?;
            p.conflicts = d.deps()?;
            p.obsoletes = d.deps()?;
            let nf = d.u32()? as usize;
            p.files = (0..nf).map(|_| d.str()).collect::<Res<_>>()?;
        }
    }
    Ok(pkgs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut p = Package {
            name: "kmod-zfs-4.19.0+1".into(),
            evr: Evr::parse("2.1.7-1.xcpng8.3"),
            arch: "x86_64".into(),
            summary: "ZFS".into(),
            location: "Packages/k.rpm".into(),
            ..Default::default()
        };
        p.provides
            .push(Dependency::parse("zfs-kmod = 2.1.7").unwrap());
        let mut pre = Dependency::parse("/bin/sh").unwrap();
        pre.pre = true;
        p.requires.push(pre);
        p.files.push("/usr/bin/x".into());
        let data = encode("k1", std::slice::from_ref(&p));
        assert_eq!(key_of(&data).as_deref(), Some("k1"));
        let mut full = decode(&data, "k1", "r", Detail::Full).unwrap();
        p.repo = "r".into();
        assert_eq!(full.pop().unwrap(), p);
        let s = decode(&data, "k1", "r", Detail::Summary).unwrap();
        assert!(s[0].provides.is_empty());
        assert_eq!(s[0].summary, "ZFS");
        assert_eq!(s[0].location, "");
        assert!(decode(&data, "other", "r", Detail::Full).is_err());
        assert!(decode(&data[..data.len() - 3], "k1", "r", Detail::Full).is_err());
    }
}
