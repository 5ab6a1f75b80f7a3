//! Digests and signatures of an RPM file, checked the way `rpmkeys --checksig` does with
//! `_pkgverify_level all`: header signatures (RSA/DSA/EdDSA tags 268/267, v3 and v4), header
//! SHA-256/SHA-1 digests (273/269), the payload digest (5092, and 5097) in the signed header,
//! and for rpm-4.11-era packages the header+payload signatures (1002/1005) and MD5 (1004).
//! Both a digest and a signature must cover the header and the payload, or the package fails.
//! The lead, the signature header and the header are parsed here from the file's bytes, so
//! what is hashed is exactly what is on disk.

use super::keys::Keyring;
use super::sig::{describe, issuer_keyid, parse_signatures, verify_one, SigProblem};
use std::path::Path;

const LEAD_MAGIC: [u8; 4] = [0xed, 0xab, 0xee, 0xdb];
const HEADER_MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
/// A header bigger than this is not a package (rpm's own limit is 256 MiB for the data).
const HEADER_MAX: usize = 256 << 20;

pub const SIGTAG_DSA: u32 = 267;
pub const SIGTAG_RSA: u32 = 268;
pub const SIGTAG_SHA1: u32 = 269;
pub const SIGTAG_SHA256: u32 = 273;
pub const SIGTAG_PGP: u32 = 1002;
pub const SIGTAG_MD5: u32 = 1004;
pub const SIGTAG_GPG: u32 = 1005;
pub const TAG_PAYLOADDIGEST: u32 = 5092;
pub const TAG_PAYLOADDIGESTALGO: u32 = 5093;
pub const TAG_PAYLOADDIGESTALT: u32 = 5097;

/// What part of the file an item covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Range {
    Header = 1,
    Payload = 2,
    HeaderAndPayload = 3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Digest = 1,
    Signature = 2,
}

/// The result of one item, with rpm's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SigOutcome {
    Ok,
    Bad,
    Nokey,
    Nottrusted,
    Notfound,
}

impl SigOutcome {
    pub fn word(&self) -> &'static str {
        match self {
            SigOutcome::Ok => "OK",
            SigOutcome::Bad => "BAD",
            SigOutcome::Nokey => "NOKEY",
            SigOutcome::Nottrusted => "NOTTRUSTED",
            SigOutcome::Notfound => "NOTFOUND",
        }
    }
}

/// One digest or signature of the package.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub tag: u32,
    pub kind: Kind,
    pub range: Range,
    /// `Header V4 RSA/SHA512 Signature, key ID ba46522d`, `Payload SHA256 digest`, …
    pub description: String,
    pub outcome: SigOutcome,
    /// Why it failed (expected/got digests, the signature problem).
    pub detail: Option<String>,
    /// The fingerprint of the key that made a good signature.
    pub fingerprint: Option<String>,
    #[serde(skip)]
    strength: Kind,
    #[serde(skip)]
    wrapped: bool,
}

/// The verdict on one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub path: String,
    pub ok: bool,
    /// The items rpm would report (those that count), in rpm's order.
    pub items: Vec<Item>,
    /// `digests signatures OK`, `digests SIGNATURES NOT OK`, … as `rpm -K` prints it.
    pub summary: String,
    /// What protects the payload: `payload digest in the signed header`, `header+payload
    /// signature`, `MD5 digest (unsigned)`, or none.
    pub payload_covered_by: Option<String>,
    /// A file that could not be read as a package.
    pub error: Option<String>,
}

struct HeaderBlob<'a> {
    /// The whole header, from its magic to the end of its data.
    bytes: &'a [u8],
    index: Vec<(u32, u32, u32, u32)>,
    store: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn read_header(data: &[u8], at: usize) -> Result<HeaderBlob<'_>, String> {
    if data.get(at..at + 8) != Some(&HEADER_MAGIC[..]) {
        return Err(format!("no header magic at offset {at}"));
    }
    let il = be32(data, at + 8).ok_or("truncated header")? as usize;
    let dl = be32(data, at + 12).ok_or("truncated header")? as usize;
    if il > 0xffff || dl > HEADER_MAX {
        return Err(format!(
            "header at offset {at} is too large ({il} entries, {dl} bytes)"
        ));
    }
    let end = at + 16 + il * 16 + dl;
    if end > data.len() {
        return Err("truncated header".into());
    }
    let mut index = Vec::with_capacity(il);
    for i in 0..il {
        let e = at + 16 + i * 16;
        let f = |o| be32(data, e + o).expect("in bounds");
        index.push((f(0), f(4), f(8), f(12)));
    }
    Ok(HeaderBlob {
        bytes: &data[at..end],
        index,
        store: &data[at + 16 + il * 16..end],
    })
}

impl HeaderBlob<'_> {
    fn entry(&self, tag: u32) -> Option<(u32, &[u8], u32)> {
        let &(_, ty, off, count) = self.index.iter().find(|e| e.0 == tag)?;
        let off = off as usize;
        let rest = self.store.get(off..)?;
        let len = match ty {
            7 => count as usize,     // BIN
            4 => count as usize * 4, // INT32
            6 | 8 | 9 => {
                // STRING, STRING_ARRAY, I18NSTRING: `count` NUL-terminated strings
                let mut n = 0;
                for _ in 0..count.max(1) {
                    n += rest.get(n..)?.iter().position(|&b| b == 0)? + 1;
                }
                n
            }
            _ => return None,
        };
        Some((ty, rest.get(..len)?, count))
    }

    fn bin(&self, tag: u32) -> Option<&[u8]> {
        self.entry(tag).filter(|e| e.0 == 7).map(|e| e.1)
    }

    /// The first string of a STRING or STRING_ARRAY entry.
    fn string(&self, tag: u32) -> Option<String> {
        let (_, b, _) = self.entry(tag).filter(|e| matches!(e.0, 6 | 8 | 9))?;
        let end = b.iter().position(|&c| c == 0)?;
        Some(String::from_utf8_lossy(&b[..end]).into_owned())
    }

    fn int32(&self, tag: u32) -> Option<u32> {
        let (_, b, _) = self.entry(tag).filter(|e| e.0 == 4)?;
        be32(b, 0)
    }
}

fn hex_digest(algo: u32, parts: &[&[u8]]) -> Option<String> {
    fn run<D: sha2::Digest>(parts: &[&[u8]]) -> String {
        let mut h = D::new();
        for p in parts {
            h.update(p);
        }
        hex::encode(h.finalize())
    }
    Some(match algo {
        1 => {
            // MD5: Sequoia's hash contexts carry it.
            let mut ctx = sequoia_openpgp::types::HashAlgorithm::MD5
                .context()
                .ok()?
                .for_digest();
            for p in parts {
                ctx.update(p);
            }
            hex::encode(ctx.into_digest().ok()?)
        }
        2 => run::<sha1::Sha1>(parts),
        8 => run::<sha2::Sha256>(parts),
        9 => run::<sha2::Sha384>(parts),
        10 => run::<sha2::Sha512>(parts),
        _ => return None,
    })
}

fn hash_name(algo: u32) -> &'static str {
    match algo {
        1 => "MD5",
        2 => "SHA1",
        8 => "SHA256",
        9 => "SHA384",
        10 => "SHA512",
        _ => "UNKNOWN",
    }
}

fn range_prefix(r: Range) -> &'static str {
    match r {
        Range::Header => "Header ",
        Range::Payload => "Payload ",
        Range::HeaderAndPayload => "",
    }
}

/// `verify FILE…`: check each file with the keys imported into the root's rpmdb.
pub fn verify_files(
    root: &crate::sysroot::Sysroot,
    files: &[std::path::PathBuf],
) -> Result<Vec<Report>, super::TrustError> {
    let ring = Keyring::from_rpmdb(root)?;
    Ok(files.iter().map(|f| verify_file(f, &ring)).collect())
}

/// Check one RPM file with the keys of `ring`.
pub fn verify_file(path: &Path, ring: &Keyring) -> Report {
    let shown = path.display().to_string();
    match std::fs::read(path) {
        Ok(data) => verify_bytes(&shown, &data, ring),
        Err(e) => failed_report(shown, e.to_string()),
    }
}

fn failed_report(path: String, error: String) -> Report {
    Report {
        path,
        ok: false,
        items: Vec::new(),
        summary: "NOT OK".into(),
        payload_covered_by: None,
        error: Some(error),
    }
}

/// Check a package held in memory; `path` names it in the report.
pub fn verify_bytes(path: &str, data: &[u8], ring: &Keyring) -> Report {
    let (sig, hstart, hdr) = match split_package(data) {
        Ok(p) => p,
        Err(e) => return failed_report(path.to_string(), e),
    };
    let mut items = check_items(&sig, &hdr, &data[hstart..], ring);
    // Found items first within the same range and kind (rpm sorts absent ones last).
    items.sort_by_key(|i| {
        (
            i.range,
            std::cmp::Reverse(i.kind as u8),
            i.outcome == SigOutcome::Notfound,
        )
    });
    decide(path, items)
}

/// The signature header, where the main header starts, and the main header; an error if
/// `data` is not an RPM or a header does not parse.
fn split_package(data: &[u8]) -> Result<(HeaderBlob<'_>, usize, HeaderBlob<'_>), String> {
    if data.len() < 96 || data[..4] != LEAD_MAGIC {
        return Err("not an RPM package (no lead magic)".to_string());
    }
    let sig = read_header(data, 96).map_err(|e| format!("signature header: {e}"))?;
    let sig_end = 96 + sig.bytes.len();
    let hstart = sig_end + (8 - sig_end % 8) % 8;
    let hdr = read_header(data, hstart).map_err(|e| format!("header: {e}"))?;
    Ok((sig, hstart, hdr))
}

/// The payload of a package file (the compressed cpio archive after the main header), for
/// reading files out of a package that was verified.
pub fn payload(data: &[u8]) -> Result<&[u8], String> {
    let (_, hstart, hdr) = split_package(data)?;
    Ok(&data[hstart + hdr.bytes.len()..])
}

/// Every signature and digest rpm would check, in rpm's order (range, then signatures before
/// digests); `header_and_payload` is the package from the main header on.
fn check_items(
    sig: &HeaderBlob<'_>,
    hdr: &HeaderBlob<'_>,
    header_and_payload: &[u8],
    ring: &Keyring,
) -> Vec<Item> {
    let header = hdr.bytes;
    let payload = &header_and_payload[header.len()..];
    let payload_algo = hdr.int32(TAG_PAYLOADDIGESTALGO).unwrap_or(8);
    let signature = |tag, range, algo, covered| sig_item(ring, sig, tag, range, algo, covered);
    vec![
        signature(SIGTAG_RSA, Range::Header, "RSA", header),
        signature(SIGTAG_DSA, Range::Header, "DSA", header),
        digest_item(
            SIGTAG_SHA256,
            Range::Header,
            8,
            sig.string(SIGTAG_SHA256),
            &[header],
            false,
        ),
        digest_item(
            SIGTAG_SHA1,
            Range::Header,
            2,
            sig.string(SIGTAG_SHA1),
            &[header],
            false,
        ),
        digest_item(
            TAG_PAYLOADDIGESTALT,
            Range::Payload,
            payload_algo,
            hdr.string(TAG_PAYLOADDIGESTALT),
            &[payload],
            true,
        ),
        digest_item(
            TAG_PAYLOADDIGEST,
            Range::Payload,
            payload_algo,
            hdr.string(TAG_PAYLOADDIGEST),
            &[payload],
            false,
        ),
        signature(
            SIGTAG_PGP,
            Range::HeaderAndPayload,
            "RSA",
            header_and_payload,
        ),
        signature(
            SIGTAG_GPG,
            Range::HeaderAndPayload,
            "DSA",
            header_and_payload,
        ),
        digest_item(
            SIGTAG_MD5,
            Range::HeaderAndPayload,
            1,
            sig.bin(SIGTAG_MD5)
                .filter(|b| b.len() == 16)
                .map(hex::encode),
            &[header_and_payload],
            false,
        ),
    ]
}

/// An item without a fingerprint, as strong as its kind; payload digests count as wrapped.
fn item(
    tag: u32,
    kind: Kind,
    range: Range,
    description: String,
    outcome: SigOutcome,
    detail: Option<String>,
) -> Item {
    Item {
        tag,
        kind,
        range,
        description,
        outcome,
        detail,
        fingerprint: None,
        strength: kind,
        wrapped: tag == TAG_PAYLOADDIGEST || tag == TAG_PAYLOADDIGESTALT,
    }
}

/// Check the signature in tag `tag` of the signature header over `covered` with the keys of
/// `ring`.
fn sig_item(
    ring: &Keyring,
    sig: &HeaderBlob<'_>,
    tag: u32,
    range: Range,
    algo: &str,
    covered: &[u8],
) -> Item {
    let Some(raw) = sig.bin(tag) else {
        return item(
            tag,
            Kind::Signature,
            range,
            format!("{}{algo} signature", range_prefix(range)),
            SigOutcome::Notfound,
            None,
        );
    };
    let sigs = match parse_signatures(raw) {
        Ok(s) => s,
        Err(e) => {
            return item(
                tag,
                Kind::Signature,
                range,
                format!("{}{algo} signature", range_prefix(range)),
                SigOutcome::Bad,
                Some(e.to_string()),
            )
        }
    };
    let s = &sigs[0];
    let keyid = issuer_keyid(s).to_ascii_lowercase();
    let descr = format!(
        "{}{} Signature, key ID {}",
        range_prefix(range),
        describe(s),
        &keyid[keyid.len().saturating_sub(8)..]
    );
    match verify_one(ring, s, &[covered]) {
        Ok(v) => {
            let mut it = item(tag, Kind::Signature, range, descr, SigOutcome::Ok, None);
            it.fingerprint = Some(v.fingerprint);
            it
        }
        Err(p) => {
            let outcome = match p {
                SigProblem::NoKey { .. } => SigOutcome::Nokey,
                SigProblem::KeyRevoked { .. }
                | SigProblem::KeyExpired { .. }
                | SigProblem::KeyUnusable { .. } => SigOutcome::Nottrusted,
                _ => SigOutcome::Bad,
            };
            item(
                tag,
                Kind::Signature,
                range,
                descr,
                outcome,
                Some(p.to_string()),
            )
        }
    }
}

/// Check the `algo` digest of `covered` against `expected` (absent if None); `alt` marks
/// rpm's ALT payload digest.
fn digest_item(
    tag: u32,
    range: Range,
    algo: u32,
    expected: Option<String>,
    covered: &[&[u8]],
    alt: bool,
) -> Item {
    let descr = format!(
        "{}{}{} digest",
        range_prefix(range),
        hash_name(algo),
        if alt { " ALT" } else { "" }
    );
    let Some(expected) = expected else {
        return item(tag, Kind::Digest, range, descr, SigOutcome::Notfound, None);
    };
    match hex_digest(algo, covered) {
        Some(got) if got.eq_ignore_ascii_case(&expected) => {
            item(tag, Kind::Digest, range, descr, SigOutcome::Ok, None)
        }
        Some(got) => item(
            tag,
            Kind::Digest,
            range,
            descr,
            SigOutcome::Bad,
            Some(format!("Expected {expected} != {got}")),
        ),
        None => item(tag, Kind::Digest, range, descr, SigOutcome::Notfound, None),
    }
}

/// rpm's `rpmvsVerify` with `_pkgverify_level all`: which items count, and the verdict.
fn decide(path: &str, mut items: Vec<Item>) -> Report {
    let mut verified = [0u8; 3]; // by Kind as index: [_, digest, signature]
    let mut range = 0u8;
    for it in items.iter_mut() {
        // Digests inside a header whose signature verified are as strong as the signature.
        if it.wrapped && verified[Kind::Signature as usize] & Range::Header as u8 != 0 {
            it.strength = Kind::Signature;
        }
        if it.outcome == SigOutcome::Ok {
            verified[it.kind as usize] |= it.range as u8;
            verified[it.strength as usize] |= it.range as u8;
        }
        range |= it.range as u8;
    }
    // An alternative digest that verified excuses the failure of its twin.
    let payload_ok = items.iter().any(|i| {
        (i.tag == TAG_PAYLOADDIGEST || i.tag == TAG_PAYLOADDIGESTALT) && i.outcome == SigOutcome::Ok
    });
    let level = Kind::Digest as u8 | Kind::Signature as u8;
    let mut shown = Vec::new();
    let (mut seen, mut bad, mut failed) = (0u8, 0u8, false);
    for mut it in items {
        if it.outcome == SigOutcome::Bad
            && payload_ok
            && (it.tag == TAG_PAYLOADDIGEST || it.tag == TAG_PAYLOADDIGESTALT)
        {
            it.outcome = SigOutcome::Notfound;
        }
        let strength = it.kind as u8 | it.strength as u8;
        let mut required = 0u8;
        if level & strength & Kind::Digest as u8 != 0 {
            required |= (range & !verified[Kind::Digest as usize]) & it.range as u8;
        }
        if level & strength & Kind::Signature as u8 != 0 {
            required |= (range & !verified[Kind::Signature as usize]) & it.range as u8;
        }
        if required == 0 && it.outcome == SigOutcome::Notfound {
            continue;
        }
        seen |= it.kind as u8;
        if it.outcome != SigOutcome::Ok {
            bad |= it.kind as u8;
            failed = true;
        }
        shown.push(it);
    }
    let mut words = Vec::new();
    if seen & Kind::Digest as u8 != 0 {
        words.push(if bad & Kind::Digest as u8 != 0 {
            "DIGESTS"
        } else {
            "digests"
        });
    }
    if seen & Kind::Signature as u8 != 0 {
        words.push(if bad & Kind::Signature as u8 != 0 {
            "SIGNATURES"
        } else {
            "signatures"
        });
    }
    words.push(if failed { "NOT OK" } else { "OK" });
    let ok_item = |tag: u32| {
        shown
            .iter()
            .find(|i| i.tag == tag && i.outcome == SigOutcome::Ok)
    };
    let header_signed = shown.iter().any(|i| {
        i.kind == Kind::Signature && i.range == Range::Header && i.outcome == SigOutcome::Ok
    });
    let payload_covered_by = if header_signed
        && (ok_item(TAG_PAYLOADDIGEST).is_some() || ok_item(TAG_PAYLOADDIGESTALT).is_some())
    {
        Some("payload digest in the signed header".to_string())
    } else if let Some(i) = [SIGTAG_PGP, SIGTAG_GPG].iter().find_map(|t| ok_item(*t)) {
        Some(format!("header+payload signature ({})", i.description))
    } else if ok_item(TAG_PAYLOADDIGEST).is_some() {
        Some("payload digest (header not signed)".to_string())
    } else if ok_item(SIGTAG_MD5).is_some() {
        Some(
            "MD5 digest only (not signed: the repository metadata checksum must cover it)"
                .to_string(),
        )
    } else {
        None
    };
    Report {
        path: path.to_string(),
        ok: !failed,
        items: shown,
        summary: words.join(" "),
        payload_covered_by,
        error: None,
    }
}
