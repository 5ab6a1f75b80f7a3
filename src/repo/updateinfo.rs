//! `updateinfo.xml`: the update notices a repo may carry, read for their `<guidance>` (the
//! restart guidance the publisher states, as xen-api's `Updateinfo` reads it) and the packages
//! each notice covers.
//!
//! The shape: `<updates><update type="…"><id>…</id><pkglist><collection><package name=…
//! epoch=… version=… release=… arch=…/>…</collection></pkglist><guidance><mandatory>
//! <value>RebootHost</value></mandatory><recommended>…</recommended><full>…</full>
//! <livepatch>…</livepatch></guidance></update></updates>`.

use super::primary::{attrs, push_entity, xml_err, ParseError, Root, TokenGuard};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::io::BufRead;

/// A package a notice covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticePackage {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
}

/// One update notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notice {
    pub id: String,
    pub packages: Vec<NoticePackage>,
    /// `<guidance><mandatory>` values, as written (`RebootHost`…).
    pub mandatory: Vec<String>,
    /// `<guidance><recommended>` values.
    pub recommended: Vec<String>,
}

/// Parse `updateinfo.xml`.
pub fn parse_updateinfo<R: BufRead>(input: R) -> Result<Vec<Notice>, ParseError> {
    let mut r = Reader::from_reader(TokenGuard::new(input));
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut cur: Option<Notice> = None;
    // The open elements under <update>, innermost last.
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut text = String::new();
    let mut root = Root::new("updates", "updateinfo");
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| xml_err(r.buffer_position(), e))?;
        root.see(&ev);
        match ev {
            Event::Eof => break,
            Event::Start(ref e) => {
                let name = e.local_name().as_ref().to_vec();
                if name == b"update" {
                    cur = Some(Notice::default());
                    path.clear();
                } else if cur.is_some() {
                    path.push(name);
                    text.clear();
                }
                if let (Some(n), b"package") = (cur.as_mut(), e.local_name().as_ref()) {
                    n.packages.push(package(e));
                }
            }
            Event::Empty(ref e) => {
                if let (Some(n), b"package") = (cur.as_mut(), e.local_name().as_ref()) {
                    n.packages.push(package(e));
                }
            }
            Event::Text(t) if cur.is_some() => {
                text.push_str(&t.decode().map_err(|e| xml_err(r.buffer_position(), e))?);
            }
            Event::GeneralRef(g) if cur.is_some() => {
                push_entity(&g, &mut text).map_err(|e| xml_err(r.buffer_position(), e))?;
            }
            Event::End(ref e) => {
                if e.local_name().as_ref() == b"update" {
                    out.extend(cur.take());
                    continue;
                }
                let Some(n) = cur.as_mut() else {
                    buf.clear();
                    continue;
                };
                let value = text.trim().to_string();
                match path.as_slice() {
                    [id] if id == b"id" => n.id = value,
                    [g, kind, v] if g == b"guidance" && v == b"value" => match kind.as_slice() {
                        b"mandatory" => n.mandatory.push(value),
                        b"recommended" => n.recommended.push(value),
                        _ => {}
                    },
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            _ => {}
        }
        buf.clear();
    }
    root.check(r.buffer_position())?;
    Ok(out)
}

fn package(e: &quick_xml::events::BytesStart<'_>) -> NoticePackage {
    let mut p = NoticePackage::default();
    attrs(e, |k, v| match k {
        b"name" => p.name = v.into_owned(),
        b"epoch" => p.epoch = v.trim().parse().unwrap_or(0),
        b"version" => p.version = v.into_owned(),
        b"release" => p.release = v.into_owned(),
        b"arch" => p.arch = v.into_owned(),
        _ => {}
    });
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_with_their_packages_and_guidance() {
        let xml = r#"<?xml version="1.0"?>
<updates xapi-api-version="2.23">
  <update type="security">
    <id>XSA-1</id>
    <summary>s &amp; t</summary>
    <pkglist><collection><name>c</name>
      <package name="xapi-core" epoch="0" version="25.33.1" release="1.xcpng8.3" arch="x86_64" src="x.src.rpm"><filename>x.rpm</filename></package>
      <package name="qemu" version="4.2.1" release="5" arch="x86_64"/>
    </collection></pkglist>
    <guidance>
      <mandatory><value>RestartToolstack</value></mandatory>
      <full><value>RestartVM</value></full>
      <recommended><value> EvacuateHost </value><value>NewGuidance</value></recommended>
    </guidance>
  </update>
  <update type="bugfix"><id>B-2</id></update>
</updates>"#;
        let n = parse_updateinfo(xml.as_bytes()).unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].id, "XSA-1");
        assert_eq!(n[0].packages.len(), 2);
        assert_eq!(n[0].packages[0].name, "xapi-core");
        assert_eq!(n[0].packages[0].release, "1.xcpng8.3");
        assert_eq!(n[0].packages[1].epoch, 0);
        assert_eq!(n[0].mandatory, vec!["RestartToolstack"]);
        assert_eq!(n[0].recommended, vec!["EvacuateHost", "NewGuidance"]);
        assert_eq!(n[1].id, "B-2");
        assert!(n[1].mandatory.is_empty());
    }

    #[test]
    fn a_document_that_is_not_updateinfo_is_refused() {
        assert!(parse_updateinfo("<metadata/>".as_bytes()).is_err());
        assert!(parse_updateinfo("<updates><update><id>x</id>".as_bytes()).is_err());
    }
}
