//! The rpm header blob as the rpmdb stores it (no lead, no magic: `il`, `dl`, `il` index
//! entries of 16 bytes, then `dl` bytes of data), read-only and bounds-checked, and the
//! conversion of one header into a `Package` equal to what `rpm -qa --queryformat` gives.
//! It reads only the tags a `Package` needs; it never verifies signatures or digests (rpm did
//! that when it installed the package) and never panics on a malformed blob.

use super::DbError;
use crate::rpm::dep::dep_from_rpm;
use crate::rpm::evr::Evr;
use crate::rpm::package::{Package, SYSTEM_REPO};

const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const EPOCH: u32 = 1003;
const SUMMARY: u32 = 1004;
const DESCRIPTION: u32 = 1005;
const BUILDTIME: u32 = 1006;
const INSTALLTIME: u32 = 1008;
const SIZE: u32 = 1009;
const LICENSE: u32 = 1014;
const URL: u32 = 1020;
const ARCH: u32 = 1022;
const SOURCERPM: u32 = 1044;
const PROVIDENAME: u32 = 1047;
const REQUIREFLAGS: u32 = 1048;
const REQUIRENAME: u32 = 1049;
const REQUIREVERSION: u32 = 1050;
const CONFLICTFLAGS: u32 = 1053;
const CONFLICTNAME: u32 = 1054;
const CONFLICTVERSION: u32 = 1055;
const OBSOLETENAME: u32 = 1090;
const PROVIDEFLAGS: u32 = 1112;
const PROVIDEVERSION: u32 = 1113;
const OBSOLETEFLAGS: u32 = 1114;
const OBSOLETEVERSION: u32 = 1115;

// Tag data types.
const T_CHAR: u32 = 1;
const T_INT8: u32 = 2;
const T_INT16: u32 = 3;
const T_INT32: u32 = 4;
const T_INT64: u32 = 5;
const T_STRING: u32 = 6;
const T_STRING_ARRAY: u32 = 8;
const T_I18NSTRING: u32 = 9;

/// rpm's own limits (`hdrchkTags`, `hdrchkData`).
const MAX_ENTRIES: usize = 0x0000_ffff;
const MAX_DATA: usize = 0x0fff_ffff;

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// A parsed header index over its blob.
pub struct Header<'a> {
    entries: Vec<Entry>,
    store: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn bad(what: impl Into<String>) -> DbError {
    DbError::Header(what.into())
}

impl<'a> Header<'a> {
    /// Parse the index of a header blob.
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, DbError> {
        if blob.len() < 8 {
            return Err(bad(format!("blob of {} bytes", blob.len())));
        }
        let il = be32(blob, 0) as usize;
        let dl = be32(blob, 4) as usize;
        if il == 0 || il > MAX_ENTRIES || dl > MAX_DATA {
            return Err(bad(format!("{il} entries, {dl} data bytes")));
        }
        let data_start = 8 + il * 16;
        if data_start + dl > blob.len() {
            return Err(bad(format!(
                "{il} entries and {dl} data bytes do not fit in {} bytes",
                blob.len()
            )));
        }
        let store = &blob[data_start..data_start + dl];
        let mut entries = Vec::with_capacity(il);
        for i in 0..il {
            let at = 8 + i * 16;
            let e = Entry {
                tag: be32(blob, at),
                ty: be32(blob, at + 4),
                offset: be32(blob, at + 8) as usize,
                count: be32(blob, at + 12) as usize,
            };
            entries.push(e);
        }
        Ok(Header { entries, store })
    }

    /// The entry of `tag`. Entries added after install ("dribbles", after the immutable
    /// region) replace those of the region, as in rpm's `headerImport`: the last one wins.
    fn entry(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().rev().find(|e| e.tag == tag).copied()
    }

    fn strings_at(&self, e: Entry, max: usize) -> Result<Vec<String>, DbError> {
        let mut out = Vec::with_capacity(e.count.min(max).min(4096));
        let mut at = e.offset;
        for _ in 0..e.count.min(max) {
            let rest = self
                .store
                .get(at..)
                .ok_or_else(|| bad(format!("tag {} points outside the data", e.tag)))?;
            let len = rest
                .iter()
                .position(|&c| c == 0)
                .ok_or_else(|| bad(format!("tag {}: unterminated string", e.tag)))?;
            out.push(String::from_utf8_lossy(&rest[..len]).into_owned());
            at += len + 1;
        }
        Ok(out)
    }

    /// A string tag (STRING, or the first of an I18NSTRING / STRING_ARRAY: the C locale's).
    pub fn string(&self, tag: u32) -> Result<Option<String>, DbError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        match e.ty {
            T_STRING | T_I18NSTRING | T_STRING_ARRAY if e.count > 0 => {
                Ok(self.strings_at(e, 1)?.pop())
            }
            _ => Err(bad(format!("tag {tag} has type {} for a string", e.ty))),
        }
    }

    /// A string array tag (a single STRING counts as an array of one).
    pub fn strings(&self, tag: u32) -> Result<Vec<String>, DbError> {
        let Some(e) = self.entry(tag) else {
            return Ok(Vec::new());
        };
        match e.ty {
            T_STRING_ARRAY | T_I18NSTRING | T_STRING => self.strings_at(e, usize::MAX),
            _ => Err(bad(format!("tag {tag} has type {} for strings", e.ty))),
        }
    }

    /// An integer array tag of any integer width, as unsigned values (as rpm prints them).
    pub fn numbers(&self, tag: u32) -> Result<Vec<u64>, DbError> {
        let Some(e) = self.entry(tag) else {
            return Ok(Vec::new());
        };
        let width = match e.ty {
            T_CHAR | T_INT8 => 1,
            T_INT16 => 2,
            T_INT32 => 4,
            T_INT64 => 8,
            _ => return Err(bad(format!("tag {tag} has type {} for a number", e.ty))),
        };
        let bytes = e
            .count
            .checked_mul(width)
            .and_then(|n| e.offset.checked_add(n))
            .and_then(|end| self.store.get(e.offset..end))
            .ok_or_else(|| bad(format!("tag {tag} points outside the data")))?;
        Ok(bytes
            .chunks_exact(width)
            .map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            .collect())
    }

    /// The first value of an integer tag.
    pub fn number(&self, tag: u32) -> Result<Option<u64>, DbError> {
        Ok(self.numbers(tag)?.first().copied())
    }

    fn deps(
        &self,
        names: u32,
        flags: u32,
        versions: u32,
    ) -> Result<Vec<crate::rpm::Dependency>, DbError> {
        let n = self.strings(names)?;
        let f = self.numbers(flags)?;
        let v = self.strings(versions)?;
        Ok(n.iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let fl = f.get(i).copied().unwrap_or(0) as u32;
                dep_from_rpm(name, fl, v.get(i).map(String::as_str).unwrap_or(""))
            })
            .collect())
    }

    /// The package record of this header, field for field as the `rpm -qa` path builds it.
    pub fn to_package(&self) -> Result<Package, DbError> {
        // As the `rpm -qa` path: a missing tag prints "(none)", which it reads as "".
        let s = |tag| -> Result<String, DbError> {
            Ok(self
                .string(tag)?
                .filter(|v| v != "(none)")
                .unwrap_or_default())
        };
        let name = self
            .string(NAME)?
            .ok_or_else(|| bad("header without a NAME"))?;
        let epoch = self.number(EPOCH)?.map(|e| e as u32);
        Ok(Package {
            name,
            evr: Evr::new(epoch, s(VERSION)?, s(RELEASE)?),
            arch: s(ARCH)?,
            repo: SYSTEM_REPO.to_string(),
            summary: s(SUMMARY)?,
            size_installed: self.number(SIZE)?.unwrap_or(0),
            installtime: self.number(INSTALLTIME)?.unwrap_or(0),
            buildtime: self.number(BUILDTIME)?.unwrap_or(0),
            license: s(LICENSE)?,
            url: s(URL)?,
            sourcerpm: s(SOURCERPM)?,
            description: s(DESCRIPTION)?,
            provides: self.deps(PROVIDENAME, PROVIDEFLAGS, PROVIDEVERSION)?,
            requires: self.deps(REQUIRENAME, REQUIREFLAGS, REQUIREVERSION)?,
            conflicts: self.deps(CONFLICTNAME, CONFLICTFLAGS, CONFLICTVERSION)?,
            obsoletes: self.deps(OBSOLETENAME, OBSOLETEFLAGS, OBSOLETEVERSION)?,
            ..Default::default()
        })
    }
}

/// Parse one rpmdb header blob into a package record.
pub fn package_from_blob(blob: &[u8]) -> Result<Package, DbError> {
    Header::parse(blob)?.to_package()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(entries: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
        let mut data = Vec::new();
        let mut index = Vec::new();
        for (tag, ty, bytes, count) in entries {
            if *ty == T_INT32 {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            for v in [*tag, *ty, data.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn reads_tags_and_drops_rpmlib() {
        let b = blob(&[
            (NAME, T_STRING, b"kernel\0", 1),
            (VERSION, T_STRING, b"4.19.19\0", 1),
            (RELEASE, T_STRING, b"8\0", 1),
            (SUMMARY, T_I18NSTRING, b"The kernel\0Le noyau\0", 2),
            (SIZE, T_INT32, &100u32.to_be_bytes(), 1),
            (REQUIRENAME, T_STRING_ARRAY, b"/bin/sh\0rpmlib(x)\0", 2),
            (REQUIREFLAGS, T_INT32, &[0, 0, 2, 0, 1, 0, 0, 10], 2),
            (REQUIREVERSION, T_STRING_ARRAY, b"\x003.0.4-1\0", 2),
            (NAME, T_STRING, b"kernel-alt\0", 1),
        ]);
        let p = package_from_blob(&b).unwrap();
        assert_eq!(p.name, "kernel-alt", "the later entry wins");
        assert_eq!(p.summary, "The kernel");
        assert_eq!(p.size_installed, 100);
        assert_eq!(p.evr.epoch, None);
        assert_eq!(p.requires.len(), 1);
        assert!(p.requires[0].pre);
        assert_eq!(p.arch, "");
    }

    #[test]
    fn malformed_blobs_are_errors() {
        let good = blob(&[(NAME, T_STRING, b"x\0", 1), (SIZE, T_INT32, &[0; 4], 1)]);
        for cut in 0..good.len() {
            let _ = package_from_blob(&good[..cut]);
        }
        assert!(package_from_blob(&good[..good.len() - 1]).is_err());
        let unterminated = blob(&[(NAME, T_STRING, b"x", 1)]);
        assert!(package_from_blob(&unterminated).is_err());
        let far = blob(&[(NAME, T_STRING, b"x\0", 1), (SIZE, T_INT32, &[0; 4], 9)]);
        assert!(package_from_blob(&far).is_err());
        assert!(package_from_blob(&blob(&[(SIZE, T_INT32, &[0; 4], 1)])).is_err());
    }
}
