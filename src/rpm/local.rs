//! Package files given on the command line (`install ./foo.rpm`): their header read into a
//! `Package` of the pseudo-repo `@commandline`, so the solver treats them like any candidate.
//! Verification (checksum, signature) is the transaction's job, as for downloaded files.

use super::dep::Dependency;
use super::evr::Evr;
use super::installed::sense_from_rpm;
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

/// True when a command-line argument names a package file rather than a package.
pub fn is_package_file(spec: &str) -> bool {
    spec.ends_with(".rpm") && Path::new(spec).is_file()
}

fn deps(list: Result<Vec<rpm::Dependency>, rpm::Error>) -> Vec<Dependency> {
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

/// Read a package file's header. `location` is the absolute path; `checksum` its SHA-256.
pub fn read(path: &Path) -> Result<Package, LocalError> {
    let err = |msg: String| LocalError {
        path: path.display().to_string(),
        msg,
    };
    let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let meta = rpm::PackageMetadata::parse(&mut std::io::Cursor::new(&data))
        .map_err(|e| err(e.to_string()))?;
    if meta.is_source_package() {
        return Err(err("a source package cannot be installed".into()));
    }
    let text = |r: Result<&str, rpm::Error>| r.map(str::to_string).unwrap_or_default();
    let name = meta.get_name().map_err(|e| err(e.to_string()))?.to_string();
    let abs = std::path::absolute(path).map_err(|e| err(e.to_string()))?;
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
        size_package: data.len() as u64,
        size_installed: meta.get_installed_size().unwrap_or(0),
        location: abs.display().to_string(),
        checksum: Checksum {
            kind: "sha256".into(),
            value: crate::repo::fetch::digest_hex("sha256", &data).expect("sha256 is known"),
        },
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
    })
}
