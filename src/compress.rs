//! Decompression of metadata files: gzip, bzip2, xz, zstd, or plain, chosen by the file name
//! and confirmed by the magic bytes (a mirror that serves the wrong kind is caught here).

use std::io::{self, BufRead, BufReader, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    /// From the magic bytes at the start of the data.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// From the file name (`primary.xml.gz`).
    pub fn from_name(name: &str) -> Compression {
        if name.ends_with(".gz") {
            Compression::Gzip
        } else if name.ends_with(".bz2") {
            Compression::Bzip2
        } else if name.ends_with(".xz") {
            Compression::Xz
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The most any decompression yields when no size is known: a decompression bomb stops here.
pub const DEFAULT_LIMIT: u64 = 4 << 30;

/// A reader of the decompressed bytes of `data`. The kind comes from the magic bytes, so a
/// file named `.gz` that is plain XML (or the reverse) still reads correctly.
pub fn decompress<'a>(data: &'a [u8]) -> io::Result<Box<dyn BufRead + Send + 'a>> {
    decompress_limited(data, DEFAULT_LIMIT)
}

fn too_big(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("decompresses to more than the {limit} bytes expected"),
    )
}

/// A reader that fails once more than `left` bytes come through.
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(too_big(self.limit));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A writer that fails once more than `left` bytes are written (for xz, decoded at once).
struct LimitedVec {
    out: Vec<u8>,
    limit: u64,
}

impl io::Write for LimitedVec {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if (self.out.len() + buf.len()) as u64 > self.limit {
            return Err(too_big(self.limit));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `decompress`, refusing more than `limit` bytes of output (repomd.xml's `open-size`, when
/// it states one): a decompression bomb is an error, not an exhausted host.
pub fn decompress_limited<'a>(
    data: &'a [u8],
    limit: u64,
) -> io::Result<Box<dyn BufRead + Send + 'a>> {
    let cap = |r: Box<dyn Read + Send + 'a>| -> Box<dyn BufRead + Send + 'a> {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            Limited {
                inner: r,
                left: limit,
                limit,
            },
        ))
    };
    Ok(match Compression::sniff(data) {
        Compression::None => Box::new(data),
        Compression::Gzip => cap(Box::new(flate2::read::MultiGzDecoder::new(data))),
        Compression::Bzip2 => cap(Box::new(bzip2::read::MultiBzDecoder::new(data))),
        Compression::Zstd => cap(Box::new(
            ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        )),
        Compression::Xz => {
            let mut out = LimitedVec {
                out: Vec::new(),
                limit,
            };
            // lzma-rs does unchecked arithmetic on header fields (a crafted index size
            // overflows, a panic under overflow checks): damage is an error here, whatever
            // the build.
            let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                lzma_rs::xz_decompress(&mut BufReader::new(data), &mut out)
            }))
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "xz: corrupt stream"))?;
            decoded.map_err(|e| match e {
                lzma_rs::error::Error::IoError(io) => io,
                e => io::Error::new(io::ErrorKind::InvalidData, format!("xz: {e}")),
            })?;
            Box::new(io::Cursor::new(out.out))
        }
    })
}

/// Decompress everything into memory (at most `DEFAULT_LIMIT` bytes).
pub fn decompress_all(data: &[u8]) -> io::Result<Vec<u8>> {
    decompress_all_limited(data, DEFAULT_LIMIT)
}

/// Decompress everything into memory, refusing more than `limit` bytes.
pub fn decompress_all_limited(data: &[u8], limit: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity((data.len() * 4).min(limit as usize));
    decompress_limited(data, limit)?.read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_and_plain_round_trip() {
        let text = b"<metadata packages=\"0\"/>";
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(Compression::sniff(&gz), Compression::Gzip);
        assert_eq!(decompress_all(&gz).unwrap(), text);
        assert_eq!(decompress_all(text).unwrap(), text);
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(text).unwrap();
        assert_eq!(decompress_all(&bz.finish().unwrap()).unwrap(), text);
    }

    #[test]
    fn crafted_xz_footer_is_an_error_not_a_panic() {
        let mut xz = Vec::new();
        lzma_rs::xz_compress(&mut &b"<metadata/>"[..], &mut xz).unwrap();
        assert_eq!(decompress_all(&xz).unwrap(), b"<metadata/>");
        // The footer's backward size (bytes -8..-4) at its maximum: lzma-rs overflows on it.
        let n = xz.len();
        xz[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = decompress_all(&xz).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&[b'x'; 10000]).unwrap();
        let mut gz = enc.finish().unwrap();
        let n = gz.len();
        gz.truncate(n / 2);
        assert!(decompress_all(&gz).is_err());
    }
}
