//! `rollback MODULE|PACKAGE`: what was found, the change, the copy expected to win, the
//! transaction's end (or the plan, with --dry-run) and the reload-or-reboot outcome per
//! module, as text and as the versioned JSON document. It decides nothing.

use super::exit::ExitStatus;
use super::plan::{self, Preview};
use super::render::Width;
use super::{tx, Env, View};
use crate::error::Result;
use crate::ops::rollback::RollbackReport;
use crate::solve::Plan;
use crate::transaction::utc;
use crate::wire;

/// The rollback's report: exit 1 when the expected copy does not win or a reload failed (the
/// report is on stdout all the same).
pub(super) struct Rollback {
    r: RollbackReport,
    /// The flag that made it a dry run, as the user gave it.
    dry_flag: &'static str,
    /// The plan was shown before the question (so the report does not repeat it).
    asked: bool,
}

/// `rollback MODULE|PACKAGE [--dry-run]`.
pub(super) fn rollback(env: &Env<'_>, target: &str, dry_run: bool) -> Result<Rollback> {
    let ctx = env.context()?;
    // The question needs the plan before it, so asking shows it ahead of the report's
    // heading; with -y nothing is asked and the report shows it in its place, after what
    // is rolled back and why.
    let asked = std::cell::Cell::new(false);
    let confirm = |plan: &Plan, impact: &crate::ops::impact::Impact, download: u64| {
        if !ctx.settings.assumeyes {
            env.show_now(&Preview(plan, impact));
            asked.set(true);
        }
        tx::ask(&ctx, download)
    };
    let r = crate::ops::rollback::rollback(&ctx, target, dry_run, &env.command, &confirm)?;
    Ok(Rollback {
        r,
        dry_flag: if dry_run { "--dry-run" } else { "--assumeno" },
        asked: asked.get(),
    })
}

impl View for Rollback {
    fn text(&self, width: Width) -> String {
        text(self, width)
    }
    /// `{"version":1,"target",…,"plan":…,"transaction":…,"reloads":[…]}`
    fn json(&self) -> String {
        wire::document(&self.r)
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.r.success())
    }
    fn stderr(&self) -> String {
        if self.r.success() {
            return String::new();
        }
        format!(
            "error: the rollback of {} did not end as expected (see the report)\n",
            self.r.package
        )
    }
}

fn text(v: &Rollback, width: Width) -> String {
    let r = &v.r;
    let mut s = String::new();
    match &r.module {
        Some(m) => s.push_str(&format!(
            "Rollback of module {m}: its winning copy belongs to {}.{} (kernel {})\n",
            r.package, r.arch, r.kernel
        )),
        None => s.push_str(&format!(
            "Rollback of package {}.{} (kernel {})\n",
            r.package, r.arch, r.kernel
        )),
    }
    match r.basis.transaction {
        Some(id) => s.push_str(&format!(
            "Last change: transaction {id} ({}{}): {}\n",
            r.basis.command.as_deref().unwrap_or("?"),
            r.basis
                .time
                .map(|t| format!(", {}", utc(t)))
                .unwrap_or_default(),
            r.basis.change.as_deref().unwrap_or("?")
        )),
        None => {
            if let Some(n) = &r.basis.note {
                s.push_str(&format!("History: {n}; going by the rpmdb\n"));
            }
        }
    }
    s.push_str(&format!("Action: {}\n", r.action));
    if !r.expect.is_empty() {
        s.push_str("Expected to win afterwards:\n");
        for e in &r.expect {
            let mark = match e.ok {
                Some(true) => " [ok]".to_string(),
                Some(false) => format!(
                    " [NOT AS EXPECTED: {} wins]",
                    e.found.as_deref().unwrap_or("?")
                ),
                None => String::new(),
            };
            s.push_str(&format!(
                "  {} ({}): now {} → {}{mark}\n",
                e.module,
                e.kernel,
                e.now.as_deref().unwrap_or("no copy"),
                e.expected
            ));
        }
    }
    if r.transaction.is_none() || !v.asked {
        s.push('\n');
        s.push_str(&plan::with_impact(&r.plan, &r.impact, width));
    }
    if let Some(o) = &r.transaction {
        s.push_str(&tx::outcome(o));
    }
    if !r.reloads.is_empty() {
        s.push_str("\nRunning kernel:\n");
        for x in &r.reloads {
            if x.action == "none" {
                s.push_str(&format!("  {}: {}\n", x.module, x.why));
                continue;
            }
            let word = match x.action {
                "reloaded" => "reloaded",
                "reload-failed" => "RELOAD FAILED",
                "would-reload" => "would reload",
                "reboot" => "reboot needed",
                other => other,
            };
            s.push_str(&format!("  {}: {word}: {}\n", x.module, x.why));
        }
    }
    if r.dry_run {
        s.push_str(&format!("\n{}: nothing was changed.\n", v.dry_flag));
    }
    s
}
