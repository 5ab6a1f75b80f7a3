//! The transaction engine: a plan whose package files are known, carried out on the host.
//! Free space first, then download and verification of every file, the kept copies undo needs,
//! the journal, the rpm run (putting back what a failed run erased), the module check, the
//! history record and the log. It decides nothing about what to change (the plan does) and
//! holds no lock itself: the caller holds the transaction lock.

use super::download::{self, Downloader, FileSource, Keys, Ready, Wanted};
use super::history::{self, HistoryStep, Kept, Record, TxStatus};
use super::journal::{self, Journal, StepState};
use super::reboot;
use super::run::{self as rpmrun, RpmPlan};
use super::{changes_of, log_changes, now, space, Action, Change, Paths, TxError, Version};
use crate::config::Config;
use crate::fetch::Fetcher;
use crate::notices::Reporter;
use crate::rpm::package::PackageRef;
use crate::rpm::{installed, Package};
use crate::solve::{Plan, Reason};
use crate::sysroot::Sysroot;
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;

/// What the engine works with: the host and how to reach its repos and the admin.
pub struct Host<'a> {
    pub root: &'a Sysroot,
    pub config: &'a Config,
    pub fetcher: &'a Fetcher,
    pub reporter: &'a dyn Reporter,
    /// `--downloadonly`: stop after the files are verified.
    pub downloadonly: bool,
}

impl Host<'_> {
    fn root(&self) -> &Sysroot {
        self.root
    }
    fn installed(&self) -> Result<Vec<Package>, TxError> {
        Ok(installed::load(self.root)?)
    }
    fn report_notices(&self) {
        crate::notices::report_to(self.reporter);
    }
}

/// What a transaction did.
#[derive(Debug, Clone, Serialize)]
pub struct TxOutcome {
    /// History id (None with --downloadonly).
    pub id: Option<u64>,
    /// `ok`, `partial`, `downloaded` (a run that changed nothing is an error instead).
    pub result: TxStatus,
    pub steps: Vec<HistoryStep>,
    /// Package files handed to rpm (or downloaded with --downloadonly).
    pub files: Vec<PathBuf>,
    /// Reboot/reload advice.
    pub advice: Vec<String>,
    /// The commands that take it back, when it came from a repo disabled by default.
    pub undo: Vec<String>,
    /// After touching kernel-module packages: depmod, which copy wins, reload-or-reboot advice
    /// per module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<super::modcheck::ModulesAfter>,
}

fn nevra_of(name: &str, arch: &str, v: &Version) -> String {
    format!("{name}-{}.{arch}", v.evr())
}

/// Execute a plan whose files are known. The lock must be held. The phases, in order: free
/// space, download and verification of every file (nothing is installed before all pass),
/// the kept copies undo needs, the journal, the rpm run, the module check and the advice, the
/// history record, the log.
pub fn execute(
    h: &Host<'_>,
    p: &Paths,
    plan: &Plan,
    wanted: Vec<Wanted>,
    command: &[String],
) -> Result<TxOutcome, TxError> {
    check_space(h, &wanted)?;
    let ready = download_and_verify(h, &wanted)?;
    if h.downloadonly {
        return Ok(TxOutcome {
            id: None,
            result: TxStatus::Downloaded,
            steps: Vec::new(),
            files: ready.iter().map(|r| r.path.clone()).collect(),
            advice: Vec::new(),
            undo: Vec::new(),
            modules: None,
        });
    }
    let records = history::load(&p.history)?;
    let changes = changes_with_sources(plan, &ready, &records);
    keep_files(h, p, &changes, &ready);
    let j = journal_of(p, history::next_id(&records), command, &changes);
    let id = j.id;
    let installed_before = h.installed()?;
    let rplan = rpm_plan(plan, &ready, &installed_before);
    // Module files of the packages being replaced or removed, while the rpmdb still has them.
    let mod_before = super::modcheck::module_files(h.root(), &names_of(&changes, true));
    super::modcheck::save_loaded(h.root(), &mod_before);
    journal::write(&p.journal, &j)?;
    let (run, installed) = run_rpm(h, p, &j, &rplan)?;
    let states = journal::assess(&changes, &installed);
    let result = status_of(run.is_ok(), &states);
    let steps: Vec<HistoryStep> = states
        .iter()
        .map(|(c, s)| HistoryStep {
            change: c.clone(),
            done: *s == StepState::Done,
        })
        .collect();
    let (advice, modules) = if result == TxStatus::Failed {
        (Vec::new(), None)
    } else {
        advise(h, &installed, &steps, &changes, &mod_before)
    };
    let record = Record {
        id,
        time: j.started,
        command: command.to_vec(),
        user: j.user.clone(),
        result,
        steps: steps.clone(),
        advice: advice.clone(),
        error: run.as_ref().err().cloned(),
    };
    record_run(p, &record)?;
    if let Err(e) = run {
        return Err(TxError::Rpm {
            what: format!(
                "transaction {id} {}: {e}",
                if result == TxStatus::Failed {
                    "failed, nothing was changed"
                } else {
                    "stopped midway"
                }
            ),
            changed: result != TxStatus::Failed,
        });
    }
    let undo = undo_advice(h, id, &steps);
    Ok(TxOutcome {
        id: Some(id),
        result,
        steps,
        files: ready.iter().map(|r| r.path.clone()).collect(),
        advice,
        undo,
        modules,
    })
}

/// Free space: downloads into the cache, installed sizes into the root (`diskspacecheck`,
/// `diskspace_reserve`).
fn check_space(h: &Host<'_>, wanted: &[Wanted]) -> Result<(), TxError> {
    if !h.config.main.diskspacecheck {
        return Ok(());
    }
    let cache = h.root().join(&h.config.main.cachedir);
    let dl: u64 = wanted.iter().map(|w| w.to_download()).sum();
    let inst: u64 = wanted.iter().map(|w| w.size_installed).sum();
    let mut needs = vec![(cache, dl)];
    if !h.downloadonly {
        needs.push((h.root().root().to_path_buf(), inst));
    }
    space::check(&needs, h.config.main.diskspace_reserve)
}

/// Download what is not at hand, then verify every file before anything is installed.
fn download_and_verify(h: &Host<'_>, wanted: &[Wanted]) -> Result<Vec<Ready>, TxError> {
    let rep = h.reporter;
    let downloader = Downloader::new(h.fetcher.http(), h.fetcher.retries());
    let n = wanted
        .iter()
        .filter(|w| matches!(w.source, FileSource::Repo { .. }))
        .count();
    if n > 0 {
        rep.info(&format!("Downloading {n} package(s)"));
    }
    let to_fetch: u64 = wanted.iter().map(|w| w.to_download()).sum();
    if to_fetch > 0 {
        rep.progress_start("Downloading", to_fetch);
    }
    let fetched = download::fetch_all(&downloader, wanted, &|m| rep.info(m), &|n| {
        rep.progress_inc(n)
    });
    rep.progress_finish();
    fetched?;
    let mut keys = Keys::new(h.root(), h.fetcher);
    let mut ready: Vec<Ready> = Vec::new();
    for w in wanted {
        let r = download::verify(w, &mut keys);
        h.report_notices();
        ready.push(r?);
    }
    Ok(ready)
}

/// The plan's changes, with the digest of each new file and, for each version replaced that
/// xcpng-mod installed, the repo and digest it came with.
fn changes_with_sources(plan: &Plan, ready: &[Ready], records: &[Record]) -> Vec<Change> {
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
    changes
}

/// The journal of the run: what it will change, and the kept files of what it erases (if rpm
/// has to erase first and the installs then fail, these put it back).
fn journal_of(p: &Paths, id: u64, command: &[String], changes: &[Change]) -> Journal {
    let kept = history::kept(&p.keep);
    let restore: Vec<Kept> = changes
        .iter()
        .filter(|c| c.after.is_none())
        .filter_map(|c| {
            let nevra = c.nevra(c.before.as_ref()?);
            kept.iter().find(|k| k.nevra == nevra).cloned()
        })
        .collect();
    Journal {
        id,
        pid: std::process::id(),
        started: now(),
        command: command.to_vec(),
        user: crate::transaction::current_user(),
        changes: changes.to_vec(),
        restore,
    }
}

/// Run rpm; when it fails after erasing, put back what it erased. Returns rpm's verdict and
/// the installed set after it all.
fn run_rpm(
    h: &Host<'_>,
    p: &Paths,
    j: &Journal,
    rplan: &RpmPlan,
) -> Result<(Result<(), String>, Vec<Package>), TxError> {
    let mut run = rpmrun::execute(h.root(), rplan);
    let mut installed = h.installed()?;
    if let Err(e) = &mut run {
        if let Some(said) = journal::put_back(h.root(), &p.keep, j, &installed) {
            e.push_str("; ");
            e.push_str(&said);
            installed = h.installed()?;
        }
    }
    Ok((run, installed))
}

/// `ok` when rpm succeeded and every step shows in the rpmdb, `failed` when none does (and no
/// upgrade is half done), `partial` otherwise.
fn status_of(rpm_ok: bool, states: &[(Change, StepState)]) -> TxStatus {
    let done = states.iter().filter(|s| s.1 == StepState::Done).count();
    if rpm_ok && done == states.len() {
        TxStatus::Ok
    } else if done == 0 && !states.iter().any(|s| s.1 == StepState::Half) {
        TxStatus::Failed
    } else {
        TxStatus::Partial
    }
}

/// Reboot and reload advice after a run that changed something; the module check when
/// module files changed.
fn advise(
    h: &Host<'_>,
    installed: &[Package],
    steps: &[HistoryStep],
    changes: &[Change],
    mod_before: &[super::modcheck::ModuleFile],
) -> (Vec<String>, Option<super::modcheck::ModulesAfter>) {
    let reasons = reboot::reasons(h.root(), installed);
    let driver_pkgs: Vec<&str> = steps
        .iter()
        .filter(|s| s.done)
        .filter(|s| crate::modules::class::classify_name(&s.change.name, false).is_some())
        .map(|s| s.change.name.as_str())
        .collect();
    let mod_after = super::modcheck::module_files(h.root(), &names_of(changes, false));
    if !mod_before.is_empty() || !mod_after.is_empty() {
        let m = super::modcheck::check(h.root(), mod_before, &mod_after);
        // The module check's own advice (reload where safe) replaces the generic reason.
        let mut advice = reboot_advice(&reasons, Some(&m));
        advice.extend(m.advice());
        return (advice, Some(m));
    }
    let mut advice = reboot_advice(&reasons, None);
    if !driver_pkgs.is_empty() {
        advice.push(format!(
            "kernel driver packages changed ({}): the new drivers are used after a reboot, or after `xcpng-mod reload MODULE` where that is safe",
            driver_pkgs.join(", ")
        ));
    }
    (advice, None)
}

/// The history record and the log of a run; the journal is cleared once the record stands.
/// When the record cannot be written, the journal stays (so `history recover` records it
/// once there is room) and the error says which steps rpm completed.
fn record_run(p: &Paths, record: &Record) -> Result<(), TxError> {
    if let Err(e) = history::append(&p.history, record) {
        let done: Vec<String> = record
            .steps
            .iter()
            .filter(|s| s.done)
            .map(|s| s.change.describe())
            .collect();
        return Err(TxError::NotRecorded {
            id: record.id,
            done: if done.is_empty() {
                "none".into()
            } else {
                done.join(", ")
            },
            why: crate::errchain::chain_of(&e),
        });
    }
    log_changes(
        &p.log,
        record.id,
        &record
            .steps
            .iter()
            .map(|s| (s.change.clone(), s.done))
            .collect::<Vec<_>>(),
    );
    journal::clear(&p.journal)
}

/// "reboot needed" lines, leaving out changed loaded modules the module check speaks about.
fn reboot_advice(
    reasons: &[reboot::RebootReason],
    checked: Option<&super::modcheck::ModulesAfter>,
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
fn keep_files(h: &Host<'_>, p: &Paths, changes: &[Change], ready: &[Ready]) {
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
            h.reporter.warn(&format!("cannot keep {}: {e}", k.file));
        }
    }
    let cache = h.root().join(&h.config.main.cachedir);
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
                let gpgcheck = h
                    .config
                    .repo(&repo)
                    .map_or(h.config.main.gpgcheck, |r| r.gpgcheck);
                let k = Kept {
                    nevra,
                    file: file.clone(),
                    sha256: crate::digest::digest_hex("sha256", &data).expect("known"),
                    repo,
                    gpgcheck,
                };
                if let Err(e) = history::keep_file(&p.keep, &k, &f) {
                    h.reporter.warn(&format!("cannot keep {file}: {e}"));
                }
            }
            None if crate::modules::class::classify_name(&c.name, false).is_some() => {
                h.reporter.warn(&format!(
                    "no copy of {nevra} is at hand: undoing this later needs a repo that still carries it"
                ));
            }
            None => {}
        }
    }
}

/// Repos that are disabled unless the command line enables them.
fn disabled_by_default(h: &Host<'_>) -> HashSet<String> {
    h.config
        .repos
        .iter()
        .filter(|r| !r.enabled_in_files)
        .map(|r| r.id.clone())
        .collect()
}

/// After installing from a repo disabled by default: the exact commands that take it back.
fn undo_advice(h: &Host<'_>, id: u64, steps: &[HistoryStep]) -> Vec<String> {
    let off = disabled_by_default(h);
    let from_off: Vec<&Change> = steps
        .iter()
        .filter(|s| s.done)
        .map(|s| &s.change)
        .filter(|c| c.after.as_ref().is_some_and(|a| off.contains(&a.repo)))
        .collect();
    if from_off.is_empty() {
        return Vec::new();
    }
    let root = if h.root().is_host_root() {
        String::new()
    } else {
        format!(" --root {}", h.root().root().display())
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
