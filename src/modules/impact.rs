//! Module impact, before a change: for each module whose set of copies a change alters, for
//! each kernel on disk, the copy that wins now and the copy that will win after — kmod's
//! precedence (the same [`DepmodConfig::existing_wins`] that `modules` and `depmod` use)
//! applied to the files after the change — whether it is loaded, and what it will take to use
//! the new copy: nothing, a reload (the reload preflight says safe) or a reboot (and why).
//!
//! Owns: the prediction. Must not: change the host (it reads the module tree, the loaded
//! modules and runs the reload preflight, which only reads).

use super::depmod::{self, parse_module_path, DepmodConfig, ModuleCopy};
use super::inventory::{module_owners, CopyClass, Ownership};
use super::reload::{self, Verdict};
use crate::sysroot::Sysroot;
use std::collections::{BTreeMap, BTreeSet};

/// A module file a change adds (or replaces): its host path, its package and the package's
/// version (the module's own version is in the file, not known before the download).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub path: String,
    pub package: String,
    pub version: String,
}

/// A copy of a module, before or after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyRef {
    pub path: String,
    /// The module's version (modinfo), else its package's.
    pub version: Option<String>,
    pub package: Option<String>,
    pub class: CopyClass,
}

/// What the kernel needs to use the copy that wins after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Not loaded, not the running kernel, or the loaded copy stays the winner.
    None,
    /// `xcpng-mod reload MODULE`: its preflight says safe.
    Reload,
    /// Only a reboot (the preflight does not say safe, the module is in the initrd, or it
    /// would be left with no copy on disk).
    Reboot,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::Reload => "reload",
            Action::Reboot => "reboot",
        }
    }
}

/// One module's impact.
#[derive(Debug, Clone)]
pub struct ModuleImpact {
    pub module: String,
    pub kernel: String,
    pub before: Option<CopyRef>,
    pub after: Option<CopyRef>,
    pub loaded: bool,
    pub action: Action,
    /// The reload preflight's verdict now (only for a loaded module whose copy changes).
    pub verdict: Option<Verdict>,
    pub reason: String,
}

/// The impact of removing the module files `removed` (host paths) and adding `added`, on
/// every kernel that has a module tree under `root`. The running kernel is the one whose
/// loaded modules count.
pub fn predict(root: &Sysroot, removed: &BTreeSet<String>, added: &[NewFile]) -> Vec<ModuleImpact> {
    // kernel → module names touched.
    let mut touched: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in removed.iter().chain(added.iter().map(|f| &f.path)) {
        if let Some((kver, module, _)) = parse_module_path(p) {
            touched.entry(kver).or_default().insert(module);
        }
    }
    if touched.is_empty() {
        return Vec::new();
    }
    let owners = module_owners(root).unwrap_or_default();
    let running = super::loaded::running_kernel(root);
    let loaded = super::loaded::read_loaded(root);
    let mut out = Vec::new();
    for (kver, modules) in touched {
        // A kernel not on disk yet (a kernel package being installed): its modules are all
        // new and used when it boots; the kernel's own guidance says so.
        let Ok(cfg) = DepmodConfig::load(root, &kver) else {
            continue;
        };
        let Ok(scanned) = depmod::scan(root, &cfg) else {
            continue;
        };
        let is_running = running.as_deref() == Some(kver.as_str());
        let no_kernel = running.is_none();
        for m in modules {
            let now: Vec<ModuleCopy> = scanned
                .get(&m)
                .map(|c| c.copies.clone())
                .unwrap_or_default();
            let before = winner(&cfg, now.iter());
            let replaced = |c: &&ModuleCopy| {
                let p = host_path(&kver, c);
                removed.contains(&p) || added.iter().any(|f| f.path == p)
            };
            let kept: Vec<&ModuleCopy> = now.iter().filter(|c| !replaced(c)).collect();
            let new: Vec<ModuleCopy> = added.iter().filter_map(|f| copy_of(f, &kver, &m)).collect();
            let after = winner(&cfg, kept.into_iter().chain(new.iter()));
            let before_ref = before.map(|c| on_disk(root, &owners, &kver, c));
            let after_ref = after.map(|c| {
                let p = host_path(&kver, c);
                match added.iter().find(|f| f.path == p) {
                    Some(f) => CopyRef {
                        path: p,
                        version: Some(f.version.clone()),
                        package: Some(f.package.clone()),
                        class: owners.class_of(Some(&f.package), &c.dir),
                    },
                    None => on_disk(root, &owners, &kver, c),
                }
            });
            let is_loaded = is_running && loaded.contains_key(&m);
            let mut imp = ModuleImpact {
                module: m.clone(),
                kernel: kver.clone(),
                before: before_ref,
                after: after_ref,
                loaded: is_loaded,
                action: Action::None,
                verdict: None,
                reason: String::new(),
            };
            let same_winner = imp.after.as_ref().is_some_and(|a| {
                imp.before.as_ref().map(|b| &b.path) == Some(&a.path)
                    && !added.iter().any(|f| f.path == a.path)
            });
            if same_winner {
                imp.reason = "the copy that wins stays the same file: nothing to do".into();
            } else {
                judge(root, &mut imp, is_running, no_kernel);
            }
            if let Some(note) = older_alternate(root, &owners, &kver, &imp, &now) {
                imp.reason.push_str("; ");
                imp.reason.push_str(&note);
            }
            out.push(imp);
        }
    }
    out
}

/// The action and its reason.
fn judge(root: &Sysroot, imp: &mut ModuleImpact, is_running: bool, no_kernel: bool) {
    if no_kernel {
        imp.reason = "no kernel runs this root (no /proc): the new copy is used when the \
                      module is next loaded"
            .into();
        return;
    }
    if !is_running {
        imp.reason = format!("kernel {} is not running: used when it boots", imp.kernel);
        return;
    }
    if !imp.loaded {
        imp.reason = "not loaded: the new copy is used when it is next loaded".into();
        return;
    }
    if imp.after.is_none() {
        imp.action = Action::Reboot;
        imp.reason = "loaded, and left with no copy on disk: it keeps running until the host \
                      reboots, and is not loaded after"
            .into();
        return;
    }
    match reload::preflight(root, Some(&imp.kernel), &imp.module) {
        Err(e) => {
            imp.action = Action::Reboot;
            imp.reason = format!("loaded; its reload preflight failed: {e}");
        }
        Ok(p) => {
            imp.verdict = Some(p.verdict);
            if p.in_initrd == Some(true) {
                imp.action = Action::Reboot;
                imp.reason = "loaded, and in the initrd: the boot loads the initrd's copy \
                              (rebuild the initrd, then reboot)"
                    .into();
            } else if p.verdict == Verdict::Safe {
                imp.action = Action::Reload;
                imp.reason = "loaded; its reload preflight says safe".into();
            } else {
                imp.action = Action::Reboot;
                imp.reason = format!(
                    "loaded; a reload {}: {}",
                    p.verdict.as_str(),
                    p.reasons.join("; ")
                );
            }
        }
    }
}

/// "the alternate X that will win is older than the supported driver Y", when so.
fn older_alternate(
    root: &Sysroot,
    owners: &Ownership,
    kver: &str,
    imp: &ModuleImpact,
    now: &[ModuleCopy],
) -> Option<String> {
    let after = imp.after.as_ref()?;
    if after.class != CopyClass::Alternate {
        return None;
    }
    let supported = now
        .iter()
        .map(|c| on_disk(root, owners, kver, c))
        .find(|c| c.class == CopyClass::Supported)?;
    let (a, s) = (after.version.as_deref()?, supported.version.as_deref()?);
    (crate::rpm::vercmp(a, s) == std::cmp::Ordering::Less)
        .then(|| format!("the alternate {a} that will win is OLDER than the supported driver {s}"))
}

/// kmod's pick among `copies`, in the order depmod meets them.
fn winner<'a>(
    cfg: &DepmodConfig,
    copies: impl Iterator<Item = &'a ModuleCopy>,
) -> Option<&'a ModuleCopy> {
    let mut best: Option<&ModuleCopy> = None;
    for c in copies {
        best = match best {
            Some(b) if cfg.existing_wins(b, c) => Some(b),
            _ => Some(c),
        };
    }
    best
}

fn host_path(kver: &str, c: &ModuleCopy) -> String {
    if c.in_tree {
        format!("/lib/modules/{kver}/{}", c.rel)
    } else {
        c.rel.clone()
    }
}

/// The copy of module `m` that `f` adds for kernel `kver` (None: another module or kernel).
fn copy_of(f: &NewFile, kver: &str, m: &str) -> Option<ModuleCopy> {
    let (k, module, top) = parse_module_path(&f.path)?;
    if k != kver || module != m {
        return None;
    }
    let rel = f
        .path
        .trim_start_matches("/usr")
        .strip_prefix(&format!("/lib/modules/{kver}/"))?;
    Some(ModuleCopy {
        name: module,
        rel: rel.to_string(),
        in_tree: true,
        dir: top,
    })
}

/// A copy on disk now: its version from modinfo (else its package's), its owner and class.
fn on_disk(root: &Sysroot, owners: &Ownership, kver: &str, c: &ModuleCopy) -> CopyRef {
    let path = host_path(kver, c);
    let package = owners.owners.get(&path).cloned();
    let version = super::modinfo::read_path(&root.join(&path))
        .ok()
        .and_then(|i| i.version);
    CopyRef {
        class: owners.class_of(package.as_deref(), &c.dir),
        path,
        version,
        package,
    }
}
