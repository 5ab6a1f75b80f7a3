//! Safe reload of a kernel module: the preflight (who holds it, what uses it, whether the
//! management network or storage hangs from it, whether the kernel will accept the copy that
//! would load), the plan (unload order, load order, `modprobe.d` options), and the executor
//! that carries the plan out through the root's own kmod tools and puts the previous copy
//! back when the load or a check fails.
//!
//! `gather` reads the host (files under the `Sysroot`, plus the ethtool ioctl on the real
//! `/`); `assess` is pure and turns those facts into a `Preflight`; `execute` runs a
//! preflight's plan through a `KernelOps`, so the fallback logic is tested with a fake kernel
//! and proven with the real one in the VM tests. Nothing here renders text for the terminal.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::inventory::{self, Copy, LoadedState, ModuleEntry, ModulesError};
use super::loaded::{self, Loaded};
use crate::sysroot::Sysroot;

/// What the preflight concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing at risk that the admin has not asked for.
    Safe,
    /// Possible, but something is at risk: only with `--force`.
    NeedsForce,
    /// Cannot be done on the running kernel (built in, held by the kernel): reboot.
    Impossible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::NeedsForce => "needs --force",
            Verdict::Impossible => "impossible",
        }
    }
}

/// A network interface and the modules its device hangs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct NetIf {
    pub name: String,
    /// Modules of the device and its parents (`device/driver/module` up the sysfs tree), and
    /// the ethtool driver name.
    pub modules: Vec<String>,
    /// Interfaces stacked on it (bond, bridge, VLAN…), transitively.
    pub uppers: Vec<String>,
    /// It is the management interface, or the management interface is stacked on it.
    pub management: bool,
    /// What XAPI's database says runs over it (its PIFs, bonds, VLANs; their networks).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pifs: Vec<super::xapi::PifUse>,
    /// Administratively up (IFF_UP in sysfs `flags`).
    pub up: bool,
    /// It holds an IP address (None: cannot be told, under --root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_address: Option<bool>,
    /// The default route goes through it (`/proc/net/route`).
    pub default_route: bool,
}

/// A block device and the modules its device hangs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct BlockDev {
    pub name: String,
    pub modules: Vec<String>,
}

/// One `options` line of `modprobe.d`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModprobeOption {
    pub module: String,
    pub options: Vec<String>,
    /// Host path of the file.
    pub file: String,
}

/// An `install`/`remove` command of `modprobe.d`: modprobe runs it instead of loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModprobeCommand {
    pub module: String,
    pub kind: String,
    pub command: String,
    pub file: String,
}

/// Everything the preflight needs, read from the host by `gather`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub kernel: String,
    pub module: String,
    /// Listed in `modules.builtin`.
    pub builtin: bool,
    /// The inventory entry (None for a built-in module with no file).
    pub entry: Option<ModuleEntry>,
    /// `modules.dep` on disk names the winning copy: `modprobe` loads it.
    pub modprobe_picks_winner: bool,
    pub loaded: BTreeMap<String, Loaded>,
    pub interfaces: Vec<NetIf>,
    pub block_devices: Vec<BlockDev>,
    /// `MANAGEMENT_INTERFACE` of `/etc/xensource-inventory`.
    pub management_interface: Option<String>,
    /// Why the management interface could not be read from the inventory (missing,
    /// unreadable, cut short), with where it was looked for.
    pub inventory_problem: Option<String>,
    /// XAPI's database was read and names this host's PIFs.
    pub xapi_db_used: bool,
    /// Why XAPI's database could not tell what runs over the interfaces (None: read, or
    /// there is none).
    pub xapi_problem: Option<String>,
    /// How long ago XAPI last wrote its database.
    pub xapi_age: Option<std::time::Duration>,
    /// The running kernel's vermagic, from an in-tree module of the same kernel.
    pub kernel_vermagic: Option<String>,
    pub options: Vec<ModprobeOption>,
    pub commands: Vec<ModprobeCommand>,
    /// The module is in `/boot/initrd-<kver>.img` (None: no initrd, or unreadable).
    pub in_initrd: Option<bool>,
    /// The initrd is older than the winning copy (it holds an older driver).
    pub initrd_older: bool,
}

/// How the copy that would load compares with the kernel's vermagic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VermagicStatus {
    Match,
    /// Another kernel release, same flags: with modversions the kernel checks symbol CRCs
    /// instead, and may load it.
    OtherRelease,
    /// The flags differ (or the release, without a reference): the kernel refuses it.
    Refused,
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct VermagicCheck {
    pub status: VermagicStatus,
    /// The winning copy's vermagic.
    pub module: Option<String>,
    /// The running kernel's (from an in-tree module).
    pub kernel: Option<String>,
}

/// One load of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadStep {
    pub module: String,
    /// The command, as run (`modprobe dummy`, `insmod /lib/modules/…/dummy.ko opt=1`).
    pub command: Vec<String>,
}

/// The plan of a reload.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ReloadPlan {
    /// Modules unloaded, in order (holders first, the module last).
    pub unload: Vec<String>,
    /// Loads, in order (the module with its dependencies first, then its holders).
    pub load: Vec<LoadStep>,
    /// `modprobe.d` options that apply to the modules of the plan.
    pub options: Vec<ModprobeOption>,
}

/// A module that holds (uses) the one reloaded.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    pub name: String,
    pub refcnt: Option<i64>,
    /// The modules it is held by in turn.
    pub holders: Vec<String>,
}

/// The preflight's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Preflight {
    pub kernel: String,
    pub module: String,
    pub builtin: bool,
    /// The copy that would load (depmod's pick).
    pub winner: Option<Copy>,
    /// What is loaded now; `path` is the matching file on disk (what a fallback loads).
    pub loaded: Option<LoadedState>,
    /// Modules holding it, transitively.
    pub holders: Vec<Holder>,
    /// Interfaces whose device hangs from a module of the plan.
    pub interfaces: Vec<NetIf>,
    pub block_devices: Vec<BlockDev>,
    pub management_interface: Option<String>,
    pub vermagic: VermagicCheck,
    /// The module is in the kernel's initrd (None: no initrd, or unreadable).
    pub in_initrd: Option<bool>,
    pub verdict: Verdict,
    /// Why it is not safe: what is at risk.
    pub reasons: Vec<String>,
    /// What the admin should know, that does not block.
    pub notes: Vec<String>,
    /// The ways forward when refused.
    pub ways_forward: Vec<String>,
    pub plan: ReloadPlan,
    /// The loaded state the preflight judged, of the module and every module of the plan:
    /// name → (build-id, direct holders); None when not loaded. The executor stops when the
    /// kernel no longer looks like this.
    #[serde(skip)]
    pub seen: BTreeMap<String, Option<SeenState>>,
}

/// A loaded module as the preflight saw it: its build-id and its direct holders, sorted.
pub type SeenState = (Option<String>, Vec<String>);

/// The state `Preflight::seen` records of one module.
fn seen_state(l: Option<&Loaded>) -> Option<SeenState> {
    l.map(|l| {
        let mut h = direct_holders(l);
        h.sort();
        (l.build_id.clone(), h)
    })
}

impl Preflight {
    /// What changed in the loaded modules since the preflight (empty: nothing).
    pub fn changed_since(&self, now: &BTreeMap<String, Loaded>) -> Vec<String> {
        let mut out = Vec::new();
        for (name, was) in &self.seen {
            let is = seen_state(now.get(name));
            if &is == was {
                continue;
            }
            out.push(match (was, &is) {
                (None, Some(_)) => format!("{name} was loaded"),
                (Some(_), None) => format!("{name} was unloaded"),
                (Some((a, _)), Some((b, _))) if a != b => {
                    format!("{name} was replaced by another build")
                }
                _ => format!("the users of {name} changed"),
            });
        }
        out
    }

    /// Would the reload go ahead with these flags?
    pub fn allowed(&self, force: bool) -> bool {
        match self.verdict {
            Verdict::Safe => true,
            Verdict::NeedsForce => force,
            Verdict::Impossible => false,
        }
    }

    /// Modules of the plan: the one reloaded and its holders.
    fn set(&self) -> Vec<String> {
        self.plan.unload.clone()
    }
}

// ---------------------------------------------------------------------------------------
// Gathering facts (reads the host)
// ---------------------------------------------------------------------------------------

fn link_name(p: &Path) -> Option<String> {
    std::fs::read_link(p)
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Modules of a sysfs device and of its parents (`driver/module`, else the driver's name).
fn device_modules(root: &Sysroot, device_link: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Ok(mut dir) = std::fs::canonicalize(device_link) else {
        return out;
    };
    let top = std::fs::canonicalize(root.join("/sys/devices")).unwrap_or(root.join("/sys"));
    while dir.starts_with(&top) && dir != top {
        let m = link_name(&dir.join("driver/module")).or_else(|| {
            // A driver built in has no `module` link: use the driver's name.
            link_name(&dir.join("driver"))
        });
        if let Some(m) = m {
            let m = m.replace('-', "_");
            if !out.contains(&m) {
                out.push(m);
            }
        }
        if !dir.pop() {
            break;
        }
    }
    out
}

/// The driver name ethtool reports for an interface (`ETHTOOL_GDRVINFO`); virtual devices
/// (dummy, bond, bridge) have no sysfs device, and this is how they name their module.
#[cfg(target_os = "linux")]
fn ethtool_driver(ifname: &str) -> Option<String> {
    #[repr(C)]
    struct DrvInfo {
        cmd: u32,
        driver: [u8; 32],
        version: [u8; 32],
        fw_version: [u8; 32],
        bus_info: [u8; 32],
        erom_version: [u8; 32],
        reserved2: [u8; 12],
        n_priv_flags: u32,
        n_stats: u32,
        testinfo_len: u32,
        eedump_len: u32,
        regdump_len: u32,
    }
    const ETHTOOL_GDRVINFO: u32 = 3;
    const SIOCETHTOOL: libc::c_ulong = 0x8946;
    if ifname.len() >= libc::IFNAMSIZ {
        return None;
    }
    // SAFETY: zeroed plain-old-data structs; the ioctl writes at most size_of::<DrvInfo>()
    // bytes into `info` and reads the NUL-terminated name from `ifr`; the socket is closed.
    unsafe {
        let mut info: DrvInfo = std::mem::zeroed();
        info.cmd = ETHTOOL_GDRVINFO;
        let mut ifr: libc::ifreq = std::mem::zeroed();
        for (i, b) in ifname.bytes().enumerate() {
            ifr.ifr_name[i] = b as libc::c_char;
        }
        ifr.ifr_ifru.ifru_data = (&mut info as *mut DrvInfo).cast();
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return None;
        }
        let r = libc::ioctl(fd, SIOCETHTOOL as _, &mut ifr);
        libc::close(fd);
        if r < 0 {
            return None;
        }
        let end = info.driver.iter().position(|&b| b == 0).unwrap_or(32);
        let d = String::from_utf8_lossy(&info.driver[..end]).into_owned();
        (!d.is_empty()).then(|| d.replace('-', "_"))
    }
}

#[cfg(not(target_os = "linux"))]
fn ethtool_driver(_: &str) -> Option<String> {
    None
}

fn list_dir(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Interfaces stacked directly on `ifname`: `upper_*` links and `master`.
fn direct_uppers(root: &Sysroot, ifname: &str) -> Vec<String> {
    let dir = root.join(format!("/sys/class/net/{ifname}"));
    let mut out: Vec<String> = list_dir(&dir)
        .into_iter()
        .filter_map(|n| n.strip_prefix("upper_").map(str::to_string))
        .collect();
    if let Some(m) = link_name(&dir.join("master")) {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// Every network interface of the root, with the modules it hangs from and its uppers.
pub fn read_interfaces(root: &Sysroot) -> Vec<NetIf> {
    let names = list_dir(&root.join("/sys/class/net"));
    let addresses = interfaces_with_addresses(root);
    let default_routes = default_route_interfaces(root);
    names
        .iter()
        .map(|name| {
            let mut modules =
                device_modules(root, &root.join(format!("/sys/class/net/{name}/device")));
            if root.is_host_root() {
                if let Some(d) = ethtool_driver(name) {
                    if !modules.contains(&d) {
                        modules.push(d);
                    }
                }
            }
            let mut uppers: Vec<String> = Vec::new();
            let mut todo = direct_uppers(root, name);
            while let Some(u) = todo.pop() {
                if u != *name && !uppers.contains(&u) {
                    todo.extend(direct_uppers(root, &u));
                    uppers.push(u);
                }
            }
            let flags = std::fs::read_to_string(root.join(format!("/sys/class/net/{name}/flags")))
                .ok()
                .and_then(|s| u32::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok());
            NetIf {
                name: name.clone(),
                modules,
                uppers,
                management: false,
                pifs: Vec::new(),
                up: flags.is_some_and(|f| f & 1 != 0),
                has_address: addresses.as_ref().map(|a| a.contains(name)),
                default_route: default_routes.contains(name),
            }
        })
        .collect()
}

/// Interfaces that hold an IPv4 or a global IPv6 address, from the kernel (`getifaddrs`); None
/// under --root, where the running kernel's addresses are not the root's.
fn interfaces_with_addresses(root: &Sysroot) -> Option<BTreeSet<String>> {
    if !root.is_host_root() {
        return None;
    }
    let mut out = BTreeSet::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills a list we walk read-only and free once.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return None;
        }
        let mut cur = head;
        while !cur.is_null() {
            let ifa = &*cur;
            if !ifa.ifa_addr.is_null() {
                let family = i32::from((*ifa.ifa_addr).sa_family);
                let global_v6 = family == libc::AF_INET6 && {
                    let a = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                    // fe80::/10 is link-local: every interface that is up has one.
                    !(a.sin6_addr.s6_addr[0] == 0xfe && a.sin6_addr.s6_addr[1] & 0xc0 == 0x80)
                };
                if family == libc::AF_INET || global_v6 {
                    let name = std::ffi::CStr::from_ptr(ifa.ifa_name);
                    out.insert(name.to_string_lossy().into_owned());
                }
            }
            cur = ifa.ifa_next;
        }
        libc::freeifaddrs(head);
    }
    Some(out)
}

/// Interfaces that carry a default route (`/proc/net/route`, destination 00000000).
fn default_route_interfaces(root: &Sysroot) -> Vec<String> {
    std::fs::read_to_string(root.join("/proc/net/route"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 2 && f[1] == "00000000").then(|| f[0].to_string())
        })
        .collect()
}

/// Every block device of the root, with the modules its device hangs from.
pub fn read_block_devices(root: &Sysroot) -> Vec<BlockDev> {
    list_dir(&root.join("/sys/block"))
        .into_iter()
        .map(|name| BlockDev {
            modules: device_modules(root, &root.join(format!("/sys/block/{name}/device"))),
            name,
        })
        .collect()
}

/// Fill in each interface's PIFs from XAPI's database, when there is one. Returns why it
/// could not be used, and its age.
fn read_pifs(
    root: &Sysroot,
    inventory: &str,
    interfaces: &mut [NetIf],
) -> (Option<String>, Option<std::time::Duration>) {
    use super::xapi::{XapiDb, STATE_DB};
    let path = root.join(STATE_DB);
    let Ok(data) = std::fs::read(&path) else {
        return (None, None);
    };
    let age = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    let uuid = parse_inventory_value(inventory, "INSTALLATION_UUID");
    let host = XapiDb::parse(&data)
        .map_err(|e| e.to_string())
        .and_then(|db| Ok((db.host_ref(uuid.as_deref())?, db)));
    match host {
        Ok((host, db)) => {
            for i in interfaces.iter_mut() {
                i.pifs = db.pifs_over(&host, &i.name);
            }
            (None, age)
        }
        Err(e) => (
            Some(format!(
                "XAPI's database {STATE_DB} was not used ({e}): VMs and storage on the interfaces were not checked"
            )),
            age,
        ),
    }
}

/// XAPI's inventory of this host (host path).
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

pub fn parse_inventory_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| {
            let (k, v) = l.trim().split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches(['\'', '"']).to_string())
        })
        .filter(|v| !v.is_empty())
}

/// Options and commands of `modprobe.d`, with kmod's precedence: a file name in an earlier
/// directory hides the same name in a later one; files are read in name order.
pub fn read_modprobe_d(root: &Sysroot) -> (Vec<ModprobeOption>, Vec<ModprobeCommand>) {
    let dirs = [
        "/etc/modprobe.d",
        "/run/modprobe.d",
        "/usr/local/lib/modprobe.d",
        "/lib/modprobe.d",
        "/usr/lib/modprobe.d",
    ];
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for d in dirs {
        for n in list_dir(&root.join(d)) {
            if n.ends_with(".conf") && !files.contains_key(&n) {
                files.insert(n.clone(), format!("{d}/{n}"));
            }
        }
    }
    let mut opts = Vec::new();
    let mut cmds = Vec::new();
    for host in files.values() {
        if let Ok(text) = std::fs::read_to_string(root.join(host)) {
            let (o, c) = parse_modprobe_conf(&text, host);
            opts.extend(o);
            cmds.extend(c);
        }
    }
    (opts, cmds)
}

/// Parse one `modprobe.d` file (continuation lines, comments).
pub fn parse_modprobe_conf(text: &str, file: &str) -> (Vec<ModprobeOption>, Vec<ModprobeCommand>) {
    let joined = text.replace("\\\n", " ");
    let mut opts = Vec::new();
    let mut cmds = Vec::new();
    for l in joined.lines() {
        let l = l.trim();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        let mut w = l.split_whitespace();
        let (Some(kw), Some(m)) = (w.next(), w.next()) else {
            continue;
        };
        let module = m.replace('-', "_");
        match kw {
            "options" => opts.push(ModprobeOption {
                module,
                options: w.map(str::to_string).collect(),
                file: file.to_string(),
            }),
            "install" | "remove" => cmds.push(ModprobeCommand {
                module,
                kind: kw.to_string(),
                command: w.collect::<Vec<_>>().join(" "),
                file: file.to_string(),
            }),
            _ => {}
        }
    }
    (opts, cmds)
}

/// Names listed in `modules.builtin` of a kernel.
fn builtin_names(root: &Sysroot, kver: &str) -> BTreeSet<String> {
    let p = super::depmod::kernel_dir(root, kver).join("modules.builtin");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| super::depmod::module_name_of(l.rsplit('/').next().unwrap_or(l)))
        .collect()
}

/// The running kernel's vermagic: the one of an in-tree module built for `kver` (the
/// module's own copy under `kernel/` first, else the first `kernel/` entry of modules.dep).
fn reference_vermagic(root: &Sysroot, kver: &str, entry: Option<&ModuleEntry>) -> Option<String> {
    let good = |vm: &str| vm.split_whitespace().next() == Some(kver);
    if let Some(e) = entry {
        for c in &e.copies {
            if c.dir == "kernel" {
                if let Some(vm) = c.vermagic.as_deref().filter(|v| good(v)) {
                    return Some(vm.to_string());
                }
            }
        }
    }
    let dep = super::depmod::read_modules_dep(root, kver).ok()??;
    let kdir = super::depmod::kernel_dir(root, kver);
    dep.values()
        .filter(|p| p.starts_with("kernel/"))
        .take(8)
        .find_map(|p| {
            let vm = super::modinfo::read_path(&kdir.join(p)).ok()?.vermagic?;
            good(&vm).then_some(vm)
        })
}

/// Read everything the preflight of `module` needs.
pub fn gather(root: &Sysroot, kernel: Option<&str>, module: &str) -> Result<Facts, ModulesError> {
    let kver = inventory::target_kernel(root, kernel)?;
    let name = module.replace('-', "_");
    let builtin = builtin_names(root, &kver).contains(&name);
    let loaded = loaded::read_loaded(root);
    let (entry, picks) = match inventory::inventory(root, Some(&kver), std::slice::from_ref(&name))
    {
        Ok(mut inv) => {
            let mut e = inv.modules.pop();
            // The loaded file is gone (its package was upgraded or removed): the copy saved
            // before the transaction is what the fallback loads back.
            if let Some(l) = e.as_mut().and_then(|e| e.loaded.as_mut()) {
                if l.path.is_none() {
                    l.path = l
                        .build_id
                        .as_deref()
                        .and_then(|id| fallback_copy(root, &kver, &name, id));
                }
            }
            let picks =
                inv.modules_dep_present && e.as_ref().is_some_and(|e| e.modules_dep.is_none());
            (e, picks)
        }
        Err(ModulesError::UnknownModule { .. }) if builtin || loaded.contains_key(&name) => {
            (None, false)
        }
        Err(e) => return Err(e),
    };
    let (options, commands) = read_modprobe_d(root);
    let initrd = root.join(format!("/boot/initrd-{kver}.img"));
    let in_initrd = std::fs::read(&initrd)
        .ok()
        .and_then(|d| super::doctor::initrd_modules(&d))
        .map(|names| names.contains(&name));
    let mtime = |p: &Path| std::fs::metadata(p).ok()?.modified().ok();
    let initrd_older = match (&entry, mtime(&initrd)) {
        (Some(e), Some(built)) => mtime(&root.join(&e.winner().path)).is_some_and(|t| t > built),
        _ => false,
    };
    let mut interfaces = read_interfaces(root);
    let inventory_path = root.join(INVENTORY);
    let (inventory, inventory_problem) = match std::fs::read_to_string(&inventory_path) {
        Ok(t) => {
            let problem = inventory_cut_short(&t).then(|| {
                format!(
                    "{} is cut short (no complete MANAGEMENT_INTERFACE line)",
                    inventory_path.display()
                )
            });
            (t, problem)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
            String::new(),
            Some(format!("{} is missing", inventory_path.display())),
        ),
        Err(e) => (
            String::new(),
            Some(format!("{} cannot be read ({e})", inventory_path.display())),
        ),
    };
    let (xapi_problem, xapi_age) = read_pifs(root, &inventory, &mut interfaces);
    let xapi_db_used = xapi_problem.is_none() && root.join(super::xapi::STATE_DB).is_file();
    Ok(Facts {
        in_initrd,
        initrd_older,
        xapi_problem,
        xapi_age,
        kernel_vermagic: reference_vermagic(root, &kver, entry.as_ref()),
        kernel: kver,
        module: name,
        builtin,
        entry,
        modprobe_picks_winner: picks,
        loaded,
        interfaces,
        block_devices: read_block_devices(root),
        management_interface: if inventory_problem.is_none() {
            parse_inventory_value(&inventory, "MANAGEMENT_INTERFACE")
        } else {
            None
        },
        inventory_problem,
        xapi_db_used,
        options,
        commands,
    })
}

/// Where copies of loaded modules are saved before a transaction replaces or removes their
/// file (host path): `/var/lib/xcpng-mod/fallback/<kver>/<module>.<build-id>.ko[.xz…]`.
pub fn fallback_dir(kver: &str) -> String {
    format!("/var/lib/xcpng-mod/fallback/{kver}")
}

/// The saved copy of `module` with this build-id, as a host path.
pub fn fallback_copy(root: &Sysroot, kver: &str, module: &str, build_id: &str) -> Option<String> {
    let dir = fallback_dir(kver);
    let prefix = format!("{module}.{}.ko", build_id.to_ascii_lowercase());
    list_dir(&root.join(&dir))
        .into_iter()
        .find(|f| f.starts_with(&prefix))
        .map(|f| format!("{dir}/{f}"))
}

// ---------------------------------------------------------------------------------------
// Assessing (pure)
// ---------------------------------------------------------------------------------------

/// Compare a module's vermagic with the kernel's, as the kernel does: with modversions, the
/// release (first word) is not compared, the flags are; without, the whole string is.
pub fn check_vermagic(module: Option<&str>, kernel_vm: Option<&str>, kver: &str) -> VermagicStatus {
    let Some(m) = module else {
        return VermagicStatus::Unknown;
    };
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let mw = words(m);
    match kernel_vm {
        Some(k) => {
            let kw = words(k);
            if mw == kw {
                VermagicStatus::Match
            } else if mw.get(1..) == kw.get(1..) && kw.iter().any(|w| w == "modversions") {
                VermagicStatus::OtherRelease
            } else {
                VermagicStatus::Refused
            }
        }
        None if mw.first().map(String::as_str) == Some(kver) => VermagicStatus::Match,
        None => VermagicStatus::Refused,
    }
}

/// The modules holding `name`, transitively, from `holders/` and `/proc/modules` users.
fn holders_of(loaded: &BTreeMap<String, Loaded>, name: &str) -> Vec<String> {
    let direct = |m: &str| -> Vec<String> { loaded.get(m).map(direct_holders).unwrap_or_default() };
    // Post-order: a module comes after every module that holds it.
    fn visit(
        m: &str,
        direct: &dyn Fn(&str) -> Vec<String>,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<String>,
    ) {
        for h in direct(m) {
            if seen.insert(h.clone()) {
                visit(&h, direct, seen, out);
                out.push(h);
            }
        }
    }
    let mut seen = BTreeSet::from([name.to_string()]);
    let mut out = Vec::new();
    visit(name, &direct, &mut seen, &mut out);
    out
}

fn direct_holders(l: &Loaded) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for h in l.holders.iter().chain(&l.users) {
        if !h.starts_with('[') && !v.contains(h) {
            v.push(h.clone());
        }
    }
    v
}

/// The reasons and notes from what XAPI runs over interface `i` (its PIFs in use).
fn xapi_uses(
    i: &mut NetIf,
    m: &str,
    reasons: &mut Vec<String>,
    notes: &mut Vec<String>,
    ways: &mut Vec<String>,
) {
    for p in &i.pifs {
        let on = p.describe();
        if p.management && !i.management {
            i.management = true;
            reasons.push(format!(
                "{} carries XAPI's management PIF ({on}); reloading {m} drops it: XAPI and remote sessions lose the host until it is back",
                i.name
            ));
            push_unique(
                ways,
                "put the host in maintenance mode (migrate its VMs), work from a console that does not use this network (IPMI/iDRAC/iLO), then add --force; or reboot".into(),
            );
        }
        if !p.vms.is_empty() {
            reasons.push(format!(
                "{} carries {on}, with running VM{} {} plugged in: their network drops while {m} reloads",
                i.name,
                if p.vms.len() == 1 { "" } else { "s" },
                p.vms.join(", ")
            ));
            push_unique(
                ways,
                "migrate the VMs on it to another host (or shut them down), then add --force; or reboot".into(),
            );
        }
        if !p.addresses.is_empty() && !p.management {
            reasons.push(format!(
                "{} carries {on}, with address {} configured by XAPI: storage (iSCSI, NFS) or migration traffic over it stops while {m} reloads",
                i.name,
                p.addresses.join(", ")
            ));
            push_unique(
                ways,
                "unplug the SRs and stop the migrations that use it, then add --force; or reboot"
                    .into(),
            );
        }
        if !p.in_use() && p.attached {
            notes.push(format!(
                "{} carries {on}: plugged, with nothing XAPI knows of using it",
                i.name
            ));
        }
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Turn the facts into a verdict and a plan.
pub fn assess(f: &Facts) -> Preflight {
    let m = f.module.as_str();
    let mut reasons: Vec<String> = Vec::new();
    let mut impossible: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut ways: Vec<String> = Vec::new();
    let loaded_now = f.loaded.get(m);
    let entry = f.entry.as_ref();
    let winner = entry.map(|e| e.winner().clone());

    if f.builtin && loaded_now.is_none() {
        impossible.push(format!(
            "{m} is built into kernel {}: it cannot be unloaded or replaced while this kernel runs",
            f.kernel
        ));
        push_unique(
            &mut ways,
            "reboot into a kernel that has the driver as a module, or with the new driver built in"
                .into(),
        );
    }

    // The modules of the plan: holders (post-order) then the module.
    let holder_names = if loaded_now.is_some() {
        holders_of(&f.loaded, m)
    } else {
        Vec::new()
    };
    let mut unload: Vec<String> = holder_names.clone();
    if loaded_now.is_some() {
        unload.push(m.to_string());
    }
    let set: BTreeSet<&str> = unload
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(m))
        .collect();

    for u in &unload {
        let Some(l) = f.loaded.get(u) else { continue };
        if l.users.iter().any(|x| x.contains("permanent")) {
            impossible.push(format!(
                "{u} cannot be unloaded: it has no exit function (`[permanent]` in /proc/modules)"
            ));
            push_unique(&mut ways, "reboot to load another copy".into());
        }
        let held = direct_holders(l).len() as i64;
        if let Some(r) = l.refcnt {
            if r > held {
                impossible.push(format!(
                    "{u} is in use by something that is not a module (refcount {r}, {held} module holder(s)): an open device, a mounted file system or a socket keeps it loaded, and unloading it would fail"
                ));
                push_unique(
                    &mut ways,
                    format!("stop what uses {u} (unmount, close the device, bring interfaces down), or reboot"),
                );
            }
        }
        if l.state != "Live" && !l.state.is_empty() {
            impossible.push(format!("{u} is {}: wait and try again", l.state));
        }
    }

    let holders: Vec<Holder> = holder_names
        .iter()
        .map(|h| Holder {
            name: h.clone(),
            refcnt: f.loaded.get(h).and_then(|l| l.refcnt),
            holders: f.loaded.get(h).map(direct_holders).unwrap_or_default(),
        })
        .collect();
    if !holders.is_empty() {
        reasons.push(format!(
            "{} use{} {m}: reloading {m} unloads and reloads {} too",
            holder_names.join(", "),
            if holder_names.len() == 1 { "s" } else { "" },
            if holder_names.len() == 1 {
                "it"
            } else {
                "them"
            },
        ));
        push_unique(
            &mut ways,
            format!(
                "add --force to unload {} and {m}, then load them all again",
                holder_names.join(", ")
            ),
        );
    }

    // Interfaces and block devices hanging from a module of the plan.
    let mut interfaces: Vec<NetIf> = Vec::new();
    // Without the inventory and XAPI's database, which interface XAPI manages the host over
    // cannot be known: any that may be it counts as it (never fail open).
    let unknown_management = match (&f.management_interface, &f.inventory_problem) {
        (None, Some(p)) if !f.xapi_db_used => Some(p.clone()),
        _ => None,
    };
    for i in &f.interfaces {
        if !i.modules.iter().any(|x| set.contains(x.as_str())) {
            continue;
        }
        let mut i = i.clone();
        if let Some(problem) = &unknown_management {
            let addressed = i.up && i.has_address != Some(false);
            if addressed || i.default_route {
                i.management = true;
                let what = match (addressed, i.default_route) {
                    (true, true) => "is up with an address and carries the default route",
                    (true, false) if i.has_address.is_none() => {
                        "is up (its addresses cannot be read under --root)"
                    }
                    (true, false) => "is up with an address",
                    _ => "carries the default route",
                };
                reasons.push(format!(
                    "the management interface cannot be known: {problem}, and XAPI's database {} does not tell; {} {what}, so it may be the management interface, and reloading {m} would drop it",
                    super::xapi::STATE_DB,
                    i.name
                ));
                push_unique(
                    &mut ways,
                    format!(
                        "restore {INVENTORY} (it names MANAGEMENT_INTERFACE) and run again; or put the host in maintenance mode, work from a console that does not use this network, then add --force"
                    ),
                );
            }
        }
        if let Some(mgmt) = &f.management_interface {
            let xenbr = i
                .name
                .strip_prefix("eth")
                .is_some_and(|n| mgmt.strip_prefix("xenbr") == Some(n));
            i.management = &i.name == mgmt || i.uppers.contains(mgmt) || xenbr;
            if i.management {
                let by = i
                    .modules
                    .iter()
                    .find(|x| set.contains(x.as_str()))
                    .cloned()
                    .unwrap_or_default();
                let via = if &i.name == mgmt {
                    format!("{} is the management interface", i.name)
                } else {
                    format!("the management interface {mgmt} runs over {}", i.name)
                };
                let through = if by == m {
                    String::new()
                } else {
                    format!(" (through {by})")
                };
                reasons.push(format!(
                    "{via}; reloading {m} drops it{through}: XAPI and remote sessions lose the host until it is back"
                ));
                push_unique(
                    &mut ways,
                    "put the host in maintenance mode (migrate its VMs), work from a console that does not use this network (IPMI/iDRAC/iLO), then add --force; or reboot".into(),
                );
            }
        }
        xapi_uses(&mut i, m, &mut reasons, &mut notes, &mut ways);
        if !i.management && !i.pifs.iter().any(|p| p.in_use()) {
            notes.push(format!(
                "{} goes down while {m} reloads: traffic through it stops for a moment",
                i.name
            ));
        }
        interfaces.push(i);
    }
    if let Some(p) = &f.xapi_problem {
        if !interfaces.is_empty() {
            notes.push(p.clone());
        }
    }
    if let Some(age) = f.xapi_age {
        if interfaces.iter().any(|i| !i.pifs.is_empty()) && age.as_secs() >= 60 {
            notes.push(format!(
                "XAPI last wrote its database {} min ago: a VM started or an SR plugged since may be missing above",
                age.as_secs() / 60
            ));
        }
    }
    let mut block_devices = Vec::new();
    for b in &f.block_devices {
        if let Some(by) = b.modules.iter().find(|x| set.contains(x.as_str())) {
            reasons.push(format!(
                "block device {} is behind {by}: the storage on it (SRs, VM disks) goes away while {m} is unloaded",
                b.name
            ));
            push_unique(
                &mut ways,
                "stop the VMs and unplug the SRs that use it, then add --force; or reboot".into(),
            );
            block_devices.push(b.clone());
        }
    }

    // The copy that would load.
    let vermagic = match &winner {
        Some(w) => {
            let status = check_vermagic(
                w.vermagic.as_deref(),
                f.kernel_vermagic.as_deref(),
                &f.kernel,
            );
            VermagicCheck {
                status,
                module: w.vermagic.as_ref().map(|s| s.trim_end().to_string()),
                kernel: f.kernel_vermagic.as_ref().map(|s| s.trim_end().to_string()),
            }
        }
        None => VermagicCheck {
            status: VermagicStatus::Unknown,
            module: None,
            kernel: f.kernel_vermagic.clone(),
        },
    };
    if let Some(w) = &winner {
        let built_for = vermagic
            .module
            .as_deref()
            .and_then(|v| v.split_whitespace().next())
            .unwrap_or("?")
            .to_string();
        match vermagic.status {
            VermagicStatus::Refused => {
                reasons.push(format!(
                    "{} was built for another kernel ({built_for}; vermagic `{}`, kernel {} expects `{}`): the kernel will refuse to load it",
                    w.path,
                    vermagic.module.as_deref().unwrap_or(""),
                    f.kernel,
                    vermagic.kernel.as_deref().unwrap_or(&f.kernel),
                ));
                push_unique(
                    &mut ways,
                    format!("install the {m} package built for kernel {}, or remove the faulty copy and run `xcpng-mod depmod`", f.kernel),
                );
                push_unique(
                    &mut ways,
                    "with --force the load is tried, and the copy loaded now is put back when it fails".into(),
                );
            }
            VermagicStatus::OtherRelease => {
                reasons.push(format!(
                    "{} was built for kernel {built_for}, not {}: the kernel loads it only if every symbol version matches",
                    w.path, f.kernel
                ));
                push_unique(
                    &mut ways,
                    format!("install the {m} package built for kernel {}, or add --force to try (the copy loaded now is put back if it fails)", f.kernel),
                );
            }
            _ => {}
        }
        if let Some(err) = &w.error {
            reasons.push(format!("{} cannot be read: {err}", w.path));
        }
    }
    if let (Some(l), Some(e)) = (loaded_now, entry) {
        let st = e.loaded.as_ref();
        if st.and_then(|s| s.path.as_ref()).is_none() {
            reasons.push(format!(
                "the loaded {m} (build-id {}) matches no file on disk: if the new copy fails, nothing can be put back",
                l.build_id.as_deref().unwrap_or("unknown")
            ));
            push_unique(
                &mut ways,
                "reboot instead, or add --force to take the risk".into(),
            );
        } else if st.and_then(|s| s.path.as_deref()) == winner.as_ref().map(|w| w.path.as_str()) {
            notes.push(
                "the copy that would load is the one loaded now: the reload loads the same file"
                    .into(),
            );
        }
    }
    if f.in_initrd == Some(true) && f.initrd_older {
        notes.push(format!(
            "{m} is in /boot/initrd-{}.img, which is older than the copy that would load: the reload changes the running kernel only, and the next boot loads the initrd's copy until the initrd is rebuilt (`dracut -f /boot/initrd-{k}.img {k}`)",
            f.kernel,
            k = f.kernel
        ));
    }
    if loaded_now.is_none() && !f.builtin {
        notes.push(format!("{m} is not loaded: it is only loaded"));
    }
    for c in &f.commands {
        if set.contains(c.module.as_str()) {
            notes.push(format!(
                "{} has an `{}` command in {}: modprobe runs `{}` instead",
                c.module, c.kind, c.file, c.command
            ));
        }
    }

    // The plan.
    let options: Vec<ModprobeOption> = f
        .options
        .iter()
        .filter(|o| set.contains(o.module.as_str()))
        .cloned()
        .collect();
    let opts_of = |name: &str| -> Vec<String> {
        options
            .iter()
            .filter(|o| o.module == name)
            .flat_map(|o| o.options.clone())
            .collect()
    };
    let mut load = Vec::new();
    if let Some(w) = &winner {
        if f.modprobe_picks_winner {
            load.push(LoadStep {
                module: m.to_string(),
                command: vec!["modprobe".into(), m.to_string()],
            });
        } else {
            // modprobe would pick another file (modules.dep is stale): load the winner by
            // path, its dependencies first.
            for d in w
                .modinfo
                .as_ref()
                .map(|i| i.depends.clone())
                .unwrap_or_default()
            {
                if d.is_empty() {
                    continue;
                }
                load.push(LoadStep {
                    module: d.clone(),
                    command: vec!["modprobe".into(), d],
                });
            }
            let mut cmd = vec!["insmod".to_string(), w.path.clone()];
            cmd.extend(opts_of(m));
            load.push(LoadStep {
                module: m.to_string(),
                command: cmd,
            });
            notes.push(format!(
                "modules.dep does not name {}: it is loaded by path (run `xcpng-mod depmod` so modprobe agrees)",
                w.path
            ));
        }
    }
    for h in holder_names.iter().rev() {
        load.push(LoadStep {
            module: h.clone(),
            command: vec!["modprobe".into(), h.clone()],
        });
    }

    let verdict = if !impossible.is_empty() {
        Verdict::Impossible
    } else if !reasons.is_empty() {
        Verdict::NeedsForce
    } else {
        Verdict::Safe
    };
    let mut all_reasons = impossible;
    all_reasons.extend(reasons);
    Preflight {
        kernel: f.kernel.clone(),
        module: m.to_string(),
        builtin: f.builtin,
        winner,
        loaded: entry.and_then(|e| e.loaded.clone()).or_else(|| {
            loaded_now.map(|l| LoadedState {
                build_id: l.build_id.clone(),
                srcversion: l.srcversion.clone(),
                path: None,
                version: l.version.clone(),
                refcnt: l.refcnt,
                holders: l.holders.clone(),
                users: l.users.clone(),
            })
        }),
        holders,
        interfaces,
        block_devices,
        management_interface: f.management_interface.clone(),
        vermagic,
        in_initrd: f.in_initrd,
        verdict,
        reasons: all_reasons,
        notes,
        ways_forward: ways,
        seen: unload
            .iter()
            .cloned()
            .chain(std::iter::once(m.to_string()))
            .map(|n| {
                let s = seen_state(f.loaded.get(&n));
                (n, s)
            })
            .collect(),
        plan: ReloadPlan {
            unload,
            load,
            options,
        },
    }
}

/// Gather and assess.
pub fn preflight(
    root: &Sysroot,
    kernel: Option<&str>,
    module: &str,
) -> Result<Preflight, ModulesError> {
    Ok(assess(&gather(root, kernel, module)?))
}

// ---------------------------------------------------------------------------------------
// Executing
// ---------------------------------------------------------------------------------------

/// The kernel, as the executor sees it: run a kmod tool, read the state back.
pub trait KernelOps {
    /// Run `modprobe`, `insmod` or `rmmod` with these arguments; Err holds what it said.
    fn run(&mut self, command: &[String]) -> Result<(), String>;
    /// The loaded modules now.
    fn loaded(&mut self) -> BTreeMap<String, Loaded>;
    /// Names of the network interfaces now.
    fn interfaces(&mut self) -> Vec<String>;
    /// Start watching the kernel log.
    fn log_mark(&mut self);
    /// Error lines (priority err or worse) logged since the mark or the last call.
    fn log_errors(&mut self) -> Vec<String>;
    /// Give the kernel a moment (devices appear after the load returns).
    fn settle(&mut self) {}
}

/// One command the executor ran.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub command: Vec<String>,
    pub ok: bool,
    /// What the tool said when it failed, and the kernel's error lines.
    pub message: Option<String>,
    /// Part of putting the previous copy back.
    pub fallback: bool,
}

/// A check after the load.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// `--dry-run`: nothing was done.
    DryRun,
    /// Refused by the preflight: nothing was done.
    Refused,
    /// The winning copy is loaded and every check passed.
    Reloaded,
    /// The new copy failed; the previous one is loaded again.
    RolledBack,
    /// Something failed and the previous state could not be fully restored.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::DryRun => "dry-run",
            Outcome::Refused => "refused",
            Outcome::Reloaded => "reloaded",
            Outcome::RolledBack => "rolled back",
            Outcome::Failed => "failed",
        }
    }
}

/// The report of `reload`.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    pub preflight: Preflight,
    pub result: Outcome,
    pub steps: Vec<Step>,
    pub checks: Vec<Check>,
    /// What is loaded at the end (build-id), and the file it matches.
    pub loaded_after: Option<String>,
    /// One sentence: what happened and what to do.
    pub summary: String,
}

impl ReloadReport {
    pub fn success(&self) -> bool {
        matches!(self.result, Outcome::Reloaded | Outcome::DryRun)
    }
}

struct Exec<'a, K: KernelOps> {
    ops: &'a mut K,
    steps: Vec<Step>,
}

impl<K: KernelOps> Exec<'_, K> {
    fn run(&mut self, command: Vec<String>, fallback: bool) -> bool {
        let r = self.ops.run(&command);
        let message = match &r {
            Ok(()) => None,
            Err(e) => {
                let mut m = e.trim().to_string();
                let kernel = self.ops.log_errors();
                if !kernel.is_empty() {
                    m.push_str(&format!("; kernel: {}", kernel.join(" | ")));
                }
                Some(m)
            }
        };
        self.steps.push(Step {
            command,
            ok: r.is_ok(),
            message,
            fallback,
        });
        r.is_ok()
    }
}

fn mentions(line: &str, modules: &[String]) -> bool {
    modules
        .iter()
        .any(|m| line.contains(m.as_str()) || line.contains(&m.replace('_', "-")))
}

/// Carry out a preflight's plan (the caller checked `allowed`). On a failed load or check,
/// the modules of the plan are unloaded, the previously loaded file is loaded back by path
/// with its options, and the holders are loaded again.
pub fn execute<K: KernelOps>(pre: &Preflight, ops: &mut K) -> ReloadReport {
    let m = pre.module.clone();
    let set = pre.set();
    let mut ex = Exec {
        ops,
        steps: Vec::new(),
    };
    let mut checks: Vec<Check> = Vec::new();
    let ifaces_before: Vec<String> = pre.interfaces.iter().map(|i| i.name.clone()).collect();
    // The kernel right before the first unload must be the one the preflight judged: another
    // process may have loaded, unloaded or started using a module since.
    let changed = pre.changed_since(&ex.ops.loaded());
    if !changed.is_empty() {
        return finish(
            pre,
            ex,
            checks,
            Outcome::Refused,
            format!(
                "the loaded modules changed since the preflight ({}): nothing was done; run the reload again",
                changed.join(", ")
            ),
        );
    }
    ex.ops.log_mark();

    // Unload, holders first.
    let mut unloaded: Vec<String> = Vec::new();
    let mut failure: Option<String> = None;
    for u in &pre.plan.unload {
        if !ex.ops.loaded().contains_key(u) {
            continue;
        }
        if ex.run(vec!["rmmod".into(), u.clone()], false) {
            unloaded.push(u.clone());
        } else {
            failure = Some(format!("{u} could not be unloaded"));
            break;
        }
    }
    if let Some(why) = failure {
        // Nothing new was loaded: load back what was unloaded.
        restore(&mut ex, pre, &unloaded);
        let back = ex.ops.loaded();
        let ok = set.iter().all(|s| back.contains_key(s));
        return finish(
            pre,
            ex,
            checks,
            if ok {
                Outcome::RolledBack
            } else {
                Outcome::Failed
            },
            format!(
                "{why}; {}",
                if ok {
                    "everything unloaded was loaded back".to_string()
                } else {
                    "some modules could not be loaded back: see the steps".to_string()
                }
            ),
        );
    }

    // Load.
    let mut failed: Option<String> = None;
    let mut loaded_by_us: Vec<String> = Vec::new();
    for step in &pre.plan.load {
        if !ex.run(step.command.clone(), false) {
            failed = Some(format!("loading {} failed", step.module));
            break;
        }
        loaded_by_us.push(step.module.clone());
        if step.module == m {
            // The loaded module is the winning file.
            let now = ex.ops.loaded();
            let l = now.get(&m);
            let w = pre.winner.as_ref();
            let (got, want) = (
                l.and_then(|l| l.build_id.clone()),
                w.and_then(|w| w.build_id.clone()),
            );
            let ok = match (&got, &want) {
                (Some(g), Some(w)) => g == w,
                _ => l.is_some(),
            };
            checks.push(Check {
                name: "build-id".into(),
                ok,
                detail: match (&got, &want) {
                    (Some(g), Some(w)) if g == w => format!(
                        "loaded {m} is {} (build-id {g})",
                        pre.winner.as_ref().map(|w| w.path.as_str()).unwrap_or("?")
                    ),
                    (Some(g), Some(w)) => {
                        format!("loaded {m} has build-id {g}, the winning file has {w}")
                    }
                    _ if l.is_some() => format!("{m} is loaded (no build-id to compare)"),
                    _ => format!("{m} is not loaded after the load command"),
                },
            });
            let (gs, ws) = (
                l.and_then(|l| l.srcversion.clone()),
                w.and_then(|w| w.srcversion.clone()),
            );
            if let (Some(g), Some(w)) = (&gs, &ws) {
                checks.push(Check {
                    name: "srcversion".into(),
                    ok: g == w,
                    detail: if g == w {
                        format!("srcversion {g}")
                    } else {
                        format!("loaded srcversion {g}, the winning file has {w}")
                    },
                });
            }
            if checks.iter().any(|c| !c.ok) {
                failed = Some(format!("the loaded {m} is not the winning copy"));
                break;
            }
        }
    }
    if failed.is_none() {
        // Interfaces that existed are back (devices may appear a moment after the load).
        let mut missing: Vec<String> = Vec::new();
        for _ in 0..50 {
            let now = ex.ops.interfaces();
            missing = ifaces_before
                .iter()
                .filter(|i| !now.contains(i))
                .cloned()
                .collect();
            if missing.is_empty() {
                break;
            }
            ex.ops.settle();
        }
        if !ifaces_before.is_empty() {
            checks.push(Check {
                name: "interfaces".into(),
                ok: missing.is_empty(),
                detail: if missing.is_empty() {
                    format!("back: {}", ifaces_before.join(", "))
                } else {
                    format!("missing after the reload: {}", missing.join(", "))
                },
            });
        }
        let errors: Vec<String> = ex
            .ops
            .log_errors()
            .into_iter()
            .filter(|l| mentions(l, &set) || mentions(l, std::slice::from_ref(&m)))
            .collect();
        checks.push(Check {
            name: "kernel log".into(),
            ok: errors.is_empty(),
            detail: if errors.is_empty() {
                "no errors since the load".into()
            } else {
                errors.join(" | ")
            },
        });
        if checks.iter().any(|c| !c.ok) {
            failed = Some("a check failed after the load".into());
        }
    }
    let Some(why) = failed else {
        let id = ex.ops.loaded().get(&m).and_then(|l| l.build_id.clone());
        return finish(
            pre,
            ex,
            checks,
            Outcome::Reloaded,
            format!(
                "{m} reloaded from {}",
                pre.winner.as_ref().map(|w| w.path.as_str()).unwrap_or("?")
            ),
        )
        .with_loaded(id);
    };

    // Fallback, only on what this run changed: unload what it loaded (users first), load back
    // by path what it unloaded.
    let now = ex.ops.loaded();
    let mut ours: Vec<String> = loaded_by_us;
    ours.reverse();
    for u in &ours {
        if now.contains_key(u) {
            ex.run(vec!["rmmod".into(), u.clone()], true);
        }
    }
    restore(&mut ex, pre, &unloaded);
    let after = ex.ops.loaded();
    let id = after.get(&m).and_then(|l| l.build_id.clone());
    let prev = pre.loaded.as_ref();
    let (outcome, summary) = match prev {
        None => (
            Outcome::Failed,
            format!("{why}; {m} was not loaded before, and is not loaded now"),
        ),
        Some(p) => {
            let back = match (&id, &p.build_id) {
                (Some(a), Some(b)) => a == b,
                _ => after.contains_key(&m),
            };
            let holders_back = set.iter().all(|s| after.contains_key(s));
            checks.push(Check {
                name: "previous copy".into(),
                ok: back,
                detail: if back {
                    format!(
                        "{m} is loaded again from {}",
                        p.path.as_deref().unwrap_or("the previous file")
                    )
                } else {
                    format!("{m} could not be put back")
                },
            });
            if back && holders_back {
                (
                    Outcome::RolledBack,
                    format!(
                        "{why}; the previous {m} ({}) is loaded again",
                        p.path.as_deref().unwrap_or("?")
                    ),
                )
            } else {
                (
                    Outcome::Failed,
                    format!("{why}; putting the previous copy back also failed: reboot to get a working driver"),
                )
            }
        }
    };
    finish(pre, ex, checks, outcome, summary).with_loaded(id)
}

/// Load back, after an unload: the previous copy of the module by path (with its options),
/// then the holders by name, in reverse unload order.
fn restore<K: KernelOps>(ex: &mut Exec<'_, K>, pre: &Preflight, unloaded: &[String]) {
    let m = &pre.module;
    for u in unloaded.iter().rev() {
        if ex.ops.loaded().contains_key(u) {
            continue;
        }
        if u == m {
            match pre.loaded.as_ref().and_then(|l| l.path.clone()) {
                Some(p) => {
                    let mut cmd = vec!["insmod".to_string(), p];
                    cmd.extend(
                        pre.plan
                            .options
                            .iter()
                            .filter(|o| &o.module == m)
                            .flat_map(|o| o.options.clone()),
                    );
                    ex.run(cmd, true);
                }
                None => {
                    ex.run(vec!["modprobe".into(), u.clone()], true);
                }
            }
        } else {
            ex.run(vec!["modprobe".into(), u.clone()], true);
        }
    }
}

fn finish<K: KernelOps>(
    pre: &Preflight,
    ex: Exec<'_, K>,
    checks: Vec<Check>,
    result: Outcome,
    summary: String,
) -> ReloadReport {
    ReloadReport {
        preflight: pre.clone(),
        result,
        steps: ex.steps,
        checks,
        loaded_after: None,
        summary,
    }
}

impl ReloadReport {
    fn with_loaded(mut self, id: Option<String>) -> ReloadReport {
        self.loaded_after = id;
        self
    }

    /// A report for a plan that was not carried out.
    pub fn not_run(pre: Preflight, result: Outcome) -> ReloadReport {
        let summary = match result {
            Outcome::Refused => match pre.verdict {
                Verdict::Impossible => {
                    format!("{} cannot be reloaded on the running kernel", pre.module)
                }
                _ => format!("reload of {} refused without --force", pre.module),
            },
            _ => match pre.verdict {
                Verdict::Safe => "nothing was changed; the reload would go ahead".to_string(),
                Verdict::NeedsForce => "nothing was changed; the reload needs --force".to_string(),
                Verdict::Impossible => "nothing was changed; the reload is impossible".to_string(),
            },
        };
        ReloadReport {
            preflight: pre,
            result,
            steps: Vec::new(),
            checks: Vec::new(),
            loaded_after: None,
            summary,
        }
    }
}

/// The real kernel: the root's kmod tools, `/proc/modules`, `/sys`, `/dev/kmsg`.
pub struct HostKernel {
    root: Sysroot,
    kmsg: Option<std::fs::File>,
}

impl HostKernel {
    pub fn new(root: Sysroot) -> HostKernel {
        HostKernel { root, kmsg: None }
    }

    fn tool(&self, name: &str) -> PathBuf {
        for d in ["/sbin", "/usr/sbin", "/bin", "/usr/bin"] {
            let p = self.root.join(d).join(name);
            if p.exists() {
                return p;
            }
        }
        PathBuf::from(name)
    }
}

impl KernelOps for HostKernel {
    fn run(&mut self, command: &[String]) -> Result<(), String> {
        let (prog, args) = command.split_first().ok_or("empty command")?;
        let out = Command::new(self.tool(prog))
            .args(args)
            .env("LC_ALL", "C")
            .output()
            .map_err(|e| format!("cannot run {prog}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let mut s = String::from_utf8_lossy(&out.stderr).trim().to_string();
            if s.is_empty() {
                s = format!("{prog} exited with {}", out.status);
            }
            Err(s)
        }
    }

    fn loaded(&mut self) -> BTreeMap<String, Loaded> {
        loaded::read_loaded(&self.root)
    }

    fn interfaces(&mut self) -> Vec<String> {
        list_dir(&self.root.join("/sys/class/net"))
    }

    fn log_mark(&mut self) {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::io::AsRawFd;
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(self.root.join("/dev/kmsg"));
        if let Ok(f) = f {
            // SAFETY: lseek on a file descriptor we own; on /dev/kmsg SEEK_END skips the
            // records logged so far.
            unsafe {
                libc::lseek(f.as_raw_fd(), 0, libc::SEEK_END);
            }
            self.kmsg = Some(f);
        }
    }

    fn log_errors(&mut self) -> Vec<String> {
        use std::io::Read;
        let Some(f) = self.kmsg.as_mut() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut buf = vec![0u8; 8192];
        loop {
            match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some(l) = parse_kmsg_error(&String::from_utf8_lossy(&buf[..n])) {
                        out.push(l);
                    }
                }
                // Records overwritten before we read them: go on with the next.
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                Err(_) => break,
            }
        }
        out
    }

    fn settle(&mut self) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A `/dev/kmsg` record (`prio,seq,ts,flags;message`) at level err or worse: its message.
pub fn parse_kmsg_error(record: &str) -> Option<String> {
    let (head, msg) = record.split_once(';')?;
    let prio: u32 = head.split(',').next()?.parse().ok()?;
    let msg = msg.lines().next().unwrap_or("").trim();
    (prio & 7 <= 3 && !msg.is_empty()).then(|| msg.to_string())
}

/// `reload MODULE`: preflight, then (unless refused or `dry_run`) execute on the running
/// kernel. Acting needs the real `/`: under `--root DIR` only `dry_run` is possible.
pub fn reload(
    root: &Sysroot,
    kernel: Option<&str>,
    module: &str,
    dry_run: bool,
    force: bool,
) -> Result<ReloadReport, ModulesError> {
    let pre = preflight(root, kernel, module)?;
    if dry_run {
        return Ok(ReloadReport::not_run(pre, Outcome::DryRun));
    }
    if !pre.allowed(force) {
        return Ok(ReloadReport::not_run(pre, Outcome::Refused));
    }
    if !root.is_host_root() {
        return Err(ModulesError::NotHere(format!(
            "reload changes the running kernel: it cannot act on --root {} (add --dry-run to see the plan)",
            root.root().display()
        )));
    }
    if let Some(k) = kernel {
        let running = loaded::running_kernel(root).unwrap_or_default();
        if running != k {
            return Err(ModulesError::NotHere(format!(
                "reload acts on the running kernel ({running}), not on --kernel {k} (add --dry-run to see the plan)",
            )));
        }
    }
    let mut host = HostKernel::new(root.clone());
    Ok(execute(&pre, &mut host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modules::inventory::CopyClass;

    fn copy(path: &str, dir: &str, id: &str, vm: &str) -> Copy {
        Copy {
            path: path.into(),
            dir: dir.into(),
            version: None,
            srcversion: None,
            vermagic: Some(vm.into()),
            build_id: Some(id.into()),
            package: None,
            class: CopyClass::Unpackaged,
            error: None,
            modinfo: None,
        }
    }

    const VM: &str = "6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions ";
    const KP: &str = "/lib/modules/k/kernel/dummy.ko";
    const OP: &str = "/lib/modules/k/override/dummy.ko";

    fn ld(name: &str, refcnt: i64, users: &[&str], id: &str) -> Loaded {
        Loaded {
            name: name.into(),
            refcnt: Some(refcnt),
            users: users.iter().map(|s| s.to_string()).collect(),
            holders: users.iter().map(|s| s.to_string()).collect(),
            state: "Live".into(),
            build_id: Some(id.into()),
            ..Default::default()
        }
    }

    /// dummy loaded from kernel/, with an override copy winning.
    fn facts(override_vm: &str) -> Facts {
        let entry = ModuleEntry {
            name: "dummy".into(),
            winner: 1,
            copies: vec![
                copy(KP, "kernel", "aa", VM),
                copy(OP, "override", "bb", override_vm),
            ],
            loaded: Some(LoadedState {
                build_id: Some("aa".into()),
                srcversion: None,
                path: Some(KP.into()),
                version: None,
                refcnt: Some(0),
                holders: vec![],
                users: vec![],
            }),
            modules_dep: None,
        };
        Facts {
            kernel: "6.1.0-56-cloud-amd64".into(),
            module: "dummy".into(),
            entry: Some(entry),
            modprobe_picks_winner: true,
            loaded: BTreeMap::from([("dummy".to_string(), ld("dummy", 0, &[], "aa"))]),
            kernel_vermagic: Some(VM.into()),
            ..Default::default()
        }
    }

    #[test]
    fn vermagic_like_the_kernel() {
        let k = "6.1.0-56-cloud-amd64";
        assert_eq!(check_vermagic(Some(VM), Some(VM), k), VermagicStatus::Match);
        let other = "6.1.0-55-cloud-amd64 SMP preempt mod_unload modversions ";
        assert_eq!(
            check_vermagic(Some(other), Some(VM), k),
            VermagicStatus::OtherRelease
        );
        let old = "4.19.0+1 SMP mod_unload modversions ";
        assert_eq!(
            check_vermagic(Some(old), Some(VM), k),
            VermagicStatus::Refused
        );
        assert_eq!(check_vermagic(Some(old), None, k), VermagicStatus::Refused);
        assert_eq!(check_vermagic(Some(VM), None, k), VermagicStatus::Match);
        assert_eq!(check_vermagic(None, Some(VM), k), VermagicStatus::Unknown);
    }

    #[test]
    fn unused_module_is_safe_and_planned() {
        let mut f = facts(VM);
        f.options = vec![ModprobeOption {
            module: "dummy".into(),
            options: vec!["numdummies=2".into()],
            file: "/etc/modprobe.d/d.conf".into(),
        }];
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::Safe, "{:?}", p.reasons);
        assert_eq!(p.plan.unload, vec!["dummy"]);
        assert_eq!(p.plan.load[0].command, vec!["modprobe", "dummy"]);
        assert_eq!(p.plan.options.len(), 1);
        // modules.dep stale: loaded by path with the options.
        f.modprobe_picks_winner = false;
        let p = assess(&f);
        assert_eq!(
            p.plan.load.last().unwrap().command,
            vec!["insmod", OP, "numdummies=2"]
        );
    }

    #[test]
    fn holders_need_force_and_unload_first() {
        let mut f = facts(VM);
        f.loaded
            .insert("dummy".into(), ld("dummy", 1, &["stp"], "aa"));
        f.loaded
            .insert("stp".into(), ld("stp", 1, &["bridge"], "cc"));
        f.loaded.insert("bridge".into(), ld("bridge", 0, &[], "dd"));
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::NeedsForce);
        assert_eq!(p.plan.unload, vec!["bridge", "stp", "dummy"]);
        let loads: Vec<&str> = p.plan.load.iter().map(|l| l.module.as_str()).collect();
        assert_eq!(loads, vec!["dummy", "stp", "bridge"]);
        assert!(
            p.reasons[0].contains("bridge, stp use dummy"),
            "{:?}",
            p.reasons
        );
        assert!(p.allowed(true) && !p.allowed(false));
    }

    #[test]
    fn refcount_without_holders_is_impossible() {
        let mut f = facts(VM);
        f.loaded.insert("dummy".into(), ld("dummy", 2, &[], "aa"));
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::Impossible);
        assert!(!p.allowed(true));
        assert!(p.reasons[0].contains("refcount 2"));
        f.loaded
            .insert("dummy".into(), ld("dummy", 0, &["[permanent]"], "aa"));
        assert_eq!(assess(&f).verdict, Verdict::Impossible);
    }

    #[test]
    fn stale_initrd_is_noted() {
        let mut f = facts(VM);
        f.in_initrd = Some(true);
        f.initrd_older = true;
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::Safe);
        assert!(
            p.notes.iter().any(|n| n.contains("dracut -f")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn builtin_is_impossible() {
        let f = Facts {
            kernel: "k".into(),
            module: "ext4".into(),
            builtin: true,
            ..Default::default()
        };
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::Impossible);
        assert!(p.reasons[0].contains("built into kernel k"));
    }

    #[test]
    fn management_interface_over_the_driver() {
        let mut f = facts(VM);
        f.interfaces = vec![
            NetIf {
                name: "eth0".into(),
                modules: vec!["dummy".into()],
                uppers: vec!["bond0".into(), "xapi1".into()],
                ..Default::default()
            },
            NetIf {
                name: "eth1".into(),
                modules: vec!["dummy".into()],
                ..Default::default()
            },
            NetIf {
                name: "eth2".into(),
                modules: vec!["e1000".into()],
                ..Default::default()
            },
        ];
        f.management_interface = Some("eth1".into());
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::NeedsForce);
        assert!(
            p.reasons[0].starts_with("eth1 is the management interface; reloading dummy drops it")
        );
        assert_eq!(p.interfaces.len(), 2);
        assert!(p.notes.iter().any(|n| n.starts_with("eth0 goes down")));
        f.management_interface = Some("xapi1".into());
        let p = assess(&f);
        assert!(p.reasons[0].starts_with("the management interface xapi1 runs over eth0"));
        f.management_interface = Some("xenbr1".into());
        assert!(assess(&f).reasons[0].contains("xenbr1 runs over eth1"));
        f.management_interface = Some("eth2".into());
        assert_eq!(assess(&f).verdict, Verdict::Safe);
    }

    #[test]
    fn an_unknown_management_interface_never_fails_open() {
        let mut f = facts(VM);
        let iface = |name: &str, up, addr, route| NetIf {
            name: name.into(),
            modules: vec!["dummy".into()],
            up,
            has_address: addr,
            default_route: route,
            ..Default::default()
        };
        f.interfaces = vec![
            iface("eth0", true, Some(true), false),
            iface("eth1", true, Some(false), false),
            iface("eth2", false, Some(false), true),
            iface("eth3", false, Some(false), false),
        ];
        f.management_interface = None;
        f.inventory_problem = Some("/r/etc/xensource-inventory is missing".into());
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::NeedsForce);
        let mine: Vec<&String> = p
            .reasons
            .iter()
            .filter(|r| r.starts_with("the management interface cannot be known"))
            .collect();
        assert_eq!(mine.len(), 2, "{:?}", p.reasons);
        assert!(mine[0].contains("/r/etc/xensource-inventory is missing"));
        assert!(mine[0].contains("eth0 is up with an address"));
        assert!(mine[1].contains("eth2 carries the default route"));
        assert!(p
            .ways_forward
            .iter()
            .any(|w| w.contains("restore /etc/xensource-inventory")));
        // Under --root the addresses are unknown: up is enough.
        f.interfaces = vec![iface("eth1", true, None, false)];
        assert_eq!(assess(&f).verdict, Verdict::NeedsForce);
        // Nothing up, no route: nothing at risk.
        f.interfaces = vec![iface("eth3", false, Some(false), false)];
        assert_eq!(assess(&f).verdict, Verdict::Safe);
        // XAPI's database was read: it tells (its management PIF), the inventory is not needed.
        f.interfaces = vec![iface("eth0", true, Some(true), false)];
        f.xapi_db_used = true;
        assert_eq!(assess(&f).verdict, Verdict::Safe);
    }

    #[test]
    fn truncated_inventories_are_seen() {
        assert!(!inventory_cut_short("MANAGEMENT_INTERFACE='xenbr0'\n"));
        assert!(!inventory_cut_short(
            "A='b'\nMANAGEMENT_INTERFACE=''\nC='d'"
        ));
        assert!(inventory_cut_short(
            "INSTALLATION_UUID='a'\nMANAGEMENT_INTERF"
        ));
        assert!(inventory_cut_short("MANAGEMENT_INTERFACE='xenb"));
        assert!(inventory_cut_short("MANAGEMENT_INTERFACE='xenb\n"));
        assert!(inventory_cut_short(""));
    }

    #[test]
    fn pifs_in_use_need_force_and_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = Sysroot::new(dir.path());
        std::fs::create_dir_all(root.join("/var/lib/xcp")).unwrap();
        std::fs::write(
            root.join(super::super::xapi::STATE_DB),
            super::super::xapi::tests::pool_db(),
        )
        .unwrap();
        let iface = |n: &str| NetIf {
            name: n.into(),
            modules: vec!["dummy".into()],
            ..Default::default()
        };
        let mut f = facts(VM);
        f.interfaces = ["eth1", "eth2", "eth3", "eth5"].map(iface).to_vec();
        // Which host is this one: the inventory does not say, and the pool has two.
        (f.xapi_problem, f.xapi_age) = read_pifs(&root, "", &mut f.interfaces);
        assert!(f.interfaces.iter().all(|i| i.pifs.is_empty()));
        let p = assess(&f);
        assert!(
            p.notes.iter().any(|n| n.contains("lists 2 hosts")),
            "{:?}",
            p.notes
        );
        assert_eq!(p.verdict, Verdict::Safe);
        let inventory =
            "INSTALLATION_UUID='aaaaaaaa-1111-2222-3333-444444444444'\nMANAGEMENT_INTERFACE='xenbr0'\n";
        (f.xapi_problem, f.xapi_age) = read_pifs(&root, inventory, &mut f.interfaces);
        let p = assess(&f);
        assert_eq!(p.verdict, Verdict::NeedsForce);
        let said = p.reasons.join("\n");
        assert!(said.contains("eth1 carries XAPI network 'VM traffic' (xenbr1), with running VM web-01 (prod) & co plugged in: their network drops while dummy reloads"), "{said}");
        assert!(
            said.contains(
                "eth2 carries XAPI network 'Storage' (xenbr2), with address 10.0.0.5 (Static)"
            ),
            "{said}"
        );
        assert!(said.contains("eth3 carries XAPI network 'DB VLAN' (xenbrvlan20) through slave of bond0, VLAN 20 on bond0, with running VM db-01"), "{said}");
        assert!(!said.contains("eth5"), "{said}");
        assert!(
            p.notes
                .iter()
                .any(|n| n.starts_with("eth5 carries XAPI network 'Spare'")),
            "{:?}",
            p.notes
        );
        assert!(p
            .ways_forward
            .iter()
            .any(|w| w.starts_with("migrate the VMs")));
        assert!(!p.notes.iter().any(|n| n.contains("last wrote")));
        // A database XAPI wrote ten minutes ago: what it may miss is said.
        let ten_min_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
        std::fs::File::options()
            .append(true)
            .open(root.join(super::super::xapi::STATE_DB))
            .unwrap()
            .set_modified(ten_min_ago)
            .unwrap();
        (f.xapi_problem, f.xapi_age) = read_pifs(&root, inventory, &mut f.interfaces);
        let notes = assess(&f).notes;
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("XAPI last wrote its database 10 min ago")),
            "{notes:?}"
        );
        // Only the interfaces of the plan count: an e1000 NIC with VMs on it does not.
        for i in &mut f.interfaces {
            i.modules = vec!["e1000".into()];
        }
        assert_eq!(assess(&f).verdict, Verdict::Safe);
        // A damaged database is said, not trusted.
        std::fs::write(
            root.join(super::super::xapi::STATE_DB),
            "<database><table name=\"PIF\">",
        )
        .unwrap();
        let (problem, _) = read_pifs(&root, inventory, &mut f.interfaces);
        assert!(problem.unwrap().contains("was not used"));
    }

    #[test]
    fn wrong_vermagic_needs_force() {
        let p = assess(&facts("4.19.0+1 SMP mod_unload modversions "));
        assert_eq!(p.verdict, Verdict::NeedsForce);
        assert_eq!(p.vermagic.status, VermagicStatus::Refused);
        assert!(
            p.reasons[0].contains("the kernel will refuse to load it"),
            "{:?}",
            p.reasons
        );
    }

    #[test]
    fn inventory_and_modprobe_files() {
        let inv = "PRIMARY_DISK='/dev/sda'\nMANAGEMENT_INTERFACE='xenbr0'\n";
        assert_eq!(
            parse_inventory_value(inv, "MANAGEMENT_INTERFACE").as_deref(),
            Some("xenbr0")
        );
        assert_eq!(
            parse_inventory_value("MANAGEMENT_INTERFACE=''", "MANAGEMENT_INTERFACE"),
            None
        );
        let (o, c) = parse_modprobe_conf(
            "# c\noptions bnxt-en a=1 \\\n  b=2\ninstall foo /bin/true\nblacklist x\n",
            "/etc/modprobe.d/x.conf",
        );
        assert_eq!(o[0].module, "bnxt_en");
        assert_eq!(o[0].options, vec!["a=1", "b=2"]);
        assert_eq!(c[0].command, "/bin/true");
        assert_eq!(
            parse_kmsg_error("3,120,5,-;dummy: version magic 'x'\n").as_deref(),
            Some("dummy: version magic 'x'")
        );
        assert_eq!(parse_kmsg_error("6,121,5,-;hello"), None);
    }

    /// A kernel that refuses files whose build-id is in `refuse`.
    struct Fake {
        loaded: BTreeMap<String, Loaded>,
        files: BTreeMap<String, (String, String)>, // path → (module, build-id)
        picks: BTreeMap<String, String>,           // module → path modprobe picks
        refuse: Vec<String>,
        ifaces: Vec<String>,
        log: Vec<String>,
    }

    impl KernelOps for Fake {
        fn run(&mut self, c: &[String]) -> Result<(), String> {
            let load = |s: &mut Fake, path: &str| {
                let (m, id) = s.files[path].clone();
                if s.refuse.contains(&id) {
                    s.log.push(format!("{m}: version magic 'x' should be 'y'"));
                    return Err(format!("could not insert '{m}': Exec format error"));
                }
                s.loaded.insert(m.clone(), ld(&m, 0, &[], &id));
                if m == "dummy" {
                    s.ifaces.push("dummy0".into());
                }
                Ok(())
            };
            match c[0].as_str() {
                "rmmod" => {
                    self.loaded.remove(&c[1]).ok_or("not loaded")?;
                    self.ifaces.retain(|i| i != "dummy0");
                    Ok(())
                }
                "modprobe" => {
                    let p = self.picks[&c[1]].clone();
                    load(self, &p)
                }
                "insmod" => load(self, &c[1]),
                _ => Err("?".into()),
            }
        }
        fn loaded(&mut self) -> BTreeMap<String, Loaded> {
            self.loaded.clone()
        }
        fn interfaces(&mut self) -> Vec<String> {
            self.ifaces.clone()
        }
        fn log_mark(&mut self) {
            self.log.clear();
        }
        fn log_errors(&mut self) -> Vec<String> {
            std::mem::take(&mut self.log)
        }
    }

    fn fake() -> Fake {
        Fake {
            loaded: BTreeMap::from([("dummy".to_string(), ld("dummy", 0, &[], "aa"))]),
            files: BTreeMap::from([
                (KP.to_string(), ("dummy".to_string(), "aa".to_string())),
                (OP.to_string(), ("dummy".to_string(), "bb".to_string())),
            ]),
            picks: BTreeMap::from([("dummy".to_string(), OP.to_string())]),
            refuse: vec![],
            ifaces: vec!["dummy0".into()],
            log: vec![],
        }
    }

    fn with_iface(mut f: Facts) -> Preflight {
        f.interfaces = vec![NetIf {
            name: "dummy0".into(),
            modules: vec!["dummy".into()],
            ..Default::default()
        }];
        assess(&f)
    }

    #[test]
    fn reload_loads_the_winner_and_checks_it() {
        let pre = with_iface(facts(VM));
        let mut k = fake();
        let r = execute(&pre, &mut k);
        assert_eq!(r.result, Outcome::Reloaded, "{r:#?}");
        assert_eq!(k.loaded["dummy"].build_id.as_deref(), Some("bb"));
        assert!(r.checks.iter().all(|c| c.ok));
        assert_eq!(r.steps.len(), 2);
    }

    #[test]
    fn a_refused_copy_is_rolled_back_by_path() {
        let pre = with_iface(facts(VM));
        let mut k = fake();
        k.refuse.push("bb".into());
        let r = execute(&pre, &mut k);
        assert_eq!(r.result, Outcome::RolledBack, "{r:#?}");
        assert_eq!(k.loaded["dummy"].build_id.as_deref(), Some("aa"));
        let last = r.steps.last().unwrap();
        assert_eq!(last.command, vec!["insmod", KP]);
        assert!(last.fallback);
        assert!(r.steps[1]
            .message
            .as_ref()
            .unwrap()
            .contains("kernel: dummy: version magic"));
        assert!(!r.success());
    }

    #[test]
    fn a_module_loaded_after_the_preflight_stops_the_reload() {
        let pre = with_iface(facts(VM));
        // Between the preflight and the unload, another process starts using dummy.
        let mut k = fake();
        k.loaded.insert("user".into(), ld("user", 0, &[], "cc"));
        k.loaded.get_mut("dummy").unwrap().holders = vec!["user".into()];
        let r = execute(&pre, &mut k);
        assert_eq!(r.result, Outcome::Refused, "{r:#?}");
        assert!(r.steps.is_empty(), "nothing may be run: {:?}", r.steps);
        assert!(
            r.summary.contains("the users of dummy changed"),
            "{}",
            r.summary
        );
        assert_eq!(k.loaded["dummy"].build_id.as_deref(), Some("aa"));
        // Replaced by another build meanwhile: also stopped.
        let mut k = fake();
        k.loaded.insert("dummy".into(), ld("dummy", 0, &[], "zz"));
        let r = execute(&pre, &mut k);
        assert_eq!(r.result, Outcome::Refused);
        assert!(r.summary.contains("dummy was replaced by another build"));
    }

    #[test]
    fn the_fallback_unloads_only_what_this_run_loaded() {
        let pre = with_iface(facts(VM));
        let mut k = fake();
        k.refuse.push("bb".into());
        let r = execute(&pre, &mut k);
        assert_eq!(r.result, Outcome::RolledBack, "{r:#?}");
        // The failed load loaded nothing: the fallback runs no rmmod, only the insmod back.
        let fallback: Vec<&Vec<String>> = r
            .steps
            .iter()
            .filter(|s| s.fallback)
            .map(|s| &s.command)
            .collect();
        assert_eq!(fallback, vec![&vec!["insmod".to_string(), KP.to_string()]]);
    }

    #[test]
    fn a_wrong_build_id_after_load_rolls_back() {
        let pre = with_iface(facts(VM));
        let mut k = fake();
        // modprobe picks the old file: the loaded module is not the winner.
        k.picks.insert("dummy".into(), KP.into());
        let r = execute(&pre, &mut k);
        assert_eq!(r.result, Outcome::RolledBack);
        assert!(r.checks.iter().any(|c| c.name == "build-id" && !c.ok));
    }
}
