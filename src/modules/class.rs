//! XCP-ng's driver package classes, decided from its naming conventions (DESIGN §1):
//! supported vendor drivers `<vendor>-<module>` (`Provides: vendor-driver`), alternates
//! `<package>-alt`, additional modules `<module>-module` and `kmod-<name>-<kver>`.

use crate::rpm::Package;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum ModuleClass {
    Supported,
    Alternate,
    Additional,
}

impl ModuleClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ModuleClass::Supported => "supported",
            ModuleClass::Alternate => "alternate",
            ModuleClass::Additional => "additional",
        }
    }
}

/// Vendor prefixes of XCP-ng's supported driver packages.
const VENDORS: &[&str] = &[
    "aquantia",
    "broadcom",
    "chelsio",
    "cisco",
    "emulex",
    "huawei",
    "intel",
    "marvell",
    "mellanox",
    "microsemi",
    "netronome",
    "qlogic",
    "solarflare",
    "avago",
    "lsi",
    "hpe",
];

/// True when `v` is the vendor prefix of a supported driver package (`intel`, `broadcom`…).
pub fn is_vendor(v: &str) -> bool {
    VENDORS.contains(&v)
}

/// The class of a package by its name (and its `vendor-driver` provide, when known).
pub fn classify(p: &Package) -> Option<ModuleClass> {
    classify_name(
        &p.name,
        p.provides.iter().any(|d| d.name == "vendor-driver"),
    )
}

/// The class from a name alone; `vendor_driver` says whether it `Provides: vendor-driver`.
pub fn classify_name(name: &str, vendor_driver: bool) -> Option<ModuleClass> {
    if name.ends_with("-alt") {
        return Some(ModuleClass::Alternate);
    }
    if name.ends_with("-module") || name.starts_with("kmod-") {
        return Some(ModuleClass::Additional);
    }
    if name == "vendor-drivers" {
        return None;
    }
    let vendor = name.split_once('-').is_some_and(|(v, rest)| {
        VENDORS.contains(&v) && !rest.is_empty() && !rest.ends_with("-firmware")
    });
    if vendor || vendor_driver {
        return Some(ModuleClass::Supported);
    }
    None
}

/// Module names a package name implies (`broadcom-bnxt-en` → `bnxt_en`, `intel-igb-alt` →
/// `igb`, `r8125-module` → `r8125`, `kmod-zfs-<kver>` → `zfs`).
pub fn modules_from_name(name: &str) -> Vec<String> {
    let base = name.strip_suffix("-alt").unwrap_or(name);
    let m = if let Some(rest) = base.strip_prefix("kmod-") {
        rest.split('-').next().unwrap_or(rest)
    } else if let Some(m) = base.strip_suffix("-module") {
        m
    } else if let Some((_, m)) = base.split_once('-') {
        m
    } else {
        base
    };
    if m.is_empty() {
        Vec::new()
    } else {
        vec![m.replace('-', "_")]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_conventions() {
        use ModuleClass::*;
        assert_eq!(classify_name("broadcom-bnxt-en", false), Some(Supported));
        assert_eq!(
            classify_name("broadcom-bnxt-en-alt", false),
            Some(Alternate)
        );
        assert_eq!(classify_name("r8125-module-alt", false), Some(Alternate));
        assert_eq!(classify_name("r8125-module", false), Some(Additional));
        assert_eq!(classify_name("kmod-zfs-4.19.0+1", false), Some(Additional));
        assert_eq!(classify_name("intel-igb", false), Some(Supported));
        assert_eq!(classify_name("some-driver", true), Some(Supported));
        assert_eq!(classify_name("vendor-drivers", false), None);
        assert_eq!(classify_name("kernel", false), None);
        assert_eq!(classify_name("xcp-ng-release", false), None);
    }
}
