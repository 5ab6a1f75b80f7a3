//! `driver-tool`'s answers in the shape XAPI parses (xen-api `ocaml/xapi/xapi_host_driver_tool.ml`):
//! `-l` gives `{"protocol": {"version"}, "operation": {"reboot"}, "drivers": {KEY: {"type",
//! "friendly_name", "description", "info", "selected", "active", "variants": {NAME:
//! {"version", "hardware_present", "priority", "status"}}}}}`, every one of those keys present
//! with XAPI's type (strings; `selected`/`active` string or null; `priority` a number).
//! XAPI stores `friendly_name` as the driver's name and passes it back to `-n` and `-d`, and
//! matches drivers by it across scans, so it is the key itself (stable across versions); the
//! words for people are in `description` and `info`. Keys XAPI does not read (`xcpng-mod`)
//! carry what the variant is, for people and tools. `-s`/`-d` answer `{"driver", "variant",
//! "exit": 0}` as XAPI's own mock does (XAPI logs it only).

use crate::modules::variants::{Driver, Role, Variant};
use serde::Serialize;
use std::collections::BTreeMap;

/// The protocol version of the `-l` answer, as XAPI's mock states it.
pub const PROTOCOL: f64 = 0.1;

#[derive(Serialize)]
pub struct List<'a> {
    pub protocol: Protocol,
    pub operation: Operation,
    pub drivers: BTreeMap<String, DriverOut<'a>>,
}

#[derive(Serialize)]
pub struct Protocol {
    pub version: f64,
}

#[derive(Serialize)]
pub struct Operation {
    /// A loaded driver whose selected variant is not the active one: a reboot changes it.
    pub reboot: bool,
}

#[derive(Serialize)]
pub struct DriverOut<'a> {
    #[serde(rename = "type")]
    pub ty: &'a str,
    pub friendly_name: String,
    pub description: String,
    pub info: String,
    pub selected: Option<&'a str>,
    pub active: Option<&'a str>,
    pub variants: BTreeMap<String, VariantOut<'a>>,
}

#[derive(Serialize)]
pub struct VariantOut<'a> {
    pub version: &'a str,
    pub hardware_present: bool,
    pub priority: f64,
    pub status: &'static str,
    /// Not read by XAPI.
    #[serde(rename = "xcpng-mod")]
    pub extra: Extra<'a>,
}

#[derive(Serialize)]
pub struct Extra<'a> {
    pub package: &'a str,
    pub installed: Option<&'a str>,
    /// `[version, repo]` of the newest in an enabled repo.
    pub available: Option<(&'a str, &'a str)>,
    pub path: Option<&'a str>,
    /// The PCI addresses its module aliases match.
    pub devices: &'a [String],
    /// `copy` (its file on disk), `package` (read from the package file), `module` (the
    /// module's copies on disk), `none`.
    pub aliases_from: &'static str,
}

/// A name as XAPI's rule for driver names allows it (`a-zA-Z0-9_.@`), plus `-` as XAPI's own
/// mock and XCP-ng's package names use it; anything else becomes `_`.
pub fn name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.@-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// "Intel igb": the vendor of a supported package name, capitalised, and the module.
fn family_words(d: &Driver) -> String {
    match d.name.split_once('-') {
        Some((vendor, _)) if crate::modules::class::is_vendor(vendor) => {
            let mut v = vendor.to_string();
            v[..1].make_ascii_uppercase();
            format!("{v} {}", d.module)
        }
        _ => d.module.clone(),
    }
}

fn describe(d: &Driver) -> String {
    let shown = d
        .selected
        .map(|i| &d.variants[i])
        .or_else(|| d.default_variant());
    match shown {
        Some(v) if v.role == Role::Builtin => {
            format!("{}, the kernel's driver {}", family_words(d), v.version)
        }
        Some(v) => format!(
            "{}, {} driver {} {}",
            family_words(d),
            v.role.as_str(),
            v.package,
            v.version
        ),
        None => family_words(d),
    }
}

fn info(d: &Driver) -> String {
    let mut s = format!("module {}", d.module);
    if d.modules.len() > 1 {
        s.push_str(&format!(" (package modules: {})", d.modules.join(", ")));
    }
    if let Some(v) = d.selected.map(|i| &d.variants[i]) {
        s.push_str(&format!(
            "; wins: {} ({})",
            v.path.as_deref().unwrap_or("?"),
            v.name
        ));
    }
    match d.active.map(|i| &d.variants[i]) {
        Some(v) => s.push_str(&format!("; loaded: {}", v.name)),
        None if d.loaded => s.push_str("; loaded: a copy no longer on disk"),
        None => s.push_str("; not loaded"),
    }
    if d.change_pending() {
        s.push_str("; a reboot changes the loaded driver");
    }
    s
}

fn variant(v: &Variant) -> VariantOut<'_> {
    VariantOut {
        version: &v.version,
        hardware_present: v.hardware_present(),
        priority: v.priority,
        status: v.role.status(),
        extra: Extra {
            package: &v.package,
            installed: v.installed.as_deref(),
            available: v.available.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            path: v.path.as_deref(),
            devices: &v.devices,
            aliases_from: v.aliases_from,
        },
    }
}

/// The `-l` answer.
pub fn list(drivers: &[Driver]) -> List<'_> {
    let out = drivers
        .iter()
        .map(|d| {
            let key = name(&d.name);
            let pick = |i: Option<usize>| i.map(|i| d.variants[i].name.as_str());
            (
                key.clone(),
                DriverOut {
                    ty: d.kind,
                    friendly_name: key,
                    description: describe(d),
                    info: info(d),
                    selected: pick(d.selected),
                    active: pick(d.active),
                    variants: d
                        .variants
                        .iter()
                        .map(|v| (name(&v.name), variant(v)))
                        .collect(),
                },
            )
        })
        .collect();
    List {
        protocol: Protocol { version: PROTOCOL },
        operation: Operation {
            reboot: drivers.iter().any(Driver::change_pending),
        },
        drivers: out,
    }
}

/// The `-s`/`-d` answer.
#[derive(Serialize)]
pub struct Selected<'a> {
    pub driver: &'a str,
    pub variant: &'a str,
    pub exit: i32,
    /// Not read by XAPI: the history id of the transaction (none when nothing changed) and
    /// the restart guidance, in XAPI's names.
    pub transaction: Option<u64>,
    pub guidance: Vec<&'static str>,
    /// Not read by XAPI: the transaction's whole result (plan, module impact, guidance, and
    /// the transaction when one ran) as `install --json` gives it; none when nothing changed.
    pub result: Option<serde_json::Value>,
}
