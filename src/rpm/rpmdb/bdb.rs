//! A native, read-only reader of the Berkeley DB hash format as rpm 4.11 keeps
//! `/var/lib/rpm/Packages` (XCP-ng 8.x): the hash metadata page (page size, byte order,
//! buckets, spares), each bucket's chain of hash pages, their `H_KEYDATA` and `H_OFFPAGE`
//! items and the overflow page chains that hold big headers. It yields `(header number, blob)`
//! and skips record 0 (rpm's bookkeeping). It never writes, never joins rpm's BDB environment
//! (`__db.*`) and takes no locks; encrypted files, duplicates and anything out of
//! bounds are errors, never panics. Page checksums, when present, are skipped, not verified.

use super::{BlobVisitor, DbError};

const HASH_MAGIC: u32 = 0x0006_1561;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;
/// Size of the generic page header (`PAGE`): lsn, pgno, prev, next, entries, hf_offset,
/// level, type.
const PAGE_HDR: usize = 26;
/// With page checksums (`DBMETA_CHKSUM`), 2 bytes of padding and a 4-byte checksum follow.
const PAGE_HDR_CHKSUM: usize = 32;

fn bad(what: impl Into<String>) -> DbError {
    DbError::Bdb(what.into())
}

struct Reader<'a> {
    data: &'a [u8],
    page_size: usize,
    pages: usize,
    big_endian: bool,
    /// Where items start on a page: `PAGE_HDR`, or `PAGE_HDR_CHKSUM` with checksums.
    overhead: usize,
}

impl<'a> Reader<'a> {
    fn u16(&self, b: &[u8], at: usize) -> Result<usize, DbError> {
        let s = b.get(at..at + 2).ok_or_else(|| bad("truncated page"))?;
        let a = [s[0], s[1]];
        Ok(usize::from(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }))
    }

    fn u32(&self, b: &[u8], at: usize) -> Result<u32, DbError> {
        let s = b.get(at..at + 4).ok_or_else(|| bad("truncated page"))?;
        let a = [s[0], s[1], s[2], s[3]];
        Ok(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }

    fn page(&self, pgno: u32) -> Result<&'a [u8], DbError> {
        let n = pgno as usize;
        if n >= self.pages {
            return Err(bad(format!(
                "page {pgno} beyond the end ({} pages)",
                self.pages
            )));
        }
        Ok(&self.data[n * self.page_size..(n + 1) * self.page_size])
    }

    /// The bytes of an item stored on overflow pages, starting at `pgno`, `len` long.
    fn overflow(&self, mut pgno: u32, len: usize, out: &mut Vec<u8>) -> Result<(), DbError> {
        out.clear();
        if len > self.data.len() {
            return Err(bad(format!("overflow item of {len} bytes")));
        }
        let mut hops = 0;
        while out.len() < len {
            hops += 1;
            if pgno == 0 || hops > self.pages {
                return Err(bad("broken overflow chain"));
            }
            let p = self.page(pgno)?;
            if p[25] != P_OVERFLOW {
                return Err(bad(format!("page {pgno} is type {}, not overflow", p[25])));
            }
            let n = self.u16(p, 22)?;
            let chunk = p
                .get(self.overhead..self.overhead + n)
                .ok_or_else(|| bad(format!("overflow page {pgno} claims {n} bytes")))?;
            out.extend_from_slice(chunk);
            pgno = self.u32(p, 16)?;
        }
        if out.len() != len {
            return Err(bad("overflow chain longer than its item"));
        }
        Ok(())
    }

    /// Item `i` of hash page `p`: its bytes, type byte first.
    fn item(&self, p: &'a [u8], i: usize) -> Result<&'a [u8], DbError> {
        let start = self.u16(p, self.overhead + 2 * i)?;
        let end = if i == 0 {
            self.page_size
        } else {
            self.u16(p, self.overhead + 2 * (i - 1))?
        };
        if start < self.overhead || start >= end || end > self.page_size {
            return Err(bad(format!("item {i} at {start}..{end}")));
        }
        Ok(&p[start..end])
    }

    /// The value of an item, copied into `buf` when it lives on overflow pages.
    fn value<'b>(&self, item: &'b [u8], buf: &'b mut Vec<u8>) -> Result<&'b [u8], DbError>
    where
        'a: 'b,
    {
        match item[0] {
            H_KEYDATA => Ok(&item[1..]),
            H_OFFPAGE => {
                let pgno = self.u32(item, 4)?;
                let len = self.u32(item, 8)? as usize;
                self.overflow(pgno, len, buf)?;
                Ok(&buf[..])
            }
            H_DUPLICATE | H_OFFDUP => Err(bad("duplicate keys are not used by rpm")),
            t => Err(bad(format!("unknown hash item type {t}"))),
        }
    }
}

/// ⌈log2(n)⌉ as Berkeley DB's `__db_log2`.
fn log2_ceil(n: u32) -> usize {
    let mut i = 0;
    while (1u64 << i) < u64::from(n) {
        i += 1;
    }
    i
}

/// Visit every `(header number, header blob)` of an rpm `Packages` hash file held in `data`.
pub fn for_each_blob(data: &[u8], f: &mut BlobVisitor<'_>) -> Result<(), DbError> {
    if data.len() < 512 {
        return Err(bad(format!("{} bytes: no hash metadata page", data.len())));
    }
    let magic = u32::from_le_bytes([data[12], data[13], data[14], data[15]]);
    let big_endian = match magic {
        HASH_MAGIC => false,
        m if m.swap_bytes() == HASH_MAGIC => true,
        m => return Err(bad(format!("magic {m:#x}: not a Berkeley DB hash file"))),
    };
    let mut r = Reader {
        data,
        page_size: 0,
        pages: 0,
        big_endian,
        overhead: PAGE_HDR,
    };
    let version = r.u32(data, 16)?;
    let page_size = r.u32(data, 20)? as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(bad(format!("page size {page_size}")));
    }
    if !(7..=10).contains(&version) {
        return Err(bad(format!("hash version {version}")));
    }
    if data[24] != 0 {
        return Err(bad("encrypted database"));
    }
    if data[25] != P_HASHMETA {
        return Err(bad(format!(
            "page 0 has type {}, not hash metadata",
            data[25]
        )));
    }
    if data[26] & 1 != 0 {
        // Checksums are not verified: rpm wrote the file; the structure is checked instead.
        r.overhead = PAGE_HDR_CHKSUM;
    }
    r.page_size = page_size;
    r.pages = data.len() / page_size;
    let max_bucket = r.u32(data, 72)?;
    let mut spares = [0u32; 32];
    for (i, s) in spares.iter_mut().enumerate() {
        *s = r.u32(data, 96 + 4 * i)?;
    }
    if max_bucket as usize >= r.pages {
        return Err(bad(format!("{max_bucket} buckets in {} pages", r.pages)));
    }
    let mut buf = Vec::new();
    let mut seen = 0usize;
    for bucket in 0..=max_bucket {
        let mut pgno = bucket
            .checked_add(spares[log2_ceil(bucket + 1)])
            .ok_or_else(|| bad("bad spares"))?;
        if pgno == 0 {
            return Err(bad(format!("bucket {bucket} maps to the metadata page")));
        }
        while pgno != 0 {
            seen += 1;
            if seen > r.pages {
                return Err(bad("hash page chains have a cycle"));
            }
            let p = r.page(pgno)?;
            if p[25] != P_HASH && p[25] != P_HASH_UNSORTED {
                return Err(bad(format!(
                    "bucket {bucket}: page {pgno} is type {}, not a hash page",
                    p[25]
                )));
            }
            let entries = r.u16(p, 20)?;
            if entries % 2 != 0 || r.overhead + 2 * entries > page_size {
                return Err(bad(format!("page {pgno} has {entries} entries")));
            }
            for i in (0..entries).step_by(2) {
                let key = r.item(p, i)?;
                if key[0] != H_KEYDATA || key.len() != 5 {
                    return Err(bad(format!("page {pgno}: key {i} is not a header number")));
                }
                let hnum = r.u32(key, 1)?;
                if hnum == 0 {
                    continue;
                }
                let item = r.item(p, i + 1)?;
                let blob = r.value(item, &mut buf)?;
                f(hnum, blob)?;
            }
            pgno = r.u32(p, 16)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(log2_ceil), [0, 1, 2, 2, 3, 3, 4]);
    }

    #[test]
    fn garbage_is_an_error() {
        let mut f = |_: u32, _: &[u8]| Ok(());
        assert!(for_each_blob(&[], &mut f).is_err());
        assert!(for_each_blob(&[0u8; 4096], &mut f).is_err());
        let mut meta = vec![0u8; 4096];
        meta[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
        meta[16..20].copy_from_slice(&9u32.to_le_bytes());
        meta[20..24].copy_from_slice(&4096u32.to_le_bytes());
        meta[25] = P_HASHMETA;
        // bucket 0 would be page 1, which does not exist
        assert!(for_each_blob(&meta, &mut f).is_err());
    }
}
