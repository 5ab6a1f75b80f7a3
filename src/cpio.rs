//! The newc ("070701"/"070702") cpio archives of RPM payloads and initrds: the entries of one
//! archive, each name with its bytes, bounds-checked (a truncated or lying header ends the
//! walk, it never reads past the data). A leaf.

/// One entry of an archive.
pub struct Entry<'a> {
    /// As stored (RPM payloads: `./lib/modules/…`).
    pub name: String,
    pub data: &'a [u8],
}

/// The entries of the archive at the start of `data`, up to its `TRAILER!!!`.
pub struct Entries<'a> {
    data: &'a [u8],
    off: usize,
    /// True once the trailer was reached.
    pub complete: bool,
    /// True when a header did not parse or claimed more bytes than there are.
    pub broken: bool,
    done: bool,
}

/// Walk the archive at the start of `data`.
pub fn entries(data: &[u8]) -> Entries<'_> {
    Entries {
        data,
        off: 0,
        complete: false,
        broken: false,
        done: false,
    }
}

/// True when `data` starts with a newc header.
pub fn is_newc(data: &[u8]) -> bool {
    data.starts_with(b"070701") || data.starts_with(b"070702")
}

impl<'a> Entries<'a> {
    /// Where the walk stopped: the byte after the last entry read.
    pub fn offset(&self) -> usize {
        self.off
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if self.done {
            return None;
        }
        let rest = self.data.get(self.off..)?;
        if !is_newc(rest) {
            self.done = true;
            return None;
        }
        let hex = |i: usize| -> Option<usize> {
            let s = std::str::from_utf8(rest.get(6 + i * 8..14 + i * 8)?).ok()?;
            usize::from_str_radix(s, 16).ok()
        };
        let parsed = (|| {
            let (size, namesize) = (hex(6)?, hex(11)?);
            let name = rest.get(110..110 + namesize.checked_sub(1)?)?;
            let data_at = (110 + namesize).next_multiple_of(4);
            let body = rest.get(data_at..data_at.checked_add(size)?)?;
            Some((
                String::from_utf8_lossy(name).into_owned(),
                body,
                data_at + size,
            ))
        })();
        let Some((name, body, end)) = parsed else {
            self.done = true;
            self.broken = true;
            return None;
        };
        self.off += end.next_multiple_of(4).min(rest.len());
        if name == "TRAILER!!!" {
            self.done = true;
            self.complete = true;
            return None;
        }
        Some(Entry { name, data: body })
    }
}

/// A newc archive of regular files `(name, data)`, with its trailer: what test fixtures and
/// tools build initrds and payloads with (mode 0644, no timestamps).
pub fn newc(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut v = Vec::new();
    let trailer: (&str, &[u8]) = ("TRAILER!!!", b"");
    for (name, data) in entries.iter().copied().chain(std::iter::once(trailer)) {
        v.extend_from_slice(b"070701");
        for x in [
            0,
            0o100644,
            0,
            0,
            1,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0,
        ] {
            v.extend_from_slice(format!("{x:08x}").as_bytes());
        }
        v.extend_from_slice(name.as_bytes());
        v.push(0);
        v.resize(v.len().next_multiple_of(4), 0);
        v.extend_from_slice(data);
        v.resize(v.len().next_multiple_of(4), 0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_and_a_truncated_archive_stops() {
        let a = newc(&[("./lib/modules/k/x.ko", b"hello"), ("b", b"")]);
        let mut it = entries(&a);
        let names: Vec<(String, Vec<u8>)> =
            it.by_ref().map(|e| (e.name, e.data.to_vec())).collect();
        assert_eq!(names[0], ("./lib/modules/k/x.ko".into(), b"hello".to_vec()));
        assert_eq!(names.len(), 2);
        assert!(it.complete);
        assert_eq!(it.offset(), a.len());
        // Cut inside the first entry's data: nothing read, not complete.
        let mut cut = entries(&a[..115]);
        assert!(cut.next().is_none());
        assert!(!cut.complete && cut.broken);
    }
}
