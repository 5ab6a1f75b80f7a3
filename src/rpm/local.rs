//! Package files given on the command line (`install ./foo.rpm`): their header read into a
//! `Package` of the pseudo-repo `@commandline`, so the solver treats them like any candidate.
//! Verification (checksum, signature) is the transaction's job, as for downloaded files.
//!
//! The file is opened once (never through a symbolic link, regular files only) and its bytes
//! are copied into a directory only root can write ([`STAGING_DIR`]); the package record
//! names that copy and its digest. Verification and rpm then read the copy, so a file swapped
//! at the given path after the check changes nothing: what rpm installs is what was checked.

use super::dep::sense_from_rpm;
use super::dep::Dependency;
use super::evr::Evr;
use super::package::{Checksum, Package};
use std::path::Path;

/// The repo id of package files named on the command line (as dnf shows them).
pub const COMMANDLINE_REPO: &str = "@commandline";

/// A package file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: not a readable RPM package: {msg}")]
pub struct LocalError {
    pub path: String,
    pub msg: String,
}

/// Where the copies of command-line package files are kept (host path, mode 0700).
pub const STAGING_DIR: &str = "/var/lib/xcpng-mod/commandline";

/// How long a copy is kept after its transaction (a later plan cleans older ones up).
const STAGING_KEEP_SECS: u64 = 24 * 3600;

/// True when a command-line argument names a package file rather than a package: it ends in
/// `.rpm` and something is there (a link there is refused when the file is read).
pub fn is_package_file(spec: &str) -> bool {
    spec.ends_with(".rpm") && std::fs::symlink_metadata(spec).is_ok()
}

/// Read a package file once and copy it into `<root>/STAGING_DIR`: the record's `location` is
/// the copy, its checksum the SHA-256 of the bytes read.
pub fn import(root: &crate::sysroot::Sysroot, path: &Path) -> Result<Package, LocalError> {
    let err = |msg: String| LocalError {
        path: path.display().to_string(),
        msg,
    };
    let data = read_once(path).map_err(err)?;
    let dir = root.join(STAGING_DIR);
    crate::hostfs::create_private_dir(&dir).map_err(|e| err(e.to_string()))?;
    clean_staging(&dir);
    let sha256 = crate::digest::digest_hex("sha256", &data).expect("sha256 is known");
    let copy = dir.join(format!("{sha256}.rpm"));
    crate::hostfs::write_atomic(&copy, &data).map_err(|e| err(e.to_string()))?;
    let mut pkg = parse(&data).map_err(err)?;
    pkg.location = copy.display().to_string();
    Ok(pkg)
}

/// Read a package file's header without keeping a copy (`location` is the absolute path).
pub fn read(path: &Path) -> Result<Package, LocalError> {
    let err = |msg: String| LocalError {
        path: path.display().to_string(),
        msg,
    };
    let data = read_once(path).map_err(err)?;
    let mut pkg = parse(&data).map_err(err)?;
    let abs = std::path::absolute(path).map_err(|e| err(e.to_string()))?;
    pkg.location = abs.display().to_string();
    Ok(pkg)
}

/// The bytes of a regular file, opened once without following a link.
fn read_once(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                "is a symbolic link: give the package file itself".to_string()
            } else {
                e.to_string()
            }
        })?;
    let meta = f.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    f.read_to_end(&mut data).map_err(|e| e.to_string())?;
    Ok(data)
}

/// Remove copies older than a day (best effort).
fn clean_staging(dir: &Path) {
    let now = std::time::SystemTime::now();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|d| d.as_secs() > STAGING_KEEP_SECS);
        if old {
            let _ = crate::hostfs::remove_file(&e.path());
        }
    }
}

fn deps(list: Result<Vec<rpmfile::Dependency>, rpmfile::Error>) -> Vec<Dependency> {
    list.unwrap_or_default()
        .into_iter()
        .filter(|d| !d.name.starts_with("rpmlib("))
        .map(|d| {
            let (sense, pre) = sense_from_rpm(d.flags.bits());
            let mut dep = if d.version.is_empty() || sense == super::Sense::ANY {
                Dependency::unversioned(d.name)
            } else {
                Dependency::versioned(d.name, sense, Evr::parse(&d.version))
            };
            dep.pre = pre;
            dep
        })
        .collect()
}

/// The package record of a package file's bytes; `checksum` is their SHA-256 and `location`
/// is left for the caller.
fn parse(data: &[u8]) -> Result<Package, String> {
    // The `rpm` crate trusts the offsets and sizes of a header (it panics on an entry outside
    // the data, and allocates what the sizes say): check them first, and keep a panic it
    // still finds an error.
    check_headers(data)?;
    let pkg = std::panic::catch_unwind(|| read_meta(data))
        .unwrap_or_else(|_| Err("malformed header".into()))?;
    Ok(Package {
        size_package: data.len() as u64,
        checksum: Checksum {
            kind: "sha256".into(),
            value: crate::digest::digest_hex("sha256", data).expect("sha256 is known"),
        },
        ..pkg
    })
}

/// The lead, then the signature header and the header, each bounds-checked as rpm's
/// `hdrchkRange` does: sizes within rpm's limits and the file, every entry inside its data.
fn check_headers(data: &[u8]) -> Result<(), String> {
    const LEAD: usize = 96;
    let be32 = |at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| "truncated header".to_string())
    };
    let mut at = LEAD;
    for (i, what) in ["signature header", "header"].into_iter().enumerate() {
        if data.get(at..at + 3) != Some(&[0x8e, 0xad, 0xe8][..]) {
            return Err(format!("no {what} magic at offset {at}"));
        }
        let (il, dl) = (be32(at + 8)?, be32(at + 12)?);
        if il > 0xffff || dl > 256 << 20 {
            return Err(format!("{what} too large ({il} entries, {dl} bytes)"));
        }
        let store_at = at + 16 + il * 16;
        let store = data
            .get(store_at..store_at + dl)
            .ok_or_else(|| format!("truncated {what}"))?;
        for e in 0..il {
            let (ty, off, count) = (
                be32(at + 16 + e * 16 + 4)?,
                be32(at + 16 + e * 16 + 8)?,
                be32(at + 16 + e * 16 + 12)?,
            );
            let rest = store
                .get(off..)
                .ok_or_else(|| format!("{what}: entry {e} outside the data"))?;
            let fits = match ty {
                0 => true,
                1 | 2 | 7 => count <= rest.len(),
                3 => count.saturating_mul(2) <= rest.len(),
                4 => count.saturating_mul(4) <= rest.len(),
                5 => count.saturating_mul(8) <= rest.len(),
                6 | 8 | 9 => {
                    rest.iter().filter(|&&b| b == 0).take(count.max(1)).count() == count.max(1)
                }
                _ => false,
            };
            if !fits {
                return Err(format!("{what}: entry {e} (type {ty}) outside the data"));
            }
        }
        at = store_at + dl;
        if i == 0 {
            at += (8 - dl % 8) % 8;
        }
    }
    Ok(())
}

/// The package record of a header, but for what depends on the file (size, path, digest).
fn read_meta(data: &[u8]) -> Result<Package, String> {
    let meta = rpmfile::PackageMetadata::parse(&mut std::io::Cursor::new(data))
        .map_err(|e| e.to_string())?;
    if meta.is_source_package() {
        return Err("a source package cannot be installed".into());
    }
    let text = |r: Result<&str, rpmfile::Error>| r.map(str::to_string).unwrap_or_default();
    let name = meta.get_name().map_err(|e| e.to_string())?.to_string();
    Ok(Package {
        name,
        evr: Evr::new(
            meta.get_epoch().ok(),
            text(meta.get_version()),
            text(meta.get_release()),
        ),
        arch: text(meta.get_arch()),
        repo: COMMANDLINE_REPO.to_string(),
        summary: text(meta.get_summary()),
        description: text(meta.get_description()),
        url: text(meta.get_url()),
        license: text(meta.get_license()),
        sourcerpm: text(meta.get_source_rpm()),
        buildtime: meta.get_build_time().unwrap_or(0),
        installtime: 0,
        size_installed: meta.get_installed_size().unwrap_or(0),
        provides: deps(meta.get_provides()),
        requires: deps(meta.get_requires()),
        conflicts: deps(meta.get_conflicts()),
        obsoletes: deps(meta.get_obsoletes()),
        files: meta
            .get_file_paths()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.display().to_string())
            .collect(),
        ..Default::default()
    })
}
