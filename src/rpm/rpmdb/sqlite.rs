//! A small, read-only reader of the SQLite file format, just enough for rpm ≥ 4.16's
//! `rpmdb.sqlite`: the schema table on page 1, then the `Packages` table b-tree (interior and
//! leaf table pages, overflow chains, the record format) yielding `(hnum, blob)`.
//! It never opens the file for writing, never creates `-wal`/`-shm` files and takes no locks;
//! a database with a non-empty write-ahead log (rpm still running, or killed) is refused so that
//! the caller falls back to `rpm -qa`. Every offset is checked: a corrupt file is an error,
//! never a panic.

use super::{BlobVisitor, DbError};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

fn bad(what: impl Into<String>) -> DbError {
    DbError::Sqlite(what.into())
}

fn be16(b: &[u8], at: usize) -> Result<usize, DbError> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_be_bytes([s[0], s[1]])))
        .ok_or_else(|| bad("truncated page"))
}

fn be32(b: &[u8], at: usize) -> Result<u32, DbError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| bad("truncated page"))
}

/// SQLite's varint: 1–9 bytes, big-endian groups of 7 bits, the 9th byte whole.
fn varint(b: &[u8], at: usize) -> Result<(u64, usize), DbError> {
    let mut v = 0u64;
    for i in 0..9 {
        let c = *b.get(at + i).ok_or_else(|| bad("truncated varint"))?;
        if i == 8 {
            return Ok(((v << 8) | u64::from(c), 9));
        }
        v = (v << 7) | u64::from(c & 0x7f);
        if c & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    unreachable!()
}

/// What sees each `(rowid, record)` of a table.
type RowVisitor<'a> = dyn FnMut(i64, &[u8]) -> Result<(), DbError> + 'a;

struct Db {
    file: File,
    page_size: usize,
    usable: usize,
    pages: u32,
}

impl Db {
    fn open(path: &Path) -> Result<Db, DbError> {
        let wal = path.with_file_name(format!(
            "{}-wal",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
        {
            return Err(DbError::Busy(format!(
                "{} is not empty (rpm is running or was interrupted)",
                wal.display()
            )));
        }
        let file = File::open(path).map_err(|e| DbError::Io(path.display().to_string(), e))?;
        let len = file
            .metadata()
            .map_err(|e| DbError::Io(path.display().to_string(), e))?
            .len();
        let mut hdr = [0u8; 100];
        file.read_exact_at(&mut hdr, 0)
            .map_err(|_| bad("shorter than the 100-byte SQLite header"))?;
        if &hdr[..16] != b"SQLite format 3\0" {
            return Err(bad("not an SQLite 3 database"));
        }
        let page_size = match u16::from_be_bytes([hdr[16], hdr[17]]) {
            1 => 65536,
            n if n >= 512 && n.is_power_of_two() => usize::from(n),
            n => return Err(bad(format!("page size {n}"))),
        };
        let reserved = usize::from(hdr[20]);
        if page_size - reserved < 480 {
            return Err(bad("too little usable space per page"));
        }
        let pages = u32::try_from(len / page_size as u64).map_err(|_| bad("file too large"))?;
        Ok(Db {
            file,
            page_size,
            usable: page_size - reserved,
            pages,
        })
    }

    fn page(&self, pgno: u32) -> Result<Vec<u8>, DbError> {
        if pgno == 0 || pgno > self.pages {
            return Err(bad(format!("page {pgno} of {}", self.pages)));
        }
        let mut buf = vec![0u8; self.page_size];
        self.file
            .read_exact_at(&mut buf, u64::from(pgno - 1) * self.page_size as u64)
            .map_err(|e| bad(format!("reading page {pgno}: {e}")))?;
        Ok(buf)
    }

    /// The whole payload of a table-leaf cell starting at `at` (after the rowid).
    fn payload(&self, page: &[u8], at: usize, size: u64, out: &mut Vec<u8>) -> Result<(), DbError> {
        let p = usize::try_from(size).map_err(|_| bad("payload too large"))?;
        if p > 1 << 30 {
            return Err(bad(format!("payload of {p} bytes")));
        }
        let u = self.usable;
        let x = u - 35;
        let local = if p <= x {
            p
        } else {
            let m = ((u - 12) * 32 / 255) - 23;
            let k = m + ((p - m) % (u - 4));
            if k <= x {
                k
            } else {
                m
            }
        };
        out.clear();
        out.extend_from_slice(
            page.get(at..at + local)
                .ok_or_else(|| bad("cell overflows its page"))?,
        );
        if local == p {
            return Ok(());
        }
        let mut next = be32(page, at + local)?;
        let mut hops = 0u32;
        while out.len() < p {
            hops += 1;
            if next == 0 || hops > self.pages {
                return Err(bad("broken overflow chain"));
            }
            let ov = self.page(next)?;
            next = be32(&ov, 0)?;
            let take = (p - out.len()).min(u - 4);
            out.extend_from_slice(&ov[4..4 + take]);
        }
        Ok(())
    }

    /// Visit every row of the table b-tree rooted at `root`: `f(rowid, record)`.
    fn walk_table(&self, root: u32, f: &mut RowVisitor<'_>) -> Result<(), DbError> {
        let mut stack = vec![(root, 0u32)];
        let mut visited = 0u32;
        let mut rec = Vec::new();
        while let Some((pgno, depth)) = stack.pop() {
            visited += 1;
            if visited > self.pages || depth > 64 {
                return Err(bad("b-tree has a cycle"));
            }
            let page = self.page(pgno)?;
            let h = if pgno == 1 { 100 } else { 0 };
            let kind = *page.get(h).ok_or_else(|| bad("empty page"))?;
            let cells = be16(&page, h + 3)?;
            match kind {
                0x0d => {
                    for i in 0..cells {
                        let at = be16(&page, h + 8 + 2 * i)?;
                        let (size, n1) = varint(&page, at)?;
                        let (rowid, n2) = varint(&page, at + n1)?;
                        self.payload(&page, at + n1 + n2, size, &mut rec)?;
                        f(rowid as i64, &rec)?;
                    }
                }
                0x05 => {
                    // Push right-most first so rows come out in rowid order.
                    stack.push((be32(&page, h + 8)?, depth + 1));
                    for i in (0..cells).rev() {
                        let at = be16(&page, h + 12 + 2 * i)?;
                        stack.push((be32(&page, at)?, depth + 1));
                    }
                }
                k => {
                    return Err(bad(format!(
                        "page {pgno} has type {k:#x}, not a table page"
                    )))
                }
            }
        }
        Ok(())
    }
}

/// One column value of a record.
#[derive(Debug, PartialEq)]
enum Value<'a> {
    Null,
    Int(i64),
    Other,
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// Split a record into its column values.
fn record(rec: &[u8]) -> Result<Vec<Value<'_>>, DbError> {
    let (hlen, n) = varint(rec, 0)?;
    let hlen = usize::try_from(hlen).map_err(|_| bad("record header"))?;
    if hlen > rec.len() {
        return Err(bad("record header longer than the record"));
    }
    let mut at = n;
    let mut body = hlen;
    let mut out = Vec::new();
    while at < hlen {
        let (st, n) = varint(rec, at)?;
        at += n;
        let len = match st {
            0 | 8 | 9 => 0,
            1..=4 => st as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return Err(bad("reserved serial type")),
            _ => usize::try_from((st - 12) / 2).map_err(|_| bad("huge value"))?,
        };
        let bytes = rec
            .get(body..body.checked_add(len).ok_or_else(|| bad("huge value"))?)
            .ok_or_else(|| bad("record value outside the record"))?;
        body += len;
        out.push(match st {
            0 => Value::Null,
            8 => Value::Int(0),
            9 => Value::Int(1),
            1..=6 => {
                let mut v: i64 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
                for &b in bytes {
                    v = (v << 8) | i64::from(b);
                }
                Value::Int(v)
            }
            7 => Value::Other,
            st if st % 2 == 0 => Value::Blob(bytes),
            _ => Value::Text(bytes),
        });
    }
    Ok(out)
}

/// Visit every `(hnum, header blob)` of the `Packages` table of an rpm SQLite database.
pub fn for_each_blob(path: &Path, f: &mut BlobVisitor<'_>) -> Result<(), DbError> {
    let db = Db::open(path)?;
    let mut root = None;
    db.walk_table(1, &mut |_, rec| {
        let cols = record(rec)?;
        if let [Value::Text(b"table"), Value::Text(name), _, Value::Int(r), ..] = cols.as_slice() {
            if *name == b"Packages" {
                root = Some(*r);
            }
        }
        Ok(())
    })?;
    let root = root.ok_or_else(|| bad("no Packages table"))?;
    let root = u32::try_from(root).map_err(|_| bad("bad root page of Packages"))?;
    db.walk_table(root, &mut |rowid, rec| {
        let cols = record(rec)?;
        // (hnum INTEGER PRIMARY KEY, blob BLOB): hnum is the rowid, stored as NULL.
        let hnum = match cols.first() {
            Some(Value::Null) => rowid,
            Some(Value::Int(v)) => *v,
            _ => return Err(bad("Packages row without hnum")),
        };
        match cols.get(1) {
            Some(Value::Blob(b)) => {
                let hnum = u32::try_from(hnum).map_err(|_| bad(format!("hnum {hnum}")))?;
                f(hnum, b)
            }
            _ => Err(bad(format!("Packages row {hnum} without a blob"))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05], 0).unwrap(), (5, 1));
        assert_eq!(varint(&[0x81, 0x00], 0).unwrap(), (128, 2));
        assert_eq!(varint(&[0xff; 9], 0).unwrap(), (u64::MAX, 9));
        assert!(varint(&[0x81], 0).is_err());
    }

    #[test]
    fn records() {
        // header: len 3, NULL, blob of 2 bytes (serial 16)
        let r = [3u8, 0, 16, 0xaa, 0xbb];
        assert_eq!(
            record(&r).unwrap(),
            vec![Value::Null, Value::Blob(&[0xaa, 0xbb])]
        );
        assert!(record(&[3u8, 0, 16, 0xaa]).is_err());
        assert!(record(&[9u8, 0]).is_err());
    }
}
