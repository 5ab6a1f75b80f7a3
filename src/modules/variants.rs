//! Driver families and their variants, in XCP-ng's scheme: for each driver, the supported
//! package, its alternates (`-alt`, in `override/`), additional drivers (`-module`, `kmod-*`)
//! and the kernel's own copy, installed or available in enabled repos; which variant wins at
//! the next load (selected), which is loaded (active, by build-id), which hardware of this host
//! each can drive (by module alias against the PCI devices' modaliases). Built from what it is
//! given (the inventory, the devices, the installed and available packages); it reads no more.

use super::class::modules_from_name;
use super::inventory::{CopyClass, CopyRecord, Inventory, ModuleEntry};
use super::pci::{self, Device};
use super::{classify, ModuleClass};
use crate::rpm::Package;
use std::collections::{BTreeMap, BTreeSet};

/// The role of a variant, as its name says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Supported,
    Alternate,
    Additional,
    Builtin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Supported => "supported",
            Role::Alternate => "alternate",
            Role::Additional => "additional",
            Role::Builtin => "builtin",
        }
    }
    /// XCP-ng's policy for the role, as `status` says it.
    pub fn status(self) -> &'static str {
        match self {
            Role::Supported => "supported",
            Role::Alternate => "alternate: less tested",
            Role::Additional => "additional: may be experimental",
            Role::Builtin => "kernel built-in copy",
        }
    }
    /// The directory a copy of the role goes to when its file list does not say.
    fn default_dir(self) -> &'static str {
        match self {
            Role::Supported => "updates",
            Role::Alternate => "override",
            Role::Additional => "extra",
            Role::Builtin => "kernel",
        }
    }
    fn of(class: ModuleClass) -> Role {
        match class {
            ModuleClass::Supported => Role::Supported,
            ModuleClass::Alternate => Role::Alternate,
            ModuleClass::Additional => Role::Additional,
        }
    }
}

/// One variant of a driver.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `supported`, `alternate`, `alternate.2`, …, `builtin`.
    pub name: String,
    pub role: Role,
    /// The package that carries it (the kernel package for `builtin`).
    pub package: String,
    /// The module's version (modinfo), else the package's.
    pub version: String,
    /// The package version installed, if it is.
    pub installed: Option<String>,
    /// The newest version in an enabled repo, and which repo.
    pub available: Option<(String, String)>,
    /// Its copy of the driver's module on disk (host path), when installed.
    pub path: Option<String>,
    /// The directory its copy is (or will be) in, under the kernel's module dir.
    pub dir: String,
    /// kmod's search rank of that directory: higher wins.
    pub priority: f64,
    /// The devices of this host its module aliases match (addresses).
    pub devices: Vec<String>,
    /// Where its aliases came from: `copy` (its file on disk), `package` (read from the
    /// package file: `hardware --fetch`), `module` (the module's copies on disk: the package
    /// is not installed), `none`.
    pub aliases_from: &'static str,
}

impl Variant {
    pub fn hardware_present(&self) -> bool {
        !self.devices.is_empty()
    }
}

/// One driver: a family of variants of the same module.
#[derive(Debug, Clone)]
pub struct Driver {
    /// The supported package's name, else the module's.
    pub name: String,
    /// The module whose winning and loaded copies decide `selected` and `active`.
    pub module: String,
    /// All modules its packages ship.
    pub modules: Vec<String>,
    /// `network`, `storage` or `other`.
    pub kind: &'static str,
    pub variants: Vec<Variant>,
    /// Index of the variant whose copy wins at the next load or boot.
    pub selected: Option<usize>,
    /// Index of the variant whose copy is loaded now.
    pub active: Option<usize>,
    /// Loaded, with a copy that is not the loaded one winning now.
    pub loaded: bool,
}

impl Driver {
    pub fn variant(&self, name: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.name == name)
    }
    /// A reboot (or reload) would change the driver in use.
    pub fn change_pending(&self) -> bool {
        self.loaded && self.selected != self.active
    }
    /// The default variant: the supported one, else the kernel's.
    pub fn default_variant(&self) -> Option<&Variant> {
        self.variants
            .iter()
            .find(|v| v.role == Role::Supported)
            .or_else(|| self.variants.iter().find(|v| v.role == Role::Builtin))
    }
}

/// The modules a package ships: from its module files, else its name.
fn shipped(files: &[String], name: &str) -> Vec<String> {
    let mut m: Vec<String> = files
        .iter()
        .filter_map(|f| super::depmod::parse_module_path(f).map(|(_, m, _)| m))
        .collect();
    m.sort();
    m.dedup();
    if m.is_empty() {
        modules_from_name(name)
    } else {
        m
    }
}

/// One driver package, installed or available.
struct Candidate<'a> {
    name: String,
    role: Role,
    modules: Vec<String>,
    installed: Option<&'a Package>,
    available: Option<&'a Package>,
}

/// Group the driver packages (installed, and the newest available of each name) into
/// families and build each one's variants.
pub fn families(
    inv: &Inventory,
    devices: &[Device],
    installed: &[Package],
    available: &[Package],
    known: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
) -> Vec<Driver> {
    let owners = &inv.ownership.owners;
    let mut cands: BTreeMap<String, Candidate> = BTreeMap::new();
    for p in installed.iter().filter(|p| classify(p).is_some()) {
        let files: Vec<String> = owners
            .iter()
            .filter(|(_, o)| **o == p.name)
            .map(|(f, _)| f.clone())
            .collect();
        let c = cands.entry(p.name.clone()).or_insert_with(|| Candidate {
            name: p.name.clone(),
            role: Role::of(classify(p).expect("filtered")),
            modules: shipped(&files, &p.name),
            installed: None,
            available: None,
        });
        c.installed = Some(p);
    }
    for p in available {
        let Some(class) = classify(p) else { continue };
        let c = cands.entry(p.name.clone()).or_insert_with(|| Candidate {
            name: p.name.clone(),
            role: Role::of(class),
            modules: shipped(&p.files, &p.name),
            installed: None,
            available: None,
        });
        c.available = Some(p);
    }
    // Supported packages name the families; the others join the one that shares a module
    // (an alternate first the one its name without `-alt` names), else found their own.
    let mut fams: BTreeMap<String, Vec<&Candidate>> = BTreeMap::new();
    for c in cands.values().filter(|c| c.role == Role::Supported) {
        fams.entry(c.name.clone()).or_default().push(c);
    }
    for c in cands.values().filter(|c| c.role != Role::Supported) {
        let base = c.name.strip_suffix("-alt").unwrap_or(&c.name);
        let key = if fams.contains_key(base) && c.role == Role::Alternate {
            Some(base.to_string())
        } else {
            fams.iter()
                .find(|(_, m)| {
                    m.iter()
                        .any(|o| o.modules.iter().any(|x| c.modules.contains(x)))
                })
                .map(|(k, _)| k.clone())
        };
        let key = key.unwrap_or_else(|| c.modules.first().cloned().unwrap_or(c.name.clone()));
        fams.entry(key).or_default().push(c);
    }
    fams.into_iter()
        .filter_map(|(name, members)| driver(inv, devices, known, name, &members))
        .collect()
}

/// The primary module of a family: the one its name implies, else its first.
fn primary_module(name: &str, members: &[&Candidate]) -> Option<String> {
    let all: BTreeSet<&String> = members.iter().flat_map(|c| &c.modules).collect();
    let implied = modules_from_name(name)
        .into_iter()
        .chain(std::iter::once(name.replace('-', "_")))
        .find(|m| all.contains(m));
    implied.or_else(|| all.first().map(|s| s.to_string()))
}

fn driver(
    inv: &Inventory,
    devices: &[Device],
    known: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
    name: String,
    members: &[&Candidate],
) -> Option<Driver> {
    let module = primary_module(&name, members)?;
    let entry = inv.modules.iter().find(|m| m.name == module);
    let mut modules: Vec<String> = members.iter().flat_map(|c| c.modules.clone()).collect();
    modules.sort();
    modules.dedup();
    let mut variants: Vec<Variant> = Vec::new();
    for role in [Role::Supported, Role::Alternate, Role::Additional] {
        let mut of_role: Vec<&&Candidate> = members.iter().filter(|c| c.role == role).collect();
        of_role.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, c) in of_role.into_iter().enumerate() {
            let vname = if i == 0 {
                role.as_str().to_string()
            } else {
                format!("{}.{}", role.as_str(), i + 1)
            };
            let own = known.get(&c.name).and_then(|m| m.get(&module));
            variants.push(package_variant(inv, devices, entry, vname, c, own));
        }
    }
    if let Some(copy) = entry.and_then(|e| e.copies.iter().find(|c| c.class == CopyClass::BuiltIn))
    {
        let mut v = copy_variant(inv, devices, "builtin".into(), Role::Builtin, copy);
        v.package = copy.package.clone().unwrap_or_else(|| "kernel".into());
        variants.push(v);
    }
    if variants.is_empty() {
        return None;
    }
    let selected = entry.and_then(|e| {
        let w = e.winner();
        variants
            .iter()
            .position(|v| v.path.as_deref() == Some(w.path.as_str()))
    });
    let loaded = entry.and_then(|e| e.loaded.as_ref());
    let active = loaded
        .and_then(|l| l.path.as_deref())
        .and_then(|p| variants.iter().position(|v| v.path.as_deref() == Some(p)));
    let kind = kind_of(entry, &variants, devices);
    Some(Driver {
        name,
        module,
        modules,
        kind,
        variants,
        selected,
        active,
        loaded: loaded.is_some(),
    })
}

/// A variant from a copy on disk.
fn copy_variant(
    inv: &Inventory,
    devices: &[Device],
    name: String,
    role: Role,
    copy: &CopyRecord,
) -> Variant {
    let aliases: Vec<String> = copy
        .modinfo
        .as_ref()
        .map(|i| i.alias.clone())
        .unwrap_or_default();
    Variant {
        name,
        role,
        package: copy.package.clone().unwrap_or_default(),
        version: copy.version.clone().unwrap_or_default(),
        installed: None,
        available: None,
        path: Some(copy.path.clone()),
        dir: copy.dir.clone(),
        priority: inv.config.rank_of(&copy.dir) as f64,
        devices: matching(devices, &aliases),
        aliases_from: if aliases.is_empty() { "none" } else { "copy" },
    }
}

/// A variant from a driver package, with its copy of the module when installed.
fn package_variant(
    inv: &Inventory,
    devices: &[Device],
    entry: Option<&ModuleEntry>,
    name: String,
    c: &Candidate,
    own_aliases: Option<&Vec<String>>,
) -> Variant {
    let copy = entry.and_then(|e| {
        e.copies
            .iter()
            .find(|k| c.installed.is_some() && k.package.as_deref() == Some(c.name.as_str()))
    });
    let available = c.available.map(|p| (p.evr_string(), p.repo.clone()));
    let installed = c.installed.map(|p| p.evr_string());
    if let Some(copy) = copy {
        let mut v = copy_variant(inv, devices, name, c.role, copy);
        if v.version.is_empty() {
            v.version = c
                .installed
                .map(|p| p.evr.version.clone())
                .unwrap_or_default();
        }
        v.package = c.name.clone();
        v.installed = installed;
        v.available = available;
        return v;
    }
    // Not on disk: its directory from its file list; its aliases its own when they were read
    // from the package, else those of the module's other copies (the same module drives the
    // same devices, as far as anyone can tell without the file).
    let pkg = c
        .installed
        .or(c.available)
        .expect("a candidate has a package");
    let dir = pkg
        .files
        .iter()
        .find_map(|f| {
            let (_, m, rel) = super::depmod::parse_module_path(f)?;
            (entry.is_some_and(|e| e.name == m))
                .then(|| rel.split('/').next().unwrap_or("").to_string())
        })
        .unwrap_or_else(|| c.role.default_dir().to_string());
    let (aliases, from): (Vec<String>, &'static str) = match own_aliases {
        Some(a) => (a.clone(), "package"),
        None => (
            entry
                .into_iter()
                .flat_map(|e| &e.copies)
                .filter_map(|k| k.modinfo.as_ref())
                .flat_map(|i| i.alias.clone())
                .collect(),
            "module",
        ),
    };
    Variant {
        name,
        role: c.role,
        package: c.name.clone(),
        version: pkg.evr.version.clone(),
        installed,
        available,
        path: None,
        priority: inv.config.rank_of(&dir) as f64,
        dir,
        devices: matching(devices, &aliases),
        aliases_from: if aliases.is_empty() { "none" } else { from },
    }
}

fn matching(devices: &[Device], aliases: &[String]) -> Vec<String> {
    devices
        .iter()
        .filter(|d| pci::drives(aliases, d))
        .map(|d| d.address.clone())
        .collect()
}

/// network / storage / other: from the kernel's copy's path, else the devices it drives,
/// else the PCI class its aliases name.
fn kind_of(entry: Option<&ModuleEntry>, variants: &[Variant], devices: &[Device]) -> &'static str {
    let by_path = entry.into_iter().flat_map(|e| &e.copies).find_map(|c| {
        let p = &c.path;
        if p.contains("/drivers/net/") {
            Some("network")
        } else if [
            "/drivers/scsi/",
            "/drivers/block/",
            "/drivers/nvme/",
            "/drivers/ata/",
            "/drivers/md/",
        ]
        .iter()
        .any(|d| p.contains(d))
        {
            Some("storage")
        } else {
            None
        }
    });
    if let Some(k) = by_path {
        return k;
    }
    let by_device = variants
        .iter()
        .flat_map(|v| &v.devices)
        .find_map(|a| devices.iter().find(|d| &d.address == a))
        .map(|d| d.kind());
    if let Some(k) = by_device {
        return k;
    }
    let aliases = entry
        .into_iter()
        .flat_map(|e| &e.copies)
        .filter_map(|c| c.modinfo.as_ref())
        .flat_map(|i| &i.alias);
    for a in aliases {
        if a.contains("bc02") {
            return "network";
        }
        if a.contains("bc01") {
            return "storage";
        }
    }
    "other"
}
