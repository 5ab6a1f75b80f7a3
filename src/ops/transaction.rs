//! Transaction operations: plan (through `ops::solve`) or compute (undo, rollback) the
//! changes, ask for confirmation through a callback, then hand them to `transaction` for
//! download, verification and the rpm run; `history`, `candidates` and `needs-reboot`. They
//! return data; the CLI renders it.

use super::Context;
use crate::error::{Error, Result};
use crate::repo::cache::Detail;
use crate::repo::{self, Repo};
use crate::rpm::package::PackageRef;
use crate::rpm::Package;
use crate::solve::{Goal, Plan, PlanChange, PlanPackage, Reason};
use crate::transaction::download::{self, Downloader, Keys, Ready, Source, Wanted};
use crate::transaction::history::{self, Kept, Record, Step};
use crate::transaction::journal::{self, Journal, StepState};
use crate::transaction::reboot;
use crate::transaction::run::{self as rpmrun, RpmPlan};
use crate::transaction::{
    changes_of, lock, log_changes, now, space, Action, Change, Paths, TxError, Version,
};
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;

/// Asked once the plan is known: gets the plan and the bytes to download; false cancels.
pub type Confirm<'a> = &'a dyn Fn(&Plan, u64) -> Result<bool>;

/// What a transaction did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// History id (None with --downloadonly).
    pub id: Option<u64>,
    /// `ok`, `partial`, `downloaded`
    pub result: String,
    pub steps: Vec<Step>,
    /// Package files handed to rpm (or downloaded with --downloadonly).
    pub files: Vec<PathBuf>,
    /// Reboot/reload advice.
    pub advice: Vec<String>,
    /// The commands that take it back, when it came from a repo disabled by default.
    pub undo: Vec<String>,
    /// After touching kernel-module packages: depmod, which copy wins, reload-or-reboot advice
    /// per module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<super::module_check::ModulesAfter>,
}

/// The result of a transaction command: the plan, and what was done (None: nothing to do,
/// or --assumeno).
#[derive(Debug, Clone, Serialize)]
pub struct TxResult {
    pub plan: Plan,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<Outcome>,
}

pub(crate) fn paths(ctx: &Context<'_>) -> Paths {
    Paths::new(ctx.root(), &ctx.config.main.cachedir)
}

/// Refuse while an interrupted transaction's journal is there.
pub(crate) fn check_journal(ctx: &Context<'_>, p: &Paths) -> Result<()> {
    if let Some(j) = journal::read(&p.journal)? {
        if already_recorded(p, &j)? {
            // The crash came after the history append, before the journal was cleared:
            // the record is whole, only the journal is left to clear.
            journal::clear(&p.journal)?;
            ctx.reporter.info(&format!(
                "transaction {} was recorded before the interruption; cleared its journal",
                j.id
            ));
            return Ok(());
        }
        let installed = ctx.installed()?;
        let states = journal::assess(&j.changes, &installed);
        return Err(TxError::Interrupted {
            id: j.id,
            command: j.command.join(" "),
            started: crate::transaction::utc(j.started),
            report: journal::report(&j, &states),
        }
        .into());
    }
    Ok(())
}

/// The history already holds the journal's transaction (same id and start time).
fn already_recorded(p: &Paths, j: &Journal) -> Result<bool> {
    Ok(history::load(&p.history)?
        .iter()
        .any(|r| r.id == j.id && r.time == j.started))
}

/// Run a goal: plan it; with --assumeno stop there; else lock, confirm, execute.
pub fn run_goal(
    ctx: &Context<'_>,
    goal: &Goal,
    command: &[String],
    confirm: Confirm<'_>,
) -> Result<TxResult> {
    if ctx.settings.assumeno {
        let plan = super::solve::plan(ctx, goal)?;
        return Ok(TxResult {
            plan,
            transaction: None,
        });
    }
    let p = paths(ctx);
    let _lock = lock::acquire(&p)?;
    check_journal(ctx, &p)?;
    let (plan, target_pkgs, repos) = super::solve::plan_with_targets(ctx, goal)?;
    if plan.is_empty() {
        return Ok(TxResult {
            plan,
            transaction: None,
        });
    }
    let wanted = sources_from_repos(ctx, &repos, &plan, &target_pkgs)?;
    let out = confirm_and_execute(ctx, &p, &plan, wanted, command, confirm)?;
    Ok(TxResult {
        plan,
        transaction: Some(out),
    })
}

pub(crate) fn confirm_and_execute(
    ctx: &Context<'_>,
    p: &Paths,
    plan: &Plan,
    wanted: Vec<Wanted>,
    command: &[String],
    confirm: Confirm<'_>,
) -> Result<Outcome> {
    let dl: u64 = wanted.iter().map(|w| w.to_download()).sum();
    if !confirm(plan, dl)? {
        return Err(Error::Failed {
            what: "cancelled: nothing was changed".into(),
            hint: None,
        });
    }
    execute(ctx, p, plan, wanted, command)
}

/// Open the enabled repos, skipping with a warning a repo that fails (undo and rollback can
/// use kept files instead).
pub(crate) fn open_lenient(ctx: &Context<'_>) -> Result<Vec<Repo>> {
    let mut out = Vec::new();
    for cfg in ctx.config.enabled_repos() {
        match repo::open(
            ctx.root(),
            &ctx.config.main,
            cfg,
            &ctx.fetcher,
            ctx.settings.cache,
        ) {
            Ok(r) => out.push(r),
            Err(e) => ctx
                .reporter
                .warn(&format!("repo `{}` skipped: {e}", cfg.id)),
        }
    }
    Ok(out)
}

fn same(p: &Package, r: &PackageRef) -> bool {
    p.name == r.name
        && p.arch == r.arch
        && p.epoch() == r.epoch
        && p.evr.version == r.version
        && p.evr.release == r.release
}

fn repo_source(ctx: &Context<'_>, repo: &Repo, p: &Package) -> Result<Source> {
    let mut bases = repo.bases.clone();
    if bases.is_empty() {
        bases = repo::resolve_bases(&repo.config, &ctx.fetcher)?;
    }
    let dest = download::cache_path(&repo.cache_dir, &p.location).map_err(|e| {
        Error::from(repo::RepoError::Unsafe {
            repo: repo.config.id.clone(),
            what: format!("package location: {e}"),
        })
    })?;
    Ok(Source::Repo {
        repo: repo.config.clone(),
        bases,
        location: p.location.clone(),
        checksum: p.checksum.clone(),
        size: p.size_package,
        dest,
    })
}

/// The packages a plan installs.
fn targets(plan: &Plan) -> Vec<&PackageRef> {
    plan.install
        .iter()
        .map(|p| &p.pkg)
        .chain(
            [&plan.upgrade, &plan.downgrade, &plan.reinstall]
                .into_iter()
                .flatten()
                .map(|c| &c.to),
        )
        .collect()
}

/// Where each package of a solver plan comes from: the repo the plan names. `target_pkgs`
/// are the records the solver chose (no second pass over the repos' metadata).
fn sources_from_repos(
    ctx: &Context<'_>,
    repos: &[Repo],
    plan: &Plan,
    target_pkgs: &[Package],
) -> Result<Vec<Wanted>> {
    let avail = target_pkgs;
    let mut out = Vec::new();
    for t in targets(plan) {
        if t.repo == crate::rpm::local::COMMANDLINE_REPO {
            out.push(local_source(ctx, t, avail)?);
            continue;
        }
        let found = avail.iter().find(|p| p.repo == t.repo && same(p, t));
        let (Some(p), Some(r)) = (found, repos.iter().find(|r| r.config.id == t.repo)) else {
            return Err(TxError::Unavailable {
                what: format!(
                    "{}-{}-{}.{} is not in repo `{}` any more",
                    t.name, t.version, t.release, t.arch, t.repo
                ),
            }
            .into());
        };
        out.push(Wanted {
            pkg: t.clone(),
            source: repo_source(ctx, r, p)?,
            size_installed: p.size_installed,
        });
    }
    Ok(out)
}

/// A package file named on the command line: the private copy made when it was read for the
/// plan (never the path given, which may have changed since), verified like a download
/// against the digest of the bytes read, its signature checked with the rpmdb's keys unless
/// gpgcheck is off in yum.conf or by --nogpgcheck.
fn local_source(ctx: &Context<'_>, t: &PackageRef, target_pkgs: &[Package]) -> Result<Wanted> {
    let spec = format!(
        "{}-{}:{}-{}.{}",
        t.name, t.epoch, t.version, t.release, t.arch
    );
    let pkg = target_pkgs
        .iter()
        .find(|p| p.repo == crate::rpm::local::COMMANDLINE_REPO && same(p, t))
        .ok_or_else(|| TxError::Unavailable {
            what: format!("the package file of {spec} is gone"),
        })?;
    Ok(Wanted {
        pkg: t.clone(),
        source: Source::File {
            path: PathBuf::from(&pkg.location),
            sha256: Some(pkg.checksum.value.clone()),
            repo: None,
            gpgcheck: ctx.config.main.gpgcheck && !ctx.settings.overrides.nogpgcheck,
        },
        size_installed: pkg.size_installed,
    })
}

fn nevra_of(name: &str, arch: &str, v: &Version) -> String {
    format!("{name}-{}.{arch}", v.evr())
}

/// Execute a plan whose files are known. The lock must be held.
fn execute(
    ctx: &Context<'_>,
    p: &Paths,
    plan: &Plan,
    wanted: Vec<Wanted>,
    command: &[String],
) -> Result<Outcome> {
    let rep = ctx.reporter;
    // Free space: downloads into the cache, installed sizes into the root.
    if ctx.config.main.diskspacecheck {
        let reserve = ctx.config.main.diskspace_reserve;
        let cache = ctx.root().join(&ctx.config.main.cachedir);
        let dl: u64 = wanted.iter().map(|w| w.to_download()).sum();
        let inst: u64 = wanted.iter().map(|w| w.size_installed).sum();
        let mut needs = vec![(cache, dl)];
        if !ctx.settings.downloadonly {
            needs.push((ctx.root().root().to_path_buf(), inst));
        }
        space::check(&needs, reserve)?;
    }
    let downloader = Downloader::new(ctx.fetcher.http(), ctx.fetcher.retries());
    let n = wanted
        .iter()
        .filter(|w| matches!(w.source, Source::Repo { .. }))
        .count();
    if n > 0 {
        rep.info(&format!("Downloading {n} package(s)"));
    }
    let to_fetch: u64 = wanted.iter().map(|w| w.to_download()).sum();
    if to_fetch > 0 {
        rep.progress_start("Downloading", to_fetch);
    }
    let fetched = download::fetch_all(&downloader, &wanted, &|m| rep.info(m), &|n| {
        rep.progress_inc(n)
    });
    rep.progress_finish();
    fetched?;
    // Verify everything before anything is installed.
    let mut keys = Keys::new(ctx.root(), &ctx.fetcher);
    let mut ready: Vec<Ready> = Vec::new();
    for w in &wanted {
        let r = download::verify(w, &mut keys);
        ctx.report_notices();
        ready.push(r?);
    }
    if ctx.settings.downloadonly {
        return Ok(Outcome {
            id: None,
            result: "downloaded".into(),
            steps: Vec::new(),
            files: ready.iter().map(|r| r.path.clone()).collect(),
            advice: Vec::new(),
            undo: Vec::new(),
            modules: None,
        });
    }
    let mut changes = changes_of(plan);
    for c in &mut changes {
        if let Some(a) = &mut c.after {
            if let Some(r) = ready.iter().find(|r| {
                r.pkg.name == c.name
                    && r.pkg.arch == c.arch
                    && r.pkg.version == a.version
                    && r.pkg.release == a.release
                    && r.pkg.epoch == a.epoch
            }) {
                a.sha256 = Some(r.sha256.clone());
            }
        }
    }
    let records = history::load(&p.history)?;
    // Where the versions being replaced came from, when xcpng-mod installed them.
    for c in &mut changes {
        let (name, arch) = (c.name.clone(), c.arch.clone());
        if let Some(b) = &mut c.before {
            let earlier = records
                .iter()
                .rev()
                .flat_map(|r| r.done())
                .filter(|x| x.name == name && x.arch == arch)
                .find_map(|x| x.after.as_ref().filter(|a| a.same_evr(b)));
            if let Some(a) = earlier {
                b.repo = a.repo.clone();
                b.sha256 = a.sha256.clone();
            }
        }
    }
    keep_files(ctx, p, &changes, &ready);

    let id = records.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    let started = now();
    // Kept files of what the plan erases: if rpm has to erase first and the installs then
    // fail, these put it back.
    let kept = history::kept(&p.keep);
    let restore: Vec<Kept> = changes
        .iter()
        .filter(|c| c.after.is_none())
        .filter_map(|c| {
            let nevra = c.nevra(c.before.as_ref()?);
            kept.iter().find(|k| k.nevra == nevra).cloned()
        })
        .collect();
    let j = Journal {
        id,
        pid: std::process::id(),
        started,
        command: command.to_vec(),
        user: crate::transaction::current_user(),
        changes: changes.clone(),
        restore,
    };
    let installed_before = ctx.installed()?;
    let rplan = rpm_plan(plan, &ready, &installed_before);
    // Module files of the packages being replaced or removed, while the rpmdb still has them.
    let mod_before = super::module_check::module_files(ctx.root(), &names_of(&changes, true));
    super::module_check::save_loaded(ctx.root(), &mod_before);
    journal::write(&p.journal, &j)?;
    let mut run = rpmrun::execute(ctx.root(), &rplan);
    let mut installed = ctx.installed()?;
    if let Err(e) = &mut run {
        if let Some(said) = journal::put_back(ctx.root(), &p.keep, &j, &installed) {
            e.push_str("; ");
            e.push_str(&said);
            installed = ctx.installed()?;
        }
    }
    let states = journal::assess(&changes, &installed);
    let done = states.iter().filter(|s| s.1 == StepState::Done).count();
    let result = if run.is_ok() && done == states.len() {
        "ok"
    } else if done == 0 && !states.iter().any(|s| s.1 == StepState::Half) {
        "failed"
    } else {
        "partial"
    };
    let steps: Vec<Step> = states
        .iter()
        .map(|(c, s)| Step {
            change: c.clone(),
            done: *s == StepState::Done,
        })
        .collect();
    let mut advice: Vec<String> = Vec::new();
    let mut modules = None;
    if result != "failed" {
        let reasons = reboot::reasons(ctx.root(), &installed);
        let driver_pkgs: Vec<&str> = steps
            .iter()
            .filter(|s| s.done)
            .filter(|s| crate::modules::class::classify_name(&s.change.name, false).is_some())
            .map(|s| s.change.name.as_str())
            .collect();
        advice = reboot_advice(&reasons, None);
        let mod_after = super::module_check::module_files(ctx.root(), &names_of(&changes, false));
        if !mod_before.is_empty() || !mod_after.is_empty() {
            let m = super::module_check::check(ctx.root(), &mod_before, &mod_after);
            // The module check's own advice (reload where safe) replaces the generic reason.
            advice = reboot_advice(&reasons, Some(&m));
            advice.extend(m.advice());
            modules = Some(m);
        } else if !driver_pkgs.is_empty() {
            advice.push(format!(
                "kernel driver packages changed ({}): the new drivers are used after a reboot, or after `xcpng-mod reload MODULE` where that is safe",
                driver_pkgs.join(", ")
            ));
        }
    }
    let record = Record {
        id,
        time: started,
        command: command.to_vec(),
        user: j.user.clone(),
        result: result.into(),
        steps: steps.clone(),
        advice: advice.clone(),
        error: run.as_ref().err().cloned(),
    };
    if let Err(e) = history::append(&p.history, &record) {
        // rpm ran: the journal stays, so that `history recover` records it once there is room.
        let done: Vec<String> = steps
            .iter()
            .filter(|s| s.done)
            .map(|s| s.change.describe())
            .collect();
        return Err(TxError::NotRecorded {
            id,
            done: if done.is_empty() {
                "none".into()
            } else {
                done.join(", ")
            },
            why: crate::errchain::chain_of(&e),
        }
        .into());
    }
    log_changes(
        &p.log,
        id,
        &steps
            .iter()
            .map(|s| (s.change.clone(), s.done))
            .collect::<Vec<_>>(),
    );
    journal::clear(&p.journal)?;
    if let Err(e) = run {
        return Err(TxError::Rpm {
            what: format!(
                "transaction {id} {}: {e}",
                if result == "failed" {
                    "failed, nothing was changed"
                } else {
                    "stopped midway"
                }
            ),
            changed: result != "failed",
        }
        .into());
    }
    let undo = undo_advice(ctx, id, &steps);
    Ok(Outcome {
        id: Some(id),
        result: result.into(),
        steps,
        files: ready.iter().map(|r| r.path.clone()).collect(),
        advice,
        undo,
        modules,
    })
}

/// "reboot needed" lines, leaving out changed loaded modules the module check speaks about.
fn reboot_advice(
    reasons: &[reboot::Reason],
    checked: Option<&super::module_check::ModulesAfter>,
) -> Vec<String> {
    reasons
        .iter()
        .filter(|r| {
            r.kind != "module"
                || !checked.is_some_and(|m| {
                    m.modules
                        .iter()
                        .any(|c| r.message.starts_with(&format!("{} is loaded", c.module)))
                })
        })
        .map(|r| format!("reboot needed: {}", r.message))
        .collect()
}

/// Names of the packages the changes replace or remove (`before`), or install (`!before`).
fn names_of(changes: &[Change], before: bool) -> Vec<String> {
    let mut v: Vec<String> = changes
        .iter()
        .filter(|c| {
            if before {
                c.before.is_some()
            } else {
                c.after.is_some()
            }
        })
        .map(|c| c.name.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Split a plan into rpm's steps.
fn rpm_plan(plan: &Plan, ready: &[Ready], installed: &[Package]) -> RpmPlan {
    let file = |r: &PackageRef| -> PathBuf {
        ready
            .iter()
            .find(|x| &x.pkg == r)
            .map(|x| x.path.clone())
            .expect("every target was downloaded")
    };
    let mut rp = RpmPlan::default();
    for i in &plan.install {
        let installonly = installed
            .iter()
            .any(|p| p.name == i.pkg.name && p.arch == i.pkg.arch);
        if installonly {
            rp.install_only.push(file(&i.pkg));
        } else {
            rp.upgrade.push(file(&i.pkg));
        }
    }
    for c in &plan.upgrade {
        rp.upgrade.push(file(&c.to));
    }
    for c in &plan.downgrade {
        rp.upgrade.push(file(&c.to));
        rp.oldpackage = true;
    }
    for c in &plan.reinstall {
        rp.upgrade.push(file(&c.to));
        rp.replacepkgs = true;
    }
    for r in &plan.remove {
        // rpm -U/-i erases what the new packages obsolete by itself.
        if r.reason == Reason::Obsoleted && r.obsoleted_by.is_some() {
            continue;
        }
        rp.erase.push(format!(
            "{}-{}-{}.{}",
            r.pkg.name, r.pkg.version, r.pkg.release, r.pkg.arch
        ));
    }
    rp
}

/// Keep the files undo may need: every kernel-driver package installed, and the old versions
/// of replaced or removed packages when a copy is in the cache.
fn keep_files(ctx: &Context<'_>, p: &Paths, changes: &[Change], ready: &[Ready]) {
    for r in ready {
        if crate::modules::class::classify_name(&r.pkg.name, false).is_none() {
            continue;
        }
        let nevra = nevra_of(&r.pkg.name, &r.pkg.arch, &Version::of(&r.pkg));
        let k = Kept {
            file: format!(
                "{}-{}-{}.{}.rpm",
                r.pkg.name, r.pkg.version, r.pkg.release, r.pkg.arch
            ),
            nevra,
            sha256: r.sha256.clone(),
            repo: r.pkg.repo.clone(),
            gpgcheck: r.gpgchecked,
        };
        if let Err(e) = history::keep_file(&p.keep, &k, &r.path) {
            ctx.reporter.warn(&format!("cannot keep {}: {e}", k.file));
        }
    }
    let cache = ctx.root().join(&ctx.config.main.cachedir);
    let kept = history::kept(&p.keep);
    for c in changes {
        let Some(b) = &c.before else { continue };
        if c.after.as_ref().is_some_and(|a| a.same_evr(b)) {
            continue;
        }
        let nevra = c.nevra(b);
        if kept.iter().any(|k| k.nevra == nevra) {
            continue;
        }
        let file = format!("{}.rpm", c.rpm_name(b));
        let found = std::fs::read_dir(&cache).ok().and_then(|rd| {
            rd.flatten()
                .map(|e| e.path().join("packages").join(&file))
                .find(|f| f.is_file())
        });
        match found {
            Some(f) => {
                let Ok(data) = std::fs::read(&f) else {
                    continue;
                };
                let repo = f
                    .parent()
                    .and_then(|d| d.parent())
                    .and_then(|d| d.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let gpgcheck = ctx
                    .config
                    .repo(&repo)
                    .map_or(ctx.config.main.gpgcheck, |r| r.gpgcheck);
                let k = Kept {
                    nevra,
                    file: file.clone(),
                    sha256: crate::digest::digest_hex("sha256", &data).expect("known"),
                    repo,
                    gpgcheck,
                };
                if let Err(e) = history::keep_file(&p.keep, &k, &f) {
                    ctx.reporter.warn(&format!("cannot keep {file}: {e}"));
                }
            }
            None if crate::modules::class::classify_name(&c.name, false).is_some() => {
                ctx.reporter.warn(&format!(
                    "no copy of {nevra} is at hand: undoing this later needs a repo that still carries it"
                ));
            }
            None => {}
        }
    }
}

/// Repos that are disabled unless the command line enables them.
fn disabled_by_default(ctx: &Context<'_>) -> HashSet<String> {
    ctx.config
        .repos
        .iter()
        .filter(|r| !r.enabled_in_files)
        .map(|r| r.id.clone())
        .collect()
}

/// After installing from a repo disabled by default: the exact commands that take it back.
fn undo_advice(ctx: &Context<'_>, id: u64, steps: &[Step]) -> Vec<String> {
    let off = disabled_by_default(ctx);
    let from_off: Vec<&Change> = steps
        .iter()
        .filter(|s| s.done)
        .map(|s| &s.change)
        .filter(|c| c.after.as_ref().is_some_and(|a| off.contains(&a.repo)))
        .collect();
    if from_off.is_empty() {
        return Vec::new();
    }
    let root = if ctx.root().is_host_root() {
        String::new()
    } else {
        format!(" --root {}", ctx.root().root().display())
    };
    let mut out = vec![format!("xcpng-mod{root} history undo {id}")];
    for c in from_off {
        match (&c.before, c.action) {
            (Some(_), Action::Upgrade) => out.push(format!("xcpng-mod{root} downgrade {}", c.name)),
            (None, _) => out.push(format!("xcpng-mod{root} remove {}", c.name)),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------- history

/// `history [list]`: newest first.
pub fn history_list(ctx: &Context<'_>) -> Result<Vec<Record>> {
    let mut r = history::load(&paths(ctx).history)?;
    r.reverse();
    Ok(r)
}

pub fn history_info(ctx: &Context<'_>, id: u64) -> Result<Record> {
    let r = history::load(&paths(ctx).history)?;
    Ok(history::find(&r, id)?.clone())
}

/// `history undo N` / `history rollback N`.
pub fn history_undo(
    ctx: &Context<'_>,
    id: u64,
    rollback: bool,
    command: &[String],
    confirm: Confirm<'_>,
) -> Result<TxResult> {
    let p = paths(ctx);
    let _lock = if ctx.settings.assumeno {
        None
    } else {
        Some(lock::acquire(&p)?)
    };
    if !ctx.settings.assumeno {
        check_journal(ctx, &p)?;
    }
    let records = history::load(&p.history)?;
    history::find(&records, id)?;
    let chosen: Vec<&Record> = if rollback {
        records
            .iter()
            .filter(|r| r.id > id && r.result != "failed")
            .collect()
    } else {
        records.iter().filter(|r| r.id == id).collect()
    };
    let installed = ctx.installed()?;
    let changes = history::undo_changes(&chosen, &installed);
    let (plan, wanted, missing) = plan_changes(ctx, &p, &changes)?;
    if !missing.is_empty() {
        return Err(TxError::Unavailable {
            what: format!(
                "cannot {} transaction {id}: no enabled repo carries, and no kept file holds: {}",
                if rollback { "roll back to" } else { "undo" },
                missing.join(", ")
            ),
        }
        .into());
    }
    if plan.is_empty() || ctx.settings.assumeno {
        return Ok(TxResult {
            plan,
            transaction: None,
        });
    }
    let out = confirm_and_execute(ctx, &p, &plan, wanted, command, confirm)?;
    Ok(TxResult {
        plan,
        transaction: Some(out),
    })
}

/// Exact version changes (from the history, or computed by `rollback`) as a plan, with where
/// each target package comes from: a repo that still carries it (preferring the one it came
/// from), else a kept file. The third value lists the versions found nowhere.
pub(crate) fn plan_changes(
    ctx: &Context<'_>,
    p: &Paths,
    changes: &[Change],
) -> Result<(Plan, Vec<Wanted>, Vec<String>)> {
    // Removals need no package file: no repo is opened for them.
    let repos = if changes.iter().any(|c| c.after.is_some()) {
        open_lenient(ctx)?
    } else {
        Vec::new()
    };
    let avail = ctx.available(&repos, Detail::Full)?;
    let kept = history::kept(&p.keep);
    let mut plan = Plan::default();
    let mut wanted = Vec::new();
    let mut missing = Vec::new();
    for c in changes {
        let Some(a) = &c.after else {
            let b = c.before.clone().expect("a removal has a before");
            plan.remove.push(PlanPackage {
                pkg: pref(c, &b, crate::rpm::package::SYSTEM_REPO),
                reason: Reason::Requested,
                size: 0,
                obsoleted_by: None,
            });
            continue;
        };
        let want = pref(c, a, "");
        // A repo that still has it, preferring the one it came from; else a kept file.
        let mut cands: Vec<&Package> = avail.iter().filter(|p| same(p, &want)).collect();
        cands.sort_by_key(|p| p.repo != a.repo);
        let (pkg, source, size_installed, size) = if let Some(p) = cands.first() {
            let r = repos
                .iter()
                .find(|r| r.config.id == p.repo)
                .expect("package of an open repo");
            (
                pref(c, a, &p.repo),
                repo_source(ctx, r, p)?,
                p.size_installed,
                p.size_package,
            )
        } else if let Some(k) = kept
            .iter()
            .rev()
            .find(|k| k.nevra == c.nevra(a) && a.sha256.as_ref().is_none_or(|s| *s == k.sha256))
        {
            let path = p.keep.join(&k.file);
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            (
                pref(c, a, &k.repo),
                Source::File {
                    path,
                    sha256: Some(k.sha256.clone()),
                    repo: ctx.config.repo(&k.repo).cloned(),
                    gpgcheck: k.gpgcheck && !ctx.settings.overrides.nogpgcheck,
                },
                size,
                size,
            )
        } else {
            missing.push(format!("{} (it came from repo `{}`)", c.nevra(a), a.repo));
            continue;
        };
        wanted.push(Wanted {
            pkg: pkg.clone(),
            source,
            size_installed,
        });
        match c.action {
            Action::Install => plan.install.push(PlanPackage {
                pkg,
                reason: Reason::Requested,
                size,
                obsoleted_by: None,
            }),
            Action::Upgrade | Action::Downgrade => {
                let from = pref(
                    c,
                    c.before.as_ref().expect("a change has a before"),
                    crate::rpm::package::SYSTEM_REPO,
                );
                let pc = PlanChange {
                    from,
                    to: pkg,
                    reason: Reason::Requested,
                    size,
                };
                if c.action == Action::Upgrade {
                    plan.upgrade.push(pc)
                } else {
                    plan.downgrade.push(pc)
                }
            }
            _ => {}
        }
    }
    Ok((plan, wanted, missing))
}

fn pref(c: &Change, v: &Version, repo: &str) -> PackageRef {
    PackageRef {
        name: c.name.clone(),
        epoch: v.epoch,
        version: v.version.clone(),
        release: v.release.clone(),
        arch: c.arch.clone(),
        repo: repo.to_string(),
    }
}

/// What `history recover` found and did.
#[derive(Debug, Clone, Serialize)]
pub struct Recovery {
    pub id: u64,
    pub command: Vec<String>,
    pub steps: Vec<(Change, StepState)>,
    /// Old versions erased to finish half-done upgrades.
    pub completed: Vec<String>,
    /// What was put back of packages erased before installs that never happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub put_back: Option<String>,
    pub error: Option<String>,
}

/// `history recover`: finish half-done upgrades (erase the old version still in the rpmdb),
/// record the interrupted transaction with what happened, clear the journal.
pub fn history_recover(ctx: &Context<'_>) -> Result<Option<Recovery>> {
    let p = paths(ctx);
    let _lock = lock::acquire(&p)?;
    let Some(j) = journal::read(&p.journal)? else {
        return Ok(None);
    };
    let installed = ctx.installed()?;
    let states = journal::assess(&j.changes, &installed);
    if already_recorded(&p, &j)? {
        // Recorded before the crash: record nothing twice, only clear the journal.
        journal::clear(&p.journal)?;
        return Ok(Some(Recovery {
            id: j.id,
            command: j.command,
            steps: states,
            completed: Vec::new(),
            put_back: None,
            error: None,
        }));
    }
    let half: Vec<String> = states
        .iter()
        .filter(|s| s.1 == StepState::Half)
        .filter_map(|(c, _)| c.before.as_ref().map(|b| c.rpm_name(b)))
        .collect();
    let mut error = None;
    if !half.is_empty() {
        if let Err(e) = rpmrun::erase(ctx.root(), &half) {
            error = Some(e);
        }
    }
    // Died after erasing, before the installs: put back what was erased.
    let put_back = journal::put_back(ctx.root(), &p.keep, &j, &installed);
    let installed = ctx.installed()?;
    let states = journal::assess(&j.changes, &installed);
    let steps: Vec<Step> = states
        .iter()
        .map(|(c, s)| Step {
            change: c.clone(),
            done: *s == StepState::Done,
        })
        .collect();
    history::append(
        &p.history,
        &Record {
            id: j.id,
            time: j.started,
            command: j.command.clone(),
            user: j.user.clone(),
            result: "interrupted".into(),
            steps: steps.clone(),
            advice: Vec::new(),
            error: error.clone(),
        },
    )?;
    log_changes(
        &p.log,
        j.id,
        &steps
            .iter()
            .map(|s| (s.change.clone(), s.done))
            .collect::<Vec<_>>(),
    );
    journal::clear(&p.journal)?;
    Ok(Some(Recovery {
        id: j.id,
        command: j.command,
        steps: states,
        completed: if error.is_none() { half } else { Vec::new() },
        put_back,
        error,
    }))
}

// ---------------------------------------------------------------- candidates, reboot

/// One update candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub installed: PackageRef,
    pub candidate: PackageRef,
    /// Changelog entries newer than the installed version, newest first.
    pub changelog: Vec<repo::primary::ChangelogEntry>,
    /// `reboot`, `reboot-or-reload`, or `no`.
    pub reboot: &'static str,
}

/// Repos `candidates` looks at: `--repo`, else those `--enablerepo` names, else
/// `xcp-ng-testing`.
pub fn candidate_repo_ids(ctx: &Context<'_>) -> Vec<String> {
    let ov = &ctx.settings.overrides;
    let pats: Vec<String> = if !ov.only_repos.is_empty() {
        ov.only_repos.clone()
    } else if !ov.enablerepo.is_empty() {
        ov.enablerepo.clone()
    } else {
        vec!["xcp-ng-testing".into()]
    };
    ctx.config
        .repos
        .iter()
        .filter(|r| pats.iter().any(|p| crate::config::glob_match(p, &r.id)))
        .map(|r| r.id.clone())
        .collect()
}

/// `candidates`: packages of the candidate repos newer than what is installed.
pub fn candidates(ctx: &Context<'_>) -> Result<Vec<Candidate>> {
    let ids = candidate_repo_ids(ctx);
    if ids.is_empty() {
        return Err(Error::NotFound {
            what: "no candidate repo: xcp-ng-testing is not configured".into(),
            hint: Some("name the repos with --repo ID or --enablerepo ID".into()),
        });
    }
    let mut repos = Vec::new();
    for id in &ids {
        let mut cfg = ctx.config.repo(id).expect("listed above").clone();
        cfg.enabled = true;
        repos.push(repo::open(
            ctx.root(),
            &ctx.config.main,
            &cfg,
            &ctx.fetcher,
            ctx.settings.cache,
        )?);
    }
    let installed = ctx.installed()?;
    let avail = super::newest_per_name_arch(ctx.available(&repos, Detail::Summary)?);
    let mut out = Vec::new();
    for a in &avail {
        let Some(i) = installed
            .iter()
            .filter(|i| i.name == a.name && i.arch == a.arch)
            .max_by(|x, y| x.evr_cmp(y))
        else {
            continue;
        };
        if a.evr_cmp(i).is_le() {
            continue;
        }
        let reboot = if matches!(
            a.name.as_str(),
            "kernel" | "xen-hypervisor" | "microcode_ctl"
        ) || a.name.starts_with("xen-hypervisor")
        {
            "reboot"
        } else if crate::modules::class::classify(a).is_some() {
            "reboot-or-reload"
        } else {
            "no"
        };
        out.push((a.clone(), i.clone(), reboot));
    }
    let mut result = Vec::new();
    for r in &repos {
        let mine: Vec<&(Package, Package, &str)> =
            out.iter().filter(|c| c.0.repo == r.config.id).collect();
        if mine.is_empty() {
            continue;
        }
        let names: Vec<&str> = mine.iter().map(|c| c.0.name.as_str()).collect();
        let logs = r
            .changelogs(&names, &ctx.fetcher, ctx.settings.cache)
            .unwrap_or_else(|e| {
                ctx.reporter
                    .warn(&format!("no changelogs from `{}`: {e}", r.config.id));
                Vec::new()
            });
        for (a, i, reboot) in mine {
            let mut entries: Vec<_> = logs
                .iter()
                .filter(|o| o.name == a.name && o.arch == a.arch && o.evr == a.evr)
                .flat_map(|o| o.changelog.iter().cloned())
                .filter(|e| newer_than_installed(e, i))
                .collect();
            repo::sort_changelog(&mut entries);
            result.push(Candidate {
                installed: i.to_ref(),
                candidate: a.to_ref(),
                changelog: entries,
                reboot,
            });
        }
    }
    result.sort_by(|a, b| a.candidate.name.cmp(&b.candidate.name));
    Ok(result)
}

/// A changelog entry is new when the version at the end of its author line (`… - 1.2-3`) is
/// newer than the installed one, or, without a version, when it is dated after the installed
/// package was built.
fn newer_than_installed(e: &repo::primary::ChangelogEntry, i: &Package) -> bool {
    let tail = e.author.rsplit(' ').next().unwrap_or("");
    if tail.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let evr = crate::rpm::Evr::parse(tail);
        let inst = &i.evr;
        let ord = evr
            .epoch_or_zero()
            .cmp(&inst.epoch_or_zero())
            .then_with(|| crate::rpm::vercmp(&evr.version, &inst.version))
            .then_with(|| {
                if evr.release.is_empty() {
                    std::cmp::Ordering::Equal
                } else {
                    crate::rpm::vercmp(&evr.release, &inst.release)
                }
            });
        return ord.is_gt();
    }
    e.date > i.buildtime
}

/// `needs-reboot`: the reasons (empty: none).
pub fn needs_reboot(ctx: &Context<'_>) -> Result<Vec<reboot::Reason>> {
    let installed = ctx.installed()?;
    Ok(reboot::reasons(ctx.root(), &installed))
}

/// Journal check used by commands that only read (e.g. `history`): the interrupted transaction,
/// if any, without refusing.
pub fn pending(ctx: &Context<'_>) -> Result<Option<String>> {
    let p = paths(ctx);
    Ok(journal::read(&p.journal)?.map(|j| {
        let installed = ctx.installed().unwrap_or_default();
        journal::report(&j, &journal::assess(&j.changes, &installed))
    }))
}

/// `reload MODULE`: the preflight, the unload and load, and the history record, all under the
/// transaction lock (a dry run takes none: it changes nothing), so that no transaction changes
/// the module files between the preflight and the load. A reload that acted on the kernel is
/// recorded; when the record cannot be written, `record_error` says why (the reload stands).
pub fn reload(
    root: &crate::sysroot::Sysroot,
    kernel: Option<&str>,
    module: &str,
    dry_run: bool,
    force: bool,
    command: &[String],
) -> Result<(crate::modules::reload::ReloadReport, Option<Error>)> {
    use crate::modules::reload::Outcome;
    if dry_run {
        let r = crate::modules::reload::reload(root, kernel, module, true, force)?;
        return Ok((r, None));
    }
    let p = Paths::new(root, std::path::Path::new("/var/cache/xcpng-mod"));
    let _lock = lock::acquire(&p)?;
    let r = crate::modules::reload::reload(root, kernel, module, false, force)?;
    let record_error = if r.result != Outcome::DryRun && r.result != Outcome::Refused {
        record_reload_locked(&p, command, &r).err()
    } else {
        None
    };
    Ok((r, record_error))
}

/// Record a reload that acted on the kernel (not a dry run) in the history and the log: the
/// command, the outcome, each command the kernel tools ran with its result, and the summary as
/// advice. The caller holds the transaction lock, so ids stay unique.
fn record_reload_locked(
    p: &Paths,
    command: &[String],
    report: &crate::modules::reload::ReloadReport,
) -> Result<u64> {
    use crate::modules::reload::Outcome;
    let records = history::load(&p.history)?;
    let id = records.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    let result = match report.result {
        Outcome::Reloaded => "ok",
        Outcome::RolledBack => "rolled-back",
        Outcome::Refused => "refused",
        Outcome::Failed => "failed",
        Outcome::DryRun => "dry-run",
    };
    let mut advice: Vec<String> = report
        .steps
        .iter()
        .map(|s| {
            format!(
                "{}{}: {}{}",
                if s.fallback { "fallback " } else { "" },
                s.command.join(" "),
                if s.ok { "ok" } else { "FAILED" },
                s.message
                    .as_ref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            )
        })
        .collect();
    advice.push(report.summary.clone());
    let record = Record {
        id,
        time: now(),
        command: command.to_vec(),
        user: crate::transaction::current_user(),
        result: result.into(),
        steps: Vec::new(),
        advice: advice.clone(),
        error: (result != "ok").then(|| report.summary.clone()),
    };
    history::append(&p.history, &record)?;
    let t = crate::transaction::utc(now());
    let text: String = advice
        .iter()
        .map(|a| {
            format!(
                "{t} transaction {id}: reload {}: {a}\n",
                report.preflight.module
            )
        })
        .collect();
    crate::transaction::append_log(&p.log, &text);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_since_installed() {
        let i = Package {
            name: "a".into(),
            evr: crate::rpm::Evr::new(None, "5.11.4", "1"),
            buildtime: 100,
            ..Default::default()
        };
        let e = |author: &str, date| repo::primary::ChangelogEntry {
            author: author.into(),
            date,
            text: String::new(),
        };
        assert!(newer_than_installed(&e("A <a@b> - 5.12.3-1", 0), &i));
        assert!(!newer_than_installed(&e("A <a@b> - 5.11.4-1", 999), &i));
        assert!(newer_than_installed(&e("A <a@b>", 200), &i));
        assert!(!newer_than_installed(&e("A <a@b>", 50), &i));
    }
}
