//! The pool, seen through XAPI: every host (master first), what each one's xcpng-mod plugin
//! says of its drivers (`host_status`: driver families, which variant wins, which is loaded,
//! hardware present, the guidance pending since boot), and how the hosts compare with a
//! baseline or with each other. XAPI does the reaching: `host.call_plugin` on the master runs
//! the plugin on the chosen host. `rollout` carries one change to every host (see there).

pub mod rollout;
pub mod state;
mod steps;

use crate::error::{Error, Result};
use crate::xapirpc::{Credentials, Target, Tls, Xapi, XapiError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The plugin every host runs (packaging/xapi-plugin/xcpng-mod).
pub const PLUGIN: &str = "xcpng-mod";

/// Environment variables that may hold the credentials (never the command line).
pub const ENV_USER: &str = "XCPNG_MOD_XAPI_USER";
pub const ENV_PASSWORD: &str = "XCPNG_MOD_XAPI_PASSWORD";

/// How to reach XAPI: the master's local socket (default), or a URL with credentials from a
/// file or the environment, and the pool's certificate.
#[derive(Debug, Clone, Default)]
pub struct Connect {
    /// `https://MASTER`, or a socket path; None: the local socket.
    pub xapi: Option<String>,
    pub certificate: Option<std::path::PathBuf>,
    /// The pool certificate's SHA-256 fingerprint, pinned.
    pub fingerprint: Option<String>,
    pub credentials: Option<std::path::PathBuf>,
}

pub(super) fn failed(what: String, hint: &str) -> Error {
    Error::Failed {
        what,
        hint: Some(hint.to_string()),
    }
}

/// `user=NAME` and `password=SECRET` lines (a `#` starts a comment line).
fn read_credentials(path: &Path) -> Result<Credentials> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut c = Credentials::default();
    for l in text.lines().map(str::trim) {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        match l.split_once('=') {
            Some(("user", v)) | Some(("username", v)) => c.user = v.trim().to_string(),
            Some(("password", v)) => c.password = v.trim().to_string(),
            _ => {
                return Err(failed(
                    format!("{}: cannot read `{l}`", path.display()),
                    "the file holds `user=NAME` and `password=SECRET` lines",
                ))
            }
        }
    }
    if c.user.is_empty() {
        c.user = "root".into();
    }
    Ok(c)
}

/// Connect and log in.
pub fn connect(c: &Connect) -> Result<Xapi> {
    let target = match c.xapi.as_deref() {
        None => Target::Socket(crate::xapirpc::LOCAL_SOCKET.into()),
        Some(s) if s.starts_with('/') => Target::Socket(s.into()),
        Some(u) => Target::Url(u.to_string()),
    };
    let creds = match (&target, &c.credentials) {
        (_, Some(f)) => read_credentials(f)?,
        (Target::Url(_), None) => match std::env::var(ENV_PASSWORD) {
            Ok(password) => Credentials {
                user: std::env::var(ENV_USER).unwrap_or_else(|_| "root".into()),
                password,
            },
            Err(_) => {
                return Err(failed(
                    format!("no credentials for {}", c.xapi.as_deref().unwrap_or_default()),
                    "give --credentials FILE (user=…, password=… lines) or set XCPNG_MOD_XAPI_USER and XCPNG_MOD_XAPI_PASSWORD; on the master, leave --xapi out to use XAPI's local socket",
                ))
            }
        },
        (Target::Socket(_), None) => Credentials {
            user: "root".into(),
            password: String::new(),
        },
    };
    let certificate = match &c.certificate {
        Some(p) => Some(std::fs::read(p).map_err(|e| Error::Io {
            path: p.clone(),
            source: e,
        })?),
        None => None,
    };
    let tls = Tls {
        certificate,
        fingerprint: c.fingerprint.clone(),
    };
    let mut x = Xapi::new(target, creds, tls).map_err(xapi_error)?;
    x.login().map_err(xapi_error)?;
    Ok(x)
}

/// An XAPI failure as the tool says it, with the way out.
pub fn xapi_error(e: XapiError) -> Error {
    let hint = match e.code() {
        Some("SESSION_AUTHENTICATION_FAILED") => "check the credentials (user and password of the pool)",
        Some("HOST_IS_SLAVE") => "give the master's address",
        None => "check --xapi (on the master: leave it out to use the local socket), and --xapi-cert or --xapi-fingerprint (the pool's certificate)",
        _ => "see xen-api's datamodel_errors.ml for what the code means",
    };
    failed(e.to_string(), hint)
}

/// One variant of a driver on a host.
#[derive(Debug, Clone, Serialize)]
pub struct VariantState {
    pub name: String,
    pub package: String,
    pub version: String,
    pub installed: Option<String>,
    pub hardware_present: bool,
}

/// One driver family on a host.
#[derive(Debug, Clone, Serialize)]
pub struct DriverState {
    pub name: String,
    pub selected: Option<String>,
    pub active: Option<String>,
    pub variants: Vec<VariantState>,
}

/// One host.
#[derive(Debug, Clone, Serialize)]
pub struct HostState {
    pub name: String,
    pub uuid: String,
    pub address: String,
    pub master: bool,
    pub enabled: bool,
    /// `software_version.product_version` (XCP-ng's release).
    pub version: Option<String>,
    /// Why the host could not be read (None: it was).
    pub unreachable: Option<String>,
    pub drivers: Vec<DriverState>,
    /// Installed driver packages: name → version-release.
    pub packages: BTreeMap<String, String>,
    /// Guidance still pending since boot, XAPI's names.
    pub guidance: Vec<String>,
}

/// What a pool should run: the variant of each driver, the version of each package.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Baseline {
    #[serde(default)]
    pub drivers: BTreeMap<String, String>,
    #[serde(default)]
    pub packages: BTreeMap<String, String>,
}

/// A host against a baseline.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", content = "why", rename_all = "kebab-case")]
pub enum Compliance {
    Compliant,
    NonCompliant(Vec<String>),
    /// The baseline cannot apply: the variant does not exist there, or its hardware is absent.
    Incompatible(Vec<String>),
    Unknown(String),
}

/// Something the hosts do not agree on (without a baseline).
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// `driver intel-igb` or `package intel-igb-alt`.
    pub what: String,
    /// Value → the hosts that have it (`-`: none).
    pub values: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PoolStatus {
    pub pool: String,
    pub hosts: Vec<HostState>,
    /// The master's state, as a baseline (`pool status --json > good.json` makes one).
    pub baseline: Baseline,
    /// Per host, in `hosts` order, with `--baseline`.
    pub compliance: Option<Vec<Compliance>>,
    pub differences: Vec<Difference>,
    /// How many times XAPI had to be logged in to (more than once: a session was dropped).
    pub logins: u32,
}

impl PoolStatus {
    /// Every host compliant (with a baseline), else every host read.
    pub fn ok(&self) -> bool {
        match &self.compliance {
            Some(c) => c.iter().all(|c| matches!(c, Compliance::Compliant)),
            None => self.hosts.iter().all(|h| h.unreachable.is_none()),
        }
    }
}

/// Read a baseline: `{"drivers": {NAME: VARIANT}, "packages": {NAME: VERSION-RELEASE}}`, or a
/// `pool status --json` document (its `baseline`).
pub fn read_baseline(path: &Path) -> Result<Baseline> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        failed(
            format!("{}: not JSON: {e}", path.display()),
            "a baseline is {\"drivers\": {NAME: VARIANT}, \"packages\": {NAME: VERSION}} or `pool status --json` output",
        )
    })?;
    let body = v.get("baseline").cloned().unwrap_or(v);
    serde_json::from_value(body).map_err(|e| {
        failed(
            format!("{}: not a baseline: {e}", path.display()),
            "a baseline is {\"drivers\": {NAME: VARIANT}, \"packages\": {NAME: VERSION}} or `pool status --json` output",
        )
    })
}

/// A host name as people order them: `host2` before `host10` (the digits at its end read as
/// a number).
pub(crate) fn by_name(name: &str) -> (String, u64, String) {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let number = name[stem.len()..].parse().unwrap_or(0);
    (stem.to_string(), number, name.to_string())
}

pub(super) fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// What a host's `host_status` answer says: its drivers, driver packages, pending guidance.
struct Read {
    drivers: Vec<DriverState>,
    packages: BTreeMap<String, String>,
    guidance: Vec<String>,
}

/// The drivers and packages in a host's `host_status` answer.
fn read_host_status(text: &str) -> std::result::Result<Read, String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("the plugin's answer is not JSON: {e}"))?;
    let mut drivers = Vec::new();
    let mut packages = BTreeMap::new();
    let empty = serde_json::Map::new();
    let families = doc["drivers"]["drivers"].as_object().unwrap_or(&empty);
    for (name, d) in families {
        let mut variants = Vec::new();
        for (vname, v) in d["variants"].as_object().unwrap_or(&empty) {
            let extra = &v["xcpng-mod"];
            let installed = extra["installed"].as_str().map(str::to_string);
            let package = s(&extra["package"]);
            if let Some(i) = &installed {
                if vname != "builtin" {
                    packages.insert(package.clone(), i.clone());
                }
            }
            variants.push(VariantState {
                name: vname.clone(),
                package,
                version: s(&v["version"]),
                installed,
                hardware_present: v["hardware_present"].as_bool().unwrap_or(false),
            });
        }
        drivers.push(DriverState {
            name: name.clone(),
            selected: d["selected"].as_str().map(str::to_string),
            active: d["active"].as_str().map(str::to_string),
            variants,
        });
    }
    let guidance = doc["needs_reboot"]["guidance"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    Ok(Read {
        drivers,
        packages,
        guidance,
    })
}

/// Every host's state, master first.
pub fn status(x: &mut Xapi, baseline: Option<&Baseline>) -> Result<PoolStatus> {
    let pools = x.call("pool.get_all_records", &[]).map_err(xapi_error)?;
    let (pool_name, master) = pools
        .as_object()
        .and_then(|m| m.values().next())
        .map(|p| (s(&p["name_label"]), s(&p["master"])))
        .unwrap_or_default();
    let records = x.call("host.get_all_records", &[]).map_err(xapi_error)?;
    let mut refs: Vec<(String, Value)> = records
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    refs.sort_by_key(|(r, h)| (*r != master, by_name(&s(&h["name_label"]))));
    let mut hosts = Vec::new();
    for (r, h) in refs {
        let answer = x.call(
            "host.call_plugin",
            &[json!(r), json!(PLUGIN), json!("host_status"), json!({})],
        );
        let read = answer
            .map_err(|e| e.to_string())
            .and_then(|v| read_host_status(v.as_str().unwrap_or_default()));
        let (drivers, packages, guidance, unreachable) = match read {
            Ok(r) => (r.drivers, r.packages, r.guidance, None),
            Err(e) => (Vec::new(), BTreeMap::new(), Vec::new(), Some(e)),
        };
        hosts.push(HostState {
            name: s(&h["name_label"]),
            uuid: s(&h["uuid"]),
            address: s(&h["address"]),
            master: r == master,
            enabled: h["enabled"].as_bool().unwrap_or(false),
            version: h["software_version"]["product_version"]
                .as_str()
                .map(str::to_string),
            unreachable,
            drivers,
            packages,
            guidance,
        });
    }
    let of_master = hosts
        .iter()
        .find(|h| h.master)
        .map(baseline_of)
        .unwrap_or_default();
    let compliance = baseline.map(|b| hosts.iter().map(|h| compliance(h, b)).collect());
    let differences = differences(&hosts);
    Ok(PoolStatus {
        pool: pool_name,
        hosts,
        baseline: of_master,
        compliance,
        differences,
        logins: x.logins,
    })
}

/// A host's state as a baseline: its selected variants and its driver packages.
fn baseline_of(h: &HostState) -> Baseline {
    Baseline {
        drivers: h
            .drivers
            .iter()
            .filter_map(|d| Some((d.name.clone(), d.selected.clone()?)))
            .collect(),
        packages: h.packages.clone(),
    }
}

/// A host against the baseline.
pub fn compliance(h: &HostState, b: &Baseline) -> Compliance {
    if let Some(why) = &h.unreachable {
        return Compliance::Unknown(why.clone());
    }
    let (mut differ, mut cannot) = (Vec::new(), Vec::new());
    for (name, want) in &b.drivers {
        let Some(d) = h.drivers.iter().find(|d| &d.name == name) else {
            cannot.push(format!("no driver {name} on this host"));
            continue;
        };
        match d.variants.iter().find(|v| &v.name == want) {
            None => cannot.push(format!("driver {name} has no variant {want} here")),
            Some(v) if !v.hardware_present => cannot.push(format!(
                "variant {want} of {name} drives no device of this host"
            )),
            Some(_) if d.selected.as_deref() != Some(want.as_str()) => differ.push(format!(
                "driver {name}: {want} wanted, {} selected",
                d.selected.as_deref().unwrap_or("none")
            )),
            Some(_) => {}
        }
    }
    for (name, want) in &b.packages {
        match h.packages.get(name) {
            Some(have) if have == want => {}
            Some(have) => differ.push(format!("package {name}: {want} wanted, {have} installed")),
            None => differ.push(format!("package {name}: {want} wanted, not installed")),
        }
    }
    if !cannot.is_empty() {
        Compliance::Incompatible(cannot)
    } else if !differ.is_empty() {
        Compliance::NonCompliant(differ)
    } else {
        Compliance::Compliant
    }
}

/// Drivers whose selected variant, and packages whose version, differ between the hosts read.
fn differences(hosts: &[HostState]) -> Vec<Difference> {
    let read: Vec<&HostState> = hosts.iter().filter(|h| h.unreachable.is_none()).collect();
    let mut out = Vec::new();
    let drivers: BTreeSet<&str> = read
        .iter()
        .flat_map(|h| h.drivers.iter().map(|d| d.name.as_str()))
        .collect();
    for name in drivers {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for h in &read {
            let v = h
                .drivers
                .iter()
                .find(|d| d.name == name)
                .and_then(|d| d.selected.clone())
                .unwrap_or_else(|| "-".into());
            values.entry(v).or_default().push(h.name.clone());
        }
        if values.len() > 1 {
            out.push(Difference {
                what: format!("driver {name}"),
                values,
            });
        }
    }
    let packages: BTreeSet<&str> = read
        .iter()
        .flat_map(|h| h.packages.keys().map(String::as_str))
        .collect();
    for name in packages {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for h in &read {
            let v = h.packages.get(name).cloned().unwrap_or_else(|| "-".into());
            values.entry(v).or_default().push(h.name.clone());
        }
        if values.len() > 1 {
            out.push(Difference {
                what: format!("package {name}"),
                values,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hosts_are_ordered_as_people_number_them() {
        let mut names = vec!["host10", "host2", "xcp-b", "host1", "xcp-a", "host"];
        names.sort_by_key(|n| super::by_name(n));
        assert_eq!(
            names,
            ["host", "host1", "host2", "host10", "xcp-a", "xcp-b"]
        );
    }
}
