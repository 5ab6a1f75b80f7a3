//! Rendering of the module commands (`modules`, `module show`, `depmod`): tables and the
//! versioned JSON documents of CLI.md. It only formats values that `modules::inventory`
//! returns; it decides nothing about precedence or state.

use super::render::{finish, json_doc, table};
use crate::modules::inventory::{Copy, DepmodRun, Inventory, ModuleEntry};
use serde::Serialize;

/// `override/bnxt_en.ko (1.10.3)`: the path under the kernel dir and the version.
fn short(inv: &Inventory, c: &Copy) -> String {
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
    n.join("; ")
}

pub fn modules(inv: &Inventory) -> String {
    if inv.modules.is_empty() {
        return format!("no modules for kernel {}\n", inv.kernel);
    }
    let mut t = table(&[
        "module",
        "loaded",
        "depmod picks",
        "other copies",
        "class",
        "package",
        "note",
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
    let mut s = finish(t);
    if inv.modules_dep_stale {
        s.push_str(&format!(
            "\nmodules.dep of {} is missing or stale: run `xcpng-mod depmod`\n",
            inv.kernel
        ));
    }
    s
}

pub fn show(inv: &Inventory) -> String {
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
        let mut t = table(&["", "path", "version", "srcversion", "class", "package"]);
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
        for l in finish(t).lines() {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s
}

#[derive(Serialize)]
struct Winner<'a> {
    path: &'a str,
    dir: &'a str,
    version: Option<&'a str>,
    package: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonModule<'a> {
    name: &'a str,
    winner: Winner<'a>,
    copies: &'a [Copy],
    loaded: Option<&'a crate::modules::inventory::LoadedState>,
    change_pending: bool,
    modules_dep: Option<&'a str>,
}

pub fn modules_json(inv: &Inventory) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        kernel: &'a str,
        modules: Vec<JsonModule<'a>>,
        modules_dep_stale: bool,
    }
    let modules = inv
        .modules
        .iter()
        .map(|m| {
            let w = m.winner();
            JsonModule {
                name: &m.name,
                winner: Winner {
                    path: &w.path,
                    dir: &w.dir,
                    version: w.version.as_deref(),
                    package: w.package.as_deref(),
                },
                copies: &m.copies,
                loaded: m.loaded.as_ref(),
                change_pending: m.change_pending(),
                modules_dep: m.modules_dep.as_deref(),
            }
        })
        .collect();
    json_doc(B {
        kernel: &inv.kernel,
        modules,
        modules_dep_stale: inv.modules_dep_stale,
    })
}

pub fn depmod(run: &DepmodRun) -> String {
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

pub fn depmod_json(run: &DepmodRun) -> String {
    json_doc(run)
}

/// `doctor`: one block per finding (what, why, fix), what `--fix` did, and the verdict.
pub fn doctor(r: &crate::modules::doctor::Report) -> String {
    use crate::modules::doctor::Severity;
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

pub fn doctor_json(r: &crate::modules::doctor::Report) -> String {
    json_doc(r)
}

/// `list --alternate|--additional|--supported`: the packages with their modules, installed
/// and available versions, and for alternates the driver they override.
pub fn driver_list(r: &crate::ops::query::ListResult, alternates: bool) -> String {
    use crate::ops::query::Listed;
    let mut out = String::new();
    let sections: [(&str, &Vec<Listed>, &str); 3] = [
        ("Installed Packages", &r.installed, "available"),
        ("Available Packages", &r.available, "installed"),
        ("Available Upgrades", &r.updates, "installed"),
    ];
    for (title, items, other) in sections {
        if items.is_empty() {
            continue;
        }
        let mut header = vec!["package", "version", "repo", "class", other, "modules"];
        if alternates {
            header.extend(["overrides", "note"]);
        }
        let mut t = table(&header);
        for l in items.iter() {
            let d = l.driver.clone().unwrap_or_default();
            let evr = if l.pkg.epoch != 0 {
                format!("{}:{}-{}", l.pkg.epoch, l.pkg.version, l.pkg.release)
            } else {
                format!("{}-{}", l.pkg.version, l.pkg.release)
            };
            let other_v = if other == "available" {
                d.available_version.clone().filter(|v| *v != evr)
            } else {
                l.installed_version.clone()
            };
            let mut mods = d.modules.join(",");
            if d.modules_from == "name" && !mods.is_empty() {
                mods.push_str(" (by name)");
            }
            let mut row = vec![
                format!("{}.{}", l.pkg.name, l.pkg.arch),
                evr,
                l.pkg.repo.clone(),
                l.class.map(|c| c.as_str()).unwrap_or("-").to_string(),
                other_v.unwrap_or_else(|| "-".into()),
                if mods.is_empty() { "-".into() } else { mods },
            ];
            if alternates {
                row.push(
                    d.overrides
                        .as_ref()
                        .map(|o| {
                            format!(
                                "{} {}{}",
                                o.name,
                                o.version,
                                if o.installed { " (installed)" } else { "" }
                            )
                        })
                        .unwrap_or_else(|| "-".into()),
                );
                row.push(if d.older_than_supported == Some(true) {
                    "OLDER than the driver it overrides".into()
                } else {
                    String::new()
                });
            }
            t.add_row(row);
        }
        out.push_str(title);
        out.push('\n');
        out.push_str(&finish(t));
    }
    if out.is_empty() {
        out.push_str("no packages\n");
    }
    out
}
