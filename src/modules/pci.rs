//! The host's PCI devices as sysfs shows them (`<root>/sys/bus/pci/devices/*`: ids, class,
//! `modalias`, the bound driver and its module), which module aliases match a device (as
//! modprobe matches them: fnmatch of the alias against the modalias), and readable names from
//! `pci.ids` where the host has it. It reads files only.

use crate::sysroot::Sysroot;
use std::collections::HashMap;
use std::path::Path;

/// One PCI function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// `0000:03:00.0`.
    pub address: String,
    pub vendor: u16,
    pub device: u16,
    pub subsystem_vendor: u16,
    pub subsystem_device: u16,
    /// Class, subclass, programming interface (`0x020000`).
    pub class: u32,
    /// `pci:v00008086d000010FBsv…` (sysfs's, else composed from the ids as the kernel does).
    pub modalias: String,
    /// The driver bound now (`driver` link), and the module that provides it (`driver/module`
    /// link; none for a driver built into the kernel image).
    pub driver: Option<String>,
    pub driver_module: Option<String>,
}

impl Device {
    pub fn ids(&self) -> String {
        format!("{:04x}:{:04x}", self.vendor, self.device)
    }
    pub fn subsystem(&self) -> String {
        format!(
            "{:04x}:{:04x}",
            self.subsystem_vendor, self.subsystem_device
        )
    }
    /// What kind of driver serves it: `storage`, `network` or `other` (by PCI base class).
    pub fn kind(&self) -> &'static str {
        match self.class >> 16 {
            0x01 => "storage",
            0x02 => "network",
            0x0c if (self.class >> 8) & 0xff == 0x04 => "storage", // Fibre Channel
            _ => "other",
        }
    }
}

/// The modalias the kernel gives a PCI function (`drivers/pci/pci-driver.c`).
pub fn modalias(vendor: u16, device: u16, sv: u16, sd: u16, class: u32) -> String {
    format!(
        "pci:v{:08X}d{:08X}sv{:08X}sd{:08X}bc{:02X}sc{:02X}i{:02X}",
        vendor,
        device,
        sv,
        sd,
        (class >> 16) & 0xff,
        (class >> 8) & 0xff,
        class & 0xff
    )
}

/// True when a module alias matches a device's modalias, as modprobe decides (fnmatch).
pub fn alias_matches(alias: &str, modalias: &str) -> bool {
    crate::glob::glob_match(alias, modalias)
}

/// True when one of `aliases` (a module's `alias=` values) matches the device.
pub fn drives<S: AsRef<str>>(aliases: &[S], dev: &Device) -> bool {
    aliases
        .iter()
        .any(|a| a.as_ref().starts_with("pci:") && alias_matches(a.as_ref(), &dev.modalias))
}

fn read_hex(dir: &Path, file: &str) -> Option<u32> {
    let s = std::fs::read_to_string(dir.join(file)).ok()?;
    let s = s.trim();
    u32::from_str_radix(s.strip_prefix("0x").unwrap_or(s), 16).ok()
}

fn link_name(p: &Path) -> Option<String> {
    let t = std::fs::read_link(p).ok()?;
    Some(t.file_name()?.to_string_lossy().into_owned())
}

/// The PCI devices under `<root>/sys/bus/pci/devices`, by address (none when there is no
/// sysfs: a root that is not a running host).
pub fn devices(root: &Sysroot) -> Vec<Device> {
    let dir = root.join("/sys/bus/pci/devices");
    let mut out = Vec::new();
    for name in super::list_dir(&dir) {
        let d = dir.join(&name);
        let (Some(vendor), Some(device)) = (read_hex(&d, "vendor"), read_hex(&d, "device")) else {
            continue;
        };
        let sv = read_hex(&d, "subsystem_vendor").unwrap_or(0);
        let sd = read_hex(&d, "subsystem_device").unwrap_or(0);
        let class = read_hex(&d, "class").unwrap_or(0);
        let (vendor, device, sv, sd) = (vendor as u16, device as u16, sv as u16, sd as u16);
        let modalias = std::fs::read_to_string(d.join("modalias"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| s.starts_with("pci:"))
            .unwrap_or_else(|| modalias(vendor, device, sv, sd, class));
        out.push(Device {
            address: name,
            vendor,
            device,
            subsystem_vendor: sv,
            subsystem_device: sd,
            class,
            modalias,
            driver: link_name(&d.join("driver")),
            driver_module: link_name(&d.join("driver/module")),
        });
    }
    out
}

/// Names from `pci.ids` (vendors, devices, classes), for the ids asked about only.
#[derive(Debug, Default)]
pub struct PciIds {
    vendors: HashMap<u16, String>,
    devices: HashMap<(u16, u16), String>,
    classes: HashMap<(u8, u8), String>,
}

/// Where hosts keep `pci.ids` (CentOS/XCP-ng: hwdata; Debian: misc).
const PCI_IDS: &[&str] = &["/usr/share/hwdata/pci.ids", "/usr/share/misc/pci.ids"];

impl PciIds {
    /// The names of `devs` from the root's `pci.ids`; empty when it has none.
    pub fn load(root: &Sysroot, devs: &[Device]) -> PciIds {
        PCI_IDS
            .iter()
            .find_map(|p| std::fs::read_to_string(root.join(p)).ok())
            .map(|text| PciIds::parse(&text, devs))
            .unwrap_or_default()
    }

    /// Parse the vendor, device and class lines of `pci.ids` that `devs` need.
    pub fn parse(text: &str, devs: &[Device]) -> PciIds {
        let want_v: std::collections::HashSet<u16> = devs.iter().map(|d| d.vendor).collect();
        let mut ids = PciIds::default();
        let (mut vendor, mut class): (Option<u16>, Option<u8>) = (None, None);
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (tabs, rest) = (
                line.len() - line.trim_start_matches('\t').len(),
                line.trim(),
            );
            let (id, name) = rest.split_once("  ").unwrap_or((rest, ""));
            let name = name.trim().to_string();
            match (tabs, id.strip_prefix("C ")) {
                (0, Some(c)) => {
                    class = u8::from_str_radix(c.trim(), 16).ok();
                    vendor = None;
                    if let Some(c) = class {
                        ids.classes.insert((c, 0xff), name);
                    }
                }
                (0, None) => {
                    class = None;
                    vendor = u16::from_str_radix(id, 16)
                        .ok()
                        .filter(|v| want_v.contains(v));
                    if let Some(v) = vendor {
                        ids.vendors.insert(v, name);
                    }
                }
                (1, _) => {
                    if let (Some(v), Ok(d)) = (vendor, u16::from_str_radix(id, 16)) {
                        ids.devices.insert((v, d), name);
                    } else if let (Some(c), Ok(s)) = (class, u8::from_str_radix(id, 16)) {
                        ids.classes.insert((c, s), name);
                    }
                }
                _ => {}
            }
        }
        ids
    }

    /// "Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection", as far as known.
    pub fn name(&self, d: &Device) -> Option<String> {
        let v = self.vendors.get(&d.vendor);
        let dev = self.devices.get(&(d.vendor, d.device));
        match (v, dev) {
            (Some(v), Some(n)) => Some(format!("{v} {n}")),
            (Some(v), None) => Some(v.clone()),
            _ => None,
        }
    }

    /// "Ethernet controller", else the base class's name.
    pub fn class_name(&self, d: &Device) -> Option<String> {
        let (b, s) = ((d.class >> 16) as u8, (d.class >> 8) as u8);
        self.classes
            .get(&(b, s))
            .or_else(|| self.classes.get(&(b, 0xff)))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(v: u16, d: u16, class: u32) -> Device {
        Device {
            address: "0000:03:00.0".into(),
            vendor: v,
            device: d,
            subsystem_vendor: 0x8086,
            subsystem_device: 6,
            class,
            modalias: modalias(v, d, 0x8086, 6, class),
            driver: None,
            driver_module: None,
        }
    }

    #[test]
    fn modalias_is_the_kernels() {
        assert_eq!(
            modalias(0x8086, 0x10fb, 0x8086, 6, 0x020000),
            "pci:v00008086d000010FBsv00008086sd00000006bc02sc00i00"
        );
    }

    #[test]
    fn aliases_match_by_ids_and_by_class() {
        let d = dev(0x8086, 0x10fb, 0x020000);
        assert!(drives(&["pci:v00008086d000010FBsv*sd*bc*sc*i*"], &d));
        assert!(!drives(&["pci:v00008086d000010FCsv*sd*bc*sc*i*"], &d));
        assert!(drives(&["pci:v*d*sv*sd*bc02sc00i*"], &d));
        assert!(!drives(&["usb:v*p*", "pci:v*d*sv*sd*bc01sc08i02*"], &d));
        assert_eq!(d.kind(), "network");
        assert_eq!(dev(0x144d, 0xa808, 0x010802).kind(), "storage");
    }

    #[test]
    fn names_from_pci_ids() {
        let text = "# comment\n8086  Intel Corporation\n\t10fb  82599ES 10-Gigabit SFI/SFP+ Network Connection\n\t\t8086 0006  Ethernet Server Adapter X520-2\n1af4  Red Hat, Inc.\nC 02  Network controller\n\t00  Ethernet controller\n";
        let d = dev(0x8086, 0x10fb, 0x020000);
        let ids = PciIds::parse(text, std::slice::from_ref(&d));
        assert_eq!(
            ids.name(&d).as_deref(),
            Some("Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection")
        );
        assert_eq!(ids.class_name(&d).as_deref(), Some("Ethernet controller"));
        assert_eq!(ids.name(&dev(0x1234, 1, 0)), None);
    }
}
