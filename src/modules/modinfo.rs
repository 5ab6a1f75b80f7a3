//! What a kernel module file says about itself, read natively: the key=value strings of the
//! ELF `.modinfo` section (name, version, srcversion, vermagic, depends, alias, license…), the
//! GNU build-id note, and the appended module signature (sig_id, signer, sig_key, hash), for
//! `.ko` files plain or compressed (`.ko.xz`, `.ko.zst`, `.ko.gz`). The results must equal what
//! kmod's `modinfo` prints. It only reads bytes: it never loads a module, and a corrupt or
//! non-module file is an error value (`ModinfoError`), never a panic.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why a file could not be read as a kernel module.
#[derive(Debug, thiserror::Error)]
pub enum ModinfoError {
    #[error("cannot read module file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot decompress module file {path}: {source}")]
    Decompress {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a kernel module: {why}")]
    NotModule { path: PathBuf, why: String },
}

impl ModinfoError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ModinfoError::Read { .. } => "check that the file exists and is readable".into(),
            ModinfoError::Decompress { .. } | ModinfoError::NotModule { .. } => {
                "the file is damaged or not a module: reinstall the package that owns it (`rpm -qf FILE`)"
                    .into()
            }
        })
    }
}

/// The appended module signature (`~Module signature appended~`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Signature {
    /// `PKCS#7`, `X509` or `PGP`, as modinfo's `sig_id`.
    pub id_type: String,
    /// The signer (issuer common name of the PKCS#7 signer), as modinfo's `signer`.
    pub signer: Option<String>,
    /// The signer's key id (serial number, `AB:CD:…`), as modinfo's `sig_key`.
    pub key_id: Option<String>,
    /// Digest algorithm (`sha256`…), as modinfo's `sig_hashalgo`.
    pub hash_algo: Option<String>,
}

/// Everything `.modinfo` holds, plus the build-id and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ModInfo {
    /// `name=` (kernels ≥ 4.x record it; else derived from the file name by the caller).
    pub name: Option<String>,
    pub version: Option<String>,
    pub srcversion: Option<String>,
    pub vermagic: Option<String>,
    pub license: Option<String>,
    /// `depends=`, split on commas; empty when the module depends on nothing.
    pub depends: Vec<String>,
    pub alias: Vec<String>,
    /// Every key=value of `.modinfo`, in file order (duplicates kept).
    pub fields: Vec<(String, String)>,
    /// Hex of the `.note.gnu.build-id` descriptor.
    pub build_id: Option<String>,
    pub signature: Option<Signature>,
}

impl ModInfo {
    /// All values of one key, in file order (what `modinfo -F key` prints for most keys).
    pub fn values(&self, key: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Read only what `parse_elf` looks at — the ELF header, the section headers, the section
/// name table, `.modinfo`, the build-id note and the signature trailer — into a buffer the size
/// of the file (the rest stays zero). A module is tens of kilobytes; these parts are a few.
/// `None` when the file is not a plain ELF64 module laid out as expected: the caller then
/// reads it whole (compressed modules, odd files).
fn read_sparse(f: &std::fs::File) -> std::io::Result<Option<Vec<u8>>> {
    use std::os::unix::fs::FileExt;
    let len = f.metadata()?.len();
    if !(64..=256 * 1024 * 1024).contains(&len) {
        return Ok(None);
    }
    let mut buf = vec![0u8; len as usize];
    // Read `n` bytes at `off` into place; false when they lie outside the file.
    let fill = |buf: &mut Vec<u8>, off: u64, n: u64| -> std::io::Result<bool> {
        let Some(end) = off.checked_add(n).filter(|e| *e <= len) else {
            return Ok(false);
        };
        f.read_exact_at(&mut buf[off as usize..end as usize], off)?;
        Ok(true)
    };
    fill(&mut buf, 0, 64)?;
    let h = &buf[..64];
    if &h[..4] != b"\x7fELF" || h[4] != 2 || h[5] != 1 {
        return Ok(None);
    }
    let le16 = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as u64;
    let le32 =
        |b: &[u8], o: usize| u32::from_le_bytes(b[o..o + 4].try_into().expect("4 bytes")) as u64;
    let le64 = |b: &[u8], o: usize| u64::from_le_bytes(b[o..o + 8].try_into().expect("8 bytes"));
    let (shoff, shentsize, shnum, shstrndx) =
        (le64(h, 0x28), le16(h, 0x3a), le16(h, 0x3c), le16(h, 0x3e));
    if shoff == 0 || shentsize < 64 || shnum == 0 || shstrndx >= shnum {
        return Ok(None); // extended numbering or no sections: read it whole
    }
    if !fill(&mut buf, shoff, shnum * shentsize)? {
        return Ok(None);
    }
    let sec = |buf: &[u8], i: u64| {
        let o = (shoff + i * shentsize) as usize;
        (le32(buf, o), le64(buf, o + 24), le64(buf, o + 32))
    };
    let (_, stroff, strsize) = sec(&buf, shstrndx);
    if !fill(&mut buf, stroff, strsize)? {
        return Ok(None);
    }
    let wanted: Vec<(u64, u64)> = (0..shnum)
        .map(|i| sec(&buf, i))
        .filter(|(name, _, _)| {
            let n = (stroff + name) as usize;
            let names = &buf[n.min(buf.len())..];
            names.starts_with(b".modinfo\0") || names.starts_with(b".note.gnu.build-id\0")
        })
        .map(|(_, off, size)| (off, size))
        .collect();
    for (off, size) in wanted {
        if !fill(&mut buf, off, size)? {
            return Ok(None);
        }
    }
    // The signature trailer: magic, then a 12-byte descriptor whose last 4 bytes (big endian)
    // are the signature length; signer and key id (old style) come before the signature.
    let tail = SIG_MAGIC.len() as u64 + 12;
    if len > tail && fill(&mut buf, len - tail, tail)? && buf.ends_with(SIG_MAGIC) {
        let d = (len - tail) as usize;
        let sig_len = u32::from_be_bytes(buf[d + 8..d + 12].try_into().expect("4 bytes")) as u64;
        let extra = sig_len + buf[d + 3] as u64 + buf[d + 4] as u64;
        if extra > len - tail || !fill(&mut buf, len - tail - extra, extra)? {
            return Ok(None);
        }
    }
    Ok(Some(buf))
}

/// Read and parse a module file; compression is recognised by its magic bytes.
pub fn read_path(path: &Path) -> Result<ModInfo, ModinfoError> {
    let read_err = |source| ModinfoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    let raw = match read_sparse(&f).map_err(read_err)? {
        Some(b) => b,
        None => {
            let mut all = Vec::new();
            std::io::Read::read_to_end(&mut &f, &mut all).map_err(read_err)?;
            all
        }
    };
    let raw = &raw[..];
    parse_file_bytes(raw).map_err(|e| match e {
        FileError::Decompress(source) => ModinfoError::Decompress {
            path: path.to_path_buf(),
            source,
        },
        FileError::Elf(why) => ModinfoError::NotModule {
            path: path.to_path_buf(),
            why,
        },
    })
}

enum FileError {
    Decompress(std::io::Error),
    Elf(String),
}

fn parse_file_bytes(raw: &[u8]) -> Result<ModInfo, FileError> {
    use crate::compress::{decompress_all, Compression};
    if Compression::sniff(raw) == Compression::None {
        return parse_elf(raw).map_err(FileError::Elf);
    }
    let data = decompress_all(raw).map_err(FileError::Decompress)?;
    parse_elf(&data).map_err(FileError::Elf)
}

/// Parse the bytes of an uncompressed module (`.ko`).
pub fn parse_elf(data: &[u8]) -> Result<ModInfo, String> {
    let elf = Elf::parse(data)?;
    let modinfo = elf
        .section(".modinfo")?
        .ok_or_else(|| "no .modinfo section".to_string())?;
    let mut info = ModInfo::default();
    for entry in modinfo.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let s = String::from_utf8_lossy(entry);
        let Some((k, v)) = s.split_once('=') else {
            continue;
        };
        info.fields.push((k.to_string(), v.to_string()));
    }
    let first = |k: &str| {
        info.fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    info.name = first("name");
    info.version = first("version");
    info.srcversion = first("srcversion");
    info.vermagic = first("vermagic");
    info.license = first("license");
    info.depends = first("depends")
        .map(|d| {
            d.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    info.alias = info
        .values("alias")
        .into_iter()
        .map(str::to_string)
        .collect();
    if let Some(note) = elf.section(".note.gnu.build-id")? {
        info.build_id = parse_build_id_note(note);
    }
    info.signature = parse_signature(data);
    Ok(info)
}

/// The descriptor of a GNU build-id note (`namesz descsz type "GNU\0" desc`), as hex. Also
/// reads `/sys/module/<m>/notes/.note.gnu.build-id`, which holds the same bytes.
pub fn parse_build_id_note(note: &[u8]) -> Option<String> {
    let u32_at = |o: usize| {
        note.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut off = 0usize;
    while off + 12 <= note.len() {
        let namesz = u32_at(off)? as usize;
        let descsz = u32_at(off + 4)? as usize;
        let ntype = u32_at(off + 8)?;
        let name_off = off + 12;
        let desc_off = name_off.checked_add(namesz.checked_add(3)? & !3)?;
        let end = desc_off.checked_add(descsz)?;
        let name = note.get(name_off..name_off + namesz)?;
        let desc = note.get(desc_off..end)?;
        if ntype == 3 && name == b"GNU\0" {
            return Some(hex::encode(desc));
        }
        off = desc_off.checked_add(descsz.checked_add(3)? & !3)?;
    }
    None
}

/// A minimal ELF64 little-endian section reader (all that x86_64 modules need).
struct Elf<'a> {
    data: &'a [u8],
    /// (name offset, file offset, size, type) of every section.
    sections: Vec<(u32, u64, u64, u32)>,
    shstr: &'a [u8],
}

fn rd<const N: usize>(d: &[u8], off: usize) -> Result<[u8; N], String> {
    d.get(off..off.checked_add(N).ok_or("offset overflow")?)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| format!("truncated ELF (need {N} bytes at offset {off})"))
}

const SHT_NOBITS: u32 = 8;

impl<'a> Elf<'a> {
    fn parse(data: &'a [u8]) -> Result<Elf<'a>, String> {
        if data.len() < 64 || &data[..4] != b"\x7fELF" {
            return Err("no ELF header".into());
        }
        if data[4] != 2 {
            return Err("not a 64-bit ELF file (only x86_64 modules are supported)".into());
        }
        if data[5] != 1 {
            return Err("not a little-endian ELF file".into());
        }
        let e_type = u16::from_le_bytes(rd(data, 16)?);
        if e_type != 1 {
            return Err(format!(
                "ELF type {e_type} is not a relocatable object (ET_REL)"
            ));
        }
        let shoff = u64::from_le_bytes(rd(data, 0x28)?);
        let shentsize = u16::from_le_bytes(rd(data, 0x3a)?) as u64;
        let mut shnum = u16::from_le_bytes(rd(data, 0x3c)?) as u64;
        let mut shstrndx = u16::from_le_bytes(rd(data, 0x3e)?) as u64;
        if shentsize < 64 {
            return Err(format!("bad section header size {shentsize}"));
        }
        let hdr = |i: u64| -> Result<usize, String> {
            let off = i
                .checked_mul(shentsize)
                .and_then(|o| o.checked_add(shoff))
                .filter(|o| o.checked_add(64).is_some_and(|e| e <= data.len() as u64))
                .ok_or_else(|| format!("section header {i} lies outside the file"))?;
            Ok(off as usize)
        };
        if shoff == 0 {
            return Err("no section headers".into());
        }
        // Extended numbering: counts held by section 0.
        if shnum == 0 {
            shnum = u64::from_le_bytes(rd(data, hdr(0)? + 32)?);
        }
        if shstrndx == 0xffff {
            shstrndx = u32::from_le_bytes(rd(data, hdr(0)? + 40)?) as u64;
        }
        if shnum > 65536 * 16 {
            return Err(format!("implausible section count {shnum}"));
        }
        // Each header takes 64 bytes of the file: reserve no more than it can hold.
        let mut sections = Vec::with_capacity((shnum as usize).min(data.len() / 64));
        for i in 0..shnum {
            let h = hdr(i)?;
            let name = u32::from_le_bytes(rd(data, h)?);
            let ty = u32::from_le_bytes(rd(data, h + 4)?);
            let off = u64::from_le_bytes(rd(data, h + 24)?);
            let size = u64::from_le_bytes(rd(data, h + 32)?);
            sections.push((name, off, size, ty));
        }
        let mut elf = Elf {
            data,
            sections,
            shstr: &[],
        };
        if shstrndx >= shnum {
            return Err(format!("section name table index {shstrndx} out of range"));
        }
        elf.shstr = elf.body(shstrndx as usize)?;
        Ok(elf)
    }

    fn body(&self, i: usize) -> Result<&'a [u8], String> {
        let (_, off, size, ty) = self.sections[i];
        if ty == SHT_NOBITS {
            return Ok(&[]);
        }
        let end = off
            .checked_add(size)
            .filter(|&e| e <= self.data.len() as u64);
        match end {
            Some(end) => Ok(&self.data[off as usize..end as usize]),
            None => Err(format!("section {i} lies outside the file")),
        }
    }

    fn name(&self, i: usize) -> &[u8] {
        let start = self.sections[i].0 as usize;
        let rest = self.shstr.get(start..).unwrap_or(&[]);
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        &rest[..end]
    }

    fn section(&self, name: &str) -> Result<Option<&'a [u8]>, String> {
        for i in 0..self.sections.len() {
            if self.name(i) == name.as_bytes() {
                return self.body(i).map(Some);
            }
        }
        Ok(None)
    }
}

const SIG_MAGIC: &[u8] = b"~Module signature appended~\n";

/// The appended signature: `struct module_signature` (12 bytes) before the magic string.
fn parse_signature(data: &[u8]) -> Option<Signature> {
    let body = data.strip_suffix(SIG_MAGIC)?;
    if body.len() < 12 {
        return None;
    }
    let ms = &body[body.len() - 12..];
    let (id_type, signer_len, key_id_len) = (ms[2], ms[3] as usize, ms[4] as usize);
    let sig_len = u32::from_be_bytes([ms[8], ms[9], ms[10], ms[11]]) as usize;
    let body = &body[..body.len() - 12];
    let sig_start = body.len().checked_sub(sig_len)?;
    let sig = &body[sig_start..];
    let mut out = Signature {
        id_type: match id_type {
            0 => "PGP",
            1 => "X509",
            2 => "PKCS#7",
            _ => "unknown",
        }
        .to_string(),
        ..Default::default()
    };
    if id_type == 2 {
        if let Some((signer, key, hash)) = pkcs7_signer(sig) {
            out.signer = signer;
            out.key_id = Some(key);
            out.hash_algo = hash;
        }
    } else {
        // Old style: signer name and key id precede the signature.
        let key_start = sig_start.checked_sub(key_id_len)?;
        let signer_start = key_start.checked_sub(signer_len)?;
        out.signer = Some(String::from_utf8_lossy(&body[signer_start..key_start]).into_owned());
        out.key_id = Some(colon_hex(&body[key_start..sig_start]));
    }
    Some(out)
}

fn colon_hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// One DER element: (tag, content, rest).
fn der(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let l0 = *b.get(1)? as usize;
    let (len, hdr) = if l0 < 0x80 {
        (l0, 2)
    } else {
        let n = l0 & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some((tag, b.get(hdr..end)?, b.get(end..)?))
}

/// From a PKCS#7 SignedData: the first signer's issuer CN, serial and digest algorithm.
fn pkcs7_signer(sig: &[u8]) -> Option<(Option<String>, String, Option<String>)> {
    let (_, ci, _) = der(sig)?; // ContentInfo
    let (_, _oid, rest) = der(ci)?;
    let (_, explicit, _) = der(rest)?; // [0]
    let (_, sd, _) = der(explicit)?; // SignedData
    let (_, _ver, rest) = der(sd)?;
    let (_, _digests, rest) = der(rest)?;
    let (_, _content, mut rest) = der(rest)?;
    let signer_infos = loop {
        let (tag, body, r) = der(rest)?;
        if tag == 0x31 {
            break body;
        }
        rest = r; // [0] certificates, [1] crls
    };
    let (_, si, _) = der(signer_infos)?;
    let (_, _ver, rest) = der(si)?;
    let (_, ias, rest) = der(rest)?; // issuerAndSerialNumber
    let (_, digest_alg, _) = der(rest)?;
    let (_, issuer, rest_ias) = der(ias)?;
    let (_, serial, _) = der(rest_ias)?;
    let mut cn = None;
    let mut org = None;
    let mut rdns = issuer;
    while let Some((_, set, r)) = der(rdns) {
        if let Some((_, atv, _)) = der(set) {
            if let Some((_, oid, r2)) = der(atv) {
                if let Some((_, val, _)) = der(r2) {
                    let v = String::from_utf8_lossy(val).into_owned();
                    match oid {
                        [0x55, 0x04, 0x03] => cn = Some(v),
                        [0x55, 0x04, 0x0a] => org = Some(v),
                        _ => {}
                    }
                }
            }
        }
        rdns = r;
    }
    let (_, alg_oid, _) = der(digest_alg)?;
    let hash = match alg_oid {
        [0x2b, 0x0e, 0x03, 0x02, 0x1a] => Some("sha1"),
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, n] => match n {
            1 => Some("sha256"),
            2 => Some("sha384"),
            3 => Some("sha512"),
            4 => Some("sha224"),
            _ => None,
        },
        _ => None,
    }
    .map(str::to_string);
    Some((cn.or(org), colon_hex(serial), hash))
}

/// A minimal x86_64 relocatable module image holding only `.modinfo` (from `fields`) and a
/// GNU build-id note: enough for `modinfo` and for this reader (the demo host's modules).
pub fn minimal_module(fields: &[(&str, &str)], build_id: &[u8]) -> Vec<u8> {
    let mut modinfo = Vec::new();
    for (k, v) in fields {
        modinfo.extend_from_slice(format!("{k}={v}\0").as_bytes());
    }
    let mut note = Vec::new();
    note.extend_from_slice(&4u32.to_le_bytes());
    note.extend_from_slice(&(build_id.len() as u32).to_le_bytes());
    note.extend_from_slice(&3u32.to_le_bytes());
    note.extend_from_slice(b"GNU\0");
    note.extend_from_slice(build_id);
    while note.len() & 3 != 0 {
        note.push(0);
    }
    let shstr = b"\0.modinfo\0.note.gnu.build-id\0.shstrtab\0";
    let pad = |v: &mut Vec<u8>, a: usize| {
        while v.len() & (a - 1) != 0 {
            v.push(0);
        }
    };
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2; // ELFCLASS64
    out[5] = 1; // little-endian
    out[6] = 1; // EV_CURRENT
    out[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
    out[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    out[20..24].copy_from_slice(&1u32.to_le_bytes());
    out[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    out[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out[60..62].copy_from_slice(&4u16.to_le_bytes()); // e_shnum
    out[62..64].copy_from_slice(&3u16.to_le_bytes()); // e_shstrndx
    pad(&mut out, 4);
    let note_off = out.len();
    out.extend_from_slice(&note);
    let mi_off = out.len();
    out.extend_from_slice(&modinfo);
    let str_off = out.len();
    out.extend_from_slice(shstr);
    pad(&mut out, 8);
    let shoff = out.len();
    out[40..48].copy_from_slice(&(shoff as u64).to_le_bytes());
    // (name, type, flags, offset, size, align)
    let shdrs: [(u32, u32, u64, usize, usize, u64); 4] = [
        (0, 0, 0, 0, 0, 0),
        (1, 1, 2, mi_off, modinfo.len(), 1), // .modinfo PROGBITS, SHF_ALLOC
        (10, 7, 2, note_off, note.len(), 4), // .note.gnu.build-id NOTE
        (29, 3, 0, str_off, shstr.len(), 1), // .shstrtab STRTAB
    ];
    for (name, ty, flags, off, size, align) in shdrs {
        let mut h = [0u8; 64];
        h[0..4].copy_from_slice(&name.to_le_bytes());
        h[4..8].copy_from_slice(&ty.to_le_bytes());
        h[8..16].copy_from_slice(&flags.to_le_bytes());
        h[24..32].copy_from_slice(&(off as u64).to_le_bytes());
        h[32..40].copy_from_slice(&(size as u64).to_le_bytes());
        h[48..56].copy_from_slice(&align.to_le_bytes());
        out.extend_from_slice(&h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_elf(b"").is_err());
        assert!(parse_elf(b"demo module x version 1\n").is_err());
        let mut hdr = vec![0u8; 64];
        hdr[..4].copy_from_slice(b"\x7fELF");
        hdr[4] = 2;
        hdr[5] = 1;
        hdr[16] = 1;
        hdr[0x28] = 0xff; // section headers far outside the file
        hdr[0x3a] = 64;
        hdr[0x3c] = 3;
        assert!(parse_elf(&hdr).is_err());
        // Every truncation of a real-looking header fails cleanly.
        for n in 0..hdr.len() {
            assert!(parse_elf(&hdr[..n]).is_err());
        }
    }

    #[test]
    fn minimal_module_round_trips() {
        let b = minimal_module(
            &[
                ("name", "igb"),
                ("version", "5.11.4"),
                ("alias", "pci:v1"),
                ("alias", "pci:v2"),
            ],
            &[1, 2, 3],
        );
        let i = parse_elf(&b).unwrap();
        assert_eq!(i.name.as_deref(), Some("igb"));
        assert_eq!(i.alias, vec!["pci:v1", "pci:v2"]);
        assert_eq!(i.build_id.as_deref(), Some("010203"));
    }

    #[test]
    fn build_id_note() {
        let mut n = Vec::new();
        n.extend_from_slice(&4u32.to_le_bytes());
        n.extend_from_slice(&3u32.to_le_bytes());
        n.extend_from_slice(&3u32.to_le_bytes());
        n.extend_from_slice(b"GNU\0\xab\xcd\xef");
        assert_eq!(parse_build_id_note(&n).as_deref(), Some("abcdef"));
        assert_eq!(parse_build_id_note(&n[..14]), None);
    }
}
