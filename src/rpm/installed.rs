//! The packages installed on the root. Today this asks the root's rpmdb through the `rpm`
//! binary (`rpm --root R -qa --queryformat`); a native reader can replace it behind `load`.

use super::dep::{Dependency, Sense};
use super::evr::Evr;
use super::package::{Package, SYSTEM_REPO};
use crate::sysroot::Sysroot;
use std::process::Command;

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

/// rpm's sense flags (LESS=2, GREATER=4, EQUAL=8, PREREQ and scriptlet bits) to ours.
pub(crate) fn sense_from_rpm(flags: u32) -> (Sense, bool) {
    let mut bits = 0u8;
    if flags & 2 != 0 {
        bits |= Sense::LESS;
    }
    if flags & 4 != 0 {
        bits |= Sense::GREATER;
    }
    if flags & 8 != 0 {
        bits |= Sense::EQUAL;
    }
    // RPMSENSE_PREREQ (1<<6), SCRIPT_PRE (1<<9), SCRIPT_POST (1<<10)
    let pre = flags & ((1 << 6) | (1 << 9) | (1 << 10)) != 0;
    (Sense::from_bits(bits), pre)
}

fn parse_deps(field: &str) -> Vec<Dependency> {
    field
        .split(DS)
        .filter(|s| !s.is_empty())
        .filter_map(|d| {
            let mut it = d.split('\x1c');
            let name = it.next()?.to_string();
            let flags: u32 = it.next()?.parse().unwrap_or(0);
            let ver = it.next().unwrap_or("");
            if name.starts_with("rpmlib(") {
                return None;
            }
            let (sense, pre) = sense_from_rpm(flags);
            let mut dep = if sense == Sense::ANY || ver.is_empty() {
                Dependency::unversioned(name)
            } else {
                Dependency::versioned(name, sense, Evr::parse(ver))
            };
            dep.pre = pre;
            Some(dep)
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
            evr: Evr::new(epoch, f[2], f[3]),
            arch: none_empty(f[4]),
            repo: SYSTEM_REPO.to_string(),
            summary: f[5].to_string(),
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
    pkgs.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.evr_cmp(b)));
    pkgs
}

/// Where rpm keeps its database under the root.
pub fn rpmdb_dirs(root: &Sysroot) -> [std::path::PathBuf; 2] {
    [
        root.join("/var/lib/rpm"),
        root.join("/usr/lib/sysimage/rpm"),
    ]
}

/// Read the installed packages of `root`. No rpmdb at all is an empty set.
pub fn load(root: &Sysroot) -> Result<Vec<Package>, InstalledError> {
    let has_db = rpmdb_dirs(root).iter().any(|d| {
        ["Packages", "rpmdb.sqlite", "Packages.db"]
            .iter()
            .any(|f| d.join(f).exists())
    });
    if !has_db {
        return Ok(Vec::new());
    }
    let rootstr = root.root().display().to_string();
    let mut cmd = Command::new("rpm");
    if !root.is_host_root() {
        cmd.arg("--root").arg(root.root());
        if let Some(dbpath) = rpmdb_dirs(root).iter().find(|d| d.is_dir()) {
            // Debian's rpm may default to another dbpath than the target's.
            let host = std::path::Path::new("/").join(root.host_path(dbpath));
            cmd.arg("--dbpath").arg(host);
        }
    }
    let out = cmd
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
