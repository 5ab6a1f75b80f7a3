//! A package record: what primary metadata or the rpmdb says about one package.

use super::dep::Dependency;
use super::evr::Evr;
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt;

/// The repo id of installed packages, as yum and dnf show it.
pub const SYSTEM_REPO: &str = "@System";

pub use crate::digest::Checksum;

/// One package, from a repository's primary metadata or from the rpmdb.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Package {
    pub name: String,
    pub evr: Evr,
    pub arch: String,
    /// Repo id, or `@System` for installed packages.
    pub repo: String,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub license: String,
    pub sourcerpm: String,
    pub buildtime: u64,
    /// Install time (installed packages only).
    pub installtime: u64,
    /// Size of the package file.
    pub size_package: u64,
    /// Size once installed.
    pub size_installed: u64,
    /// `location href`, relative to the repo's base URL (already checked for `..`).
    pub location: String,
    pub checksum: Checksum,
    pub provides: Vec<Dependency>,
    pub requires: Vec<Dependency>,
    pub conflicts: Vec<Dependency>,
    pub obsoletes: Vec<Dependency>,
    /// The files that primary metadata lists (a subset: `/etc/*`, `*bin/*`, `/usr/lib/sendmail`).
    pub files: Vec<String>,
}

impl Package {
    pub fn epoch(&self) -> u32 {
        self.evr.epoch_or_zero()
    }

    /// `name-[epoch:]version-release.arch`
    pub fn nevra(&self) -> String {
        format!("{}-{}.{}", self.name, self.evr, self.arch)
    }

    /// `name.arch`, the identity yum keeps one version of.
    pub fn name_arch(&self) -> String {
        format!("{}.{}", self.name, self.arch)
    }

    /// `version-release` with the epoch when non-zero, as yum's tables show it.
    pub fn evr_string(&self) -> String {
        self.evr.to_string()
    }

    /// Compare by EVR only (full release comparison: a missing release is older).
    pub fn evr_cmp(&self, other: &Package) -> Ordering {
        super::evr::cmp_labels(
            (self.epoch(), &self.evr.version, &self.evr.release),
            (other.epoch(), &other.evr.version, &other.evr.release),
        )
    }

    pub fn is_installed(&self) -> bool {
        self.repo == SYSTEM_REPO
    }

    /// The stable JSON shape of a package reference (CLI.md).
    pub fn to_ref(&self) -> PackageRef {
        PackageRef {
            name: self.name.clone(),
            epoch: self.epoch(),
            version: self.evr.version.clone(),
            release: self.evr.release.clone(),
            arch: self.arch.clone(),
            repo: self.repo.clone(),
        }
    }
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.nevra())
    }
}

/// The package object of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub repo: String,
}

/// The order of the installed set, whichever path read it: name, EVR, arch, install time.
pub fn sort_packages(pkgs: &mut [Package]) {
    pkgs.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.evr_cmp(b))
            .then_with(|| {
                (a.evr.epoch, &a.evr.version, &a.evr.release).cmp(&(
                    b.evr.epoch,
                    &b.evr.version,
                    &b.evr.release,
                ))
            })
            .then_with(|| a.arch.cmp(&b.arch))
            .then_with(|| a.installtime.cmp(&b.installtime))
    });
}
