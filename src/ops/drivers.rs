//! The driver index of module-aware listings: for each driver package, the kernel modules it
//! ships (from its file list, else XCP-ng's naming conventions), the newest available version,
//! and for an alternate the driver it overrides and whether it is older. It reads what it is
//! given and the installed module files' modinfo; it lists nothing itself.

use super::Context;
use crate::modules::class::modules_from_name;
use crate::modules::{classify, ModuleClass};
use crate::rpm::package::PackageRef;
use crate::rpm::Package;
use serde::Serialize;
use std::collections::HashMap;

/// What a module-aware listing adds to a driver package.
#[derive(Debug, Clone, Serialize, Default)]
pub struct DriverInfo {
    /// Kernel modules the package ships (names as in lsmod).
    pub modules: Vec<String>,
    /// Where `modules` comes from: `files` (the package's file list: primary metadata or the
    /// rpmdb) or `name` (XCP-ng's naming conventions, when no file list is at hand).
    pub modules_from: &'static str,
    /// The newest available version of this package name, if any.
    pub available_version: Option<String>,
    /// For alternates: the driver package it overrides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Overridden>,
    /// For alternates: true when it is OLDER than the driver it overrides (override/ still
    /// wins, DESIGN §1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub older_than_supported: Option<bool>,
    /// The PCI addresses of the host's devices its modules' aliases match (those of the
    /// module's copies on disk); absent when the root shows no PCI devices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<String>>,
}

/// The package an alternate overrides.
#[derive(Debug, Clone, Serialize)]
pub struct Overridden {
    pub name: String,
    /// Installed version when installed, else the newest available one.
    pub version: String,
    pub installed: bool,
    /// `version` from modinfo of its installed module file, when there is one.
    pub module_version: Option<String>,
}

fn module_of_path(path: &str) -> Option<String> {
    crate::modules::depmod::parse_module_path(path).map(|(_, module, _)| module)
}

/// Installed and available driver packages by name, with their module files, for the
/// module-aware listing.
pub(super) struct DriverIndex {
    /// name → (newest installed EVR, newest available EVR)
    versions: HashMap<String, (Option<Package>, Option<Package>)>,
    /// package name → module files (host paths) from the rpmdb or primary's file list
    files: HashMap<String, Vec<String>>,
    /// Alternates already warned about (a package can be listed twice).
    warned: std::cell::RefCell<std::collections::HashSet<String>>,
    /// The host's PCI devices (none: not a running host, nothing known of hardware).
    devices: Vec<crate::modules::pci::Device>,
    /// module name → the aliases of its copies on disk (packaged ones).
    aliases: HashMap<String, Vec<String>>,
}

impl DriverIndex {
    pub(super) fn new(
        ctx: &Context<'_>,
        installed: &[Package],
        available: &[Package],
    ) -> DriverIndex {
        let mut versions: HashMap<String, (Option<Package>, Option<Package>)> = HashMap::new();
        let newer = |slot: &mut Option<Package>, p: &Package| {
            if slot.as_ref().is_none_or(|o| p.evr_cmp(o).is_gt()) {
                *slot = Some(Package {
                    name: p.name.clone(),
                    evr: p.evr.clone(),
                    ..Default::default()
                });
            }
        };
        for p in installed.iter().filter(|p| classify(p).is_some()) {
            newer(&mut versions.entry(p.name.clone()).or_default().0, p);
        }
        for p in available.iter().filter(|p| classify(p).is_some()) {
            newer(&mut versions.entry(p.name.clone()).or_default().1, p);
        }
        let mut files: HashMap<String, Vec<String>> = HashMap::new();
        for p in installed.iter().chain(available) {
            for f in p.files.iter().filter(|f| module_of_path(f).is_some()) {
                files.entry(p.name.clone()).or_default().push(f.clone());
            }
        }
        match crate::modules::inventory::module_owners(ctx.root()) {
            Ok(own) => {
                for (path, pkg) in own.owners {
                    if module_of_path(&path).is_some() {
                        files.entry(pkg).or_default().push(path);
                    }
                }
            }
            Err(e) => ctx
                .reporter
                .warn(&format!("module file owners unknown: {e}")),
        }
        for v in files.values_mut() {
            v.sort();
            v.dedup();
        }
        let devices = crate::modules::pci::devices(ctx.root());
        let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
        if !devices.is_empty() {
            for path in files.values().flatten() {
                let (Some(m), true) = (module_of_path(path), path.starts_with("/lib/modules/"))
                else {
                    continue;
                };
                if let Ok(i) = crate::modules::modinfo::read_path(&ctx.root().join(path)) {
                    aliases.entry(m).or_default().extend(i.alias);
                }
            }
        }
        DriverIndex {
            versions,
            files,
            warned: Default::default(),
            devices,
            aliases,
        }
    }

    /// The devices the aliases of `modules` (their copies on disk) match.
    fn hardware(&self, modules: &[String]) -> Option<Vec<String>> {
        if self.devices.is_empty() {
            return None;
        }
        let none = Vec::new();
        Some(
            self.devices
                .iter()
                .filter(|d| {
                    modules.iter().any(|m| {
                        crate::modules::pci::drives(self.aliases.get(m).unwrap_or(&none), d)
                    })
                })
                .map(|d| d.address.clone())
                .collect(),
        )
    }

    fn modules(&self, name: &str) -> (Vec<String>, &'static str) {
        match self.files.get(name) {
            Some(f) if !f.is_empty() => {
                let mut m: Vec<String> = f.iter().filter_map(|p| module_of_path(p)).collect();
                m.sort();
                m.dedup();
                (m, "files")
            }
            _ => (modules_from_name(name), "name"),
        }
    }

    pub(super) fn info(
        &self,
        ctx: &Context<'_>,
        pkg: &PackageRef,
        class: Option<ModuleClass>,
    ) -> DriverInfo {
        let name = &pkg.name;
        let (modules, from) = self.modules(name);
        let available_version = self
            .versions
            .get(name)
            .and_then(|(_, a)| a.as_ref())
            .map(|p| p.evr_string());
        let devices = self.hardware(&modules);
        let mut info = DriverInfo {
            modules,
            modules_from: from,
            available_version,
            devices,
            ..Default::default()
        };
        if class != Some(ModuleClass::Alternate) {
            return info;
        }
        // The package it overrides: its name without `-alt`, else a supported driver
        // shipping the same module.
        let base = name.strip_suffix("-alt").unwrap_or(name);
        let target = if self.versions.contains_key(base) {
            Some(base.to_string())
        } else {
            let mut c: Vec<&String> = self
                .versions
                .keys()
                .filter(|n| {
                    *n != name
                        && crate::modules::class::classify_name(n, false)
                            == Some(ModuleClass::Supported)
                        && self.modules(n).0.iter().any(|m| info.modules.contains(m))
                })
                .collect();
            c.sort();
            c.first().map(|s| s.to_string())
        };
        let Some(target) = target else {
            return info;
        };
        let (inst, avail) = &self.versions[&target];
        let Some(sup) = inst.as_ref().or(avail.as_ref()) else {
            return info;
        };
        let module_version = inst.as_ref().and_then(|_| {
            self.files.get(&target)?.iter().find_map(|p| {
                let m = module_of_path(p)?;
                if !info.modules.contains(&m) {
                    return None;
                }
                crate::modules::modinfo::read_path(&ctx.root().join(p))
                    .ok()?
                    .version
            })
        });
        let older = crate::rpm::vercmp(&pkg.version, &sup.evr.version).is_lt();
        if older && self.warned.borrow_mut().insert(name.clone()) {
            ctx.reporter.warn(&format!(
                "{name} {}-{} is OLDER than the supported {target} {} it overrides{}; override/ wins anyway",
                pkg.version,
                pkg.release,
                sup.evr_string(),
                module_version
                    .as_ref()
                    .map(|v| format!(" (installed module version {v})"))
                    .unwrap_or_default()
            ));
        }
        info.overrides = Some(Overridden {
            name: target.clone(),
            version: sup.evr_string(),
            installed: inst.is_some(),
            module_version,
        });
        info.older_than_supported = Some(older);
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_from_package_names() {
        assert_eq!(modules_from_name("broadcom-bnxt-en"), ["bnxt_en"]);
        assert_eq!(modules_from_name("intel-igb-alt"), ["igb"]);
        assert_eq!(modules_from_name("r8125-module"), ["r8125"]);
        assert_eq!(modules_from_name("r8125-module-alt"), ["r8125"]);
        assert_eq!(modules_from_name("kmod-zfs-4.19.0+1"), ["zfs"]);
        assert_eq!(
            module_of_path("/lib/modules/4.19.0+1/override/bnxt_en.ko.xz").as_deref(),
            Some("bnxt_en")
        );
        assert_eq!(module_of_path("/etc/modprobe.d/bnxt.conf"), None);
    }
}
