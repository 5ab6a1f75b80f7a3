//! The reload report (`reload --json`, and inside a transaction's module checks and a
//! rollback's reloads): `{"preflight": {…, "verdict"}, "result", "steps", "checks",
//! "loaded_after", "summary"}`.

use super::modules::{Copy, Loaded};
use crate::modules::reload::{
    BlockDev, Check as InnerCheck, CommandRun as InnerStep, Holder, NetIf,
    Preflight as InnerPreflight, ReloadOutcome, ReloadPlan, ReloadReport, Verdict, VermagicCheck,
};
use serde::{Serialize, Serializer};

/// `safe`, `needs-force`, `impossible`.
pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Safe => "safe",
        Verdict::NeedsForce => "needs-force",
        Verdict::Impossible => "impossible",
    }
}

/// `dry-run`, `refused`, `reloaded`, `rolled-back`, `failed`.
pub fn outcome(o: ReloadOutcome) -> &'static str {
    match o {
        ReloadOutcome::DryRun => "dry-run",
        ReloadOutcome::Refused => "refused",
        ReloadOutcome::Reloaded => "reloaded",
        ReloadOutcome::FellBack => "rolled-back",
        ReloadOutcome::Failed => "failed",
    }
}

/// The preflight's answer: what would load, what is at risk, the verdict and the plan.
#[derive(Serialize)]
pub struct Preflight<'a> {
    pub kernel: &'a str,
    pub module: &'a str,
    pub builtin: bool,
    pub winner: Option<Copy<'a>>,
    pub loaded: Option<Loaded<'a>>,
    pub holders: &'a [Holder],
    pub interfaces: &'a [NetIf],
    pub block_devices: &'a [BlockDev],
    pub management_interface: Option<&'a str>,
    pub vermagic: &'a VermagicCheck,
    pub in_initrd: Option<bool>,
    pub verdict: &'static str,
    pub reasons: &'a [String],
    pub notes: &'a [String],
    pub ways_forward: &'a [String],
    pub plan: &'a ReloadPlan,
}

impl<'a> From<&'a InnerPreflight> for Preflight<'a> {
    fn from(p: &'a InnerPreflight) -> Preflight<'a> {
        Preflight {
            kernel: &p.kernel,
            module: &p.module,
            builtin: p.builtin,
            winner: p.winner.as_ref().map(Copy::from),
            loaded: p.loaded.as_ref().map(Loaded::from),
            holders: &p.holders,
            interfaces: &p.interfaces,
            block_devices: &p.block_devices,
            management_interface: p.management_interface.as_deref(),
            vermagic: &p.vermagic,
            in_initrd: p.in_initrd,
            verdict: verdict(p.verdict),
            reasons: &p.reasons,
            notes: &p.notes,
            ways_forward: &p.ways_forward,
            plan: &p.plan,
        }
    }
}

/// One command the reload ran.
#[derive(Serialize)]
pub struct Step<'a> {
    pub command: &'a [String],
    pub ok: bool,
    pub message: Option<&'a str>,
    /// Part of putting the previous copy back.
    pub fallback: bool,
}

/// A check after the load.
#[derive(Serialize)]
pub struct Check<'a> {
    pub name: &'a str,
    pub ok: bool,
    pub detail: &'a str,
}

#[derive(Serialize)]
pub struct Report<'a> {
    pub preflight: Preflight<'a>,
    pub result: &'static str,
    pub steps: Vec<Step<'a>>,
    pub checks: Vec<Check<'a>>,
    pub loaded_after: Option<&'a str>,
    pub summary: &'a str,
}

fn step(s: &InnerStep) -> Step<'_> {
    Step {
        command: &s.command,
        ok: s.ok,
        message: s.message.as_deref(),
        fallback: s.fallback,
    }
}

fn check(c: &InnerCheck) -> Check<'_> {
    Check {
        name: &c.name,
        ok: c.ok,
        detail: &c.detail,
    }
}

impl<'a> From<&'a ReloadReport> for Report<'a> {
    fn from(r: &'a ReloadReport) -> Report<'a> {
        Report {
            preflight: (&r.preflight).into(),
            result: outcome(r.result),
            steps: r.steps.iter().map(step).collect(),
            checks: r.checks.iter().map(check).collect(),
            loaded_after: r.loaded_after.as_deref(),
            summary: &r.summary,
        }
    }
}

/// For `#[serde(serialize_with)]` on a field holding an optional report.
pub fn serialize_report<S: Serializer>(r: &Option<ReloadReport>, s: S) -> Result<S::Ok, S::Error> {
    r.as_ref().map(Report::from).serialize(s)
}
