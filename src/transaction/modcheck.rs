//! After a transaction that touched kernel-module packages: the module files
//! those packages ship (before and after the run, from the rpmdb), `depmod` for each kernel
//! whose `modules.dep` is now stale (the packages' scriptlets may not have run it), a check
//! that the expected copy wins for every one of those modules, and per module the advice:
//! nothing to do, `reload` (its preflight says safe), or reboot (and why).

use crate::modules::depmod;
use crate::modules::inventory::{self, Inventory, ModuleEntry};
use crate::modules::reload::{self, Verdict};
use crate::sysroot::Sysroot;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One module file of a package, from the rpmdb.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleFile {
    pub package: String,
    /// Host path (`/lib/modules/<kver>/override/bnxt_en.ko`).
    pub path: String,
    pub kernel: String,
    pub module: String,
}

use crate::modules::depmod::parse_module_path;

/// The module files the installed packages `names` own, outside the kernel's own `kernel/`
/// tree (one `rpm -q` for all of them; names not installed are skipped).
pub fn module_files(root: &Sysroot, names: &[String]) -> Vec<ModuleFile> {
    if names.is_empty() {
        return Vec::new();
    }
    let out = super::run::rpm(root)
        .args(["-q", "--qf", "[%{=NAME}\t%{FILENAMES}\n]"])
        .args(names)
        .output();
    let Ok(out) = out else {
        return Vec::new();
    };
    let mut v: Vec<ModuleFile> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (pkg, path) = l.split_once('\t')?;
            let (kernel, module, top) = parse_module_path(path)?;
            (top != "kernel").then(|| ModuleFile {
                package: pkg.to_string(),
                path: path.trim_start_matches("/usr").to_string(),
                kernel,
                module,
            })
        })
        .collect();
    v.sort_by(|a, b| (&a.kernel, &a.module, &a.path).cmp(&(&b.kernel, &b.module, &b.path)));
    v.dedup();
    v
}

/// Before the rpm run: save a copy of every module file in `before` that is the loaded copy
/// on the running kernel (same build-id), under `reload::fallback_dir`, so that a reload after
/// the transaction can put it back if the new copy fails. Older saved copies of those modules
/// are removed. Returns the host paths saved.
pub fn save_loaded(root: &Sysroot, before: &[ModuleFile]) -> Vec<String> {
    let Some(running) = crate::modules::loaded::running_kernel(root) else {
        return Vec::new();
    };
    let loaded = crate::modules::loaded::read_loaded(root);
    let mut saved = Vec::new();
    for f in before.iter().filter(|f| f.kernel == running) {
        let Some(id) = loaded.get(&f.module).and_then(|l| l.build_id.clone()) else {
            continue;
        };
        let src = root.join(&f.path);
        let same = crate::modules::modinfo::read_path(&src)
            .ok()
            .and_then(|i| i.build_id)
            .is_some_and(|b| b.eq_ignore_ascii_case(&id));
        if !same {
            continue;
        }
        let dir = reload::fallback_dir(&running);
        let ext = f.path.find(".ko").map_or(".ko", |i| &f.path[i..]);
        let dest = format!("{dir}/{}.{}{ext}", f.module, id.to_ascii_lowercase());
        let hd = root.join(&dir);
        if crate::hostfs::create_dir_all(&hd).is_err() {
            continue;
        }
        // Only the copy loaded now is worth keeping.
        for old in std::fs::read_dir(&hd).into_iter().flatten().flatten() {
            let n = old.file_name().to_string_lossy().into_owned();
            if n.starts_with(&format!("{}.", f.module)) && format!("{dir}/{n}") != dest {
                let _ = crate::hostfs::remove_file(&old.path());
            }
        }
        if crate::hostfs::copy(&src, &root.join(&dest)).is_ok() {
            saved.push(dest);
        }
    }
    saved
}

/// What `depmod` did for one kernel.
#[derive(Debug, Clone, Serialize)]
pub struct DepmodStep {
    pub kernel: String,
    /// True when `modules.dep` was stale (or missing) after the run and depmod was run.
    pub ran: bool,
    pub command: Vec<String>,
    /// Modules where depmod's pick differs from xcpng-mod's prediction (should be none).
    pub disagreements: Vec<String>,
    pub error: Option<String>,
}

/// The copy that wins now.
#[derive(Debug, Clone, Serialize)]
pub struct Winner {
    pub path: String,
    pub package: Option<String>,
    pub version: Option<String>,
    pub class: &'static str,
}

/// What to do so that the kernel uses the copy that wins now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Advice {
    /// Not loaded, already the winning copy, or for a kernel that is not running.
    None,
    /// `xcpng-mod reload MODULE`: its preflight says safe.
    Reload,
    /// Reboot (the preflight refuses, or nothing on disk to load).
    Reboot,
}

impl Advice {
    pub fn as_str(self) -> &'static str {
        match self {
            Advice::None => "none",
            Advice::Reload => "reload",
            Advice::Reboot => "reboot",
        }
    }
}

/// One module shipped by a package of the transaction, after the run.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleCheck {
    pub module: String,
    pub kernel: String,
    /// Packages of the transaction that ship it (still installed).
    pub installed_by: Vec<String>,
    /// Packages of the transaction that shipped it and are gone.
    pub removed_by: Vec<String>,
    /// The copy depmod picks now (None: no copy left for this kernel).
    pub winner: Option<Winner>,
    /// The expected copy wins, and `modules.dep` agrees.
    pub expected: bool,
    /// Why not, or what else is worth knowing.
    pub note: Option<String>,
    /// The copy loaded now (None: not loaded; "unknown" when no file matches it).
    pub loaded: Option<String>,
    pub advice: Advice,
    pub why: String,
    /// The reload preflight's verdict, when one was run.
    pub preflight: Option<&'static str>,
}

impl ModuleCheck {
    /// One line of advice for the transaction's record.
    pub fn advice_line(&self) -> String {
        match self.advice {
            Advice::Reload => format!(
                "{}: reload it to use the new copy (`xcpng-mod reload {}`): {}",
                self.module, self.module, self.why
            ),
            Advice::Reboot => format!("{}: reboot needed: {}", self.module, self.why),
            Advice::None => format!("{}: {}", self.module, self.why),
        }
    }
}

/// Everything the check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModulesAfter {
    pub depmod: Vec<DepmodStep>,
    pub modules: Vec<ModuleCheck>,
    /// Problems that kept a kernel from being checked.
    pub errors: Vec<String>,
}

impl ModulesAfter {
    /// Lines for the transaction's advice.
    pub fn advice(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in &self.depmod {
            if let Some(e) = &d.error {
                out.push(format!("depmod {} failed: {e}", d.kernel));
            } else if d.ran {
                out.push(format!(
                    "ran `{}` (modules.dep was stale)",
                    d.command.join(" ")
                ));
            }
            for x in &d.disagreements {
                out.push(format!("depmod disagrees with xcpng-mod's prediction: {x}"));
            }
        }
        for m in &self.modules {
            if !m.expected {
                out.push(format!(
                    "{}: the expected copy does not win: {}",
                    m.module,
                    m.note.as_deref().unwrap_or("?")
                ));
            }
            out.push(m.advice_line());
        }
        out.extend(self.errors.iter().cloned());
        out
    }

    pub fn all_expected(&self) -> bool {
        self.modules.iter().all(|m| m.expected) && self.errors.is_empty()
    }
}

fn winner_of(e: &ModuleEntry) -> Winner {
    let w = e.winner();
    Winner {
        path: w.path.clone(),
        package: w.package.clone(),
        version: w.version.clone(),
        class: w.class.as_str(),
    }
}

/// Is the loaded module the winning copy? None when nothing tells (no build-id, no srcversion).
pub fn loaded_is_winner(e: &ModuleEntry) -> Option<bool> {
    let l = e.loaded.as_ref()?;
    let w = e.winner();
    if let (Some(a), Some(b)) = (&l.build_id, &w.build_id) {
        return Some(a.eq_ignore_ascii_case(b));
    }
    if let (Some(a), Some(b)) = (&l.srcversion, &w.srcversion) {
        return Some(a == b);
    }
    l.path.as_ref().map(|p| *p == w.path)
}

/// Check every module that `before` (files owned before the run) and `after` (owned after)
/// name: run depmod where `modules.dep` is stale, then see which copy wins and what to do.
pub fn check(root: &Sysroot, before: &[ModuleFile], after: &[ModuleFile]) -> ModulesAfter {
    let mut out = ModulesAfter::default();
    // kernel → module → (installed_by, removed_by)
    type Who = (BTreeSet<String>, BTreeSet<String>);
    let mut by_kernel: BTreeMap<String, BTreeMap<String, Who>> = BTreeMap::new();
    let present: BTreeSet<&str> = after.iter().map(|f| f.package.as_str()).collect();
    for f in after {
        let e = by_kernel
            .entry(f.kernel.clone())
            .or_default()
            .entry(f.module.clone())
            .or_default();
        e.0.insert(f.package.clone());
    }
    for f in before
        .iter()
        .filter(|f| !present.contains(f.package.as_str()))
    {
        let e = by_kernel
            .entry(f.kernel.clone())
            .or_default()
            .entry(f.module.clone())
            .or_default();
        e.1.insert(f.package.clone());
    }
    let running = crate::modules::loaded::running_kernel(root);
    for (kver, modules) in by_kernel {
        if !depmod::kernel_dir(root, &kver).is_dir() {
            continue;
        }
        let inv = match inventory::inventory(root, Some(&kver), &[]) {
            Ok(i) => i,
            Err(e) => {
                out.errors
                    .push(format!("cannot check the modules of kernel {kver}: {e}"));
                continue;
            }
        };
        let inv = if inv.modules_dep_stale {
            match inventory::run_depmod(root, Some(&kver)) {
                Ok(run) => {
                    out.depmod.push(DepmodStep {
                        kernel: kver.clone(),
                        ran: true,
                        command: run.command,
                        disagreements: run.disagreements,
                        error: None,
                    });
                    inventory::inventory(root, Some(&kver), &[]).unwrap_or(inv)
                }
                Err(e) => {
                    out.depmod.push(DepmodStep {
                        kernel: kver.clone(),
                        ran: false,
                        command: Vec::new(),
                        disagreements: Vec::new(),
                        error: Some(e.to_string()),
                    });
                    inv
                }
            }
        } else {
            out.depmod.push(DepmodStep {
                kernel: kver.clone(),
                ran: false,
                command: Vec::new(),
                disagreements: Vec::new(),
                error: None,
            });
            inv
        };
        for (m, (installed_by, removed_by)) in modules {
            out.modules.push(check_one(
                root,
                &inv,
                running.as_deref(),
                &m,
                installed_by.into_iter().collect(),
                removed_by.into_iter().collect(),
            ));
        }
    }
    out
}

fn check_one(
    root: &Sysroot,
    inv: &Inventory,
    running: Option<&str>,
    m: &str,
    installed_by: Vec<String>,
    removed_by: Vec<String>,
) -> ModuleCheck {
    let kver = inv.kernel.clone();
    let entry = inv.modules.iter().find(|e| e.name == m);
    let mut c = ModuleCheck {
        module: m.to_string(),
        kernel: kver.clone(),
        installed_by,
        removed_by,
        winner: entry.map(winner_of),
        expected: true,
        note: None,
        loaded: None,
        advice: Advice::None,
        why: String::new(),
        preflight: None,
    };
    let loaded = crate::modules::loaded::read_loaded(root);
    let is_loaded = loaded.contains_key(m);
    let Some(e) = entry else {
        c.note = Some(format!("no copy of {m} is left for kernel {kver}"));
        if is_loaded && running == Some(kver.as_str()) {
            c.loaded = Some("unknown".into());
            c.advice = Advice::Reboot;
            c.why = format!(
                "no copy of {m} is left on disk; the loaded one stays until it is unloaded (`modprobe -r {m}`) or the host reboots"
            );
        } else {
            c.why = "not loaded; nothing to do".into();
        }
        return c;
    };
    let w = e.winner();
    if let Some(d) = &e.modules_dep {
        c.expected = false;
        c.note = Some(format!(
            "modules.dep gives {d}, but {} should win (run `xcpng-mod depmod`)",
            w.path
        ));
    } else if !c.installed_by.is_empty() {
        let ours = w
            .package
            .as_ref()
            .is_some_and(|p| c.installed_by.contains(p));
        if !ours {
            let alt = e.copies.iter().find(|x| {
                x.class == inventory::CopyClass::Alternate
                    && x.package
                        .as_ref()
                        .is_some_and(|p| c.installed_by.contains(p))
            });
            if let Some(a) = alt {
                c.expected = false;
                c.note = Some(format!(
                    "the alternate copy {} is ignored and {} wins: depmod's configuration has no `search override` (run `xcpng-mod doctor --fix`)",
                    a.path, w.path
                ));
            } else {
                c.note = Some(format!(
                    "{} ({}) takes precedence over the copy of {}",
                    w.path,
                    w.package.as_deref().unwrap_or("no package"),
                    c.installed_by.join(", ")
                ));
            }
        }
    } else if !c.removed_by.is_empty() {
        c.note = Some(format!(
            "{} wins now ({})",
            w.path,
            w.package.as_deref().unwrap_or("no package")
        ));
    }
    if running.is_some_and(|r| r != kver) {
        c.why = format!("kernel {kver} is not the running one: the copy is used when it boots");
        return c;
    }
    let Some(l) = &e.loaded else {
        c.why = "not loaded; the winning copy is used when it is next loaded".into();
        return c;
    };
    c.loaded = Some(l.path.clone().unwrap_or_else(|| "unknown".into()));
    if loaded_is_winner(e) == Some(true) {
        c.why = "the loaded copy is already the winning one; nothing to do".into();
        return c;
    }
    match reload::preflight(root, Some(&kver), m) {
        Ok(pre) => {
            c.preflight = Some(pre.verdict.as_str());
            match pre.verdict {
                Verdict::Safe => {
                    c.advice = Advice::Reload;
                    c.why = "its preflight says it is safe".into();
                }
                Verdict::NeedsForce => {
                    c.advice = Advice::Reboot;
                    c.why = format!("{} (a reload would need --force)", pre.reasons.join("; "));
                }
                Verdict::Impossible => {
                    c.advice = Advice::Reboot;
                    c.why = pre.reasons.join("; ");
                }
            }
        }
        Err(err) => {
            c.advice = Advice::Reboot;
            c.why = format!("no reload preflight ({err})");
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths() {
        assert_eq!(
            parse_module_path("/lib/modules/4.19.0+1/override/bnxt_en.ko"),
            Some(("4.19.0+1".into(), "bnxt_en".into(), "override".into()))
        );
        assert_eq!(
            parse_module_path("/usr/lib/modules/k/updates/drivers/net/r8125.ko.xz"),
            Some(("k".into(), "r8125".into(), "updates".into()))
        );
        assert_eq!(
            parse_module_path("/lib/modules/k/extra/foo-bar.ko.zst").map(|x| x.1),
            Some("foo_bar".into())
        );
        assert_eq!(parse_module_path("/lib/modules/k/modules.dep"), None);
        assert_eq!(parse_module_path("/etc/depmod.d/x.conf"), None);
    }
}
