//! The cache of the parsed installed set, `<root>/var/cache/xcpng-mod/rpmdb.cache`: a compact
//! binary encoding of the `Package` records, keyed on the rpmdb file's path, size, mtime and
//! inode, closed by a SHA-256 of its content. It is written atomically (temp file + rename) and
//! ignored, never trusted, when stale, truncated or corrupt. It never touches the rpmdb.

use super::DbFile;
use crate::rpm::dep::{Dependency, Sense};
use crate::rpm::evr::Evr;
use crate::rpm::package::{Package, SYSTEM_REPO};
use sha2::{Digest, Sha256};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const MAGIC: &[u8] = b"xcpng-mod rpmdb cache v1\n";

/// What identifies one state of the database file.
/// `None` (no caching) while an SQLite write-ahead log holds changes not in the file.
pub fn key(db: &DbFile) -> Option<Vec<u8>> {
    if db.format == super::Format::Sqlite {
        let mut wal = db.path.clone().into_os_string();
        wal.push("-wal");
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
        {
            return None;
        }
    }
    let m = std::fs::metadata(&db.path).ok()?;
    let mut k = Vec::new();
    put_str(&mut k, &db.path.to_string_lossy());
    for v in [
        m.len(),
        m.mtime() as u64,
        m.mtime_nsec() as u64,
        m.ino(),
        m.dev(),
    ] {
        k.extend_from_slice(&v.to_le_bytes());
    }
    Some(k)
}

fn put_u64(o: &mut Vec<u8>, v: u64) {
    o.extend_from_slice(&v.to_le_bytes());
}

fn put_str(o: &mut Vec<u8>, s: &str) {
    o.extend_from_slice(&(s.len() as u32).to_le_bytes());
    o.extend_from_slice(s.as_bytes());
}

fn put_evr(o: &mut Vec<u8>, e: &Evr) {
    match e.epoch {
        Some(n) => {
            o.push(1);
            o.extend_from_slice(&n.to_le_bytes());
        }
        None => o.push(0),
    }
    put_str(o, &e.version);
    put_str(o, &e.release);
}

fn put_deps(o: &mut Vec<u8>, deps: &[Dependency]) {
    o.extend_from_slice(&(deps.len() as u32).to_le_bytes());
    for d in deps {
        put_str(o, &d.name);
        o.push(d.sense.bits() | (u8::from(d.pre) << 4));
        match &d.evr {
            Some(e) => {
                o.push(1);
                put_evr(o, e);
            }
            None => o.push(0),
        }
    }
}

/// Encode `pkgs` for database state `key`.
pub fn encode(key: &[u8], pkgs: &[Package]) -> Vec<u8> {
    let mut o = Vec::with_capacity(pkgs.len() * 2048);
    o.extend_from_slice(MAGIC);
    o.extend_from_slice(&(key.len() as u32).to_le_bytes());
    o.extend_from_slice(key);
    o.extend_from_slice(&(pkgs.len() as u32).to_le_bytes());
    for p in pkgs {
        for s in [
            &p.name,
            &p.arch,
            &p.summary,
            &p.description,
            &p.url,
            &p.license,
            &p.sourcerpm,
        ] {
            put_str(&mut o, s);
        }
        put_evr(&mut o, &p.evr);
        put_u64(&mut o, p.buildtime);
        put_u64(&mut o, p.installtime);
        put_u64(&mut o, p.size_installed);
        for d in [&p.provides, &p.requires, &p.conflicts, &p.obsoletes] {
            put_deps(&mut o, d);
        }
    }
    let sum = Sha256::digest(&o);
    o.extend_from_slice(&sum);
    o
}

struct Cur<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    fn evr(&mut self) -> Option<Evr> {
        let epoch = match self.u8()? {
            0 => None,
            1 => Some(self.u32()?),
            _ => return None,
        };
        Some(Evr::new(epoch, self.str()?, self.str()?))
    }
    fn deps(&mut self) -> Option<Vec<Dependency>> {
        let n = self.u32()? as usize;
        // A dependency takes at least 6 bytes of what is left.
        let mut v = Vec::with_capacity(n.min((self.b.len() - self.at) / 6));
        for _ in 0..n {
            let name = self.str()?;
            let bits = self.u8()?;
            let evr = match self.u8()? {
                0 => None,
                1 => Some(self.evr()?),
                _ => return None,
            };
            v.push(Dependency {
                name,
                sense: Sense::from_bits(bits & 7),
                evr,
                pre: bits & 0x10 != 0,
            });
        }
        Some(v)
    }
}

/// Decode a cache file for database state `key`: `None` when stale, truncated or corrupt.
pub fn decode(key: &[u8], bytes: &[u8]) -> Option<Vec<Package>> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, sum) = bytes.split_at(body_len);
    if Sha256::digest(body).as_slice() != sum {
        return None;
    }
    let mut c = Cur { b: body, at: 0 };
    if c.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let klen = c.u32()? as usize;
    if c.take(klen)? != key {
        return None;
    }
    let n = c.u32()? as usize;
    // A package takes at least 77 bytes: `n` cannot promise more than the body holds.
    let mut pkgs = Vec::with_capacity(n.min(body.len() / 77));
    for _ in 0..n {
        let mut s = || c.str();
        let (name, arch, summary, description, url, license, sourcerpm) =
            (s()?, s()?, s()?, s()?, s()?, s()?, s()?);
        pkgs.push(Package {
            name,
            arch,
            summary,
            description,
            url,
            license,
            sourcerpm,
            evr: c.evr()?,
            buildtime: c.u64()?,
            installtime: c.u64()?,
            size_installed: c.u64()?,
            provides: c.deps()?,
            requires: c.deps()?,
            conflicts: c.deps()?,
            obsoletes: c.deps()?,
            repo: SYSTEM_REPO.to_string(),
            ..Default::default()
        });
    }
    (c.at == body.len()).then_some(pkgs)
}

/// The cached set for `key` in `file`, if present and valid.
pub fn load(file: &Path, key: &[u8]) -> Option<Vec<Package>> {
    decode(key, &std::fs::read(file).ok()?)
}

/// Write the cache atomically; failures (read-only root, no space) are ignored: the cache is
/// an optimisation only.
pub fn store(file: &Path, key: &[u8], pkgs: &[Package]) {
    let _ = crate::hostfs::write_atomic(file, &encode(key, pkgs));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Package> {
        let mut p = Package {
            name: "kernel".into(),
            evr: Evr::new(Some(2), "4.19.19", "8.0.38"),
            arch: "x86_64".into(),
            repo: SYSTEM_REPO.into(),
            summary: "Ünïcode".into(),
            installtime: 7,
            ..Default::default()
        };
        p.provides.push(Dependency::versioned(
            "k",
            Sense::parse_op(">=").unwrap(),
            Evr::parse("1-2"),
        ));
        let mut r = Dependency::unversioned("/bin/sh");
        r.pre = true;
        p.requires.push(r);
        vec![
            p.clone(),
            Package {
                name: "b".into(),
                ..p
            },
        ]
    }

    #[test]
    fn round_trip_and_rejects() {
        let pkgs = sample();
        let bytes = encode(b"k1", &pkgs);
        assert_eq!(decode(b"k1", &bytes).unwrap(), pkgs);
        assert!(decode(b"k2", &bytes).is_none(), "stale key");
        for cut in 0..bytes.len() {
            assert!(decode(b"k1", &bytes[..cut]).is_none());
        }
        let mut flipped = bytes.clone();
        flipped[40] ^= 1;
        assert!(decode(b"k1", &flipped).is_none());
    }
}
