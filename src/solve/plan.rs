//! What the admin asks (a [`Goal`]) and what a transaction would do (a [`Plan`], each step
//! with its [`Reason`]): pure data that the planner in `ops` fills, the CLI renders and the
//! transaction engine applies.

use crate::rpm::package::PackageRef;

/// What the admin asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    Install(Vec<String>),
    /// Update everything (empty) or these packages.
    Update(Vec<String>),
    Downgrade(Vec<String>),
    Remove(Vec<String>),
    Reinstall(Vec<String>),
    /// Remove `remove` and install `install` in one transaction (dnf's `swap`): one driver
    /// package for another that ships the same files.
    Swap {
        remove: Vec<String>,
        install: Vec<String>,
    },
}

impl Goal {
    pub fn verb(&self) -> &'static str {
        match self {
            Goal::Install(_) => "install",
            Goal::Update(_) => "update",
            Goal::Downgrade(_) => "downgrade",
            Goal::Remove(_) => "remove",
            Goal::Reinstall(_) => "reinstall",
            Goal::Swap { .. } => "swap",
        }
    }
    /// What the admin named: packages, globs, provides, paths or package files (for a swap,
    /// what it installs; [`Goal::removals`] has the rest).
    pub fn specs(&self) -> &[String] {
        match self {
            Goal::Install(s)
            | Goal::Update(s)
            | Goal::Downgrade(s)
            | Goal::Remove(s)
            | Goal::Reinstall(s)
            | Goal::Swap { install: s, .. } => s,
        }
    }
    /// What a swap removes (nothing for the other goals: `Remove` names its packages in
    /// [`Goal::specs`]).
    pub fn removals(&self) -> &[String] {
        match self {
            Goal::Swap { remove, .. } => remove,
            _ => &[],
        }
    }
}

/// Why a step is in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The admin named it.
    Requested,
    /// Something requested needs it.
    Dependency,
    /// It needs a package being removed.
    Dependent,
    /// A new package obsoletes it.
    Obsoleted,
}

impl Reason {
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::Requested => "requested",
            Reason::Dependency => "dependency",
            Reason::Dependent => "dependent",
            Reason::Obsoleted => "obsoleted",
        }
    }
}

/// A package added or removed.
#[derive(Debug, Clone)]
pub struct PlanPackage {
    pub pkg: PackageRef,
    pub reason: Reason,
    /// Size of the package file to download (0 for removals).
    pub size: u64,
    pub obsoleted_by: Option<PackageRef>,
}

/// A package replaced by another version of itself.
#[derive(Debug, Clone)]
pub struct PlanChange {
    pub from: PackageRef,
    pub to: PackageRef,
    pub reason: Reason,
    pub size: u64,
}

/// What a transaction would do. Pure data: the CLI renders it, an executor applies it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub install: Vec<PlanPackage>,
    pub upgrade: Vec<PlanChange>,
    pub downgrade: Vec<PlanChange>,
    pub reinstall: Vec<PlanChange>,
    pub remove: Vec<PlanPackage>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.install.is_empty()
            && self.upgrade.is_empty()
            && self.downgrade.is_empty()
            && self.reinstall.is_empty()
            && self.remove.is_empty()
    }

    /// Bytes to download.
    pub fn download_size(&self) -> u64 {
        self.install.iter().map(|p| p.size).sum::<u64>()
            + [&self.upgrade, &self.downgrade, &self.reinstall]
                .iter()
                .flat_map(|v| v.iter())
                .map(|c| c.size)
                .sum::<u64>()
    }
}
