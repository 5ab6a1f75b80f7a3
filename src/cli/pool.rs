//! `pool status`: the pool's hosts and their drivers as text, or the `--json` document.

use super::args::{PoolCommand, RolloutOperation, XapiArgs};
use super::exit::ExitStatus;
use super::render::Width;
use super::View;
use crate::error::Result;
use crate::pool::{self, Compliance, PoolStatus};
use crate::wire;

pub(super) struct Status(PoolStatus);

pub(super) fn status(c: &XapiArgs, baseline: Option<&std::path::Path>) -> Result<Status> {
    let baseline = baseline.map(pool::read_baseline).transpose()?;
    Ok(Status(with_xapi(c, |x| {
        pool::status(x, baseline.as_ref())
    })?))
}

impl View for Status {
    fn text(&self, _: Width) -> String {
        text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(&self.0)
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.0.ok())
    }
}

fn text(st: &PoolStatus) -> String {
    let mut s = format!("pool {}: {} host(s)\n", st.pool, st.hosts.len());
    for (i, h) in st.hosts.iter().enumerate() {
        s.push_str(&format!(
            "\n{}{}  XCP-ng {}  {}{}\n",
            h.name,
            if h.master { " (master)" } else { "" },
            h.version.as_deref().unwrap_or("?"),
            if h.enabled { "enabled" } else { "disabled" },
            match &h.unreachable {
                Some(why) => format!("  UNREACHABLE: {why}"),
                None => format!(
                    "  guidance pending: {}",
                    if h.guidance.is_empty() {
                        "none".to_string()
                    } else {
                        h.guidance.join(", ")
                    }
                ),
            }
        ));
        for d in &h.drivers {
            let hw: Vec<&str> = d
                .variants
                .iter()
                .filter(|v| v.hardware_present)
                .map(|v| v.name.as_str())
                .collect();
            s.push_str(&format!(
                "  {:<20} selected {:<12} loaded {:<12} hardware for: {}\n",
                d.name,
                d.selected.as_deref().unwrap_or("-"),
                d.active.as_deref().unwrap_or("-"),
                if hw.is_empty() {
                    "none".to_string()
                } else {
                    hw.join(", ")
                }
            ));
        }
        if !h.packages.is_empty() {
            let p: Vec<String> = h.packages.iter().map(|(n, v)| format!("{n} {v}")).collect();
            s.push_str(&format!("  packages: {}\n", p.join(", ")));
        }
        if let Some(c) = st.compliance.as_ref().and_then(|c| c.get(i)) {
            s.push_str(&match c {
                Compliance::Compliant => "  compliant\n".to_string(),
                Compliance::NonCompliant(w) => format!("  NON-COMPLIANT: {}\n", w.join("; ")),
                Compliance::Incompatible(w) => format!("  INCOMPATIBLE: {}\n", w.join("; ")),
                Compliance::Unknown(w) => format!("  UNKNOWN (unreachable): {w}\n"),
            });
        }
    }
    if st.compliance.is_none() {
        if st.differences.is_empty() {
            s.push_str("\nthe hosts read agree on every driver and driver package\n");
        } else {
            s.push_str("\ndifferences between hosts:\n");
            for d in &st.differences {
                let v: Vec<String> = d
                    .values
                    .iter()
                    .map(|(val, hosts)| format!("{val} on {}", hosts.join(", ")))
                    .collect();
                s.push_str(&format!("  {}: {}\n", d.what, v.join("; ")));
            }
        }
    }
    s
}

// ---------------------------------------------------------------- rollout, resume, abort

pub(super) struct Rollout(pool::rollout::Report);

fn connect(c: &XapiArgs) -> Result<crate::xapirpc::Xapi> {
    pool::connect(&pool::Connect {
        xapi: c.xapi.clone(),
        certificate: c.xapi_cert.clone(),
        fingerprint: c.xapi_fingerprint.clone(),
        credentials: c.credentials.clone(),
    })
}

/// Connect, run `f`, log out (also when `f` failed).
fn with_xapi<T>(c: &XapiArgs, f: impl FnOnce(&mut crate::xapirpc::Xapi) -> Result<T>) -> Result<T> {
    let mut x = connect(c)?;
    let out = f(&mut x);
    x.logout();
    out
}

fn operation(o: &RolloutOperation) -> pool::rollout::Operation {
    use pool::rollout::Operation;
    match o.clone() {
        RolloutOperation::Install { packages } => Operation::Install { packages },
        RolloutOperation::Update { packages } => Operation::Update { packages },
        RolloutOperation::Remove { packages } => Operation::Remove { packages },
        RolloutOperation::Select {
            driver,
            variant,
            force,
        } => Operation::Select {
            driver,
            variant,
            force,
        },
        RolloutOperation::Rollback { module } => Operation::Rollback { module },
    }
}

/// `pool rollout|resume|abort`.
pub(super) fn rollout(cmd: &PoolCommand, yes: bool, repos: &[String]) -> Result<Rollout> {
    use pool::rollout as r;
    let report = match cmd {
        PoolCommand::Rollout {
            operation: o,
            canary,
            host_timeout,
            parallel,
            connect,
        } => {
            let opts = pool::state::Options {
                canary: canary.clone(),
                host_timeout_s: *host_timeout,
                repos: repos.to_vec(),
                parallel: usize::from(*parallel),
            };
            with_xapi(connect, |x| r::rollout(x, operation(o), opts, yes))?
        }
        PoolCommand::Resume { connect } => with_xapi(connect, r::resume)?,
        PoolCommand::Abort { connect } => with_xapi(connect, r::abort)?,
        PoolCommand::Status { .. } => unreachable!("`pool status` has its own view"),
    };
    Ok(Rollout(report))
}

impl View for Rollout {
    fn text(&self, _: Width) -> String {
        rollout_text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(&self.0)
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.0.ok())
    }
}

fn rollout_text(r: &pool::rollout::Report) -> String {
    use pool::state::Outcome;
    let head = match r.result {
        "planned" => "planned (nothing changed; -y runs it)",
        "nothing-to-do" => "nothing to do on any host",
        "done" => "done",
        "aborted" => "aborted: the hosts done are taken back",
        _ => "FAILED",
    };
    let mut s = format!("pool rollout `{}`: {head}\n", r.operation);
    for (i, h) in r.hosts.iter().enumerate() {
        let role = match (i, h.master) {
            (0, true) => " (canary, master)",
            (0, false) => " (canary)",
            (_, true) => " (master)",
            _ => "",
        };
        let outcome = match h.outcome {
            Outcome::Pending if r.result == "planned" => "to do",
            Outcome::Pending => "not done",
            Outcome::Done => "done",
            Outcome::NothingToDo => "nothing to do",
            Outcome::Failed => "FAILED (nothing was changed on it)",
            Outcome::RolledBack => "FAILED, rolled back and verified",
            Outcome::RollbackFailed => "FAILED, and its rollback did not verify: LEFT DISABLED",
            Outcome::Undone => "taken back",
        };
        s.push_str(&format!("\n{}{role}: {outcome}\n", h.name));
        if r.result == "planned" {
            for c in &h.plan.changes {
                s.push_str(&format!("  {c}\n"));
            }
            for m in &h.plan.modules {
                s.push_str(&format!(
                    "  module {} ({}): {} -> {}, {}\n",
                    m.module,
                    m.kernel,
                    m.before.as_deref().unwrap_or("none"),
                    m.after.as_deref().unwrap_or("none"),
                    m.action
                ));
            }
            s.push_str(&format!(
                "  After this: {}\n",
                if h.plan.guidance.is_empty() {
                    "nothing to restart".to_string()
                } else {
                    h.plan.guidance.join(", ")
                }
            ));
            continue;
        }
        for l in &h.log {
            s.push_str(&format!("  {l}\n"));
        }
        if let Some(f) = &h.failure {
            s.push_str(&format!("  FAILURE: {f}\n"));
        }
        if let Some(n) = &h.next {
            s.push_str(&format!("  next: {n}\n"));
        }
    }
    for v in &r.vms_not_home {
        s.push_str(&format!("\n{v}"));
    }
    if !r.vms_not_home.is_empty() {
        s.push('\n');
    }
    match r.ha_restored {
        Some(true) => s.push_str("\nHA: put back as it was\n"),
        Some(false) => s.push_str(
            "\nHA: could NOT be put back: `xe pool-ha-enable` with the same heartbeat SRs\n",
        ),
        None => {}
    }
    s
}
