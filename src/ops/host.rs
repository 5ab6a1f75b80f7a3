//! Operations on what the host holds: its kernel modules (inventory, depmod, doctor, reload)
//! and its trust (package files checked against the rpmdb's keys, the trusted keys). Thin:
//! each calls the layer that does the work and returns its value, so that the command line
//! reaches those layers only through `ops`. The one decision here is what a reload's report
//! means for the run ([`reload_failure`]); rendering is the CLI's.

use super::Context;
use crate::error::{Error, Result};
use crate::modules::doctor::{self, Report as DoctorReport};
use crate::modules::inventory::{self, DepmodRun, Inventory};
use crate::modules::reload::{ReloadOutcome, ReloadReport, Verdict};
use crate::sysroot::Sysroot;
use crate::trust::package::Report as FileReport;
use crate::trust::KeysReport;

/// `modules [MODULE…]` and `module show MODULE`: every copy of the modules (all of them when
/// `names` is empty) for the target kernel, the one depmod picks, the one loaded.
pub fn modules(root: &Sysroot, kernel: Option<&str>, names: &[String]) -> Result<Inventory> {
    Ok(inventory::inventory(root, kernel, names)?)
}

/// `depmod`: the host's depmod for the target kernel, checked against the prediction.
pub fn depmod(root: &Sysroot, kernel: Option<&str>) -> Result<DepmodRun> {
    Ok(inventory::run_depmod(root, kernel)?)
}

/// `doctor [--fix]`: the broken module and depmod states, and what `fix` did about them.
pub fn doctor(root: &Sysroot, kernel: Option<&str>, fix: bool) -> Result<DoctorReport> {
    Ok(doctor::doctor(root, kernel, fix)?)
}

/// `verify FILE.rpm…`: each file's digests and signatures, with the keys of the root's rpmdb.
pub fn verify(root: &Sysroot, files: &[std::path::PathBuf]) -> Result<Vec<FileReport>> {
    Ok(crate::trust::package::verify_files(root, files)?)
}

/// `keys [--accept REPO…]`: first forget the pinned key URLs of each repo in `accept` (so
/// that what they serve now is pinned), then the trusted keys. What was forgotten, and the
/// keys that could not be read, are said through the reporter.
pub fn keys(ctx: &Context<'_>, accept: &[String]) -> Result<KeysReport> {
    for repo in accept {
        if !ctx.config.repos.iter().any(|r| &r.id == repo) {
            return Err(crate::config::ConfigError::NoSuchRepo(repo.clone()).into());
        }
        let n = crate::trust::pins::forget(ctx.root(), repo)
            .map_err(|what| Error::Failed { what, hint: None })?;
        ctx.reporter.warn(&format!(
            "repo `{repo}`: forgot {n} pinned key URL(s); the keys served now are pinned below"
        ));
    }
    let keys = crate::trust::trusted_keys(ctx.root(), &ctx.config, &ctx.fetcher);
    for p in &keys.problems {
        ctx.reporter.warn(p);
    }
    Ok(keys)
}

/// A reload's report and what it means for the run.
pub struct Reload {
    pub report: ReloadReport,
    /// Why the run fails although the report is complete: refused, failed, rolled back, or a
    /// dry run of a reload that would not go ahead.
    pub failure: Option<Error>,
    /// The reload acted but could not be recorded in the history (it stands all the same).
    pub record_error: Option<Error>,
}

/// `reload MODULE [--dry-run] [--force]`: see [`super::transaction::reload`]; `command` is
/// the command line the history records.
pub fn reload(
    root: &Sysroot,
    kernel: Option<&str>,
    module: &str,
    dry_run: bool,
    force: bool,
    command: &[String],
) -> Result<Reload> {
    let (report, record_error) =
        super::transaction::reload(root, kernel, module, dry_run, force, command)?;
    let failure = reload_failure(&report, force);
    Ok(Reload {
        report,
        failure,
        record_error,
    })
}

/// The error a reload's report ends the run with, or None when it reloaded (or, dry, would go
/// ahead with these flags). The message says what happened and the first reason; the hint is
/// the first way forward.
pub fn reload_failure(r: &ReloadReport, force: bool) -> Option<Error> {
    match r.result {
        ReloadOutcome::Reloaded => return None,
        ReloadOutcome::DryRun if r.preflight.allowed(force) => return None,
        _ => {}
    }
    let hint = r.preflight.ways_forward.first().cloned();
    let mut what = r.summary.clone();
    if r.result == ReloadOutcome::DryRun {
        what = match r.preflight.verdict {
            Verdict::Impossible => format!(
                "{} cannot be reloaded on the running kernel",
                r.preflight.module
            ),
            _ => format!(
                "reload of {} would be refused without --force",
                r.preflight.module
            ),
        };
    }
    if matches!(r.result, ReloadOutcome::Refused | ReloadOutcome::DryRun) {
        if let Some(first) = r.preflight.reasons.first() {
            what = format!("{what}: {first}");
        }
    }
    Some(Error::Failed { what, hint })
}
