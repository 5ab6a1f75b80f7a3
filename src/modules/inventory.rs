//! The module inventory of one kernel: every copy of every module (directory, modinfo,
//! owning package, class), the copy depmod picks, the copy that is loaded (matched by GNU
//! build-id, then srcversion), and whether `modules.dep` on disk is stale. It combines the
//! other `modules` parts and returns data; rendering belongs to the CLI. Package ownership
//! comes from one `rpm -qa` query of the root's rpmdb; it never changes the host, except
//! `run_depmod`, which runs the host's own `depmod`.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::process::Command;

use super::depmod::{self, DepmodConfig, DepmodError, ModuleCopies};
use super::loaded::{self, Loaded};
use super::modinfo::{self, ModInfo};
use super::{class::classify_name, ModuleClass};
use crate::sysroot::Sysroot;

#[derive(Debug, thiserror::Error)]
pub enum ModulesError {
    #[error(transparent)]
    Depmod(#[from] DepmodError),
    #[error("no kernel found under {root}/lib/modules")]
    NoKernel { root: PathBuf },
    #[error("no module named `{name}` for kernel {kernel}")]
    UnknownModule { name: String, kernel: String },
    #[error("cannot ask rpm which packages own the module files under {root}: {why}")]
    Rpm { root: PathBuf, why: String },
    #[error("`depmod` failed for kernel {kernel}: {why}")]
    DepmodRun { kernel: String, why: String },
    #[error(transparent)]
    BadKernel(crate::names::BadName),
    /// A request this host or root cannot carry out as asked (exit 2, like a usage error).
    #[error("{0}")]
    NotHere(String),
}

impl ModulesError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ModulesError::Depmod(e) => e.hint(),
            ModulesError::NoKernel { .. } => Some("pass --kernel KVER, or check --root".into()),
            ModulesError::UnknownModule { .. } => Some(
                "names are as in `lsmod` (dashes read as underscores); `xcpng-mod modules` lists them all".into(),
            ),
            ModulesError::Rpm { .. } => Some("install rpm (Debian/Ubuntu: apt-get install rpm)".into()),
            ModulesError::DepmodRun { .. } => Some("install kmod (it provides depmod)".into()),
            ModulesError::BadKernel(_) => {
                Some("give a release as `uname -r` prints it, e.g. --kernel 4.19.0+1".into())
            }
            ModulesError::NotHere(_) => None,
        }
    }
}

/// The class of one copy, as the JSON contract spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CopyClass {
    Supported,
    Alternate,
    Additional,
    BuiltIn,
    Unpackaged,
}

impl CopyClass {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyClass::Supported => "supported",
            CopyClass::Alternate => "alternate",
            CopyClass::Additional => "additional",
            CopyClass::BuiltIn => "built-in",
            CopyClass::Unpackaged => "unpackaged",
        }
    }
}

/// One file of a module.
#[derive(Debug, Clone)]
pub struct CopyRecord {
    /// Host path (`/lib/modules/<kver>/override/bnxt_en.ko`).
    pub path: String,
    /// Top directory (`kernel`, `updates`, `extra`, `override`…).
    pub dir: String,
    pub version: Option<String>,
    pub srcversion: Option<String>,
    pub vermagic: Option<String>,
    pub build_id: Option<String>,
    pub package: Option<String>,
    pub class: CopyClass,
    /// Why modinfo could not be read (corrupt or not a module).
    pub error: Option<String>,
    pub modinfo: Option<ModInfo>,
}

/// What is loaded now, and which copy it is.
#[derive(Debug, Clone)]
pub struct LoadedState {
    pub build_id: Option<String>,
    pub srcversion: Option<String>,
    /// The copy matched by build-id (or srcversion); None when no file on disk matches.
    pub path: Option<String>,
    pub version: Option<String>,
    pub refcnt: Option<i64>,
    pub holders: Vec<String>,
    pub users: Vec<String>,
}

/// One module of the kernel.
#[derive(Debug, Clone)]
pub struct ModuleEntry {
    pub name: String,
    /// Index of depmod's pick in `copies`.
    pub winner: usize,
    pub copies: Vec<CopyRecord>,
    pub loaded: Option<LoadedState>,
    /// The path `modules.dep` on disk gives, when it differs from the prediction.
    pub modules_dep: Option<String>,
    /// The PCI devices of the host (sysfs) one of its copies' aliases match, by address;
    /// None when the root shows no PCI devices (not a running host: nothing is known).
    pub hardware: Option<Vec<String>>,
}

impl ModuleEntry {
    pub fn winner(&self) -> &CopyRecord {
        &self.copies[self.winner]
    }
    /// Loaded, but not the copy depmod picks: a reload or reboot would change the driver.
    pub fn change_pending(&self) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|l| l.path.as_deref() != Some(self.winner().path.as_str()))
    }
    pub fn vermagic_ok(&self, kernel: &str) -> Option<bool> {
        let vm = self.winner().vermagic.as_ref()?;
        Some(vm.split_whitespace().next() == Some(kernel))
    }
}

/// The whole inventory.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub kernel: String,
    pub modules: Vec<ModuleEntry>,
    pub config: DepmodConfig,
    /// `modules.dep` missing or differing from the prediction somewhere.
    pub modules_dep_stale: bool,
    /// False when there is no `modules.dep` at all.
    pub modules_dep_present: bool,
    /// Where `modules.dep` and the prediction disagree: (module, predicted, on disk), over
    /// the whole kernel even when the inventory is limited to some modules.
    pub modules_dep_diff: Vec<(String, Option<String>, Option<String>)>,
    /// Who owns the files, and what `vendor-drivers` pulls in.
    pub ownership: Ownership,
}

/// The target kernel: the one asked for, else (on `/`) the running one, else the newest
/// under `<root>/lib/modules`.
pub fn target_kernel(root: &Sysroot, asked: Option<&str>) -> Result<String, ModulesError> {
    if let Some(k) = asked {
        crate::names::kernel_release(k).map_err(ModulesError::BadKernel)?;
        return Ok(k.to_string());
    }
    if root.is_host_root() {
        if let Some(r) = loaded::running_kernel(root) {
            if depmod::kernel_dir(root, &r).is_dir() {
                return Ok(r);
            }
        }
    }
    depmod::newest_kernel(root).ok_or_else(|| ModulesError::NoKernel {
        root: root.root().to_path_buf(),
    })
}

/// Who owns the module files, from one `rpm -qa` query of the root's rpmdb.
#[derive(Debug, Clone, Default)]
pub struct Ownership {
    /// Host path under `/lib/modules` (and `/etc/depmod.d`) → owning package name.
    pub owners: HashMap<String, String>,
    /// Packages pulled in by `vendor-drivers` (its Requires, and their `-modules`
    /// subpackages); None when `vendor-drivers` is not installed.
    pub vendor_set: Option<HashSet<String>>,
    /// False when the root has no rpmdb at all (every file then reads as unpackaged).
    pub has_rpmdb: bool,
}

impl Ownership {
    /// Parse `rpm -qa` output in the `NAME\tF|R|P\tVALUE` lines of our query format.
    pub fn parse(text: &str) -> Ownership {
        let mut owners = HashMap::new();
        let mut requires: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut providers: HashMap<&str, Vec<&str>> = HashMap::new();
        for l in text.lines() {
            let mut f = l.splitn(3, '\t');
            let (Some(n), Some(kind), Some(v)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            match kind {
                "F" if v.starts_with("/lib/modules/")
                    || v.starts_with("/usr/lib/modules/")
                    || v.starts_with("/etc/depmod.d/") =>
                {
                    owners.insert(v.trim_start_matches("/usr").to_string(), n.to_string());
                }
                "R" => requires.entry(n).or_default().push(v),
                "P" => providers.entry(n).or_default().push(v),
                _ => {}
            }
        }
        // Capability → packages providing it (a package provides its own name).
        let mut by_cap: HashMap<&str, Vec<&str>> = HashMap::new();
        for (pkg, caps) in &providers {
            by_cap.entry(pkg).or_default().push(pkg);
            for c in caps {
                by_cap.entry(c).or_default().push(pkg);
            }
        }
        let vendor_set = requires.get("vendor-drivers").map(|reqs| {
            let mut set: HashSet<String> = HashSet::new();
            for r in reqs {
                for p in by_cap.get(r).into_iter().flatten() {
                    if *p == "vendor-drivers" || set.contains(*p) {
                        continue;
                    }
                    set.insert(p.to_string());
                    // Modules kept in a `<pkg>-<kver>-modules`-like subpackage.
                    for r2 in requires.get(p).into_iter().flatten() {
                        for p2 in by_cap.get(r2).into_iter().flatten() {
                            if p2.starts_with(&format!("{p}-")) {
                                set.insert(p2.to_string());
                            }
                        }
                    }
                }
            }
            set
        });
        Ownership {
            owners,
            vendor_set,
            has_rpmdb: true,
        }
    }

    /// The class of a copy in `dir` owned by `package`: `supported` is
    /// a file in updates/ owned by the kernel or by a package `vendor-drivers` pulls in; when
    /// `vendor-drivers` is not installed, the naming conventions decide.
    pub fn class_of(&self, package: Option<&str>, dir: &str) -> CopyClass {
        let Some(p) = package else {
            return CopyClass::Unpackaged;
        };
        let is_kernel =
            p == "kernel" || p.starts_with("kernel-") && !p.starts_with("kernel-module");
        if dir == "kernel" && is_kernel {
            return CopyClass::BuiltIn;
        }
        let pulled = self.vendor_set.as_ref().map(|s| s.contains(p));
        if dir == "updates" && (is_kernel || pulled == Some(true)) {
            return CopyClass::Supported;
        }
        match classify_name(p, false) {
            Some(ModuleClass::Alternate) => return CopyClass::Alternate,
            Some(ModuleClass::Additional) => return CopyClass::Additional,
            Some(ModuleClass::Supported) if pulled.is_none() => return CopyClass::Supported,
            _ => {}
        }
        match dir {
            "override" => CopyClass::Alternate,
            "kernel" => CopyClass::BuiltIn,
            "updates" if pulled.is_none() => CopyClass::Supported,
            _ => CopyClass::Additional,
        }
    }
}

/// Owners of every file under `/lib/modules` and what `vendor-drivers` pulls in (one rpm
/// query for the whole rpmdb).
pub fn module_owners(root: &Sysroot) -> Result<Ownership, ModulesError> {
    if !crate::rpm::has_rpmdb(root) {
        return Ok(Ownership::default());
    }
    let out = crate::rpm::command(root)
        .args([
            "-qa",
            "--queryformat",
            "[%{=NAME}\tF\t%{FILENAMES}\n][%{=NAME}\tR\t%{REQUIRENAME}\n][%{=NAME}\tP\t%{PROVIDENAME}\n]",
        ])
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| ModulesError::Rpm {
            root: root.root().into(),
            why: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(ModulesError::Rpm {
            root: root.root().into(),
            why: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(Ownership::parse(&String::from_utf8_lossy(&out.stdout)))
}

/// Build the inventory of `kernel` (or the default one); `names` limits it to those modules
/// (an unknown name is an error naming it).
pub fn inventory(
    root: &Sysroot,
    kernel: Option<&str>,
    names: &[String],
) -> Result<Inventory, ModulesError> {
    let kver = target_kernel(root, kernel)?;
    let config = DepmodConfig::load(root, &kver)?;
    let scanned = depmod::scan(root, &config)?;
    let wanted: Vec<String> = names.iter().map(|n| n.replace('-', "_")).collect();
    for (asked, n) in names.iter().zip(&wanted) {
        if !scanned.contains_key(n) {
            return Err(ModulesError::UnknownModule {
                name: asked.clone(),
                kernel: kver.clone(),
            });
        }
    }
    let on_disk = depmod::read_modules_dep(root, &kver)?;
    let diff = match &on_disk {
        Some(d) => depmod::stale_entries(&scanned, d),
        None => Vec::new(),
    };
    let stale: BTreeMap<String, Option<String>> = diff
        .iter()
        .map(|(n, _, d)| (n.clone(), d.clone()))
        .collect();
    let owners = module_owners(root)?;
    let loaded = loaded::read_loaded(root);
    let kdir = format!("/lib/modules/{kver}");
    let mut modules = Vec::new();
    for (name, mc) in &scanned {
        if !wanted.is_empty() && !wanted.contains(name) {
            continue;
        }
        modules.push(entry(
            root,
            &kdir,
            name,
            mc,
            &owners,
            loaded.get(name),
            stale.get(name),
        ));
    }
    let devices = super::pci::devices(root);
    if !devices.is_empty() {
        for m in &mut modules {
            let drives = |d: &&super::pci::Device| {
                m.copies.iter().any(|c| {
                    c.modinfo
                        .as_ref()
                        .is_some_and(|i| super::pci::drives(&i.alias, d))
                })
            };
            m.hardware = Some(
                devices
                    .iter()
                    .filter(drives)
                    .map(|d| d.address.clone())
                    .collect(),
            );
        }
    }
    Ok(Inventory {
        kernel: kver,
        modules,
        config,
        modules_dep_stale: on_disk.is_none() || !stale.is_empty(),
        modules_dep_present: on_disk.is_some(),
        modules_dep_diff: diff,
        ownership: owners,
    })
}

fn entry(
    root: &Sysroot,
    kdir: &str,
    name: &str,
    mc: &ModuleCopies,
    owners: &Ownership,
    loaded: Option<&Loaded>,
    stale: Option<&Option<String>>,
) -> ModuleEntry {
    let copies: Vec<CopyRecord> = mc
        .copies
        .iter()
        .map(|c| {
            let path = if c.in_tree {
                format!("{kdir}/{}", c.rel)
            } else {
                c.rel.clone()
            };
            let info = modinfo::read_path(&root.join(&path));
            let package = owners.owners.get(&path).cloned();
            let class = owners.class_of(package.as_deref(), &c.dir);
            let (mi, error) = match info {
                Ok(i) => (Some(i), None),
                Err(e) => (None, Some(e.to_string())),
            };
            CopyRecord {
                path,
                dir: c.dir.clone(),
                version: mi.as_ref().and_then(|i| i.version.clone()),
                srcversion: mi.as_ref().and_then(|i| i.srcversion.clone()),
                vermagic: mi.as_ref().and_then(|i| i.vermagic.clone()),
                build_id: mi.as_ref().and_then(|i| i.build_id.clone()),
                package,
                class,
                error,
                modinfo: mi,
            }
        })
        .collect();
    let loaded = loaded.map(|l| {
        let by_id = l
            .build_id
            .as_ref()
            .and_then(|id| copies.iter().find(|c| c.build_id.as_ref() == Some(id)));
        let by_src = || {
            l.srcversion
                .as_ref()
                .and_then(|s| copies.iter().find(|c| c.srcversion.as_ref() == Some(s)))
        };
        LoadedState {
            build_id: l.build_id.clone(),
            srcversion: l.srcversion.clone(),
            path: by_id.or_else(by_src).map(|c| c.path.clone()),
            version: l.version.clone(),
            refcnt: l.refcnt,
            holders: l.holders.clone(),
            users: l.users.clone(),
        }
    });
    ModuleEntry {
        name: name.to_string(),
        winner: mc.winner,
        copies,
        loaded,
        modules_dep: stale.map(|d| d.clone().unwrap_or_else(|| "(missing)".into())),
        hardware: None,
    }
}

/// What `depmod` did.
#[derive(Debug, Clone, Serialize)]
pub struct DepmodRun {
    pub kernel: String,
    pub command: Vec<String>,
    /// Modules whose pick in the new `modules.dep` differs from our prediction (should be 0).
    pub disagreements: Vec<String>,
    pub modules: usize,
}

/// Run the host's `depmod` for the target kernel (under a root: `-b ROOT -C
/// ROOT/etc/depmod.d`, since plain `-b` reads this machine's config), then compare.
pub fn run_depmod(root: &Sysroot, kernel: Option<&str>) -> Result<DepmodRun, ModulesError> {
    let kver = target_kernel(root, kernel)?;
    let mut args: Vec<String> = Vec::new();
    if !root.is_host_root() {
        args.push("-b".into());
        args.push(root.root().display().to_string());
        args.push("-C".into());
        args.push(root.join("/etc/depmod.d").display().to_string());
    }
    args.push(kver.clone());
    let prog = ["/sbin/depmod", "/usr/sbin/depmod"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("depmod");
    let out = Command::new(prog)
        .args(&args)
        .output()
        .map_err(|e| ModulesError::DepmodRun {
            kernel: kver.clone(),
            why: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(ModulesError::DepmodRun {
            kernel: kver,
            why: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let config = DepmodConfig::load(root, &kver)?;
    let scanned = depmod::scan(root, &config)?;
    let on_disk = depmod::read_modules_dep(root, &kver)?.unwrap_or_default();
    let disagreements = depmod::stale_entries(&scanned, &on_disk)
        .into_iter()
        .map(|(n, p, d)| {
            format!(
                "{n}: predicted {}, depmod wrote {}",
                p.unwrap_or("-".into()),
                d.unwrap_or("-".into())
            )
        })
        .collect();
    let mut command = vec![prog.to_string()];
    command.extend(args);
    Ok(DepmodRun {
        kernel: kver,
        command,
        disagreements,
        modules: scanned.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_means_pulled_in_by_vendor_drivers_in_updates() {
        let q = "vendor-drivers\tR\tintel-igb\n\
                 vendor-drivers\tR\tbnxt-driver\n\
                 broadcom-bnxt-en\tP\tbnxt-driver\n\
                 broadcom-bnxt-en\tR\tbroadcom-bnxt-en-4.19.0+1-modules\n\
                 broadcom-bnxt-en-4.19.0+1-modules\tP\tbroadcom-bnxt-en-4.19.0+1-modules\n\
                 broadcom-bnxt-en-4.19.0+1-modules\tF\t/lib/modules/4.19.0+1/updates/bnxt_en.ko\n\
                 intel-igb\tP\tintel-igb\n\
                 intel-igb\tF\t/usr/lib/modules/4.19.0+1/updates/igb.ko\n\
                 intel-foo\tF\t/lib/modules/4.19.0+1/updates/foo.ko\n\
                 kernel\tF\t/lib/modules/4.19.0+1/kernel/igb.ko\n\
                 kernel\tF\t/boot/vmlinuz\n";
        let o = Ownership::parse(q);
        let set = o.vendor_set.as_ref().unwrap();
        assert!(set.contains("intel-igb") && set.contains("broadcom-bnxt-en"));
        assert!(set.contains("broadcom-bnxt-en-4.19.0+1-modules"));
        assert_eq!(
            o.owners["/lib/modules/4.19.0+1/updates/igb.ko"],
            "intel-igb"
        );
        assert!(!o.owners.contains_key("/boot/vmlinuz"));
        use CopyClass::*;
        let c = |p: Option<&str>, d: &str| o.class_of(p, d);
        assert_eq!(
            c(Some("broadcom-bnxt-en-4.19.0+1-modules"), "updates"),
            Supported
        );
        assert_eq!(c(Some("intel-igb"), "updates"), Supported);
        assert_eq!(c(Some("intel-foo"), "updates"), Additional);
        assert_eq!(c(Some("kernel"), "kernel"), BuiltIn);
        assert_eq!(c(Some("kernel"), "updates"), Supported);
        assert_eq!(c(Some("intel-igb-alt"), "override"), Alternate);
        assert_eq!(c(Some("kmod-zfs-4.19.0+1"), "extra"), Additional);
        assert_eq!(c(None, "updates"), Unpackaged);
        // Without vendor-drivers installed, names decide.
        let n = Ownership::parse("intel-foo\tF\t/lib/modules/k/updates/foo.ko\n");
        assert!(n.vendor_set.is_none());
        assert_eq!(n.class_of(Some("intel-foo"), "updates"), Supported);
        assert_eq!(n.class_of(Some("mystery"), "updates"), Supported);
        assert_eq!(n.class_of(Some("mystery"), "extra"), Additional);
    }
}
