//! What XAPI's database says runs over a network device: the PIFs (XAPI's physical, bond,
//! VLAN and tunnel interfaces) of this host on it, their networks, the running VMs plugged
//! into those networks, and the IP addresses XAPI configured on them (storage and migration
//! networks). The reload preflight refuses, without `--force`, to take down a device that
//! carries a PIF in use.
//!
//! The database is `/var/lib/xcp/state.db`, which XAPI writes (at most every few minutes, by
//! rename) as one line of XML: `<database><manifest>…</manifest><table name="PIF"><row
//! ref="OpaqueRef:…" device="eth0" …/>…</table>…</database>`. Every field is an attribute of
//! its `row`. Values are XML-escaped after XAPI's own whitespace escaping (`%.` a space, `%t`
//! a tab, `%n` a newline, `%r` a return, `%%` a percent sign; `%_` two spaces in old files),
//! and set-valued fields are S-expressions of quoted strings, `('OpaqueRef:a'%.'OpaqueRef:b')`.
//! Nested field names are joined by `__` (`name__label`). The file may be gzip-compressed
//! (`compress:true` in `db.conf`). The set-valued reverse links (`network.VIFs`,
//! `PIF.bond_master_of`…) are derived data that XAPI rebuilds when it loads: they are not
//! trusted here; only the single references (`VIF.network`, `PIF.bond_slave_of`, `Bond.master`,
//! `VLAN.tagged_PIF`, `tunnel.transport_PIF`…) are read.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The VMs running on this host, from XAPI's database and this host's INSTALLATION_UUID (None:
/// no database, or it cannot tell).
pub fn running_vms_here(root: &crate::sysroot::Sysroot) -> Option<Vec<String>> {
    let data = std::fs::read(root.join(STATE_DB)).ok()?;
    let inventory = std::fs::read_to_string(root.join("/etc/xensource-inventory")).ok()?;
    let db = XapiDb::parse(&data).ok()?;
    let uuid = parse_inventory_value(&inventory, "INSTALLATION_UUID");
    let host = db.host_ref(uuid.as_deref()).ok()?;
    Some(db.running_vms(&host))
}

/// Where XAPI keeps its database (host path).
pub const STATE_DB: &str = "/var/lib/xcp/state.db";

/// The null reference.
const NULL_REF: &str = "OpaqueRef:NULL";

/// The tables and fields read; everything else in the file is skipped.
const WANTED: &[(&str, &[&str])] = &[
    ("host", &["uuid", "name__label", "hostname"]),
    (
        "PIF",
        &[
            "uuid",
            "device",
            "host",
            "network",
            "currently_attached",
            "management",
            "ip_configuration_mode",
            "IP",
            "ipv6_configuration_mode",
            "IPv6",
            "VLAN",
            "bond_slave_of",
        ],
    ),
    ("network", &["name__label", "bridge"]),
    ("VIF", &["VM", "network", "currently_attached", "device"]),
    (
        "VM",
        &[
            "name__label",
            "power_state",
            "is_control_domain",
            "resident_on",
        ],
    ),
    ("Bond", &["master"]),
    ("VLAN", &["tagged_PIF", "untagged_PIF", "tag"]),
    ("tunnel", &["access_PIF", "transport_PIF"]),
];

type Row = HashMap<String, String>;

/// The rows of the tables the preflight needs, by table and reference.
#[derive(Debug, Default)]
pub struct XapiDb {
    tables: HashMap<String, BTreeMap<String, Row>>,
}

/// What went wrong reading the database.
#[derive(Debug, thiserror::Error)]
pub enum XapiDbError {
    #[error("cannot read it: {0}")]
    Io(#[from] std::io::Error),
    #[error("not XAPI's database: {0}")]
    Format(String),
}

/// Undo XAPI's whitespace escaping (`Xml_spaces.protect`).
fn unprotect(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('.') => out.push(' '),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('_') => out.push_str("  "),
            Some(o) => out.push(o),
            None => out.push('%'),
        }
    }
    out
}

/// The strings of a set-valued field: an S-expression of quoted strings, `('a' 'b')`.
/// Anything else (a malformed value) gives what could be read.
pub fn set_items(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\'' && c != '"' {
            continue;
        }
        let mut item = String::new();
        while let Some(d) = it.next() {
            match d {
                '\\' => item.extend(it.next()),
                d if d == c => break,
                d => item.push(d),
            }
        }
        items.push(item);
    }
    items
}

impl XapiDb {
    /// Parse the database (plain or gzip-compressed XML).
    pub fn parse(data: &[u8]) -> Result<XapiDb, XapiDbError> {
        let mut plain = Vec::new();
        let data = if data.starts_with(&[0x1f, 0x8b]) {
            flate2::read::GzDecoder::new(data)
                .take(1 << 30)
                .read_to_end(&mut plain)?;
            &plain[..]
        } else {
            data
        };
        let mut r = Reader::from_reader(data);
        let mut buf = Vec::new();
        let mut db = XapiDb::default();
        let mut table: Option<(&str, &[&str])> = None;
        let (mut saw_root, mut closed) = (false, false);
        loop {
            let ev = r.read_event_into(&mut buf).map_err(|e| {
                XapiDbError::Format(format!("near byte {}: {e}", r.buffer_position()))
            })?;
            match &ev {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    b"database" => saw_root = true,
                    b"table" => {
                        let name = e
                            .try_get_attribute("name")
                            .ok()
                            .flatten()
                            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                            .unwrap_or_default();
                        table = WANTED.iter().find(|(t, _)| *t == name).copied();
                        if matches!(ev, Event::Empty(_)) {
                            table = None;
                        }
                    }
                    b"row" => {
                        let Some((tname, fields)) = table else {
                            continue;
                        };
                        let mut row = Row::new();
                        let mut rf = None;
                        for a in e.attributes().flatten() {
                            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                            let Ok(v) = a.unescape_value() else { continue };
                            if key == "ref" {
                                rf = Some(unprotect(&v));
                            } else if fields.contains(&key.as_str()) {
                                row.insert(key, unprotect(&v));
                            }
                        }
                        if let Some(rf) = rf {
                            db.tables
                                .entry(tname.to_string())
                                .or_default()
                                .insert(rf, row);
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == b"table" => table = None,
                Event::End(e) if e.local_name().as_ref() == b"database" => closed = true,
                _ => {}
            }
            buf.clear();
        }
        if !saw_root {
            return Err(XapiDbError::Format("no <database> element".into()));
        }
        if !closed {
            return Err(XapiDbError::Format(
                "it ends before </database>: it is truncated".into(),
            ));
        }
        Ok(db)
    }

    fn rows(&self, table: &str) -> impl Iterator<Item = (&String, &Row)> {
        self.tables.get(table).into_iter().flat_map(|t| t.iter())
    }

    fn row(&self, table: &str, rf: &str) -> Option<&Row> {
        self.tables.get(table)?.get(rf)
    }

    /// The reference of the host with this uuid (`INSTALLATION_UUID` of the inventory); with
    /// no uuid, the only host when there is one.
    /// The names of the VMs (not the control domain) running on `host`.
    pub fn running_vms(&self, host: &str) -> Vec<String> {
        let Some(vms) = self.tables.get("VM") else {
            return Vec::new();
        };
        vms.values()
            .filter(|r| r.get("power_state").map(String::as_str) == Some("Running"))
            .filter(|r| r.get("is_control_domain").map(String::as_str) != Some("true"))
            .filter(|r| r.get("resident_on").map(String::as_str) == Some(host))
            .map(|r| r.get("name__label").cloned().unwrap_or_default())
            .collect()
    }

    pub fn host_ref(&self, uuid: Option<&str>) -> Result<String, String> {
        let hosts: Vec<(&String, &Row)> = self.rows("host").collect();
        if let Some(u) = uuid {
            if let Some((rf, _)) = hosts.iter().find(|(_, r)| field(r, "uuid") == u) {
                return Ok((*rf).clone());
            }
            return Err(format!(
                "it has no host with this host's uuid {u} (INSTALLATION_UUID of /etc/xensource-inventory)"
            ));
        }
        match hosts.as_slice() {
            [(rf, _)] => Ok((*rf).clone()),
            _ => Err(format!(
                "it lists {} hosts and /etc/xensource-inventory does not say which one this is (no INSTALLATION_UUID)",
                hosts.len()
            )),
        }
    }

    /// What runs over network device `device` of host `host`: its PIFs (the device's own and
    /// its VLANs), and the bonds, VLANs and tunnels stacked on them, each with its network,
    /// addresses and the running VMs plugged into that network.
    pub fn pifs_over(&self, host: &str, device: &str) -> Vec<PifUse> {
        // (PIF ref, how it is reached from the device)
        let mut todo: Vec<(String, Option<String>)> = self
            .rows("PIF")
            .filter(|(_, p)| field(p, "host") == host && field(p, "device") == device)
            .map(|(rf, _)| (rf.clone(), None))
            .collect();
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        while let Some((rf, via)) = todo.pop() {
            if seen.contains(&rf) {
                continue;
            }
            seen.push(rf.clone());
            let Some(p) = self.row("PIF", &rf) else {
                continue;
            };
            let dev = field(p, "device").to_string();
            let through =
                |what: String| Some(via.clone().map_or(what.clone(), |v| format!("{v}, {what}")));
            // Stacked on it: the bond it is a slave of, VLANs tagged on it, tunnels over it.
            let bond = field(p, "bond_slave_of");
            if !bond.is_empty() && bond != NULL_REF {
                if let Some(master) = self.row("Bond", bond).map(|b| field(b, "master")) {
                    let name = self
                        .row("PIF", master)
                        .map_or("a bond", |m| field(m, "device"));
                    todo.push((master.to_string(), through(format!("slave of {name}"))));
                }
            }
            for (_, v) in self.rows("VLAN") {
                if field(v, "tagged_PIF") == rf {
                    let tag = field(v, "tag");
                    todo.push((
                        field(v, "untagged_PIF").to_string(),
                        through(format!("VLAN {tag} on {dev}")),
                    ));
                }
            }
            for (_, t) in self.rows("tunnel") {
                if field(t, "transport_PIF") == rf {
                    todo.push((
                        field(t, "access_PIF").to_string(),
                        through(format!("tunnel over {dev}")),
                    ));
                }
            }
            out.push(self.pif_use(&rf, p, via));
        }
        out.sort_by(|a, b| (&a.via, &a.network).cmp(&(&b.via, &b.network)));
        out
    }

    fn pif_use(&self, rf: &str, p: &Row, via: Option<String>) -> PifUse {
        let net_ref = field(p, "network");
        let net = self.row("network", net_ref);
        let mut vms: Vec<String> = self
            .rows("VIF")
            .filter(|(_, v)| {
                field(v, "network") == net_ref && field(v, "currently_attached") == "true"
            })
            .filter_map(|(_, v)| self.row("VM", field(v, "VM")))
            .filter(|vm| {
                matches!(field(vm, "power_state"), "Running" | "Paused")
                    && field(vm, "is_control_domain") != "true"
            })
            .map(|vm| field(vm, "name__label").to_string())
            .collect();
        vms.sort();
        vms.dedup();
        let mut addresses = Vec::new();
        let v4 = field(p, "ip_configuration_mode");
        if !v4.is_empty() && v4 != "None" {
            let ip = field(p, "IP");
            addresses.push(if ip.is_empty() {
                format!("IPv4 by {v4}")
            } else {
                format!("{ip} ({v4})")
            });
        }
        let v6 = field(p, "ipv6_configuration_mode");
        if !v6.is_empty() && v6 != "None" {
            let ips = set_items(field(p, "IPv6"));
            addresses.push(if ips.is_empty() {
                format!("IPv6 by {v6}")
            } else {
                format!("{} ({v6})", ips.join(", "))
            });
        }
        PifUse {
            pif: rf.to_string(),
            device: field(p, "device").to_string(),
            vlan: field(p, "VLAN").parse().ok().filter(|v: &i64| *v >= 0),
            via,
            network: net.map_or_else(String::new, |n| field(n, "name__label").to_string()),
            bridge: net.map_or_else(String::new, |n| field(n, "bridge").to_string()),
            management: field(p, "management") == "true",
            attached: field(p, "currently_attached") == "true",
            addresses,
            vms,
        }
    }
}

fn field<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).map_or("", String::as_str)
}

/// A PIF over a network device, as XAPI's database describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PifUse {
    /// Its reference.
    pub pif: String,
    /// The PIF's device (`eth1`, `bond0`).
    pub device: String,
    /// Its VLAN tag, for a VLAN PIF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<i64>,
    /// How it sits on the interface (`slave of bond0`, `VLAN 20 on eth1`); None: directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Its network's name (`name_label`) and bridge.
    pub network: String,
    pub bridge: String,
    /// XAPI's management PIF.
    pub management: bool,
    /// Plugged (`currently_attached`).
    pub attached: bool,
    /// Addresses XAPI configured on it (`10.0.0.5 (Static)`): storage, migration, management.
    pub addresses: Vec<String>,
    /// Running or paused VMs with a VIF plugged into its network.
    pub vms: Vec<String>,
}

impl PifUse {
    /// Something depends on it: management, an address, or running VMs.
    pub fn in_use(&self) -> bool {
        self.management || !self.addresses.is_empty() || !self.vms.is_empty()
    }

    /// `network 'VM traffic' (xenbr1)`, with the VLAN or bond it goes through.
    pub fn describe(&self) -> String {
        let mut s = format!("XAPI network '{}'", self.network);
        if !self.bridge.is_empty() {
            s.push_str(&format!(" ({})", self.bridge));
        }
        if let Some(v) = &self.via {
            s.push_str(&format!(" through {v}"));
        }
        s
    }
}

/// XAPI's inventory of this host (host path; `KEY='value'` lines).
pub const INVENTORY: &str = "/etc/xensource-inventory";

/// The inventory holds no complete `MANAGEMENT_INTERFACE` line: the key is absent, its quote
/// is not closed, or it is the last line and has no newline (a write cut short).
pub fn inventory_cut_short(text: &str) -> bool {
    let Some(line) = text
        .split_inclusive('\n')
        .find(|l| l.trim_start().starts_with("MANAGEMENT_INTERFACE="))
    else {
        return true;
    };
    let value = line.trim().split_once('=').map_or("", |(_, v)| v);
    let quoted_ok = match value.chars().next() {
        Some(q @ ('\'' | '"')) => value.len() >= 2 && value.ends_with(q),
        _ => true,
    };
    !line.ends_with('\n') || !quoted_ok
}

/// The value of `KEY` in the inventory, unquoted (None when absent or empty).
pub fn parse_inventory_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| {
            let (k, v) = l.trim().split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches(['\'', '"']).to_string())
        })
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A row as XAPI writes it: `ref`, the generation counts, then the fields, values
    /// whitespace-protected and XML-escaped.
    fn row(rf: &str, fields: &[(&str, &str)]) -> String {
        let protect = |v: &str| {
            v.replace('%', "%%")
                .replace(' ', "%.")
                .replace('\t', "%t")
                .replace('\n', "%n")
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut s = format!("<row ref=\"{rf}\" __ctime=\"12\" __mtime=\"34\" _ref=\"{rf}\"");
        for (k, v) in fields {
            s.push_str(&format!(" {k}=\"{}\"", protect(v)));
        }
        s.push_str("/>");
        s
    }

    /// A two-host pool. On host A: eth0 management; eth1 the VM network (web-01 running,
    /// old-vm halted); eth2 a storage network with a static address; eth3 + eth4 in bond0
    /// with a VLAN 20 on it (db-01 running); eth5 plugged, nothing on it. Host B has the same
    /// devices, with its own VM on eth5's network.
    pub fn pool_db() -> String {
        let pif = |rf: &str, host: &str, dev: &str, net: &str, extra: &[(&str, &str)]| {
            let mut f = vec![
                ("uuid", "u"),
                ("device", dev),
                ("host", host),
                ("network", net),
                ("currently_attached", "true"),
                ("management", "false"),
                ("ip_configuration_mode", "None"),
                ("IP", ""),
                ("ipv6_configuration_mode", "None"),
                ("IPv6", "()"),
                ("VLAN", "-1"),
                ("bond_slave_of", NULL_REF),
                ("bond_master_of", "()"),
            ];
            for (k, v) in extra {
                f.retain(|(x, _)| x != k);
                f.push((k, v));
            }
            row(rf, &f)
        };
        let mut t = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<database><manifest><pair key=\"schema_major_vsn\" value=\"5\"/><pair key=\"schema_minor_vsn\" value=\"786\"/><pair key=\"generation_count\" value=\"4242\"/></manifest>",
        );
        t.push_str("<table name=\"Bond\">");
        t.push_str(&row(
            "OpaqueRef:bond-a",
            &[
                ("master", "OpaqueRef:pif-a-bond0"),
                ("slaves", "('OpaqueRef:pif-a-eth3' 'OpaqueRef:pif-a-eth4')"),
            ],
        ));
        t.push_str("</table><table name=\"PIF\">");
        for (h, host) in [("a", "OpaqueRef:host-a"), ("b", "OpaqueRef:host-b")] {
            let r = |d: &str| format!("OpaqueRef:pif-{h}-{d}");
            t.push_str(&pif(
                &r("eth0"),
                host,
                "eth0",
                "OpaqueRef:net-0",
                &[
                    ("management", "true"),
                    ("ip_configuration_mode", "DHCP"),
                    ("IP", "192.0.2.10"),
                ],
            ));
            t.push_str(&pif(&r("eth1"), host, "eth1", "OpaqueRef:net-1", &[]));
            if h == "a" {
                t.push_str(&pif(
                    &r("eth2"),
                    host,
                    "eth2",
                    "OpaqueRef:net-2",
                    &[
                        ("ip_configuration_mode", "Static"),
                        ("IP", "10.0.0.5"),
                        ("disallow_unplug", "true"),
                    ],
                ));
                t.push_str(&pif(
                    &r("eth3"),
                    host,
                    "eth3",
                    "OpaqueRef:net-3",
                    &[
                        ("currently_attached", "false"),
                        ("bond_slave_of", "OpaqueRef:bond-a"),
                    ],
                ));
                t.push_str(&pif(
                    &r("eth4"),
                    host,
                    "eth4",
                    "OpaqueRef:net-4",
                    &[
                        ("currently_attached", "false"),
                        ("bond_slave_of", "OpaqueRef:bond-a"),
                    ],
                ));
                t.push_str(&pif(
                    &r("bond0"),
                    host,
                    "bond0",
                    "OpaqueRef:net-bond",
                    &[("bond_master_of", "('OpaqueRef:bond-a')")],
                ));
                t.push_str(&pif(
                    &r("bond0.20"),
                    host,
                    "bond0",
                    "OpaqueRef:net-vlan20",
                    &[("VLAN", "20")],
                ));
            }
            t.push_str(&pif(&r("eth5"), host, "eth5", "OpaqueRef:net-5", &[]));
        }
        t.push_str("</table><table name=\"VIF\">");
        t.push_str(&row(
            "OpaqueRef:vif-1",
            &[
                ("VM", "OpaqueRef:vm-web"),
                ("network", "OpaqueRef:net-1"),
                ("currently_attached", "true"),
                ("device", "0"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:vif-2",
            &[
                ("VM", "OpaqueRef:vm-old"),
                ("network", "OpaqueRef:net-1"),
                ("currently_attached", "false"),
                ("device", "0"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:vif-3",
            &[
                ("VM", "OpaqueRef:vm-db"),
                ("network", "OpaqueRef:net-vlan20"),
                ("currently_attached", "true"),
                ("device", "1"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:vif-4",
            &[
                ("VM", "OpaqueRef:vm-b"),
                ("network", "OpaqueRef:net-5b"),
                ("currently_attached", "true"),
                ("device", "0"),
            ],
        ));
        t.push_str("</table><table name=\"VLAN\">");
        t.push_str(&row(
            "OpaqueRef:vlan-20",
            &[
                ("tagged_PIF", "OpaqueRef:pif-a-bond0"),
                ("untagged_PIF", "OpaqueRef:pif-a-bond0.20"),
                ("tag", "20"),
            ],
        ));
        t.push_str("</table><table name=\"VM\">");
        t.push_str(&row(
            "OpaqueRef:vm-web",
            &[
                ("name__label", "web-01 (prod) & co"),
                ("power_state", "Running"),
                ("is_control_domain", "false"),
                ("VIFs", "('OpaqueRef:vif-1')"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:vm-old",
            &[
                ("name__label", "old-vm"),
                ("power_state", "Halted"),
                ("is_control_domain", "false"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:vm-db",
            &[
                ("name__label", "db-01"),
                ("power_state", "Paused"),
                ("is_control_domain", "false"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:vm-b",
            &[
                ("name__label", "on-host-b"),
                ("power_state", "Running"),
                ("is_control_domain", "false"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:dom0",
            &[
                ("name__label", "Control domain on host: a"),
                ("power_state", "Running"),
                ("is_control_domain", "true"),
            ],
        ));
        t.push_str("</table><table name=\"host\">");
        t.push_str(&row(
            "OpaqueRef:host-a",
            &[
                ("uuid", "aaaaaaaa-1111-2222-3333-444444444444"),
                ("name__label", "host a"),
                ("hostname", "a"),
            ],
        ));
        t.push_str(&row(
            "OpaqueRef:host-b",
            &[
                ("uuid", "bbbbbbbb-1111-2222-3333-444444444444"),
                ("name__label", "host b"),
                ("hostname", "b"),
            ],
        ));
        t.push_str("</table><table name=\"network\">");
        for (n, label) in [
            ("0", "Pool-wide network associated with eth0"),
            ("1", "VM traffic"),
            ("2", "Storage"),
            ("3", "eth3 net"),
            ("4", "eth4 net"),
            ("bond", "Bond 3+4"),
            ("vlan20", "DB VLAN"),
            ("5", "Spare"),
            ("5b", "Other"),
        ] {
            t.push_str(&row(
                &format!("OpaqueRef:net-{n}"),
                &[
                    ("name__label", label),
                    ("bridge", &format!("xenbr{n}")),
                    ("VIFs", "()"),
                ],
            ));
        }
        t.push_str("</table><table name=\"tunnel\"/></database>");
        t
    }

    #[test]
    fn decodes_xapi_escaping() {
        assert_eq!(
            unprotect("Pool-wide%.network%.100%%%tx%n"),
            "Pool-wide network 100%\tx\n"
        );
        assert_eq!(unprotect("a%_b"), "a  b");
        assert_eq!(
            set_items("('OpaqueRef:a'%.'OpaqueRef:b')".replace("%.", " ").as_str()),
            ["OpaqueRef:a", "OpaqueRef:b"]
        );
        assert_eq!(set_items("('it\\'s' \"q\\\"\")"), ["it's", "q\""]);
        assert!(set_items("()").is_empty());
    }

    #[test]
    fn finds_what_runs_over_each_device_of_this_host() {
        let db = XapiDb::parse(pool_db().as_bytes()).unwrap();
        let a = db
            .host_ref(Some("aaaaaaaa-1111-2222-3333-444444444444"))
            .unwrap();
        assert_eq!(a, "OpaqueRef:host-a");
        let over = |d: &str| db.pifs_over(&a, d);
        // The VM network: the running VM, not the halted one; names decoded.
        let eth1 = over("eth1");
        assert_eq!(eth1.len(), 1);
        assert_eq!(eth1[0].vms, ["web-01 (prod) & co"]);
        assert_eq!(eth1[0].describe(), "XAPI network 'VM traffic' (xenbr1)");
        assert!(eth1[0].in_use());
        // Storage: an address, no VM.
        let eth2 = over("eth2");
        assert_eq!(eth2[0].addresses, ["10.0.0.5 (Static)"]);
        assert!(eth2[0].vms.is_empty() && eth2[0].in_use());
        // Management.
        assert!(over("eth0")[0].management);
        // A bond slave carries the bond and the VLAN on it, with the paused VM.
        let eth3 = over("eth3");
        let via: Vec<_> = eth3.iter().map(|p| p.via.clone()).collect();
        assert_eq!(
            via,
            [
                None,
                Some("slave of bond0".into()),
                Some("slave of bond0, VLAN 20 on bond0".into())
            ]
        );
        assert_eq!(eth3[2].vms, ["db-01"]);
        assert_eq!(eth3[2].vlan, Some(20));
        assert!(!eth3[0].in_use() && !eth3[1].in_use() && eth3[2].in_use());
        // Plugged but unused; and host B's VM on its own eth5 is not this host's.
        let eth5 = over("eth5");
        assert!(eth5[0].attached && !eth5[0].in_use());
        assert!(over("eth9").is_empty());
        let b = db
            .host_ref(Some("bbbbbbbb-1111-2222-3333-444444444444"))
            .unwrap();
        assert!(db.pifs_over(&b, "eth2").is_empty());
    }

    #[test]
    fn which_host_is_this_one() {
        let db = XapiDb::parse(pool_db().as_bytes()).unwrap();
        let e = db.host_ref(None).unwrap_err();
        assert!(e.contains("2 hosts"), "{e}");
        let e = db.host_ref(Some("cccc")).unwrap_err();
        assert!(e.contains("cccc"), "{e}");
    }

    #[test]
    fn gzip_and_damage() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(pool_db().as_bytes()).unwrap();
        let db = XapiDb::parse(&gz.finish().unwrap()).unwrap();
        assert_eq!(db.rows("PIF").count(), 11);
        let e = XapiDb::parse(b"<?xml version=\"1.0\"?><html></html>").unwrap_err();
        assert!(e.to_string().contains("no <database>"), "{e}");
        let broken = pool_db().replace(
            "</table><table name=\"VIF\">",
            "</tablex><table name=\"VIF\">",
        );
        assert!(XapiDb::parse(broken.as_bytes()).is_err());
        let db = pool_db();
        assert!(XapiDb::parse(&db.as_bytes()[..db.len() / 2]).is_err());
        let at_a_tag = db.find("<table name=\"VIF\">").unwrap();
        let e = XapiDb::parse(&db.as_bytes()[..at_a_tag]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
