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
use crate::transaction::download::{FileSource, Wanted};
use crate::transaction::history::{self, HistoryStep, Record, TxStatus};
use crate::transaction::journal::{self, Journal, StepState};
use crate::transaction::reboot;
use crate::transaction::run::{self as rpmrun};
use crate::transaction::{lock, log_changes, now, Action, Change, Paths, TxError, Version};
use crate::wire;
use serde::Serialize;
use std::path::PathBuf;

/// Asked once the plan is known: gets the plan and the bytes to download; false cancels.
pub type Confirm<'a> = &'a dyn Fn(&Plan, &Impact, u64) -> Result<bool>;

pub use super::impact::Impact;

pub use crate::transaction::engine::TxOutcome;

/// The result of a transaction command: the plan, and what was done (None: nothing to do,
/// or --assumeno).
#[derive(Debug, Clone, Serialize)]
pub struct TxResult {
    #[serde(serialize_with = "wire::plan::serialize")]
    pub plan: Plan,
    /// What the plan will take (module impact, guidance), worked out before it runs.
    #[serde(flatten)]
    pub impact: Impact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<TxOutcome>,
}

pub(crate) fn paths(ctx: &Context<'_>) -> Paths {
    Paths::new(ctx.root(), &ctx.config.main.cachedir)
}

/// The guard of every planned change to the host: the transaction lock (and yum's pid file),
/// then the refusal to go on while an interrupted transaction's journal is there. `None` when
/// `dry` (nothing will change, so nothing is locked or checked).
pub(crate) fn guard(ctx: &Context<'_>, p: &Paths, dry: bool) -> Result<Option<lock::Lock>> {
    if dry {
        return Ok(None);
    }
    let l = lock::acquire(p)?;
    check_journal(ctx, p)?;
    Ok(Some(l))
}

/// Refuse while an interrupted transaction's journal is there.
fn check_journal(ctx: &Context<'_>, p: &Paths) -> Result<()> {
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
    let p = paths(ctx);
    let _lock = guard(ctx, &p, ctx.settings.assumeno)?;
    let (plan, target_pkgs, repos) = super::solve::plan_with_targets(ctx, goal)?;
    let impact = super::impact::of_plan(ctx, &plan, &target_pkgs, &repos);
    if plan.is_empty() || ctx.settings.assumeno {
        return Ok(TxResult {
            plan,
            impact,
            transaction: None,
        });
    }
    let wanted = sources_from_repos(ctx, &repos, &plan, &target_pkgs)?;
    let out = confirm_and_execute(ctx, &p, &plan, &impact, wanted, command, confirm)?;
    Ok(TxResult {
        plan,
        impact,
        transaction: Some(out),
    })
}

pub(crate) fn confirm_and_execute(
    ctx: &Context<'_>,
    p: &Paths,
    plan: &Plan,
    impact: &Impact,
    wanted: Vec<Wanted>,
    command: &[String],
    confirm: Confirm<'_>,
) -> Result<TxOutcome> {
    let dl: u64 = wanted.iter().map(|w| w.to_download()).sum();
    if !confirm(plan, impact, dl)? {
        return Err(Error::Failed {
            what: "cancelled: nothing was changed".into(),
            hint: None,
        });
    }
    Ok(crate::transaction::engine::execute(
        &engine_host(ctx),
        p,
        plan,
        wanted,
        command,
    )?)
}

/// The engine's view of the context.
fn engine_host<'a>(ctx: &'a Context<'_>) -> crate::transaction::engine::Host<'a> {
    crate::transaction::engine::Host {
        root: ctx.root(),
        config: &ctx.config,
        fetcher: &ctx.fetcher,
        reporter: ctx.reporter,
        downloadonly: ctx.settings.downloadonly,
    }
}

fn same(p: &Package, r: &PackageRef) -> bool {
    p.name == r.name
        && p.arch == r.arch
        && p.epoch() == r.epoch
        && p.evr.version == r.version
        && p.evr.release == r.release
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
            source: super::fetched::repo_source(ctx, r, p)?,
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
        source: FileSource::File {
            path: PathBuf::from(&pkg.location),
            sha256: Some(pkg.checksum.value.clone()),
            repo: None,
            gpgcheck: ctx.config.main.gpgcheck && !ctx.settings.overrides.nogpgcheck,
        },
        size_installed: pkg.size_installed,
    })
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
    let _lock = guard(ctx, &p, ctx.settings.assumeno)?;
    let records = history::load(&p.history)?;
    history::find(&records, id)?;
    let chosen: Vec<&Record> = if rollback {
        records
            .iter()
            .filter(|r| r.id > id && r.result != TxStatus::Failed)
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
    let impact = super::impact::of_wanted(ctx, &plan, &wanted);
    if plan.is_empty() || ctx.settings.assumeno {
        return Ok(TxResult {
            plan,
            impact,
            transaction: None,
        });
    }
    let out = confirm_and_execute(ctx, &p, &plan, &impact, wanted, command, confirm)?;
    Ok(TxResult {
        plan,
        impact,
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
        ctx.open_repos_lenient(true)
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
                super::fetched::repo_source(ctx, r, p)?,
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
                FileSource::File {
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
    let steps: Vec<HistoryStep> = states
        .iter()
        .map(|(c, s)| HistoryStep {
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
            result: TxStatus::Interrupted,
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
    /// `reboot`, `reboot-or-reload`, or `no`: the guidance table's word for it alone (the
    /// impact of installing them all is [`Candidates::impact`]).
    pub reboot: &'static str,
}

/// What `candidates` finds, and the impact of installing all of it.
#[derive(Debug, Clone, Serialize)]
pub struct Candidates {
    pub candidates: Vec<Candidate>,
    /// Module impact and guidance of installing every candidate (the announcement's install
    /// command).
    #[serde(flatten)]
    pub impact: Impact,
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
        .filter(|r| pats.iter().any(|p| crate::glob::glob_match(p, &r.id)))
        .map(|r| r.id.clone())
        .collect()
}

/// `candidates`: packages of the candidate repos newer than what is installed.
pub fn candidates(ctx: &Context<'_>) -> Result<Candidates> {
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
    // Full records: the impact needs their checksums (to find their file lists) and deps.
    let avail = super::newest_per_name_arch(ctx.available(&repos, Detail::Full)?);
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
        let table =
            crate::transaction::guidance::for_package(&a.name, a.files.iter().map(String::as_str));
        let reboot = if table
            .is_some_and(|(g, _)| g == crate::transaction::guidance::Guidance::RebootHost)
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
    // The impact of installing them all, as the announcement's command does.
    let plan = Plan {
        upgrade: out
            .iter()
            .map(|(a, i, _)| PlanChange {
                from: i.to_ref(),
                to: a.to_ref(),
                reason: Reason::Requested,
                size: a.size_package,
            })
            .collect(),
        ..Plan::default()
    };
    let targets: Vec<Package> = out.into_iter().map(|(a, _, _)| a).collect();
    let impact = super::impact::of_plan(ctx, &plan, &targets, &repos);
    Ok(Candidates {
        candidates: result,
        impact,
    })
}

/// A changelog entry is new when the version at the end of its author line (`… - 1.2-3`) is
/// newer than the installed one, or, without a version, when it is dated after the installed
/// package was built.
fn newer_than_installed(e: &repo::primary::ChangelogEntry, i: &Package) -> bool {
    let tail = e.author.rsplit(' ').next().unwrap_or("");
    if tail.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        // rpm's rule: an entry without a release (`- 1.2`) matches every release of 1.2.
        return crate::rpm::Evr::parse(tail).compare(&i.evr).is_gt();
    }
    e.date > i.buildtime
}

/// `needs-reboot`: the reasons (empty: none).
pub fn needs_reboot(ctx: &Context<'_>) -> Result<Vec<reboot::RebootReason>> {
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
    use crate::modules::reload::ReloadOutcome;
    if dry_run {
        let r = crate::modules::reload::reload(root, kernel, module, true, force)?;
        return Ok((r, None));
    }
    let p = Paths::new(root, std::path::Path::new("/var/cache/xcpng-mod"));
    let _lock = lock::acquire(&p)?;
    let r = crate::modules::reload::reload(root, kernel, module, false, force)?;
    let record_error = if r.result != ReloadOutcome::DryRun && r.result != ReloadOutcome::Refused {
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
    use crate::modules::reload::ReloadOutcome;
    let records = history::load(&p.history)?;
    let id = history::next_id(&records);
    let result = match report.result {
        ReloadOutcome::Reloaded => TxStatus::Ok,
        ReloadOutcome::FellBack => TxStatus::RolledBack,
        ReloadOutcome::Failed => TxStatus::Failed,
        // Not acting on the kernel, these are never recorded (see `reload`); were one
        // recorded, it changed nothing.
        ReloadOutcome::Refused | ReloadOutcome::DryRun => TxStatus::Failed,
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
        result,
        steps: Vec::new(),
        advice: advice.clone(),
        error: (result != TxStatus::Ok).then(|| report.summary.clone()),
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
