//! `doctor`: checks of a kernel's module state that admins otherwise find out the hard way —
//! an alternate driver that depmod silently ignores, a stale `modules.dep`, a winning copy
//! built for another kernel, an alternate older than the supported driver, module files no
//! package owns, 7.x per-module depmod.d files left behind, an initrd older than the modules
//! it carries. Each finding says what is wrong, why it matters and the fix. With `fix`, it
//! applies only the safe fixes (write XCP-ng's `00-xcpng-override.conf`, run depmod for the
//! target kernel, remove an orphaned 7.x per-module conf), then checks again. It never removes
//! a module file or a package, never rebuilds the initrd, never loads or unloads a module.

use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

use super::depmod::{self, kernel_matches, module_name_of, Search, MODULE_EXTS};
use super::inventory::{self, CopyClass, Inventory, ModulesError};
use crate::sysroot::Sysroot;

/// The file XCP-ng 8.3 ships (and this project ships in `depmod.d/`): override/ first.
pub const OVERRIDE_CONF: &str = "/etc/depmod.d/00-xcpng-override.conf";
/// Its content, as shipped.
pub const OVERRIDE_CONF_TEXT: &str = include_str!("../../depmod.d/00-xcpng-override.conf");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The kernel does not load (or will not load) the driver the admin expects.
    Error,
    /// A risk or a mess that should be cleaned up.
    Warning,
    /// For information; not a problem.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A fix `--fix` may apply on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    WriteOverrideConf,
    RunDepmod,
    /// Remove a depmod.d file (host path).
    RemoveConf(String),
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    /// What it is about: a module name, a host path, `depmod.d`, `modules.dep`.
    pub subject: String,
    pub what: String,
    pub why: String,
    pub fix: String,
    /// True when `--fix` can apply the fix.
    pub auto_fix: bool,
    /// True when `--fix` applied it and the check no longer finds the problem.
    pub fixed: bool,
    #[serde(skip)]
    pub action: Option<Action>,
}

impl Finding {
    fn key(&self) -> (&'static str, &str) {
        (self.id, &self.subject)
    }
}

/// What `doctor` found and did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub kernel: String,
    pub findings: Vec<Finding>,
    /// What `--fix` did, in order (empty without `--fix`).
    pub actions: Vec<String>,
    /// Errors or warnings that are not fixed.
    pub problems_left: usize,
}

/// Run the checks for `kernel` (or the default target kernel); with `fix`, apply the safe
/// fixes and check again.
pub fn doctor(root: &Sysroot, kernel: Option<&str>, fix: bool) -> Result<Report, ModulesError> {
    let inv = inventory::inventory(root, kernel, &[])?;
    let mut findings = check(root, &inv);
    let mut actions = Vec::new();
    if fix && findings.iter().any(|f| f.action.is_some()) {
        apply(root, &inv.kernel, &findings, &mut actions);
        let after = check(root, &inventory::inventory(root, Some(&inv.kernel), &[])?);
        let left: HashSet<(&str, &str)> = after.iter().map(Finding::key).collect();
        for f in &mut findings {
            f.fixed = f.action.is_some() && !left.contains(&f.key());
        }
        let before: HashSet<(&str, String)> =
            findings.iter().map(|f| (f.id, f.subject.clone())).collect();
        let new: Vec<Finding> = after
            .into_iter()
            .filter(|f| !before.contains(&(f.id, f.subject.clone())))
            .collect();
        findings.extend(new);
    }
    let problems_left = findings
        .iter()
        .filter(|f| !f.fixed && f.severity != Severity::Info)
        .count();
    Ok(Report {
        kernel: inv.kernel,
        findings,
        actions,
        problems_left,
    })
}

fn apply(root: &Sysroot, kver: &str, findings: &[Finding], actions: &mut Vec<String>) {
    let mut changed = false;
    for f in findings {
        match &f.action {
            Some(Action::WriteOverrideConf) => {
                let path = root.join(OVERRIDE_CONF);
                let res = crate::hostfs::write_atomic(&path, OVERRIDE_CONF_TEXT.as_bytes());
                match res {
                    Ok(()) => {
                        changed = true;
                        actions.push(format!(
                            "wrote {OVERRIDE_CONF} (`{}`)",
                            OVERRIDE_CONF_TEXT.trim()
                        ));
                    }
                    Err(e) => actions.push(format!("could not write {OVERRIDE_CONF}: {e}")),
                }
            }
            Some(Action::RemoveConf(p)) => match crate::hostfs::remove_file(&root.join(p)) {
                Ok(()) => {
                    changed = true;
                    actions.push(format!("removed {p}"));
                }
                Err(e) => actions.push(format!("could not remove {p}: {e}")),
            },
            Some(Action::RunDepmod) => changed = true,
            None => {}
        }
    }
    if changed {
        match inventory::run_depmod(root, Some(kver)) {
            Ok(run) => actions.push(format!("ran: {}", run.command.join(" "))),
            Err(e) => actions.push(format!("depmod failed: {e}")),
        }
    }
}

/// All checks on one inventory; no changes.
pub fn check(root: &Sysroot, inv: &Inventory) -> Vec<Finding> {
    let mut out = Vec::new();
    override_ignored(inv, &mut out);
    modules_dep(inv, &mut out);
    vermagic(inv, &mut out);
    alternate_older(inv, &mut out);
    unowned(inv, &mut out);
    leftover_confs(root, inv, &mut out);
    initrd(root, inv, &mut out);
    out.sort_by_key(|f| f.severity);
    out
}

fn rel<'a>(inv: &Inventory, path: &'a str) -> &'a str {
    path.strip_prefix(&format!("/lib/modules/{}/", inv.kernel))
        .unwrap_or(path)
}

fn list_some(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > n {
        s.push_str(&format!("; and {} more", items.len() - n));
    }
    s
}

/// Alternates in override/ that depmod does not pick.
fn override_ignored(inv: &Inventory, out: &mut Vec<Finding>) {
    let lost: Vec<_> = inv
        .modules
        .iter()
        .filter(|m| m.winner().dir != "override" && m.copies.iter().any(|c| c.dir == "override"))
        .collect();
    if lost.is_empty() {
        return;
    }
    let has_search = inv
        .config
        .searches
        .iter()
        .any(|s| matches!(s, Search::Path(p) if p == "override" || p.starts_with("override/")));
    if !has_search {
        let items: Vec<String> = lost
            .iter()
            .map(|m| {
                let alt = m
                    .copies
                    .iter()
                    .find(|c| c.dir == "override")
                    .expect("filtered");
                format!(
                    "{} ({}{}) loses to {}",
                    m.name,
                    rel(inv, &alt.path),
                    alt.package
                        .as_deref()
                        .map(|p| format!(", {p}"))
                        .unwrap_or_default(),
                    rel(inv, &m.winner().path)
                )
            })
            .collect();
        out.push(Finding {
            id: "override-search-missing",
            severity: Severity::Error,
            subject: "depmod.d".into(),
            what: format!(
                "no depmod.d file has `search override`, so {} alternate driver(s) in override/ are ignored: {}",
                lost.len(),
                list_some(&items, 5)
            ),
            why: "without it depmod ranks override/ below updates/ and the kernel's own modules: \
                  the alternate package is installed, `yum` says so, but the kernel keeps loading \
                  the other driver, silently"
                .into(),
            fix: format!(
                "install {OVERRIDE_CONF} containing `search override` (as XCP-ng 8.3 ships it; \
                 xcpng-mod carries a copy in depmod.d/00-xcpng-override.conf), then run \
                 `xcpng-mod depmod`; `xcpng-mod doctor --fix` does both"
            ),
            auto_fix: true,
            fixed: false,
            action: Some(Action::WriteOverrideConf),
        });
        return;
    }
    for m in lost {
        let alt = m
            .copies
            .iter()
            .find(|c| c.dir == "override")
            .expect("filtered");
        let lines: Vec<String> = inv
            .config
            .overrides
            .iter()
            .filter(|o| o.module.replace('-', "_") == m.name)
            .map(|o| {
                format!(
                    "`override {} {} {}` in {}",
                    o.module,
                    o.kernel,
                    o.subdir,
                    o.file.display()
                )
            })
            .collect();
        let reason = if lines.is_empty() {
            "the search order in depmod.d ranks its directory first".to_string()
        } else {
            lines.join(", ")
        };
        out.push(Finding {
            id: "alternate-ignored",
            severity: Severity::Error,
            subject: m.name.clone(),
            what: format!(
                "the alternate {} is installed but depmod picks {} ({reason})",
                rel(inv, &alt.path),
                rel(inv, &m.winner().path)
            ),
            why: "the kernel loads the other copy; the alternate driver is never used".into(),
            fix: format!(
                "remove or correct that depmod.d line (see `xcpng-mod module show {}`), then run \
                 `xcpng-mod depmod`",
                m.name
            ),
            auto_fix: false,
            fixed: false,
            action: None,
        });
    }
}

fn modules_dep(inv: &Inventory, out: &mut Vec<Finding>) {
    if !inv.modules_dep_stale {
        return;
    }
    let what = if !inv.modules_dep_present {
        format!("modules.dep of kernel {} is missing", inv.kernel)
    } else {
        let items: Vec<String> = inv
            .modules_dep_diff
            .iter()
            .map(|(n, p, d)| {
                format!(
                    "{n}: modules.dep has {}, depmod would write {}",
                    d.as_deref().unwrap_or("nothing"),
                    p.as_deref().unwrap_or("nothing")
                )
            })
            .collect();
        format!(
            "modules.dep of kernel {} is stale, {} module(s) differ: {}",
            inv.kernel,
            items.len(),
            list_some(&items, 5)
        )
    };
    out.push(Finding {
        id: "modules-dep-stale",
        severity: Severity::Error,
        subject: "modules.dep".into(),
        what,
        why: "modprobe loads the file modules.dep names: until depmod runs, a driver just \
              installed is not the one loaded, and one just removed fails to load"
            .into(),
        fix: "run `xcpng-mod depmod` (depmod for the target kernel); `xcpng-mod doctor --fix` does it"
            .into(),
        auto_fix: true,
        fixed: false,
        action: Some(Action::RunDepmod),
    });
}

fn vermagic(inv: &Inventory, out: &mut Vec<Finding>) {
    for m in &inv.modules {
        if m.vermagic_ok(&inv.kernel) != Some(false) {
            continue;
        }
        let w = m.winner();
        let built = w
            .vermagic
            .as_deref()
            .and_then(|v| v.split_whitespace().next())
            .unwrap_or("?");
        let next = m
            .copies
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                *i != m.winner
                    && c.vermagic
                        .as_deref()
                        .and_then(|v| v.split_whitespace().next())
                        == Some(inv.kernel.as_str())
            })
            .map(|(_, c)| rel(inv, &c.path).to_string())
            .next();
        let pkg = w.package.as_deref();
        out.push(Finding {
            id: "vermagic-mismatch",
            severity: Severity::Error,
            subject: m.name.clone(),
            what: format!(
                "depmod picks {}{}, built for kernel {built}, not {}",
                rel(inv, &w.path),
                pkg.map(|p| format!(" ({p})")).unwrap_or_default(),
                inv.kernel
            ),
            why: "the kernel refuses a module built for another release (`Invalid module format`): \
                  the driver will not load"
                .into(),
            fix: format!(
                "install the build of {} made for kernel {} (it requires kernel-uname-r = {}), or remove it{}; then run `xcpng-mod depmod`",
                pkg.unwrap_or("that file"),
                inv.kernel,
                inv.kernel,
                next.map(|n| format!(" so that {n} is picked")).unwrap_or_default()
            ),
            auto_fix: false,
            fixed: false,
            action: None,
        });
    }
}

fn alternate_older(inv: &Inventory, out: &mut Vec<Finding>) {
    for m in &inv.modules {
        let w = m.winner();
        if w.class != CopyClass::Alternate && w.dir != "override" {
            continue;
        }
        let Some(wv) = &w.version else { continue };
        let newer = m
            .copies
            .iter()
            .filter(|c| c.class == CopyClass::Supported)
            .filter_map(|c| Some((c, c.version.as_ref()?)))
            .filter(|(_, v)| crate::rpm::vercmp(v, wv).is_gt())
            .max_by(|a, b| crate::rpm::vercmp(a.1, b.1));
        let Some((s, sv)) = newer else { continue };
        let alt_pkg = w.package.as_deref();
        out.push(Finding {
            id: "alternate-older",
            severity: Severity::Warning,
            subject: m.name.clone(),
            what: format!(
                "the alternate {} {wv} ({}{}) wins over the newer supported {} {sv} ({}{})",
                m.name,
                rel(inv, &w.path),
                alt_pkg.map(|p| format!(", {p}")).unwrap_or_default(),
                m.name,
                rel(inv, &s.path),
                s.package.as_deref().map(|p| format!(", {p}")).unwrap_or_default()
            ),
            why: "override/ always wins, whatever the versions: the host runs an older driver \
                  than the supported one, without its fixes"
                .into(),
            fix: format!(
                "keep it only if the supported driver fails on this hardware; otherwise `yum remove {}`, run `xcpng-mod depmod` and reboot (or reload {})",
                alt_pkg.unwrap_or("the alternate package"),
                m.name
            ),
            auto_fix: false,
            fixed: false,
            action: None,
        });
    }
}

fn unowned(inv: &Inventory, out: &mut Vec<Finding>) {
    if !inv.ownership.has_rpmdb {
        out.push(Finding {
            id: "no-rpmdb",
            severity: Severity::Info,
            subject: "rpmdb".into(),
            what: "no rpm database under the root: file ownership was not checked".into(),
            why: "without it every module file reads as unpackaged".into(),
            fix: "none needed on a test tree; on a host, check /var/lib/rpm".into(),
            auto_fix: false,
            fixed: false,
            action: None,
        });
        return;
    }
    for m in &inv.modules {
        for (i, c) in m.copies.iter().enumerate() {
            if c.class != CopyClass::Unpackaged
                || !matches!(c.dir.as_str(), "updates" | "extra" | "override")
            {
                continue;
            }
            let wins = if i == m.winner {
                "depmod picks it"
            } else {
                "depmod does not pick it today"
            };
            out.push(Finding {
                id: "unowned-module",
                severity: Severity::Warning,
                subject: c.path.clone(),
                what: format!(
                    "{} (module {}{}) belongs to no package; {wins}",
                    c.path,
                    m.name,
                    c.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default()
                ),
                why: "no update or removal ever touches it, and in updates/, extra/ or override/ \
                      it can outrank the packaged driver"
                    .into(),
                fix: format!(
                    "if it was copied by hand on purpose, package it; otherwise delete {} and run `xcpng-mod depmod`",
                    c.path
                ),
                auto_fix: false,
                fixed: false,
                action: None,
            });
        }
    }
}

/// A module file directly in `<root>/lib/modules/<kver>/<subdir>/` for `module`.
fn has_copy_in(root: &Sysroot, kver: &str, subdir: &str, module: &str) -> bool {
    let dir = depmod::kernel_dir(root, kver).join(subdir);
    let want = module.replace('-', "_");
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten().any(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            MODULE_EXTS.iter().any(|x| n.ends_with(x)) && module_name_of(&n) == want
        })
    })
}

fn kernels(root: &Sysroot) -> Vec<String> {
    std::fs::read_dir(root.join("/lib/modules"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// 7.x per-module files (`override <mod> <kver> override` only) in /etc/depmod.d whose
/// module has no copy in override/ for any installed kernel the line applies to.
fn leftover_confs(root: &Sysroot, inv: &Inventory, out: &mut Vec<Finding>) {
    let Ok(rd) = std::fs::read_dir(root.join("/etc/depmod.d")) else {
        return;
    };
    let kernels = kernels(root);
    let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.ends_with(".conf") || !path.is_file() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut lines = Vec::new();
        let mut only_overrides = true;
        for l in text.lines().map(str::trim) {
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            match l.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["override", m, k, "override"] => lines.push((m.to_string(), k.to_string())),
                _ => only_overrides = false,
            }
        }
        if lines.is_empty() || !only_overrides {
            continue;
        }
        let host = format!("/etc/depmod.d/{name}");
        if inv.ownership.owners.contains_key(&host) {
            continue; // an installed package ships it
        }
        let alive = lines.iter().any(|(m, k)| {
            kernels
                .iter()
                .filter(|kv| kernel_matches(k, kv))
                .any(|kv| has_copy_in(root, kv, "override", m))
        });
        if alive {
            continue;
        }
        let shown: Vec<String> = lines
            .iter()
            .map(|(m, k)| format!("`override {m} {k} override`"))
            .collect();
        let mods: Vec<&str> = lines.iter().map(|(m, _)| m.as_str()).collect();
        out.push(Finding {
            id: "leftover-7x-conf",
            severity: Severity::Warning,
            subject: host.clone(),
            what: format!(
                "{host} ({}) is left over from a 7.x alternate package: no {} in override/ for any installed kernel it applies to",
                shown.join(", "),
                mods.join(", ")
            ),
            why: "its package is gone but depmod still reads it: should a matching file appear in \
                  override/ again it is forced first without any package asking for it, and it \
                  misleads whoever reads the configuration"
                .into(),
            fix: format!("remove {host}; `xcpng-mod doctor --fix` does it"),
            auto_fix: true,
            fixed: false,
            action: Some(Action::RemoveConf(host)),
        });
    }
}

/// Module names inside an initrd (newc cpio, possibly several archives, compressed or not).
pub fn initrd_modules(data: &[u8]) -> Option<Vec<String>> {
    initrd_modules_at(data, 0)
}

/// An initrd is compressed once; deeper nesting than this is not an initrd.
const INITRD_MAX_NESTING: u32 = 4;

fn initrd_modules_at(data: &[u8], depth: u32) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut off = 0usize;
    let mut parsed_any = false;
    while off < data.len() {
        let rest = &data[off..];
        if rest[0] == 0 {
            off += 1; // padding between archives
            continue;
        }
        if crate::cpio::is_newc(rest) {
            let mut archive = crate::cpio::entries(rest);
            for e in archive.by_ref() {
                parsed_any = true;
                let name = &e.name;
                if name.contains("/modules/") && MODULE_EXTS.iter().any(|x| name.ends_with(x)) {
                    let file = name.rsplit('/').next().unwrap_or(name);
                    names.push(module_name_of(file));
                }
            }
            if archive.broken {
                return None;
            }
            off += archive.offset();
            if !archive.complete {
                break;
            }
            continue;
        }
        use crate::compress::{decompress_all, Compression};
        if Compression::sniff(rest) != Compression::None {
            if depth >= INITRD_MAX_NESTING {
                return None;
            }
            let inner = decompress_all(rest).ok()?;
            names.extend(initrd_modules_at(&inner, depth + 1)?);
            return Some(names);
        }
        break;
    }
    parsed_any.then_some(names)
}

fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).ok()?.modified().ok()
}

/// `/boot/initrd-<kver>.img` older than the winning copy of a module it contains (when it
/// cannot be read: of a loaded module outside kernel/).
fn initrd(root: &Sysroot, inv: &Inventory, out: &mut Vec<Finding>) {
    let host = format!("/boot/initrd-{}.img", inv.kernel);
    let path = root.join(&host);
    let Some(built) = mtime(&path) else { return };
    let inside: Option<HashSet<String>> = std::fs::read(&path)
        .ok()
        .and_then(|d| initrd_modules(&d))
        .map(|v| v.into_iter().collect());
    let mut newer = Vec::new();
    for m in &inv.modules {
        let should = match &inside {
            Some(set) => set.contains(&m.name),
            None => m.loaded.is_some() && m.winner().dir != "kernel",
        };
        if !should {
            continue;
        }
        let w = m.winner();
        if mtime(&root.join(&w.path)).is_some_and(|t| t > built) {
            newer.push(format!("{} ({})", m.name, rel(inv, &w.path)));
        }
    }
    if newer.is_empty() {
        return;
    }
    let basis = if inside.is_some() {
        "it contains"
    } else {
        "loaded now (the initrd could not be read)"
    };
    out.push(Finding {
        id: "initrd-stale",
        severity: Severity::Warning,
        subject: host.clone(),
        what: format!(
            "{host} is older than {} module file(s) {basis}: {}",
            newer.len(),
            list_some(&newer, 5)
        ),
        why: "drivers in the initrd load at boot, before the root file system: the old driver \
              is the one that runs after a reboot"
            .into(),
        fix: format!(
            "rebuild it: `dracut -f {host} {}` (the module packages' %posttrans normally do)",
            inv.kernel
        ),
        auto_fix: false,
        fixed: false,
        action: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cpio::newc;

    #[test]
    fn initrd_lists_modules_across_archives() {
        let early = newc(&[("kernel/x86/microcode/GenuineIntel.bin", b"ucode")]);
        let main = newc(&[
            ("usr/lib/modules/4.19.0+1/override/igb.ko", b"elf"),
            (
                "usr/lib/modules/4.19.0+1/kernel/drivers/scsi/sd-mod.ko.xz",
                b"x",
            ),
            ("etc/fstab", b""),
        ]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &main).unwrap();
        let mut img = early;
        img.extend(gz.finish().unwrap());
        let mods = initrd_modules(&img).unwrap();
        assert_eq!(mods, vec!["igb", "sd_mod"]);
        assert_eq!(initrd_modules(b"not an initrd"), None);
        assert_eq!(initrd_modules(&main[..50]), None);
    }
}
