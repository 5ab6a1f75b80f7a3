//! The packages installed on the root, behind one interface (`load`): from the cache of the
//! parsed set when the rpmdb file has not changed, else read natively (`rpmdb`: SQLite or
//! Berkeley DB hash, read-only), else through the `rpm` binary (`rpm --root R -qa
//! --queryformat`), the fallback for anything the native readers refuse. Both paths build
//! identical `Package` records. It never writes the rpmdb (only the cache file).
//!
//! `XCPNG_MOD_RPMDB=rpm` forces the `rpm -qa` path, `=native` the native readers without cache
//! or fallback (benchmarks, diagnosis); unset or `auto` is the normal order.

use super::dep::{dep_from_rpm, Dependency};
use super::evr::Evr;
use super::package::sort_packages;
use super::package::{Package, SYSTEM_REPO};
use super::rpmdb::{self, cache, Format};
use crate::sysroot::Sysroot;

#[derive(Debug, thiserror::Error)]
pub enum InstalledError {
    #[error("cannot run `rpm` to read the rpmdb under {root}: {source}")]
    Spawn {
        root: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`rpm -qa` failed under {root}: {stderr}")]
    Failed { root: String, stderr: String },
    #[error("cannot read the rpmdb under {root} natively: {reason}")]
    Native { root: String, reason: String },
}

impl InstalledError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            InstalledError::Spawn { .. } => {
                "install rpm (Debian/Ubuntu: apt-get install rpm)".into()
            }
            InstalledError::Failed { .. } => {
                "check the rpmdb with `rpm --root ROOT --rebuilddb`".into()
            }
            InstalledError::Native { .. } => {
                "unset XCPNG_MOD_RPMDB to fall back to `rpm -qa`".into()
            }
        })
    }
}

const FS: &str = "\x1f"; // between fields
const RS: &str = "\x1e"; // between records
const DS: &str = "\x1d"; // between dependencies

fn query_format() -> String {
    let deps = |tag: &str| format!("[%{{{tag}NAME}}\x1c%{{{tag}FLAGS}}\x1c%{{{tag}VERSION}}{DS}]");
    [
        "%{NAME}".to_string(),
        "%{EPOCH}".into(),
        "%{VERSION}".into(),
        "%{RELEASE}".into(),
        "%{ARCH}".into(),
        "%{SUMMARY}".into(),
        "%{SIZE}".into(),
        "%{INSTALLTIME}".into(),
        "%{BUILDTIME}".into(),
        "%{LICENSE}".into(),
        "%{URL}".into(),
        "%{SOURCERPM}".into(),
        "%{DESCRIPTION}".into(),
        deps("PROVIDE"),
        deps("REQUIRE"),
        deps("CONFLICT"),
        deps("OBSOLETE"),
    ]
    .join(FS)
        + RS
}

fn parse_deps(field: &str) -> Vec<Dependency> {
    field
        .split(DS)
        .filter(|s| !s.is_empty())
        .filter_map(|d| {
            let mut it = d.split('\x1c');
            let name = it.next()?;
            let flags: u32 = it.next()?.parse().unwrap_or(0);
            let ver = it.next().unwrap_or("");
            dep_from_rpm(name, flags, ver)
        })
        .collect()
}

fn none_empty(s: &str) -> String {
    if s == "(none)" {
        String::new()
    } else {
        s.to_string()
    }
}

/// Parse the output of `rpm -qa --queryformat` with our format.
pub fn parse_query_output(out: &str) -> Vec<Package> {
    let mut pkgs = Vec::new();
    for rec in out.split(RS) {
        let f: Vec<&str> = rec.split(FS).collect();
        if f.len() < 17 {
            continue;
        }
        let epoch = f[1].parse::<u32>().ok();
        pkgs.push(Package {
            name: f[0].trim_start_matches('\n').to_string(),
            evr: Evr::new(epoch, none_empty(f[2]), none_empty(f[3])),
            arch: none_empty(f[4]),
            repo: SYSTEM_REPO.to_string(),
            summary: none_empty(f[5]),
            size_installed: f[6].parse().unwrap_or(0),
            installtime: f[7].parse().unwrap_or(0),
            buildtime: f[8].parse().unwrap_or(0),
            license: none_empty(f[9]),
            url: none_empty(f[10]),
            sourcerpm: none_empty(f[11]),
            description: none_empty(f[12]),
            provides: parse_deps(f[13]),
            requires: parse_deps(f[14]),
            conflicts: parse_deps(f[15]),
            obsoletes: parse_deps(f[16]),
            ..Default::default()
        });
    }
    sort_packages(&mut pkgs);
    pkgs
}

/// Where an installed set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpmdbSource {
    /// No rpmdb under the root.
    NoDatabase,
    /// The cache of a previous read, still matching the database file.
    Cache,
    /// Read natively from the database file.
    Native(Format),
    /// Read through `rpm -qa --queryformat`.
    Rpm,
}

/// An installed set and how it was read.
#[derive(Debug)]
pub struct Loaded {
    pub packages: Vec<Package>,
    pub source: RpmdbSource,
    /// Why the native reader was not used, when it was tried and failed.
    pub native_error: Option<String>,
}

/// The cache file of the installed set under the root.
pub fn cache_file(root: &Sysroot) -> std::path::PathBuf {
    root.join("/var/cache/xcpng-mod/rpmdb.cache")
}

/// Read the installed packages of `root`. No rpmdb at all is an empty set.
pub fn load(root: &Sysroot) -> Result<Vec<Package>, InstalledError> {
    Ok(load_traced(root)?.packages)
}

/// `load`, telling where the set came from: the cache, the native reader, or `rpm -qa`.
pub fn load_traced(root: &Sysroot) -> Result<Loaded, InstalledError> {
    let mode = std::env::var("XCPNG_MOD_RPMDB").unwrap_or_default();
    let Some(db) = rpmdb::find(&super::rpmdb_dirs(root)) else {
        return Ok(Loaded {
            packages: Vec::new(),
            source: RpmdbSource::NoDatabase,
            native_error: None,
        });
    };
    let loaded = |packages, source, native_error| Loaded {
        packages,
        source,
        native_error,
    };
    match mode.as_str() {
        "rpm" => return Ok(loaded(load_rpm(root, &[])?, RpmdbSource::Rpm, None)),
        "native" => {
            return rpmdb::read(&db)
                .map(|p| loaded(p, RpmdbSource::Native(db.format), None))
                .map_err(|e| InstalledError::Native {
                    root: root.root().display().to_string(),
                    reason: e.to_string(),
                })
        }
        _ => {}
    }
    let file = cache_file(root);
    let key = cache::key(&db);
    if let Some(pkgs) = key.as_deref().and_then(|k| cache::load(&file, k)) {
        return Ok(loaded(pkgs, RpmdbSource::Cache, None));
    }
    let (packages, source, native_error) = match rpmdb::read(&db) {
        Ok(p) => (p, RpmdbSource::Native(db.format), None),
        Err(e) => match load_rpm(root, &[]) {
            Ok(p) => (p, RpmdbSource::Rpm, Some(e.to_string())),
            Err(InstalledError::Failed { root, stderr }) => {
                return Err(InstalledError::Failed {
                    root,
                    stderr: format!("{stderr} (and the native reader: {e})"),
                })
            }
            Err(other) => return Err(other),
        },
    };
    // Store only when the database did not change while it was read.
    if let Some(k) = key.filter(|k| cache::key(&db).as_ref() == Some(k)) {
        cache::store(&file, &k, &packages);
    }
    Ok(loaded(packages, source, native_error))
}

/// Read the installed packages through the `rpm` binary (`extra` goes before `-qa`, e.g.
/// `--define "_db_backend bdb_ro"`).
pub fn load_rpm(root: &Sysroot, extra: &[&str]) -> Result<Vec<Package>, InstalledError> {
    let rootstr = root.root().display().to_string();
    let out = super::command(root)
        .args(extra)
        .args(["-qa", "--queryformat", &query_format()])
        .env("LC_ALL", "C")
        .output()
        .map_err(|source| InstalledError::Spawn {
            root: rootstr.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(InstalledError::Failed {
            root: rootstr,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(parse_query_output(&String::from_utf8_lossy(&out.stdout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let rec = [
            "kernel",
            "(none)",
            "4.19.19",
            "8.0.38.1.xcpng8.3",
            "x86_64",
            "The kernel",
            "100",
            "5",
            "4",
            "GPL",
            "(none)",
            "kernel.src.rpm",
            "The kernel.",
            "kernel-uname-r\x1c8\x1c4.19.0+1\x1dkernel\x1c8\x1c4.19.19-8\x1d",
            "/bin/sh\x1c512\x1c\x1drpmlib(x)\x1c16777226\x1c3.0.4-1\x1d",
            "",
            "",
        ]
        .join(FS);
        let pkgs = parse_query_output(&format!("{rec}{RS}"));
        assert_eq!(pkgs.len(), 1);
        let p = &pkgs[0];
        assert_eq!(p.evr.epoch, None);
        assert_eq!(p.provides[0].to_string(), "kernel-uname-r = 4.19.0+1");
        assert_eq!(p.requires.len(), 1);
        assert!(p.requires[0].pre);
        assert_eq!(p.url, "");
        assert_eq!(p.repo, SYSTEM_REPO);
    }
}
