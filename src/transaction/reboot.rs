//! Reboot detection: markers that kernel and Xen packages drop in `/run/reboot-required.d/`,
//! a kernel package newer than the running kernel, Xen or microcode packages installed since
//! boot, an initrd older than a module package installed for its kernel, and a loaded module
//! whose file on disk changed (the copy depmod picks now is not the loaded one).

use super::guidance::Guidance;
use crate::rpm::{Dependency, Package};
use crate::sysroot::Sysroot;
use serde::Serialize;

/// One reason to reboot (or, for `toolstack` and `device-model`, to restart less).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RebootReason {
    /// `marker`, `kernel`, `xen`, `microcode`, `initrd`, `module`, `package`, `toolstack`,
    /// `device-model`
    pub kind: &'static str,
    pub message: String,
    /// What it needs, in XAPI's names.
    pub guidance: Guidance,
}

/// Is a reboot needed for any of `reasons`?
pub fn reboot_needed(reasons: &[RebootReason]) -> bool {
    reasons.iter().any(|r| r.guidance == Guidance::RebootHost)
}

/// The guidance still pending for `reasons`, merged as XAPI merges.
pub fn pending_guidance(reasons: &[RebootReason]) -> Vec<Guidance> {
    super::guidance::merge(reasons.iter().map(|r| r.guidance))
}

/// Packages the guidance table names, installed since boot, that the kinds above do not
/// cover: what they still need (a toolstack restart since then is not seen: say so).
fn since_boot(installed: &[Package], boot: u64, out: &mut Vec<RebootReason>) {
    for p in installed.iter().filter(|p| p.installtime > boot) {
        let covered = p.name == "kernel"
            || p.name == "xen"
            || p.name.starts_with("xen-hypervisor")
            || p.name.starts_with("microcode")
            || p.name == "linux-firmware";
        if covered {
            continue;
        }
        let Some((g, why)) =
            super::guidance::for_package(&p.name, p.files.iter().map(String::as_str))
        else {
            continue;
        };
        let (kind, tail) = match g {
            Guidance::RestartToolstack => ("toolstack", " (unless the toolstack restarted since)"),
            Guidance::RestartDeviceModel => ("device-model", " (for the VMs running since)"),
            _ => ("package", ""),
        };
        out.push(RebootReason {
            kind,
            message: format!(
                "{} was installed after the last boot: {why}{tail}",
                p.nevra()
            ),
            guidance: g,
        });
    }
}

use crate::modules::loaded::running_kernel;

/// Boot time from `/proc/stat` (`btime`).
pub fn boot_time(root: &Sysroot) -> Option<u64> {
    std::fs::read_to_string(root.join("/proc/stat"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// `kernel-uname-r` the package provides (kernel) or requires exactly (module packages).
fn uname_of(deps: &[Dependency]) -> Option<String> {
    deps.iter()
        .find(|d| d.name == "kernel-uname-r" && d.is_versioned())
        .and_then(|d| d.evr.as_ref())
        .map(|e| e.to_string())
        // A kernel release names a directory under /lib/modules: metadata that is not one
        // names no kernel.
        .filter(|k| crate::names::kernel_release(k).is_ok())
}

pub fn reasons(root: &Sysroot, installed: &[Package]) -> Vec<RebootReason> {
    let mut out = Vec::new();
    let markers = root.join("/run/reboot-required.d");
    if let Ok(rd) = std::fs::read_dir(&markers) {
        let mut pkgs: Vec<_> = rd.flatten().collect();
        pkgs.sort_by_key(|e| e.file_name());
        for p in pkgs {
            let name = p.file_name().to_string_lossy().into_owned();
            let mut vers: Vec<String> = std::fs::read_dir(p.path())
                .map(|r| {
                    r.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            vers.sort();
            if vers.is_empty() {
                vers.push(String::new());
            }
            for v in vers {
                out.push(RebootReason {
                    kind: "marker",
                    message: format!(
                        "{name} {v} asks for a reboot (/run/reboot-required.d/{name}/{v})"
                    )
                    .replace("  ", " "),
                    guidance: Guidance::RebootHost,
                });
            }
        }
    }
    let running = running_kernel(root);
    if let Some(run) = &running {
        let kernels: Vec<&Package> = installed
            .iter()
            .filter(|p| p.name == "kernel" && uname_of(&p.provides).is_some())
            .collect();
        let newest = kernels.iter().max_by(|a, b| a.evr_cmp(b));
        let current = kernels
            .iter()
            .find(|p| uname_of(&p.provides).as_deref() == Some(run.as_str()));
        if let Some(n) = newest {
            let newer = match current {
                Some(c) => n.evr_cmp(c).is_gt(),
                None => true,
            };
            if newer {
                out.push(RebootReason {
                    kind: "kernel",
                    message: format!(
                        "kernel {} (uname {}) is installed; {run} is running",
                        n.evr_string(),
                        uname_of(&n.provides).unwrap_or_default()
                    ),
                    guidance: Guidance::RebootHost,
                });
            }
        }
    }
    if let Some(boot) = boot_time(root) {
        for p in installed {
            let kind = if p.name.starts_with("xen-hypervisor") || p.name == "xen" {
                "xen"
            } else if p.name.starts_with("microcode") || p.name == "linux-firmware" {
                "microcode"
            } else {
                continue;
            };
            if p.installtime > boot {
                out.push(RebootReason {
                    kind,
                    message: format!("{} was installed after the last boot", p.nevra()),
                    guidance: Guidance::RebootHost,
                });
            }
        }
        since_boot(installed, boot, &mut out);
    }
    for p in installed {
        if crate::modules::class::classify(p).is_none() {
            continue;
        }
        let Some(k) = uname_of(&p.requires) else {
            continue;
        };
        let initrd = root.join(format!("/boot/initrd-{k}.img"));
        let Ok(m) = std::fs::metadata(&initrd) else {
            continue;
        };
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        if mtime < p.installtime {
            out.push(RebootReason {
                kind: "initrd",
                message: format!(
                    "/boot/initrd-{k}.img is older than {} (installed {}): regenerate it (dracut -f /boot/initrd-{k}.img {k}) and reboot",
                    p.nevra(),
                    super::utc(p.installtime)
                ),
                guidance: Guidance::RebootHost,
            });
        }
    }
    out.extend(changed_modules(root));
    out
}

/// Loaded modules of the running kernel whose file on disk changed: the copy depmod picks now
/// differs from the loaded one by GNU build-id (or, without one, by srcversion). A module with
/// neither to compare is not reported.
pub fn changed_modules(root: &Sysroot) -> Vec<RebootReason> {
    use crate::modules::{depmod, loaded, modinfo};
    let Some(kver) = running_kernel(root) else {
        return Vec::new();
    };
    let loaded = loaded::read_loaded(root);
    if loaded.is_empty() {
        return Vec::new();
    }
    let Ok(cfg) = depmod::DepmodConfig::load(root, &kver) else {
        return Vec::new();
    };
    let Ok(scanned) = depmod::scan(root, &cfg) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, l) in &loaded {
        let Some(mc) = scanned.get(name) else {
            continue;
        };
        let w = mc.winner();
        let path = if w.in_tree {
            format!("/lib/modules/{kver}/{}", w.rel)
        } else {
            w.rel.clone()
        };
        let Ok(info) = modinfo::read_path(&root.join(&path)) else {
            continue;
        };
        let (differs, what) = match (&l.build_id, &info.build_id) {
            (Some(a), Some(b)) => (!a.eq_ignore_ascii_case(b), "build-id"),
            _ => match (&l.srcversion, &info.srcversion) {
                (Some(a), Some(b)) => (a != b, "srcversion"),
                _ => continue,
            },
        };
        if differs {
            let ver =
                |v: &Option<String>| v.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
            out.push(RebootReason {
                kind: "module",
                message: format!(
                    "{name} is loaded, but its file on disk changed: the copy depmod picks now ({path}{}) has another {what} than the loaded module{}; `xcpng-mod reload {name}` where its preflight says safe, or reboot",
                    ver(&info.version),
                    ver(&l.version),
                ),
                guidance: Guidance::RebootHost,
            });
        }
    }
    out
}
