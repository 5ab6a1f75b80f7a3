//! `repomd.xml`: the index of a repository's metadata files, with their checksums and sizes.

use crate::rpm::package::Checksum;
use quick_xml::events::Event;
use quick_xml::Reader;

/// One `<data type="...">` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepomdData {
    pub kind: String,
    pub location: String,
    pub checksum: Checksum,
    pub open_checksum: Option<Checksum>,
    pub size: Option<u64>,
    pub open_size: Option<u64>,
    pub timestamp: Option<u64>,
}

/// A parsed `repomd.xml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Repomd {
    pub revision: Option<String>,
    pub data: Vec<RepomdData>,
}

impl Repomd {
    pub fn get(&self, kind: &str) -> Option<&RepomdData> {
        self.data.iter().find(|d| d.kind == kind)
    }

    /// The newest timestamp of its data files (for "how old is this metadata").
    pub fn timestamp(&self) -> Option<u64> {
        self.data.iter().filter_map(|d| d.timestamp).max()
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// Parse `repomd.xml`. Fails on malformed XML or a `<data>` without location or checksum.
pub fn parse(xml: &[u8]) -> Result<Repomd, String> {
    let mut r = Reader::from_reader(xml);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut md = Repomd::default();
    let mut cur: Option<RepomdData> = None;
    let mut field: Vec<u8> = Vec::new();
    let mut ck_type: Option<String> = None;
    let mut saw_root = false;
    loop {
        match r.read_event_into(&mut buf) {
            Err(e) => {
                return Err(format!(
                    "malformed XML at byte {}: {e}",
                    r.buffer_position()
                ))
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name().as_ref().to_vec();
                match name.as_slice() {
                    b"repomd" => saw_root = true,
                    b"data" => {
                        cur = Some(RepomdData {
                            kind: attr(&e, b"type").unwrap_or_default(),
                            ..Default::default()
                        })
                    }
                    b"location" => {
                        if let Some(d) = cur.as_mut() {
                            d.location = attr(&e, b"href").unwrap_or_default();
                        }
                    }
                    b"checksum" | b"open-checksum" => ck_type = attr(&e, b"type"),
                    _ => {}
                }
                field = name;
            }
            Ok(Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_err(|e| format!("bad text: {e}"))?
                    .trim()
                    .to_string();
                let num = || text.parse::<u64>().ok();
                match (field.as_slice(), cur.as_mut()) {
                    (b"revision", None) => md.revision = Some(text.clone()),
                    (b"checksum", Some(d)) => {
                        d.checksum = Checksum {
                            kind: ck_type.clone().unwrap_or_else(|| "sha256".into()),
                            value: text.to_ascii_lowercase(),
                        }
                    }
                    (b"open-checksum", Some(d)) => {
                        d.open_checksum = Some(Checksum {
                            kind: ck_type.clone().unwrap_or_else(|| "sha256".into()),
                            value: text.to_ascii_lowercase(),
                        })
                    }
                    (b"size", Some(d)) => d.size = num(),
                    (b"open-size", Some(d)) => d.open_size = num(),
                    (b"timestamp", Some(d)) => d.timestamp = num(),
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == b"data" {
                    if let Some(d) = cur.take() {
                        if d.location.is_empty() {
                            return Err(format!("<data type=\"{}\"> has no location", d.kind));
                        }
                        if d.checksum.value.is_empty() {
                            return Err(format!("<data type=\"{}\"> has no checksum", d.kind));
                        }
                        md.data.push(d);
                    }
                }
                field.clear();
            }
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err("not a repomd.xml (no <repomd> element)".into());
    }
    if md.get("primary").is_none() {
        return Err("repomd.xml lists no primary metadata".into());
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_createrepo_output() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1347459931</revision>
  <data type="primary">
    <checksum type="sha256">ABCDEF</checksum>
    <open-checksum type="sha256">1234</open-checksum>
    <location href="repodata/abc-primary.xml.gz"/>
    <timestamp>1347459930</timestamp>
    <size>936</size>
    <open-size>3385</open-size>
  </data>
</repomd>"#;
        let md = parse(xml).unwrap();
        assert_eq!(md.revision.as_deref(), Some("1347459931"));
        let p = md.get("primary").unwrap();
        assert_eq!(p.checksum.value, "abcdef");
        assert_eq!(p.size, Some(936));
        assert_eq!(p.open_size, Some(3385));
        assert_eq!(p.location, "repodata/abc-primary.xml.gz");
        assert_eq!(md.timestamp(), Some(1347459930));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse(b"<html>404</html>").is_err());
        assert!(
            parse(b"<repomd><data type=\"primary\"><location href=\"x\"/></data></repomd>")
                .is_err()
        );
        assert!(parse(b"<repomd><data type=\"primary\"><checksum>").is_err());
    }
}
