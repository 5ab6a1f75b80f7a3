//! `modules`, `module show`, `depmod` and `doctor`: the module state of the target kernel
//! as tables and the versioned JSON documents of CLI.md. They only format what
//! `ops::host` returns; nothing here decides about precedence or state.

use super::exit::ExitStatus;
use super::render::{Col, Table, Width};
use super::{Env, View};
use crate::error::Result;
use crate::modules::doctor::{Report as DoctorReport, Severity};
use crate::modules::inventory::{CopyRecord, DepmodRun, Inventory, ModuleEntry};
use crate::ops::host;
use crate::wire;

/// `modules [MODULE…]`: one row per module.
pub(super) struct Modules(Inventory);

pub(super) fn modules(env: &Env<'_>, names: &[String]) -> Result<Modules> {
    Ok(Modules(host::modules(&env.root(), env.kernel(), names)?))
}

impl View for Modules {
    fn text(&self, width: Width) -> String {
        modules_table(&self.0, width)
    }
    fn json(&self) -> String {
        modules_json(&self.0)
    }
}

/// `module show MODULE`: the module in depth (the same JSON document as `modules`).
pub(super) struct Show(Inventory);

pub(super) fn show(env: &Env<'_>, module: &str) -> Result<Show> {
    let names = [module.to_string()];
    Ok(Show(host::modules(&env.root(), env.kernel(), &names)?))
}

impl View for Show {
    /// In full whatever the width: this is where the detail is.
    fn text(&self, _: Width) -> String {
        show_text(&self.0)
    }
    fn json(&self) -> String {
        modules_json(&self.0)
    }
}

/// `depmod`: exit 1 when depmod's picks differ from the prediction.
pub(super) struct Depmod(DepmodRun);

pub(super) fn depmod(env: &Env<'_>) -> Result<Depmod> {
    Ok(Depmod(host::depmod(&env.root(), env.kernel())?))
}

impl View for Depmod {
    fn text(&self, _: Width) -> String {
        depmod_text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(&self.0)
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.0.disagreements.is_empty())
    }
}

/// `doctor [--fix]`: exit 1 while problems remain.
pub(super) struct Doctor(DoctorReport);

pub(super) fn doctor(env: &Env<'_>, fix: bool) -> Result<Doctor> {
    Ok(Doctor(host::doctor(&env.root(), env.kernel(), fix)?))
}

impl View for Doctor {
    fn text(&self, _: Width) -> String {
        doctor_text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(&self.0)
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(self.0.problems_left != 0)
    }
}

/// `override/bnxt_en.ko (1.10.3)`: the path under the kernel dir and the version.
fn short(inv: &Inventory, c: &CopyRecord) -> String {
    let p = c
        .path
        .strip_prefix(&format!("/lib/modules/{}/", inv.kernel))
        .unwrap_or(&c.path);
    match &c.version {
        Some(v) => format!("{p} ({v})"),
        None => p.to_string(),
    }
}

fn note(inv: &Inventory, m: &ModuleEntry) -> String {
    let mut n = Vec::new();
    if m.change_pending() {
        n.push("reload or reboot needed".to_string());
    }
    if m.vermagic_ok(&inv.kernel) == Some(false) {
        n.push("vermagic mismatch".into());
    }
    if let Some(d) = &m.modules_dep {
        n.push(format!("modules.dep says {d}"));
    }
    if m.copies.iter().any(|c| c.error.is_some()) {
        n.push("unreadable copy".into());
    }
    if let Some(h) = hardware_words(m.hardware.as_deref()) {
        n.push(h);
    }
    n.join("; ")
}

/// "drives 03:00.0" / "no device here" (addresses as lspci shows them, the domain only when
/// not 0000); None when the root shows no PCI devices.
pub(super) fn hardware_words(h: Option<&[String]>) -> Option<String> {
    h.map(|h| {
        if h.is_empty() {
            "no device here".to_string()
        } else {
            let short: Vec<&str> = h
                .iter()
                .map(|a| a.strip_prefix("0000:").unwrap_or(a))
                .collect();
            format!("drives {}", short.join(", "))
        }
    })
}

/// `modules`: on a narrow terminal the other copies go first (`module show` has them), then
/// the package, the class; the note wraps.
fn modules_table(inv: &Inventory, width: Width) -> String {
    if inv.modules.is_empty() {
        return format!("no modules for kernel {}\n", inv.kernel);
    }
    let mut t = Table::new(vec![
        Col::new("module"),
        Col::new("loaded").drop(1),
        Col::new("depmod picks"),
        Col::new("other copies").drop(6),
        Col::new("class").drop(3),
        Col::new("package").drop(4),
        Col::new("note").drop(2).wrap(),
    ]);
    for m in &inv.modules {
        let w = m.winner();
        let loaded = match &m.loaded {
            None => "-".to_string(),
            Some(l) => match &l.path {
                Some(p) if p == &w.path => "=".into(),
                Some(p) => m
                    .copies
                    .iter()
                    .find(|c| &c.path == p)
                    .map(|c| short(inv, c))
                    .unwrap_or_default(),
                None => "yes (no file matches)".into(),
            },
        };
        let mut others: Vec<String> = m
            .copies
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != m.winner)
            .map(|(_, c)| short(inv, c))
            .collect();
        // depmod's walk order follows the file system's; show a stable one.
        others.sort();
        t.add_row(vec![
            m.name.clone(),
            loaded,
            short(inv, w),
            others.join("\n"),
            w.class.as_str().to_string(),
            w.package.clone().unwrap_or_else(|| "-".into()),
            note(inv, m),
        ]);
    }
    let mut s = t.render(width);
    if inv.modules_dep_stale {
        s.push_str(&format!(
            "\nmodules.dep of {} is missing or stale: run `xcpng-mod depmod`\n",
            inv.kernel
        ));
    }
    s
}

fn show_text(inv: &Inventory) -> String {
    let mut s = String::new();
    for m in &inv.modules {
        let w = m.winner();
        s.push_str(&format!(
            "module:        {}\nkernel:        {}\n",
            m.name, inv.kernel
        ));
        s.push_str(&format!("depmod picks:  {}\n", w.path));
        if let Some(info) = &w.modinfo {
            let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            s.push_str(&format!("version:       {}\n", f(&info.version)));
            s.push_str(&format!("srcversion:    {}\n", f(&info.srcversion)));
            let vm = f(&info.vermagic);
            let ok = match m.vermagic_ok(&inv.kernel) {
                Some(true) => "matches the kernel",
                Some(false) => "DOES NOT match the kernel",
                None => "unknown",
            };
            s.push_str(&format!("vermagic:      {} ({ok})\n", vm.trim_end()));
            s.push_str(&format!("license:       {}\n", f(&info.license)));
            s.push_str(&format!(
                "depends:       {}\n",
                if info.depends.is_empty() {
                    "-".to_string()
                } else {
                    info.depends.join(",")
                }
            ));
            s.push_str(&format!("build-id:      {}\n", f(&info.build_id)));
            match &info.signature {
                Some(sig) => s.push_str(&format!(
                    "signature:     {} by {} (key {}, {})\n",
                    sig.id_type,
                    sig.signer.as_deref().unwrap_or("?"),
                    sig.key_id.as_deref().unwrap_or("?"),
                    sig.hash_algo.as_deref().unwrap_or("?")
                )),
                None => s.push_str("signature:     none\n"),
            }
            if !info.alias.is_empty() {
                s.push_str(&format!(
                    "aliases:       {}\n",
                    info.alias.join("\n               ")
                ));
            }
        }
        if let Some(h) = hardware_words(m.hardware.as_deref()) {
            s.push_str(&format!("hardware:      {h}\n"));
        }
        match &m.loaded {
            None => s.push_str("loaded:        no\n"),
            Some(l) => {
                s.push_str(&format!(
                    "loaded:        {} (refcnt {}, version {})\n",
                    l.path
                        .as_deref()
                        .unwrap_or("yes, but no file on disk matches its build-id"),
                    l.refcnt
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "?".into()),
                    l.version.as_deref().unwrap_or("-")
                ));
                let mut h: Vec<String> = l.holders.clone();
                for u in &l.users {
                    if !h.contains(u) {
                        h.push(u.clone());
                    }
                }
                s.push_str(&format!(
                    "holders:       {}\n",
                    if h.is_empty() {
                        "none".into()
                    } else {
                        h.join(", ")
                    }
                ));
                let safe = if h.is_empty() && l.refcnt.unwrap_or(0) == 0 {
                    "no holders: an unload and load is possible"
                } else {
                    "in use: a reload would fail; reboot instead"
                };
                s.push_str(&format!("reload:        {safe}\n"));
            }
        }
        if m.change_pending() {
            s.push_str(
                "note:          the loaded copy is not depmod's pick: reload or reboot to switch\n",
            );
        }
        s.push_str("copies:\n");
        let mut t = Table::plain(&["", "path", "version", "srcversion", "class", "package"]);
        let mut order: Vec<usize> = (0..m.copies.len()).collect();
        order.sort_by(|a, b| m.copies[*a].path.cmp(&m.copies[*b].path));
        for i in order {
            let c = &m.copies[i];
            t.add_row(vec![
                if i == m.winner { "*" } else { "" }.to_string(),
                c.path.clone(),
                c.version
                    .clone()
                    .or_else(|| c.error.clone())
                    .unwrap_or_else(|| "-".into()),
                c.srcversion.clone().unwrap_or_else(|| "-".into()),
                c.class.as_str().to_string(),
                c.package.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        for l in t.render(Width(None)).lines() {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s
}

fn modules_json(inv: &Inventory) -> String {
    wire::document(wire::modules::Inventory::from(inv))
}

fn depmod_text(run: &DepmodRun) -> String {
    let mut s = format!("ran: {}\n", run.command.join(" "));
    if run.disagreements.is_empty() {
        s.push_str(&format!(
            "modules.dep of {} written; all {} module picks are as predicted\n",
            run.kernel, run.modules
        ));
    } else {
        s.push_str(&format!(
            "modules.dep of {} written, but {} of {} picks differ from the prediction:\n",
            run.kernel,
            run.disagreements.len(),
            run.modules
        ));
        for d in &run.disagreements {
            s.push_str(&format!("  {d}\n"));
        }
    }
    s
}

/// `doctor`: one block per finding (what, why, fix), what `--fix` did, and the verdict.
fn doctor_text(r: &DoctorReport) -> String {
    let mut s = format!("kernel {}: ", r.kernel);
    let n = r.findings.len();
    if n == 0 {
        s.push_str("no findings\n");
    } else {
        s.push_str(&format!("{n} finding(s)\n"));
    }
    for f in &r.findings {
        let state = if f.fixed {
            " — FIXED"
        } else if f.auto_fix {
            " — doctor --fix can fix this"
        } else {
            ""
        };
        s.push_str(&format!(
            "\n{} [{}] {}{state}\n",
            f.severity.as_str(),
            f.id,
            f.subject
        ));
        for (label, text) in [("what", &f.what), ("why", &f.why), ("fix", &f.fix)] {
            s.push_str(&format!("  {label:<5} {text}\n"));
        }
    }
    if !r.actions.is_empty() {
        s.push_str("\n--fix did:\n");
        for a in &r.actions {
            s.push_str(&format!("  {a}\n"));
        }
    }
    s.push('\n');
    if r.problems_left == 0 {
        s.push_str("no problems left\n");
    } else {
        let auto = r
            .findings
            .iter()
            .any(|f| f.auto_fix && !f.fixed && f.severity != Severity::Info);
        s.push_str(&format!(
            "{} problem(s) left{}\n",
            r.problems_left,
            if auto && r.actions.is_empty() {
                "; `xcpng-mod doctor --fix` fixes the ones marked so"
            } else {
                ""
            }
        ));
    }
    s
}
