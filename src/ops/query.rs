//! Read-only queries: `repolist`, `makecache`, `list`, `info`, `search`, `check-update`.

use super::drivers::DriverIndex;
pub use super::drivers::{DriverInfo, Overridden};
use super::{matches_spec, newest_per_name_arch, not_found, Context};
use crate::error::Result;
pub use crate::modules::class::modules_from_name;
use crate::modules::{classify, ModuleClass};
use crate::repo::cache::Detail;
use crate::repo::primary::ChangelogEntry;
use crate::repo::{self, sort_changelog, Repo};
use crate::rpm::Package;
use serde::Serialize;
use std::collections::HashMap;

/// One row of `repolist`.
#[derive(Debug, Clone, Serialize)]
pub struct RepoRow {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub baseurls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirrorlist: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metalink: Option<String>,
    /// Package count when metadata is cached, else null.
    pub packages: Option<usize>,
    pub gpgcheck: bool,
    pub repo_gpgcheck: bool,
    pub gpgkeys: Vec<String>,
    pub origin: String,
}

/// `repolist`: never touches the network.
pub fn repolist(ctx: &Context<'_>, all: bool) -> Vec<RepoRow> {
    ctx.config
        .repos
        .iter()
        .filter(|r| all || r.enabled)
        .map(|r| RepoRow {
            id: r.id.clone(),
            name: r.name.clone(),
            enabled: r.enabled,
            baseurls: r.baseurls.clone(),
            mirrorlist: r.mirrorlist.clone(),
            metalink: r.metalink.clone(),
            packages: repo::cached_package_count(ctx.root(), &ctx.config.main, &r.id),
            gpgcheck: r.gpgcheck,
            repo_gpgcheck: r.repo_gpgcheck,
            gpgkeys: r.gpgkeys.clone(),
            origin: r.origin.clone(),
        })
        .collect()
}

/// One repo after `makecache`.
#[derive(Debug, Clone, Serialize)]
pub struct CacheRow {
    pub id: String,
    pub refreshed: bool,
    pub packages: usize,
    pub revision: Option<String>,
}

/// `makecache`: fetch and check metadata of the enabled repos.
pub fn makecache(ctx: &Context<'_>) -> Result<Vec<CacheRow>> {
    let repos = ctx.open_repos()?;
    repos
        .iter()
        .map(|r| {
            Ok(CacheRow {
                id: r.config.id.clone(),
                refreshed: r.refreshed,
                packages: r.packages(Detail::Summary)?.len(),
                revision: r.repomd.revision.clone(),
            })
        })
        .collect()
}

/// Which packages `list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Installed, then available (yum's default and `--all`).
    #[default]
    All,
    Installed,
    Available,
    Updates,
}

/// `list` filters.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub scope: Scope,
    pub class: Option<ModuleClass>,
    pub patterns: Vec<String>,
    pub showduplicates: bool,
}

/// A package in a listing, with its driver class when it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub pkg: crate::rpm::package::PackageRef,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<ModuleClass>,
    /// For available packages: the installed version of the same name.arch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    /// Driver details, in listings filtered by class (`--alternate|--additional|--supported`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub driver: Option<DriverInfo>,
}

/// What `list` found.
#[derive(Debug, Clone, Default)]
pub struct ListResult {
    pub installed: Vec<Listed>,
    pub available: Vec<Listed>,
    pub updates: Vec<Listed>,
}

impl ListResult {
    pub fn is_empty(&self) -> bool {
        self.installed.is_empty() && self.available.is_empty() && self.updates.is_empty()
    }
}

fn listed(p: &Package, inst: Option<&Package>) -> Listed {
    Listed {
        pkg: p.to_ref(),
        summary: p.summary.clone(),
        class: classify(p),
        installed_version: inst.map(|i| i.evr_string()),
        driver: None,
    }
}

/// `listed` for a package we own: moves its strings instead of copying them.
fn listed_owned(p: Package, inst: Option<&Package>) -> Listed {
    let class = classify(&p);
    let epoch = p.epoch();
    Listed {
        pkg: crate::rpm::package::PackageRef {
            name: p.name,
            epoch,
            version: p.evr.version,
            release: p.evr.release,
            arch: p.arch,
            repo: p.repo,
        },
        summary: p.summary,
        class,
        installed_version: inst.map(|i| i.evr_string()),
        driver: None,
    }
}

/// The installed package of the same name and (compatible) arch.
fn installed_index(installed: &[Package]) -> HashMap<(&str, &str), &Package> {
    let mut m: HashMap<(&str, &str), &Package> = HashMap::new();
    for p in installed {
        let e = m.entry((p.name.as_str(), p.arch.as_str())).or_insert(p);
        if p.evr_cmp(e).is_gt() {
            *e = p;
        }
    }
    m
}

fn find_installed<'a>(
    idx: &HashMap<(&str, &str), &'a Package>,
    p: &Package,
) -> Option<&'a Package> {
    idx.get(&(p.name.as_str(), p.arch.as_str()))
        .copied()
        .or_else(|| {
            // noarch ↔ arch changes count as the same package, as yum does.
            if idx.is_empty() {
                None
            } else if p.arch == "noarch" {
                idx.iter().find(|((n, _), _)| *n == p.name).map(|(_, v)| *v)
            } else {
                idx.get(&(p.name.as_str(), "noarch")).copied()
            }
        })
}

/// Updates: for each installed name.arch, the newest available package newer than it.
pub fn updates(installed: &[Package], available: &[Package]) -> Vec<(Package, Package)> {
    let idx = installed_index(installed);
    let mut out = Vec::new();
    // Only packages of installed names can be updates: copy those, not the whole repo.
    let relevant: Vec<Package> = available
        .iter()
        .filter(|a| find_installed(&idx, a).is_some())
        .cloned()
        .collect();
    for a in newest_per_name_arch(relevant) {
        if let Some(i) = find_installed(&idx, &a) {
            if a.evr_cmp(i).is_gt() {
                out.push((i.clone(), a));
            }
        }
    }
    out
}

/// `list`.
pub fn list(ctx: &Context<'_>, q: &ListQuery) -> Result<ListResult> {
    let keep = |p: &Package| {
        (q.patterns.is_empty() || q.patterns.iter().any(|pat| matches_spec(p, pat)))
            && q.class.is_none_or(|c| classify(p) == Some(c))
    };
    let installed = ctx.installed()?;
    let need_repos = q.scope != Scope::Installed;
    let mut available = if need_repos {
        let repos = ctx.open_repos()?;
        let detail = if q.class.is_some() {
            Detail::Full
        } else {
            Detail::Summary
        };
        ctx.available(&repos, detail)?
    } else {
        Vec::new()
    };
    let idx = installed_index(&installed);
    let drivers = q
        .class
        .map(|_| DriverIndex::new(ctx, &installed, &available));
    let mut res = ListResult::default();
    if matches!(q.scope, Scope::All | Scope::Installed) {
        res.installed = installed
            .iter()
            .filter(|p| keep(p))
            .map(|p| listed(p, None))
            .collect();
    }
    if matches!(q.scope, Scope::All | Scope::Available) {
        let cands: Vec<Package> = std::mem::take(&mut available)
            .into_iter()
            .filter(|p| keep(p))
            .collect();
        let cands = if q.showduplicates {
            sorted(cands)
        } else {
            newest_per_name_arch(cands)
        };
        res.available = cands
            .into_iter()
            .filter_map(|p| {
                let inst = find_installed(&idx, &p);
                // Hide what is installed at exactly this version (yum does).
                let same = inst.is_some_and(|i| i.evr_cmp(&p).is_eq());
                (q.showduplicates || !same).then(|| listed_owned(p, inst))
            })
            .collect();
    }
    if q.scope == Scope::Updates {
        res.updates = updates(&installed, &available)
            .iter()
            .filter(|(_, a)| keep(a))
            .map(|(i, a)| listed(a, Some(i)))
            .collect();
    }
    if let Some(d) = &drivers {
        for l in res
            .installed
            .iter_mut()
            .chain(&mut res.available)
            .chain(&mut res.updates)
        {
            l.driver = Some(d.info(ctx, &l.pkg, l.class));
        }
    }
    if res.is_empty() && !q.patterns.is_empty() {
        return Err(not_found(
            format!("no package matches {}", q.patterns.join(", ")),
            "check the name, or enable more repos (--enablerepo 'xcp-ng-test*'); globs like 'bnxt*' work",
        ));
    }
    Ok(res)
}

fn sorted(mut v: Vec<Package>) -> Vec<Package> {
    v.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.arch.cmp(&b.arch))
            .then_with(|| a.evr_cmp(b))
    });
    v
}

/// `check-update`: the updates available for installed packages.
pub fn check_update(ctx: &Context<'_>, patterns: &[String]) -> Result<Vec<Listed>> {
    let q = ListQuery {
        scope: Scope::Updates,
        patterns: patterns.to_vec(),
        ..Default::default()
    };
    match list(ctx, &q) {
        Ok(r) => Ok(r.updates),
        Err(crate::Error::NotFound { .. }) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// `info` of one package.
#[derive(Debug, Clone, Serialize)]
pub struct Info {
    #[serde(flatten)]
    pub pkg: crate::rpm::package::PackageRef,
    pub installed: bool,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub license: String,
    pub size: u64,
    pub installed_size: u64,
    pub sourcerpm: String,
    pub buildtime: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<ModuleClass>,
    pub provides: Vec<String>,
    pub requires: Vec<String>,
    /// The newest changelog entries (from `other` metadata; empty when not available).
    pub changelog: Vec<ChangelogEntry>,
}

/// How many changelog entries `info` shows.
pub const CHANGELOG_HEAD: usize = 3;

/// `info PKG…`: installed matches and the newest available ones.
pub fn info(ctx: &Context<'_>, specs: &[String]) -> Result<Vec<Info>> {
    let installed = ctx.installed()?;
    let repos = ctx.open_repos()?;
    let available = ctx.available(&repos, Detail::Full)?;
    let matches = |p: &Package| specs.is_empty() || specs.iter().any(|s| matches_spec(p, s));
    let mut out: Vec<Info> = Vec::new();
    for p in installed.iter().filter(|p| matches(p)) {
        out.push(info_of(p, Vec::new()));
    }
    let avail = newest_per_name_arch(available.into_iter().filter(|p| matches(p)).collect());
    let idx = installed_index(&installed);
    let avail: Vec<Package> = avail
        .into_iter()
        .filter(|p| find_installed(&idx, p).is_none_or(|i| i.evr_cmp(p).is_ne()))
        .collect();
    let logs = changelogs_for(ctx, &repos, &avail);
    for p in &avail {
        let log = logs
            .get(&(p.repo.clone(), p.nevra()))
            .cloned()
            .unwrap_or_default();
        out.push(info_of(p, log));
    }
    if out.is_empty() {
        return Err(not_found(
            format!("no package matches {}", specs.join(", ")),
            "`xcpng-mod search TERM` finds packages by name and summary",
        ));
    }
    Ok(out)
}

/// Changelogs of packages, fetched from `other` metadata (per repo), keyed by (repo, nevra).
pub fn changelogs_for(
    ctx: &Context<'_>,
    repos: &[Repo],
    pkgs: &[Package],
) -> HashMap<(String, String), Vec<ChangelogEntry>> {
    let mut out = HashMap::new();
    for r in repos {
        let names: Vec<&str> = pkgs
            .iter()
            .filter(|p| p.repo == r.config.id)
            .map(|p| p.name.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        match r.changelogs(&names, &ctx.fetcher, ctx.settings.cache) {
            Ok(list) => {
                for mut o in list {
                    sort_changelog(&mut o.changelog);
                    o.changelog.truncate(CHANGELOG_HEAD);
                    let nevra = Package {
                        name: o.name.clone(),
                        evr: o.evr.clone(),
                        arch: o.arch.clone(),
                        ..Default::default()
                    }
                    .nevra();
                    out.insert((r.config.id.clone(), nevra), o.changelog);
                }
            }
            Err(e) => ctx.reporter.warn(&format!("no changelogs: {e}")),
        }
    }
    out
}

fn info_of(p: &Package, changelog: Vec<ChangelogEntry>) -> Info {
    Info {
        pkg: p.to_ref(),
        installed: p.is_installed(),
        summary: p.summary.clone(),
        description: p.description.clone(),
        url: p.url.clone(),
        license: p.license.clone(),
        size: p.size_package,
        installed_size: p.size_installed,
        sourcerpm: p.sourcerpm.clone(),
        buildtime: p.buildtime,
        class: classify(p),
        provides: p.provides.iter().map(|d| d.to_string()).collect(),
        requires: p.requires.iter().map(|d| d.to_string()).collect(),
        changelog,
    }
}

/// `search TERM…`: packages whose name or summary holds every term (case-insensitive).
pub fn search(ctx: &Context<'_>, terms: &[String]) -> Result<Vec<Listed>> {
    let repos = ctx.open_repos()?;
    let mut all = ctx.available(&repos, Detail::Summary)?;
    all.extend(ctx.installed()?);
    let terms: Vec<String> = terms.iter().map(|t| t.to_lowercase()).collect();
    let hits: Vec<Package> = all
        .into_iter()
        .filter(|p| {
            let name = p.name.to_lowercase();
            let summary = p.summary.to_lowercase();
            terms
                .iter()
                .all(|t| name.contains(t) || summary.contains(t))
        })
        .collect();
    let mut hits = newest_per_name_arch(hits);
    hits.sort_by(|a, b| a.name.cmp(&b.name));
    if hits.is_empty() {
        return Err(not_found(
            format!("no package matches `{}`", terms.join(" ")),
            "try fewer or shorter terms, or enable more repos",
        ));
    }
    Ok(hits.iter().map(|p| listed(p, None)).collect())
}
