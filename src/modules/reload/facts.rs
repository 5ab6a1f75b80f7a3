//! Gathering the facts a preflight needs: interfaces and what holds them, block devices,
//! XAPI's PIFs, loaded modules, the copy that would load and its vermagic. It reads the host
//! (files under the `Sysroot`, plus the ethtool ioctl on the real `/`) and decides nothing.

use super::*;
use crate::modules::modprobe::read_modprobe_d;
use crate::modules::xapi::{inventory_cut_short, parse_inventory_value, INVENTORY};
use std::collections::BTreeSet;
use std::path::Path;

use crate::modules::inventory::{self, ModuleEntry, ModulesError};
use crate::modules::loaded::{self};
use crate::sysroot::Sysroot;
pub(super) fn link_name(p: &Path) -> Option<String> {
    std::fs::read_link(p)
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
}

/// Modules of a sysfs device and of its parents (`driver/module`, else the driver's name).
pub(super) fn device_modules(root: &Sysroot, device_link: &Path) -> Vec<String> {
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
pub(super) fn ethtool_driver(ifname: &str) -> Option<String> {
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
pub(super) fn ethtool_driver(_: &str) -> Option<String> {
    None
}

/// Interfaces stacked directly on `ifname`: `upper_*` links and `master`.
pub(super) fn direct_uppers(root: &Sysroot, ifname: &str) -> Vec<String> {
    let dir = root.join(format!("/sys/class/net/{ifname}"));
    let mut out: Vec<String> = crate::modules::list_dir(&dir)
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
    let names = crate::modules::list_dir(&root.join("/sys/class/net"));
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
pub(super) fn interfaces_with_addresses(root: &Sysroot) -> Option<BTreeSet<String>> {
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
pub(super) fn default_route_interfaces(root: &Sysroot) -> Vec<String> {
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
    crate::modules::list_dir(&root.join("/sys/block"))
        .into_iter()
        .map(|name| BlockDev {
            modules: device_modules(root, &root.join(format!("/sys/block/{name}/device"))),
            name,
        })
        .collect()
}

/// Fill in each interface's PIFs from XAPI's database, when there is one. Returns why it
/// could not be used, and its age.
pub(super) fn read_pifs(
    root: &Sysroot,
    inventory: &str,
    interfaces: &mut [NetIf],
) -> (Option<String>, Option<std::time::Duration>) {
    use crate::modules::xapi::{XapiDb, STATE_DB};
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

/// Names listed in `modules.builtin` of a kernel.
pub(super) fn builtin_names(root: &Sysroot, kver: &str) -> BTreeSet<String> {
    let p = crate::modules::depmod::kernel_dir(root, kver).join("modules.builtin");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| crate::modules::depmod::module_name_of(l.rsplit('/').next().unwrap_or(l)))
        .collect()
}

/// The running kernel's vermagic: the one of an in-tree module built for `kver` (the
/// module's own copy under `kernel/` first, else the first `kernel/` entry of modules.dep).
pub(super) fn reference_vermagic(
    root: &Sysroot,
    kver: &str,
    entry: Option<&ModuleEntry>,
) -> Option<String> {
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
    let dep = crate::modules::depmod::read_modules_dep(root, kver).ok()??;
    let kdir = crate::modules::depmod::kernel_dir(root, kver);
    dep.values()
        .filter(|p| p.starts_with("kernel/"))
        .take(8)
        .find_map(|p| {
            let vm = crate::modules::modinfo::read_path(&kdir.join(p))
                .ok()?
                .vermagic?;
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
        .and_then(|d| crate::modules::doctor::initrd_modules(&d))
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
    let xapi_db_used =
        xapi_problem.is_none() && root.join(crate::modules::xapi::STATE_DB).is_file();
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
    crate::modules::list_dir(&root.join(&dir))
        .into_iter()
        .find(|f| f.starts_with(&prefix))
        .map(|f| format!("{dir}/{f}"))
}
