//! The plan: `{"install": [pkg…], "upgrade": [{"from", "to", …}…], "downgrade", "reinstall",
//! "remove"}`, each package `{name, epoch, version, release, arch, repo, reason, size}`.

use crate::rpm::package::PackageRef;
use crate::solve::{Plan as InnerPlan, PlanChange, PlanPackage};
use serde::{Serialize, Serializer};

/// A package as every document names it.
#[derive(Serialize)]
pub struct Package<'a> {
    pub name: &'a str,
    pub epoch: u32,
    pub version: &'a str,
    pub release: &'a str,
    pub arch: &'a str,
    pub repo: &'a str,
}

impl<'a> From<&'a PackageRef> for Package<'a> {
    fn from(p: &'a PackageRef) -> Package<'a> {
        Package {
            name: &p.name,
            epoch: p.epoch,
            version: &p.version,
            release: &p.release,
            arch: &p.arch,
            repo: &p.repo,
        }
    }
}

/// A package added or removed.
#[derive(Serialize)]
pub struct Step<'a> {
    #[serde(flatten)]
    pub pkg: Package<'a>,
    /// `requested`, `dependency`, `dependent`, `obsoleted`.
    pub reason: &'static str,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obsoleted_by: Option<Package<'a>>,
}

/// A package replaced by another version of itself.
#[derive(Serialize)]
pub struct Change<'a> {
    pub from: Package<'a>,
    pub to: Package<'a>,
    pub reason: &'static str,
    pub size: u64,
}

#[derive(Serialize)]
pub struct Plan<'a> {
    pub install: Vec<Step<'a>>,
    pub upgrade: Vec<Change<'a>>,
    pub downgrade: Vec<Change<'a>>,
    pub reinstall: Vec<Change<'a>>,
    pub remove: Vec<Step<'a>>,
}

fn step(p: &PlanPackage) -> Step<'_> {
    Step {
        pkg: (&p.pkg).into(),
        reason: p.reason.as_str(),
        size: p.size,
        obsoleted_by: p.obsoleted_by.as_ref().map(Package::from),
    }
}

fn change(c: &PlanChange) -> Change<'_> {
    Change {
        from: (&c.from).into(),
        to: (&c.to).into(),
        reason: c.reason.as_str(),
        size: c.size,
    }
}

impl<'a> From<&'a InnerPlan> for Plan<'a> {
    fn from(p: &'a InnerPlan) -> Plan<'a> {
        let changes = |v: &'a [PlanChange]| v.iter().map(change).collect();
        Plan {
            install: p.install.iter().map(step).collect(),
            upgrade: changes(&p.upgrade),
            downgrade: changes(&p.downgrade),
            reinstall: changes(&p.reinstall),
            remove: p.remove.iter().map(step).collect(),
        }
    }
}

/// For `#[serde(serialize_with)]` on a field holding a plan.
pub fn serialize<S: Serializer>(p: &InnerPlan, s: S) -> Result<S::Ok, S::Error> {
    Plan::from(p).serialize(s)
}
