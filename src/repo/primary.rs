//! Streaming parsers of `primary.xml` (packages and their dependencies) and `other.xml`
//! (changelogs). They read decompressed bytes and never hold the whole document as a tree.

use crate::rpm::dep::{Dependency, Sense};
use crate::rpm::evr::Evr;
use crate::rpm::package::Package;
use crate::sysroot::checked_relative;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::io::BufRead;

/// What went wrong in a metadata document.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("malformed XML near byte {pos}: {msg}")]
    Xml { pos: u64, msg: String },
    #[error("package `{package}`: {msg}")]
    Package { package: String, msg: String },
}

/// The longest run of bytes between two `<`/`>` a metadata document may hold: the longest
/// field (a description) and some room for escapes. The XML reader buffers a whole text or
/// tag before it hands it over, so without this a single 300 MB description would be read
/// into memory before any field check could refuse it.
pub const TOKEN_MAX: usize = FIELD_DESCRIPTION + (256 << 10);

/// A reader that fails, instead of buffering on, when a text or a tag runs past
/// [`TOKEN_MAX`] bytes.
pub(super) struct TokenGuard<R> {
    inner: R,
    /// Bytes since the last `<` or `>`.
    run: usize,
    /// Bytes of the inner buffer already counted.
    scanned: usize,
}

impl<R> TokenGuard<R> {
    pub(super) fn new(inner: R) -> TokenGuard<R> {
        TokenGuard {
            inner,
            run: 0,
            scanned: 0,
        }
    }
}

impl<R: BufRead> std::io::Read for TokenGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for TokenGuard<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        let new = &buf[self.scanned.min(buf.len())..];
        // Only the longest run matters: before the first delimiter, and after the last.
        let first = memchr::memchr2(b'<', b'>', new).unwrap_or(new.len());
        let over = self.run + first > TOKEN_MAX;
        match memchr::memrchr2(b'<', b'>', new) {
            Some(last) => self.run = new.len() - last - 1,
            None => self.run += new.len(),
        }
        // Runs between two delimiters inside `new` are bounded by the chunk size.
        if over || self.run > TOKEN_MAX || new.len() > TOKEN_MAX && memchr_gap(new) > TOKEN_MAX {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a text or tag longer than {TOKEN_MAX} bytes"),
            ));
        }
        self.scanned = buf.len();
        Ok(buf)
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.scanned = self.scanned.saturating_sub(amt);
    }
}

/// The longest run without `<` or `>` inside `data`.
fn memchr_gap(data: &[u8]) -> usize {
    let mut longest = 0;
    let mut at = 0;
    for i in memchr::memchr2_iter(b'<', b'>', data) {
        longest = longest.max(i - at);
        at = i + 1;
    }
    longest.max(data.len() - at)
}

pub(super) fn xml_err(pos: u64, e: impl std::fmt::Display) -> ParseError {
    ParseError::Xml {
        pos,
        msg: e.to_string(),
    }
}

/// Call `f` with each attribute's name and unescaped value (borrowed unless it had escapes:
/// most are parsed or dropped, and only those kept are copied).
pub(super) fn attrs(e: &BytesStart<'_>, mut f: impl FnMut(&[u8], Cow<'_, str>)) {
    for a in e.attributes().flatten() {
        if let Ok(v) = a.unescape_value() {
            f(a.key.as_ref(), v);
        }
    }
}

/// Append the text of an entity or character reference (`&amp;`, `&#233;`); an unknown
/// entity is an error (XML allows no others without a DTD).
pub(super) fn push_entity(
    g: &quick_xml::events::BytesRef<'_>,
    out: &mut String,
) -> Result<(), String> {
    let name = g.decode().map_err(|e| e.to_string())?;
    if let Some(v) = quick_xml::escape::resolve_xml_entity(&name) {
        out.push_str(v);
        return Ok(());
    }
    match g.resolve_char_ref().map_err(|e| e.to_string())? {
        Some(c) => {
            out.push(c);
            Ok(())
        }
        None => Err(format!("unknown entity &{name};")),
    }
}

/// The root element of a metadata document: it must be there, and closed, so that a document
/// cut short does not pass for a shorter one.
pub(super) struct Root {
    name: &'static str,
    what: &'static str,
    opened: bool,
    closed: bool,
}

impl Root {
    pub(super) fn new(name: &'static str, what: &'static str) -> Root {
        Root {
            name,
            what,
            opened: false,
            closed: false,
        }
    }

    pub(super) fn see(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Start(e) if e.local_name().as_ref() == self.name.as_bytes() => {
                self.opened = true
            }
            Event::Empty(e) if e.local_name().as_ref() == self.name.as_bytes() => {
                self.opened = true;
                self.closed = true;
            }
            Event::End(e) if e.local_name().as_ref() == self.name.as_bytes() => self.closed = true,
            _ => {}
        }
    }

    pub(super) fn check(&self, pos: u64) -> Result<(), ParseError> {
        if !self.opened {
            return Err(xml_err(
                0,
                format!("not {} metadata (no <{}> element)", self.what, self.name),
            ));
        }
        if !self.closed {
            return Err(xml_err(
                pos,
                format!("the document ends before </{}>: it is truncated", self.name),
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DepKind {
    Provides,
    Requires,
    Conflicts,
    Obsoletes,
    Other,
}

fn dep_from_entry(e: &BytesStart<'_>) -> Dependency {
    let mut name = String::new();
    let mut flags = None;
    let mut epoch = None;
    let mut ver = None;
    let mut rel = String::new();
    let mut pre = false;
    attrs(e, |k, v| match k {
        b"name" => name = v.into_owned(),
        b"flags" => flags = Sense::from_repodata(&v),
        b"epoch" => epoch = v.parse::<u32>().ok(),
        b"ver" => ver = Some(v.into_owned()),
        b"rel" => rel = v.into_owned(),
        b"pre" => pre = v == "1" || v == "true",
        _ => {}
    });
    let mut d = match (flags, ver) {
        (Some(s), Some(v)) => Dependency::versioned(name, s, Evr::new(epoch, v, rel)),
        _ => Dependency::unversioned(name),
    };
    d.pre = pre;
    d
}

/// Parse primary metadata, calling `sink` for every package. `repo` is stored in each package.
/// Returns the number of packages.
pub fn parse_primary<R: BufRead>(
    input: R,
    repo: &str,
    mut sink: impl FnMut(Package),
) -> Result<usize, ParseError> {
    let mut r = Reader::from_reader(TokenGuard::new(input));
    r.config_mut().trim_text(false);
    let mut buf = Vec::with_capacity(4096);
    let mut pkg: Option<Package> = None;
    let mut text = String::new();
    let mut in_text = false;
    // The element whose text is read, and how long that text may be.
    let mut field: (&'static str, usize) = ("", 0);
    let mut depkind = DepKind::Other;
    let mut count = 0usize;
    let mut root = Root::new("metadata", "primary");
    loop {
        let ev = match r.read_event_into(&mut buf) {
            Ok(ev) => ev,
            // A text past the token bound inside a field: say which package and field.
            Err(quick_xml::Error::Io(e))
                if in_text && e.kind() == std::io::ErrorKind::InvalidData =>
            {
                return Err(field_error(field, pkg.as_ref()));
            }
            Err(e) => return Err(xml_err(r.buffer_position(), e)),
        };
        root.see(&ev);
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let local = e.local_name();
                let name = local.as_ref();
                let Some(p) = pkg.as_mut() else {
                    if name == b"package" {
                        pkg = Some(Package {
                            repo: repo.to_string(),
                            ..Default::default()
                        });
                    }
                    continue;
                };
                match name {
                    b"version" => attrs(e, |k, v| match k {
                        b"epoch" => p.evr.epoch = v.parse().ok(),
                        b"ver" => p.evr.version = v.into_owned(),
                        b"rel" => p.evr.release = v.into_owned(),
                        _ => {}
                    }),
                    b"checksum" => {
                        attrs(e, |k, v| {
                            if k == b"type" {
                                p.checksum.kind = v.into_owned();
                            }
                        });
                        in_text = !empty;
                    }
                    b"time" => attrs(e, |k, v| {
                        if k == b"build" {
                            p.buildtime = v.parse().unwrap_or(0)
                        }
                    }),
                    b"size" => attrs(e, |k, v| match k {
                        b"package" => p.size_package = v.parse().unwrap_or(0),
                        b"installed" => p.size_installed = v.parse().unwrap_or(0),
                        _ => {}
                    }),
                    b"location" => attrs(e, |k, v| {
                        if k == b"href" {
                            p.location = v.into_owned()
                        }
                    }),
                    b"provides" => depkind = DepKind::Provides,
                    b"requires" => depkind = DepKind::Requires,
                    b"conflicts" => depkind = DepKind::Conflicts,
                    b"obsoletes" => depkind = DepKind::Obsoletes,
                    b"suggests" | b"recommends" | b"enhances" | b"supplements" => {
                        depkind = DepKind::Other
                    }
                    b"entry" => {
                        let d = dep_from_entry(e);
                        match depkind {
                            DepKind::Provides => p.provides.push(d),
                            DepKind::Requires => p.requires.push(d),
                            DepKind::Conflicts => p.conflicts.push(d),
                            DepKind::Obsoletes => p.obsoletes.push(d),
                            DepKind::Other => {}
                        }
                    }
                    b"name" | b"arch" | b"summary" | b"description" | b"url" | b"license"
                    | b"sourcerpm" | b"file" => {
                        in_text = !empty;
                        field = field_cap(name);
                    }
                    _ => {}
                }
                if name == b"checksum" {
                    field = field_cap(name);
                }
                text.clear();
            }
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| xml_err(r.buffer_position(), e))?;
                text.push_str(&s);
                check_field(&text, field, pkg.as_ref())?;
            }
            Event::GeneralRef(g) if in_text => {
                push_entity(&g, &mut text).map_err(|e| xml_err(r.buffer_position(), e))?;
                check_field(&text, field, pkg.as_ref())?;
            }
            Event::CData(t) if in_text => {
                text.push_str(&String::from_utf8_lossy(&t));
                check_field(&text, field, pkg.as_ref())?;
            }
            Event::End(ref e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if name == b"package" {
                    if let Some(p) = pkg.take() {
                        finish(&p)?;
                        count += 1;
                        sink(p);
                    }
                    continue;
                }
                let Some(p) = pkg.as_mut() else { continue };
                if in_text {
                    // Copied at its size; `text` keeps its buffer for the next element.
                    let t = text.as_str();
                    match name {
                        b"name" => p.name = t.to_owned(),
                        b"arch" => p.arch = t.to_owned(),
                        b"summary" => p.summary = t.to_owned(),
                        b"description" => p.description = t.to_owned(),
                        b"url" => p.url = t.to_owned(),
                        b"license" => p.license = t.to_owned(),
                        b"sourcerpm" if t != "(none)" => p.sourcerpm = t.to_owned(),
                        b"checksum" => p.checksum.value = t.trim().to_ascii_lowercase(),
                        b"file" => p.files.push(t.to_owned()),
                        _ => {}
                    }
                    in_text = false;
                }
                if matches!(
                    name,
                    b"provides" | b"requires" | b"conflicts" | b"obsoletes"
                ) {
                    depkind = DepKind::Other;
                }
            }
            _ => {}
        }
        buf.clear();
    }
    root.check(r.buffer_position())?;
    Ok(count)
}

/// The longest text each element of a package may hold: names, arches and checksums a few
/// KiB, summary, URL, license and source rpm 64 KiB, a description 1 MiB, a file path
/// PATH_MAX. Metadata past these is not a repository but an attack on the host's memory.
pub const FIELD_SMALL: usize = 4 << 10;
pub const FIELD_TEXT: usize = 64 << 10;
pub const FIELD_DESCRIPTION: usize = 1 << 20;
pub const FIELD_PATH: usize = 4096;

fn field_cap(name: &[u8]) -> (&'static str, usize) {
    match name {
        b"name" => ("name", FIELD_SMALL),
        b"arch" => ("arch", FIELD_SMALL),
        b"checksum" => ("checksum", FIELD_SMALL),
        b"summary" => ("summary", FIELD_TEXT),
        b"url" => ("url", FIELD_TEXT),
        b"license" => ("license", FIELD_TEXT),
        b"sourcerpm" => ("sourcerpm", FIELD_TEXT),
        b"description" => ("description", FIELD_DESCRIPTION),
        b"file" => ("file", FIELD_PATH),
        _ => ("?", FIELD_TEXT),
    }
}

/// Refuse a text longer than its element may be, naming the package and the element.
fn check_field(text: &str, field: (&str, usize), p: Option<&Package>) -> Result<(), ParseError> {
    if text.len() <= field.1 {
        return Ok(());
    }
    Err(field_error(field, p))
}

fn field_error(field: (&str, usize), p: Option<&Package>) -> ParseError {
    let package = match p {
        Some(p) if !p.name.is_empty() => p.name.clone(),
        _ => "?".into(),
    };
    ParseError::Package {
        package,
        msg: format!(
            "<{}> is longer than the {} bytes it may be",
            field.0, field.1
        ),
    }
}

fn finish(p: &Package) -> Result<(), ParseError> {
    let bad = |msg: String| ParseError::Package {
        package: if p.name.is_empty() {
            "?".into()
        } else {
            p.nevra()
        },
        msg,
    };
    if p.name.is_empty() || p.arch.is_empty() || p.evr.version.is_empty() {
        return Err(bad("missing name, arch or version".into()));
    }
    if p.location.is_empty() {
        return Err(bad("missing <location href>".into()));
    }
    checked_relative(&p.location).map_err(|e| bad(e.to_string()))?;
    Ok(())
}

/// Parse `filelists.xml`, calling `sink(pkgid, file)` for every file `want` accepts. Most
/// callers want a handful of paths (file requires that primary's subset does not cover), so
/// nothing else is kept.
pub fn parse_filelists<R: BufRead>(
    input: R,
    mut want: impl FnMut(&str) -> bool,
    mut sink: impl FnMut(&str, String),
) -> Result<(), ParseError> {
    let mut r = Reader::from_reader(TokenGuard::new(input));
    let mut buf = Vec::new();
    let mut pkgid = String::new();
    let mut text = String::new();
    let mut in_file = false;
    let mut root = Root::new("filelists", "filelists");
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(r.buffer_position(), e))?;
        root.see(&ev);
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                b"package" => attrs(e, |k, v| {
                    if k == b"pkgid" {
                        pkgid = v.into_owned()
                    }
                }),
                b"file" => {
                    in_file = matches!(ev, Event::Start(_));
                    text.clear();
                }
                _ => {}
            },
            Event::Text(t) if in_file => {
                text.push_str(&t.decode().map_err(|e| xml_err(r.buffer_position(), e))?);
            }
            Event::GeneralRef(g) if in_file => {
                push_entity(&g, &mut text).map_err(|e| xml_err(r.buffer_position(), e))?;
            }
            Event::End(ref e) if e.local_name().as_ref() == b"file" => {
                in_file = false;
                if want(&text) {
                    sink(&pkgid, std::mem::take(&mut text));
                }
            }
            _ => {}
        }
        buf.clear();
    }
    root.check(r.buffer_position())
}

/// One changelog entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangelogEntry {
    pub author: String,
    pub date: u64,
    pub text: String,
}

/// Changelogs of one package from `other.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherPackage {
    pub pkgid: String,
    pub name: String,
    pub arch: String,
    pub evr: Evr,
    pub changelog: Vec<ChangelogEntry>,
}

/// Parse `other.xml`, calling `want` with (name, arch) first: only wanted packages keep their
/// changelogs (most callers want a few).
pub fn parse_other<R: BufRead>(
    input: R,
    mut want: impl FnMut(&str) -> bool,
    mut sink: impl FnMut(OtherPackage),
) -> Result<(), ParseError> {
    let mut r = Reader::from_reader(TokenGuard::new(input));
    let mut buf = Vec::new();
    let mut cur: Option<OtherPackage> = None;
    let mut entry: Option<ChangelogEntry> = None;
    let mut skip = false;
    let mut root = Root::new("otherdata", "other");
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(r.buffer_position(), e))?;
        root.see(&ev);
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                b"package" => {
                    let mut p = OtherPackage {
                        pkgid: String::new(),
                        name: String::new(),
                        arch: String::new(),
                        evr: Evr::default(),
                        changelog: Vec::new(),
                    };
                    attrs(e, |k, v| match k {
                        b"pkgid" => p.pkgid = v.into_owned(),
                        b"name" => p.name = v.into_owned(),
                        b"arch" => p.arch = v.into_owned(),
                        _ => {}
                    });
                    skip = !want(&p.name);
                    cur = Some(p);
                }
                b"version" if !skip => {
                    if let Some(p) = cur.as_mut() {
                        attrs(e, |k, v| match k {
                            b"epoch" => p.evr.epoch = v.parse().ok(),
                            b"ver" => p.evr.version = v.into_owned(),
                            b"rel" => p.evr.release = v.into_owned(),
                            _ => {}
                        });
                    }
                }
                b"changelog" if !skip => {
                    let mut c = ChangelogEntry {
                        author: String::new(),
                        date: 0,
                        text: String::new(),
                    };
                    attrs(e, |k, v| match k {
                        b"author" => c.author = v.into_owned(),
                        b"date" => c.date = v.parse().unwrap_or(0),
                        _ => {}
                    });
                    entry = Some(c);
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(c) = entry.as_mut() {
                    c.text
                        .push_str(&t.decode().map_err(|e| xml_err(r.buffer_position(), e))?);
                }
            }
            Event::GeneralRef(g) => {
                if let Some(c) = entry.as_mut() {
                    push_entity(&g, &mut c.text).map_err(|e| xml_err(r.buffer_position(), e))?;
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"changelog" => {
                    if let (Some(c), Some(p)) = (entry.take(), cur.as_mut()) {
                        p.changelog.push(c);
                    }
                }
                b"package" => {
                    if let Some(p) = cur.take() {
                        if !skip {
                            sink(p);
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    root.check(r.buffer_position())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIMARY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">
<package type="rpm">
  <name>broadcom-bnxt-en-alt</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="1.10.3_232.0.155.5" rel="1.xcpng8.3"/>
  <checksum type="sha256" pkgid="YES">ABCD</checksum>
  <summary>Driver &amp; firmware &lt;alt&gt;</summary>
  <description>Line one
line two &#233;</description>
  <url>https://example.com</url>
  <time file="1" build="1700000000"/>
  <size package="1234" installed="5678" archive="6000"/>
  <location href="Packages/broadcom-bnxt-en-alt-1.10.3_232.0.155.5-1.xcpng8.3.x86_64.rpm"/>
  <format>
    <rpm:license>GPL</rpm:license>
    <rpm:sourcerpm>broadcom-bnxt-en-alt-1.src.rpm</rpm:sourcerpm>
    <rpm:provides>
      <rpm:entry name="broadcom-bnxt-en-alt" flags="EQ" epoch="0" ver="1.10.3_232.0.155.5" rel="1.xcpng8.3"/>
      <rpm:entry name="vendor-driver"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="kernel-uname-r" flags="EQ" epoch="0" ver="4.19.0+1"/>
      <rpm:entry name="/bin/sh" pre="1"/>
    </rpm:requires>
    <rpm:obsoletes><rpm:entry name="old-bnxt" flags="LT" ver="2"/></rpm:obsoletes>
    <rpm:recommends><rpm:entry name="ignored"/></rpm:recommends>
    <file>/etc/depmod.d/bnxt.conf</file>
  </format>
</package>
</metadata>"#;

    #[test]
    fn parses_a_package() {
        let mut v = Vec::new();
        let n = parse_primary(PRIMARY.as_bytes(), "xcp-ng-base", |p| v.push(p)).unwrap();
        assert_eq!(n, 1);
        let p = &v[0];
        assert_eq!(p.name, "broadcom-bnxt-en-alt");
        assert_eq!(p.evr.to_string(), "1.10.3_232.0.155.5-1.xcpng8.3");
        assert_eq!(p.summary, "Driver & firmware <alt>");
        assert_eq!(p.description, "Line one\nline two é");
        assert_eq!(p.checksum.value, "abcd");
        assert_eq!(p.size_package, 1234);
        assert_eq!(p.provides.len(), 2);
        assert_eq!(p.requires[0].to_string(), "kernel-uname-r = 4.19.0+1");
        assert!(p.requires[1].pre);
        assert_eq!(p.obsoletes[0].to_string(), "old-bnxt < 2");
        assert_eq!(p.files, vec!["/etc/depmod.d/bnxt.conf"]);
        assert_eq!(p.repo, "xcp-ng-base");
        assert_eq!(p.license, "GPL");
    }

    #[test]
    fn refuses_path_traversal_in_location() {
        let bad = PRIMARY.replace("Packages/broadcom", "../../../etc/broadcom");
        let e = parse_primary(bad.as_bytes(), "r", |_| {}).unwrap_err();
        assert!(e.to_string().contains("contains `..`"), "{e}");
        let bad = PRIMARY.replace("Packages/broadcom", "/etc/broadcom");
        assert!(parse_primary(bad.as_bytes(), "r", |_| {}).is_err());
    }

    #[test]
    fn refuses_truncated_xml() {
        let cut = &PRIMARY[..PRIMARY.len() / 2];
        let e = parse_primary(cut.as_bytes(), "r", |_| {}).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        // Even when it is cut between two packages.
        let whole = PRIMARY.find("</package>").unwrap() + "</package>".len();
        let e = parse_primary(&PRIMARY.as_bytes()[..whole], "r", |_| {}).unwrap_err();
        assert!(e.to_string().contains("</metadata>"), "{e}");
    }

    #[test]
    fn parses_filelists_keeping_only_wanted_files() {
        let xml = r#"<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="2">
<package pkgid="aa" name="x" arch="x86_64"><version epoch="0" ver="1" rel="1"/>
<file>/usr/lib/x/a&amp;b</file><file type="dir">/usr/lib/x</file><file>/usr/share/doc/x</file></package>
<package pkgid="bb" name="y" arch="noarch"><version epoch="0" ver="1" rel="1"/><file>/usr/lib/x/a&amp;b</file></package>
</filelists>"#;
        let mut got = Vec::new();
        parse_filelists(
            xml.as_bytes(),
            |f| f == "/usr/lib/x/a&b",
            |id, f| got.push((id.to_string(), f)),
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("aa".to_string(), "/usr/lib/x/a&b".to_string()),
                ("bb".to_string(), "/usr/lib/x/a&b".to_string())
            ]
        );
        assert!(parse_filelists(b"<other/>".as_slice(), |_| true, |_, _| {}).is_err());
    }

    #[test]
    fn parses_changelogs() {
        let xml = r#"<otherdata packages="2">
<package pkgid="a" name="x" arch="x86_64"><version epoch="0" ver="1" rel="2"/>
<changelog author="Jo &lt;jo@x&gt; - 1-2" date="100">- fix &amp; improve</changelog>
</package>
<package pkgid="b" name="y" arch="x86_64"><version ver="1" rel="1"/><changelog author="a" date="1">t</changelog></package>
</otherdata>"#;
        let mut got = Vec::new();
        parse_other(xml.as_bytes(), |n| n == "x", |p| got.push(p)).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].changelog[0].author, "Jo <jo@x> - 1-2");
        assert_eq!(got[0].changelog[0].text, "- fix & improve");
    }
}
