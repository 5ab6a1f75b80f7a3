//! Rendering of `rollback`: what was found, the change, the copy expected to win, the
//! transaction's end (or the plan, with --dry-run) and the reload-or-reboot outcome per
//! module, as text and as the versioned JSON document. It decides nothing.

use super::render::json_doc;
use crate::ops::rollback::RollbackReport;
use crate::transaction::utc;

pub fn rollback(r: &RollbackReport) -> String {
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
    match &r.transaction {
        None => {
            s.push('\n');
            s.push_str(&super::render_plan::plan(&r.plan));
        }
        Some(o) => s.push_str(&super::render_tx::outcome(o)),
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
        s.push_str("\n--dry-run: nothing was changed.\n");
    }
    s
}

/// `{"version":1,"target",…,"plan":…,"transaction":…,"reloads":[…]}`
pub fn rollback_json(r: &RollbackReport) -> String {
    json_doc(r)
}
