//! Carrying out a preflight's plan through a [`KernelOps`]: unload, load, check, and put the
//! previous copy back when the load or a check fails.

use super::*;
use std::collections::BTreeMap;

use crate::modules::loaded::Loaded;
/// The kernel, as the executor sees it: run a kmod tool, read the state back.
pub trait KernelOps {
    /// Run `modprobe`, `insmod` or `rmmod` with these arguments; Err holds what it said.
    fn run(&mut self, command: &[String]) -> Result<(), String>;
    /// The loaded modules now.
    fn loaded(&mut self) -> BTreeMap<String, Loaded>;
    /// Names of the network interfaces now.
    fn interfaces(&mut self) -> Vec<String>;
    /// Start watching the kernel log.
    fn log_mark(&mut self);
    /// Error lines (priority err or worse) logged since the mark or the last call.
    fn log_errors(&mut self) -> Vec<String>;
    /// Give the kernel a moment (devices appear after the load returns).
    fn settle(&mut self) {}
}

/// One command the executor ran.
#[derive(Debug, Clone)]
pub struct CommandRun {
    pub command: Vec<String>,
    pub ok: bool,
    /// What the tool said when it failed, and the kernel's error lines.
    pub message: Option<String>,
    /// Part of putting the previous copy back.
    pub fallback: bool,
}

/// A check after the load.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// `--dry-run`: nothing was done.
    DryRun,
    /// Refused by the preflight: nothing was done.
    Refused,
    /// The winning copy is loaded and every check passed.
    Reloaded,
    /// The new copy failed; the previous one is loaded again.
    FellBack,
    /// Something failed and the previous state could not be fully restored.
    Failed,
}

impl ReloadOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadOutcome::DryRun => "dry-run",
            ReloadOutcome::Refused => "refused",
            ReloadOutcome::Reloaded => "reloaded",
            ReloadOutcome::FellBack => "rolled back",
            ReloadOutcome::Failed => "failed",
        }
    }
}

/// The report of `reload`.
#[derive(Debug, Clone)]
pub struct ReloadReport {
    pub preflight: Preflight,
    pub result: ReloadOutcome,
    pub steps: Vec<CommandRun>,
    pub checks: Vec<Check>,
    /// What is loaded at the end (build-id), and the file it matches.
    pub loaded_after: Option<String>,
    /// One sentence: what happened and what to do.
    pub summary: String,
}

impl ReloadReport {
    pub fn success(&self) -> bool {
        matches!(self.result, ReloadOutcome::Reloaded | ReloadOutcome::DryRun)
    }
}

pub(super) struct Exec<'a, K: KernelOps> {
    ops: &'a mut K,
    steps: Vec<CommandRun>,
}

impl<K: KernelOps> Exec<'_, K> {
    fn run(&mut self, command: Vec<String>, fallback: bool) -> bool {
        let r = self.ops.run(&command);
        let message = match &r {
            Ok(()) => None,
            Err(e) => {
                let mut m = e.trim().to_string();
                let kernel = self.ops.log_errors();
                if !kernel.is_empty() {
                    m.push_str(&format!("; kernel: {}", kernel.join(" | ")));
                }
                Some(m)
            }
        };
        self.steps.push(CommandRun {
            command,
            ok: r.is_ok(),
            message,
            fallback,
        });
        r.is_ok()
    }
}

pub(super) fn mentions(line: &str, modules: &[String]) -> bool {
    modules
        .iter()
        .any(|m| line.contains(m.as_str()) || line.contains(&m.replace('_', "-")))
}

/// Carry out a preflight's plan (the caller checked `allowed`). On a failed load or check,
/// the modules of the plan are unloaded, the previously loaded file is loaded back by path
/// with its options, and the holders are loaded again.
pub fn execute<K: KernelOps>(pre: &Preflight, ops: &mut K) -> ReloadReport {
    let mut ex = Exec {
        ops,
        steps: Vec::new(),
    };
    let mut checks: Vec<Check> = Vec::new();
    // The kernel right before the first unload must be the one the preflight judged: another
    // process may have loaded, unloaded or started using a module since.
    let changed = pre.changed_since(&ex.ops.loaded());
    if !changed.is_empty() {
        return finish(
            pre,
            ex,
            checks,
            ReloadOutcome::Refused,
            format!(
                "the loaded modules changed since the preflight ({}): nothing was done; run the reload again",
                changed.join(", ")
            ),
        );
    }
    ex.ops.log_mark();

    let (unloaded, failure) = unload(&mut ex, pre);
    if let Some(why) = failure {
        return unload_failed(pre, ex, checks, &unloaded, why);
    }
    let (loaded_by_us, failed) = load(&mut ex, pre, &mut checks);
    let failed = failed.or_else(|| check_after_load(&mut ex, pre, &mut checks));
    match failed {
        None => reloaded(pre, ex, checks),
        Some(why) => fall_back(pre, ex, checks, &unloaded, &loaded_by_us, why),
    }
}

/// Unload the plan's modules that are loaded, holders first. Returns those unloaded, and
/// why it stopped when an unload failed.
fn unload<K: KernelOps>(ex: &mut Exec<'_, K>, pre: &Preflight) -> (Vec<String>, Option<String>) {
    let mut unloaded: Vec<String> = Vec::new();
    for u in &pre.plan.unload {
        if !ex.ops.loaded().contains_key(u) {
            continue;
        }
        if ex.run(vec!["rmmod".into(), u.clone()], false) {
            unloaded.push(u.clone());
        } else {
            return (unloaded, Some(format!("{u} could not be unloaded")));
        }
    }
    (unloaded, None)
}

/// After a failed unload nothing new was loaded: load back what was unloaded, and report
/// whether all of it is loaded again.
fn unload_failed<K: KernelOps>(
    pre: &Preflight,
    mut ex: Exec<'_, K>,
    checks: Vec<Check>,
    unloaded: &[String],
    why: String,
) -> ReloadReport {
    restore(&mut ex, pre, unloaded);
    let back = ex.ops.loaded();
    let ok = pre.set().iter().all(|s| back.contains_key(s));
    let (outcome, then) = if ok {
        (
            ReloadOutcome::FellBack,
            "everything unloaded was loaded back",
        )
    } else {
        (
            ReloadOutcome::Failed,
            "some modules could not be loaded back: see the steps",
        )
    };
    finish(pre, ex, checks, outcome, format!("{why}; {then}"))
}

/// Run the plan's load commands in order; right after the module itself is loaded, check
/// that it is the winning file. Returns the modules loaded, and why it stopped when a load
/// or that check failed.
fn load<K: KernelOps>(
    ex: &mut Exec<'_, K>,
    pre: &Preflight,
    checks: &mut Vec<Check>,
) -> (Vec<String>, Option<String>) {
    let m = &pre.module;
    let mut loaded_by_us: Vec<String> = Vec::new();
    for step in &pre.plan.load {
        if !ex.run(step.command.clone(), false) {
            return (
                loaded_by_us,
                Some(format!("loading {} failed", step.module)),
            );
        }
        loaded_by_us.push(step.module.clone());
        if &step.module == m {
            let now = ex.ops.loaded();
            checks.extend(winner_checks(pre, now.get(m)));
            if checks.iter().any(|c| !c.ok) {
                return (
                    loaded_by_us,
                    Some(format!("the loaded {m} is not the winning copy")),
                );
            }
        }
    }
    (loaded_by_us, None)
}

/// Is the loaded module `l` the winning file? By build-id (else: is it loaded at all), and
/// by srcversion when both have one.
fn winner_checks(pre: &Preflight, l: Option<&Loaded>) -> Vec<Check> {
    let m = &pre.module;
    let w = pre.winner.as_ref();
    let (got, want) = (
        l.and_then(|l| l.build_id.clone()),
        w.and_then(|w| w.build_id.clone()),
    );
    let ok = match (&got, &want) {
        (Some(g), Some(w)) => g == w,
        _ => l.is_some(),
    };
    let mut checks = vec![Check {
        name: "build-id".into(),
        ok,
        detail: match (&got, &want) {
            (Some(g), Some(w)) if g == w => format!(
                "loaded {m} is {} (build-id {g})",
                pre.winner.as_ref().map(|w| w.path.as_str()).unwrap_or("?")
            ),
            (Some(g), Some(w)) => {
                format!("loaded {m} has build-id {g}, the winning file has {w}")
            }
            _ if l.is_some() => format!("{m} is loaded (no build-id to compare)"),
            _ => format!("{m} is not loaded after the load command"),
        },
    }];
    let (gs, ws) = (
        l.and_then(|l| l.srcversion.clone()),
        w.and_then(|w| w.srcversion.clone()),
    );
    if let (Some(g), Some(w)) = (&gs, &ws) {
        checks.push(Check {
            name: "srcversion".into(),
            ok: g == w,
            detail: if g == w {
                format!("srcversion {g}")
            } else {
                format!("loaded srcversion {g}, the winning file has {w}")
            },
        });
    }
    checks
}

/// After every load: the interfaces that existed are back, and the kernel logged no error
/// about the modules. Returns why when a check (of these or before) failed.
fn check_after_load<K: KernelOps>(
    ex: &mut Exec<'_, K>,
    pre: &Preflight,
    checks: &mut Vec<Check>,
) -> Option<String> {
    checks.extend(interfaces_check(ex, pre));
    checks.push(kernel_log_check(ex, pre));
    checks
        .iter()
        .any(|c| !c.ok)
        .then(|| "a check failed after the load".into())
}

/// Wait for the interfaces that existed before to be back (devices may appear a moment
/// after the load). None when there were none.
fn interfaces_check<K: KernelOps>(ex: &mut Exec<'_, K>, pre: &Preflight) -> Option<Check> {
    let before: Vec<String> = pre.interfaces.iter().map(|i| i.name.clone()).collect();
    let mut missing: Vec<String> = Vec::new();
    for _ in 0..50 {
        let now = ex.ops.interfaces();
        missing = before
            .iter()
            .filter(|i| !now.contains(i))
            .cloned()
            .collect();
        if missing.is_empty() {
            break;
        }
        ex.ops.settle();
    }
    if before.is_empty() {
        return None;
    }
    Some(Check {
        name: "interfaces".into(),
        ok: missing.is_empty(),
        detail: if missing.is_empty() {
            format!("back: {}", before.join(", "))
        } else {
            format!("missing after the reload: {}", missing.join(", "))
        },
    })
}

/// The kernel's error lines since the mark that name the module or a module of the plan.
fn kernel_log_check<K: KernelOps>(ex: &mut Exec<'_, K>, pre: &Preflight) -> Check {
    let set = pre.set();
    let errors: Vec<String> = ex
        .ops
        .log_errors()
        .into_iter()
        .filter(|l| mentions(l, &set) || mentions(l, std::slice::from_ref(&pre.module)))
        .collect();
    Check {
        name: "kernel log".into(),
        ok: errors.is_empty(),
        detail: if errors.is_empty() {
            "no errors since the load".into()
        } else {
            errors.join(" | ")
        },
    }
}

/// Every load and check passed: the winning copy is loaded.
fn reloaded<K: KernelOps>(pre: &Preflight, ex: Exec<'_, K>, checks: Vec<Check>) -> ReloadReport {
    let m = &pre.module;
    let id = ex.ops.loaded().get(m).and_then(|l| l.build_id.clone());
    let from = pre.winner.as_ref().map(|w| w.path.as_str()).unwrap_or("?");
    finish(
        pre,
        ex,
        checks,
        ReloadOutcome::Reloaded,
        format!("{m} reloaded from {from}"),
    )
    .with_loaded(id)
}

/// Fallback, only on what this run changed: unload what it loaded (users first), load back
/// by path what it unloaded, and report whether the previous copy is loaded again.
fn fall_back<K: KernelOps>(
    pre: &Preflight,
    mut ex: Exec<'_, K>,
    mut checks: Vec<Check>,
    unloaded: &[String],
    loaded_by_us: &[String],
    why: String,
) -> ReloadReport {
    let now = ex.ops.loaded();
    for u in loaded_by_us.iter().rev() {
        if now.contains_key(u) {
            ex.run(vec!["rmmod".into(), u.clone()], true);
        }
    }
    restore(&mut ex, pre, unloaded);
    let after = ex.ops.loaded();
    let id = after.get(&pre.module).and_then(|l| l.build_id.clone());
    let (outcome, summary) = fallen_back(pre, &after, id.as_ref(), &mut checks, &why);
    finish(pre, ex, checks, outcome, summary).with_loaded(id)
}

/// After the fallback: is the previous copy (build-id `id` now) loaded again, with its
/// holders? Adds the `previous copy` check, and says what happened.
fn fallen_back(
    pre: &Preflight,
    after: &BTreeMap<String, Loaded>,
    id: Option<&String>,
    checks: &mut Vec<Check>,
    why: &str,
) -> (ReloadOutcome, String) {
    let m = &pre.module;
    let Some(p) = pre.loaded.as_ref() else {
        return (
            ReloadOutcome::Failed,
            format!("{why}; {m} was not loaded before, and is not loaded now"),
        );
    };
    let back = match (id, &p.build_id) {
        (Some(a), Some(b)) => a == b,
        _ => after.contains_key(m),
    };
    let holders_back = pre.set().iter().all(|s| after.contains_key(s));
    checks.push(Check {
        name: "previous copy".into(),
        ok: back,
        detail: if back {
            format!(
                "{m} is loaded again from {}",
                p.path.as_deref().unwrap_or("the previous file")
            )
        } else {
            format!("{m} could not be put back")
        },
    });
    if back && holders_back {
        (
            ReloadOutcome::FellBack,
            format!(
                "{why}; the previous {m} ({}) is loaded again",
                p.path.as_deref().unwrap_or("?")
            ),
        )
    } else {
        (
            ReloadOutcome::Failed,
            format!(
                "{why}; putting the previous copy back also failed: reboot to get a working driver"
            ),
        )
    }
}

/// Load back, after an unload: the previous copy of the module by path (with its options),
/// then the holders by name, in reverse unload order.
pub(super) fn restore<K: KernelOps>(ex: &mut Exec<'_, K>, pre: &Preflight, unloaded: &[String]) {
    let m = &pre.module;
    for u in unloaded.iter().rev() {
        if ex.ops.loaded().contains_key(u) {
            continue;
        }
        if u == m {
            match pre.loaded.as_ref().and_then(|l| l.path.clone()) {
                Some(p) => {
                    let mut cmd = vec!["insmod".to_string(), p];
                    cmd.extend(
                        pre.plan
                            .options
                            .iter()
                            .filter(|o| &o.module == m)
                            .flat_map(|o| o.options.clone()),
                    );
                    ex.run(cmd, true);
                }
                None => {
                    ex.run(vec!["modprobe".into(), u.clone()], true);
                }
            }
        } else {
            ex.run(vec!["modprobe".into(), u.clone()], true);
        }
    }
}

pub(super) fn finish<K: KernelOps>(
    pre: &Preflight,
    ex: Exec<'_, K>,
    checks: Vec<Check>,
    result: ReloadOutcome,
    summary: String,
) -> ReloadReport {
    ReloadReport {
        preflight: pre.clone(),
        result,
        steps: ex.steps,
        checks,
        loaded_after: None,
        summary,
    }
}

impl ReloadReport {
    fn with_loaded(mut self, id: Option<String>) -> ReloadReport {
        self.loaded_after = id;
        self
    }

    /// A report for a plan that was not carried out.
    pub fn not_run(pre: Preflight, result: ReloadOutcome) -> ReloadReport {
        let summary = match result {
            ReloadOutcome::Refused => match pre.verdict {
                Verdict::Impossible => {
                    format!("{} cannot be reloaded on the running kernel", pre.module)
                }
                _ => format!("reload of {} refused without --force", pre.module),
            },
            _ => match pre.verdict {
                Verdict::Safe => "nothing was changed; the reload would go ahead".to_string(),
                Verdict::NeedsForce => "nothing was changed; the reload needs --force".to_string(),
                Verdict::Impossible => "nothing was changed; the reload is impossible".to_string(),
            },
        };
        ReloadReport {
            preflight: pre,
            result,
            steps: Vec::new(),
            checks: Vec::new(),
            loaded_after: None,
            summary,
        }
    }
}
