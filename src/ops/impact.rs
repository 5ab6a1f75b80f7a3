//! What a plan will take, said before it runs: the module impact (which copy wins after, and
//! whether a reload or a reboot uses it) and the restart guidance in XAPI's words.
//!
//! The files a package brings come from the repo's `filelists` (fetched only when a package
//! of the plan may ship modules), or from the package file's header: a local `./x.rpm`'s, or
//! a repo package's fetched and verified like a download when its repo publishes no file
//! lists; the files a package takes away are the rpmdb's.

use super::Context;
use crate::modules::impact::{self, Action, ModuleImpact, NewFile};
use crate::repo::Repo;
use crate::rpm::Package;
use crate::solve::Plan;
use crate::transaction::download::{FileSource, Wanted};
use crate::transaction::guidance::{self, Guidance};
use crate::transaction::modcheck;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The impact of a plan.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    pub modules: Vec<ModuleImpact>,
    /// Why each guidance (one line per package or module that asks for it).
    pub why: Vec<(Guidance, String)>,
}

impl Serialize for Impact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::wire::impact::Impact::of(&self.modules, &self.guidance(), &self.why).serialize(s)
    }
}

impl Impact {
    /// The guidance, merged as XAPI merges it; empty: nothing to restart.
    pub fn guidance(&self) -> Vec<Guidance> {
        guidance::merge(self.why.iter().map(|(g, _)| *g))
    }

    /// The modules to reload once the plan ran (their preflight says safe).
    pub fn reloads(&self) -> Vec<&str> {
        self.modules
            .iter()
            .filter(|m| m.action == Action::Reload)
            .map(|m| m.module.as_str())
            .collect()
    }
}

/// A package that may ship kernel modules (or be the kernel): it names a kernel release, a
/// kernel symbol, or is named as XCP-ng names driver packages.
fn may_ship_modules(p: &Package) -> bool {
    let n = &p.name;
    n == "kernel"
        || n.starts_with("kernel-")
        || n.ends_with("-modules")
        || crate::modules::classify(p).is_some()
        || p.requires.iter().chain(&p.provides).any(|d| {
            d.name == "kernel-uname-r"
                || d.name.starts_with("kernel(")
                || d.name.starts_with("kmod(")
        })
}

/// Up to this many packages to install, every package's file list is read.
const SMALL_PLAN: usize = 100;

fn wanted_file(f: &str) -> bool {
    f.starts_with("/lib/modules/") || f.starts_with("/usr/lib/modules/") || f.starts_with("/boot/")
}

/// The impact of `plan`: `targets` are the full records of the packages it installs (as the
/// planner returns them), `repos` the repos they come from.
pub fn of_plan(ctx: &Context<'_>, plan: &Plan, targets: &[Package], repos: &[Repo]) -> Impact {
    if plan.is_empty() {
        return Impact::default();
    }
    // The files the new packages bring: for those that may ship modules, and for all of a
    // plan of a host's size (their files under /boot ask for a reboot; a plan that pulls in
    // hundreds of packages is judged by names, not worth every file list of the repos).
    let small = targets.len() <= SMALL_PLAN;
    let coming: Vec<&Package> = targets
        .iter()
        .filter(|p| small || may_ship_modules(p))
        .collect();
    let files = files_of(ctx, &coming, repos);
    // A package that may ship modules whose file list is unknown: its modules are not
    // predicted (rather than predicted wrong: its old files gone, nothing in their place).
    let unknown: BTreeSet<&str> = coming
        .iter()
        .filter(|p| may_ship_modules(p) && !files.contains_key(&key(p)))
        .map(|p| p.name.as_str())
        .collect();
    for n in &unknown {
        ctx.reporter.warn(&format!(
            "the files of {n} are not known: its module impact is not predicted"
        ));
    }
    let removed = leaving_module_files(ctx, plan, &unknown);
    let added = arriving_module_files(&coming, &files);
    let modules = impact::predict(ctx.root(), &removed, &added);
    let why = guidance_reasons(ctx, plan, targets, repos, &files, &modules);
    Impact { modules, why }
}

/// The module files (host paths) that leave with the plan's removals and the old side of its
/// changes, from the rpmdb; not those of the packages in `unknown`.
fn leaving_module_files(
    ctx: &Context<'_>,
    plan: &Plan,
    unknown: &BTreeSet<&str>,
) -> BTreeSet<String> {
    let installed = ctx.installed().unwrap_or_default();
    let leaving: BTreeSet<&str> = plan
        .remove
        .iter()
        .map(|p| p.pkg.name.as_str())
        .chain(
            [&plan.upgrade, &plan.downgrade, &plan.reinstall]
                .into_iter()
                .flatten()
                .map(|c| c.from.name.as_str()),
        )
        .collect();
    let names: Vec<String> = installed
        .iter()
        .filter(|p| leaving.contains(p.name.as_str()) && may_ship_modules(p))
        .map(|p| p.name.clone())
        .collect();
    modcheck::module_files(ctx.root(), &names)
        .into_iter()
        .filter(|f| !unknown.contains(f.package.as_str()))
        .map(|f| f.path)
        .collect()
}

/// The module files the `coming` packages bring, from their file lists.
fn arriving_module_files(coming: &[&Package], files: &FileLists) -> Vec<NewFile> {
    coming
        .iter()
        .flat_map(|p| {
            files
                .get(&key(p))
                .into_iter()
                .flatten()
                .filter_map(move |f| {
                    let path = f.trim_start_matches("/usr").to_string();
                    crate::modules::depmod::parse_module_path(&path).map(|_| NewFile {
                        path,
                        package: p.name.clone(),
                        version: p.evr.to_string(),
                    })
                })
        })
        .collect()
}

/// Each guidance the plan needs and why: an update notice's for the packages it covers, else
/// the table's; a device-model restart only while VMs run (when XAPI's database tells); a
/// reboot for each module whose action is one.
fn guidance_reasons(
    ctx: &Context<'_>,
    plan: &Plan,
    targets: &[Package],
    repos: &[Repo],
    files: &FileLists,
    modules: &[ModuleImpact],
) -> Vec<(Guidance, String)> {
    let mut why: Vec<(Guidance, String)> = Vec::new();
    let stated = notices(ctx, targets, repos);
    for p in targets {
        // The publisher's own guidance, where its updateinfo.xml states one, decides.
        if let Some((id, values)) = stated.get(&key(p)) {
            for v in values {
                // As xen-api reads them: a value it does not know means RebootHost.
                let g = Guidance::parse(v).unwrap_or(Guidance::RebootHost);
                why.push((g, format!("{}: update notice {id} says {v}", p.name)));
            }
            continue;
        }
        let fs = files.get(&key(p)).into_iter().flatten().map(String::as_str);
        why.extend(guidance::for_package(&p.name, fs));
    }
    for p in &plan.remove {
        why.extend(guidance::for_package(&p.pkg.name, std::iter::empty()));
    }
    if why.iter().any(|(g, _)| *g == Guidance::RestartDeviceModel) {
        if let Some(vms) = crate::modules::xapi::running_vms_here(ctx.root()) {
            if vms.is_empty() {
                why.retain(|(g, _)| *g != Guidance::RestartDeviceModel);
            } else {
                why.push((
                    Guidance::RestartDeviceModel,
                    format!("running VMs keep the old qemu: {}", vms.join(", ")),
                ));
            }
        }
    }
    for m in modules.iter().filter(|m| m.action == Action::Reboot) {
        why.push((
            Guidance::RebootHost,
            format!("{} ({}): {}", m.module, m.kernel, m.reason),
        ));
    }
    why
}

/// The guidance the repos' update notices state for `targets` (mandatory and recommended, as
/// most admins should follow both), by (repo, NEVRA): (notice id, values).
fn notices(
    ctx: &Context<'_>,
    targets: &[Package],
    repos: &[Repo],
) -> BTreeMap<(String, String), (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    for r in repos
        .iter()
        .filter(|r| targets.iter().any(|p| p.repo == r.config.id))
    {
        let list = match r.notices(&ctx.fetcher, ctx.settings.cache) {
            Ok(l) => l,
            Err(e) => {
                ctx.reporter.warn(&format!(
                    "the update notices of {} are not read: {e}",
                    r.config.id
                ));
                continue;
            }
        };
        for n in list {
            let values: Vec<String> = n.mandatory.iter().chain(&n.recommended).cloned().collect();
            if values.is_empty() {
                continue;
            }
            for np in &n.packages {
                let hit = targets.iter().find(|p| {
                    p.repo == r.config.id
                        && p.name == np.name
                        && p.arch == np.arch
                        && p.epoch() == np.epoch
                        && p.evr.version == np.version
                        && p.evr.release == np.release
                });
                if let Some(p) = hit {
                    out.insert(key(p), (n.id.clone(), values.clone()));
                }
            }
        }
    }
    out
}

/// The impact of a plan of exact versions (`history undo`, `rollback`): the packages it brings
/// are those `wanted` gets, from a repo (found by their checksum in its file lists) or from a
/// kept file (its header lists every file).
pub fn of_wanted(ctx: &Context<'_>, plan: &Plan, wanted: &[Wanted]) -> Impact {
    if plan.is_empty() {
        return Impact::default();
    }
    let targets: Vec<Package> = wanted
        .iter()
        .map(|w| match &w.source {
            FileSource::File { path, .. } => {
                crate::rpm::local::read(path).unwrap_or_else(|_| stub(w, ""))
            }
            FileSource::Repo {
                repo,
                checksum,
                location,
                size,
                ..
            } => Package {
                checksum: checksum.clone(),
                location: location.clone(),
                size_package: *size,
                ..stub(w, &repo.id)
            },
        })
        .collect();
    // The planner opened them and said which it skipped.
    let repos = ctx.open_repos_lenient(false);
    of_plan(ctx, plan, &targets, &repos)
}

/// A package record with only what `wanted` says of it.
fn stub(w: &Wanted, repo: &str) -> Package {
    let p = &w.pkg;
    Package {
        name: p.name.clone(),
        evr: crate::rpm::Evr::parse(&format!("{}:{}-{}", p.epoch, p.version, p.release)),
        arch: p.arch.clone(),
        repo: repo.to_string(),
        ..Package::default()
    }
}

/// The module and `/boot` files of packages, by (repo, NEVRA).
type FileLists = BTreeMap<(String, String), Vec<String>>;

fn key(p: &Package) -> (String, String) {
    (p.repo.clone(), p.nevra())
}

/// The module and `/boot` files of `pkgs`, by (repo, NEVRA): a local file's from its header
/// (its record lists every file), a repo package's from the repo's `filelists`, or, where the
/// repo has none at hand, from the header of the package file itself (fetched into the cache
/// and verified like a download) for the packages that may ship modules. A package whose
/// files cannot be had gives none (the impact then shows what it can, with a warning).
fn files_of(ctx: &Context<'_>, pkgs: &[&Package], repos: &[Repo]) -> FileLists {
    let mut out = FileLists::new();
    let mut by_repo: BTreeMap<&str, BTreeMap<String, &Package>> = BTreeMap::new();
    for p in pkgs {
        if let Some(r) = repos.iter().find(|r| r.config.id == p.repo) {
            by_repo
                .entry(r.config.id.as_str())
                .or_default()
                .insert(p.checksum.value.to_ascii_lowercase(), p);
        } else {
            let fs: Vec<String> = p.files.iter().filter(|f| wanted_file(f)).cloned().collect();
            out.insert(key(p), fs);
        }
    }
    for (id, want) in by_repo {
        let Some(r) = repos.iter().find(|r| r.config.id == id) else {
            continue;
        };
        match r.files_matching(wanted_file, &ctx.fetcher, ctx.settings.cache) {
            Ok(None) => {
                for p in want.values().filter(|p| may_ship_modules(p)) {
                    match header_files(ctx, r, p) {
                        Ok(fs) => {
                            out.insert(key(p), fs);
                        }
                        Err(e) => ctx.reporter.warn(&format!(
                            "{id} has no file lists, and reading the package header instead \
                             failed: {e}"
                        )),
                    }
                }
            }
            Ok(Some(found)) => {
                for p in want.values() {
                    out.entry(key(p)).or_default();
                }
                for (pkgid, f) in found {
                    if let Some(p) = want.get(&pkgid.to_ascii_lowercase()) {
                        out.entry(key(p)).or_default().push(f);
                    }
                }
            }
            Err(e) => ctx.reporter.warn(&format!(
                "the module impact does not know the files of {id}'s packages: {e}"
            )),
        }
    }
    out
}

/// The module and `/boot` files in the header of a repo package's file.
fn header_files(ctx: &Context<'_>, repo: &Repo, p: &Package) -> Result<Vec<String>, String> {
    let path = super::fetched::fetch_verified(ctx, repo, p).map_err(|e| e.to_string())?;
    let pkg = crate::rpm::local::read(&path).map_err(|e| e.to_string())?;
    Ok(pkg.files.into_iter().filter(|f| wanted_file(f)).collect())
}
