//! Assessing (pure): facts in, a [`Preflight`] out: the verdict, its reasons, the ways
//! forward, and the unload/load plan. No I/O.

use super::*;
use crate::modules::xapi::INVENTORY;
use std::collections::{BTreeMap, BTreeSet};

use crate::modules::inventory::{LoadedState, ModulesError};
use crate::modules::loaded::Loaded;
use crate::sysroot::Sysroot;
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
pub(super) fn holders_of(loaded: &BTreeMap<String, Loaded>, name: &str) -> Vec<String> {
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

pub(super) fn direct_holders(l: &Loaded) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for h in l.holders.iter().chain(&l.users) {
        if !h.starts_with('[') && !v.contains(h) {
            v.push(h.clone());
        }
    }
    v
}

/// What the checks find, in four kinds: what makes the reload impossible, what needs
/// `--force`, notes, and the ways forward (each said once).
#[derive(Default)]
struct Findings {
    impossible: Vec<String>,
    reasons: Vec<String>,
    notes: Vec<String>,
    ways: Vec<String>,
}

impl Findings {
    fn impossible(&mut self, why: String) {
        self.impossible.push(why);
    }
    fn reason(&mut self, why: String) {
        self.reasons.push(why);
    }
    fn note(&mut self, what: String) {
        self.notes.push(what);
    }
    fn way(&mut self, way: impl Into<String>) {
        let way = way.into();
        if !self.ways.contains(&way) {
            self.ways.push(way);
        }
    }
    fn verdict(&self) -> Verdict {
        if !self.impossible.is_empty() {
            Verdict::Impossible
        } else if !self.reasons.is_empty() {
            Verdict::NeedsForce
        } else {
            Verdict::Safe
        }
    }
}

const MAINTENANCE: &str = "put the host in maintenance mode (migrate its VMs), work from a console that does not use this network (IPMI/iDRAC/iLO), then add --force; or reboot";

/// The reasons and notes from what XAPI runs over interface `i` (its PIFs in use).
fn xapi_uses(i: &mut NetIf, m: &str, fd: &mut Findings) {
    for p in &i.pifs {
        let on = p.describe();
        if p.management && !i.management {
            i.management = true;
            fd.reason(format!(
                "{} carries XAPI's management PIF ({on}); reloading {m} drops it: XAPI and remote sessions lose the host until it is back",
                i.name
            ));
            fd.way(MAINTENANCE);
        }
        if !p.vms.is_empty() {
            fd.reason(format!(
                "{} carries {on}, with running VM{} {} plugged in: their network drops while {m} reloads",
                i.name,
                if p.vms.len() == 1 { "" } else { "s" },
                p.vms.join(", ")
            ));
            fd.way("migrate the VMs on it to another host (or shut them down), then add --force; or reboot");
        }
        if !p.addresses.is_empty() && !p.management {
            fd.reason(format!(
                "{} carries {on}, with address {} configured by XAPI: storage (iSCSI, NFS) or migration traffic over it stops while {m} reloads",
                i.name,
                p.addresses.join(", ")
            ));
            fd.way(
                "unplug the SRs and stop the migrations that use it, then add --force; or reboot",
            );
        }
        if !p.in_use() && p.attached {
            fd.note(format!(
                "{} carries {on}: plugged, with nothing XAPI knows of using it",
                i.name
            ));
        }
    }
}

/// A built-in driver cannot be unloaded.
fn check_builtin(f: &Facts, m: &str, loaded: bool, fd: &mut Findings) {
    if f.builtin && !loaded {
        fd.impossible(format!(
            "{m} is built into kernel {}: it cannot be unloaded or replaced while this kernel runs",
            f.kernel
        ));
        fd.way(
            "reboot into a kernel that has the driver as a module, or with the new driver built in",
        );
    }
}

/// Each module to unload must be unloadable: not permanent, held only by modules, live.
fn check_unloadable(f: &Facts, unload: &[String], fd: &mut Findings) {
    for u in unload {
        let Some(l) = f.loaded.get(u) else { continue };
        if l.users.iter().any(|x| x.contains("permanent")) {
            fd.impossible(format!(
                "{u} cannot be unloaded: it has no exit function (`[permanent]` in /proc/modules)"
            ));
            fd.way("reboot to load another copy");
        }
        let held = direct_holders(l).len() as i64;
        if let Some(r) = l.refcnt {
            if r > held {
                fd.impossible(format!(
                    "{u} is in use by something that is not a module (refcount {r}, {held} module holder(s)): an open device, a mounted file system or a socket keeps it loaded, and unloading it would fail"
                ));
                fd.way(format!(
                    "stop what uses {u} (unmount, close the device, bring interfaces down), or reboot"
                ));
            }
        }
        if l.state != "Live" && !l.state.is_empty() {
            fd.impossible(format!("{u} is {}: wait and try again", l.state));
        }
    }
}

/// The modules that hold the module go down and come back with it.
fn check_holders(f: &Facts, m: &str, names: &[String], fd: &mut Findings) -> Vec<Holder> {
    let holders: Vec<Holder> = names
        .iter()
        .map(|h| Holder {
            name: h.clone(),
            refcnt: f.loaded.get(h).and_then(|l| l.refcnt),
            holders: f.loaded.get(h).map(direct_holders).unwrap_or_default(),
        })
        .collect();
    if !holders.is_empty() {
        let one = names.len() == 1;
        fd.reason(format!(
            "{} use{} {m}: reloading {m} unloads and reloads {} too",
            names.join(", "),
            if one { "s" } else { "" },
            if one { "it" } else { "them" },
        ));
        fd.way(format!(
            "add --force to unload {} and {m}, then load them all again",
            names.join(", ")
        ));
    }
    holders
}

/// Without the inventory and XAPI's database, an interface that may be the management one
/// counts as it (never fail open).
fn check_unknown_management(f: &Facts, m: &str, i: &mut NetIf, fd: &mut Findings) {
    let problem = match (&f.management_interface, &f.inventory_problem) {
        (None, Some(p)) if !f.xapi_db_used => p,
        _ => return,
    };
    let addressed = i.up && i.has_address != Some(false);
    if !(addressed || i.default_route) {
        return;
    }
    i.management = true;
    let what = match (addressed, i.default_route) {
        (true, true) => "is up with an address and carries the default route",
        (true, false) if i.has_address.is_none() => {
            "is up (its addresses cannot be read under --root)"
        }
        (true, false) => "is up with an address",
        _ => "carries the default route",
    };
    fd.reason(format!(
        "the management interface cannot be known: {problem}, and XAPI's database {} does not tell; {} {what}, so it may be the management interface, and reloading {m} would drop it",
        crate::modules::xapi::STATE_DB,
        i.name
    ));
    fd.way(format!(
        "restore {INVENTORY} (it names MANAGEMENT_INTERFACE) and run again; or put the host in maintenance mode, work from a console that does not use this network, then add --force"
    ));
}

/// The management interface named by the inventory, directly, through a bridge or stacked.
fn check_management(f: &Facts, m: &str, set: &BTreeSet<&str>, i: &mut NetIf, fd: &mut Findings) {
    let Some(mgmt) = &f.management_interface else {
        return;
    };
    let xenbr = i
        .name
        .strip_prefix("eth")
        .is_some_and(|n| mgmt.strip_prefix("xenbr") == Some(n));
    i.management = &i.name == mgmt || i.uppers.contains(mgmt) || xenbr;
    if !i.management {
        return;
    }
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
    fd.reason(format!(
        "{via}; reloading {m} drops it{through}: XAPI and remote sessions lose the host until it is back"
    ));
    fd.way(MAINTENANCE);
}

/// Interfaces hanging from a module of the plan: management, XAPI's use, or a short drop.
fn check_interfaces(f: &Facts, m: &str, set: &BTreeSet<&str>, fd: &mut Findings) -> Vec<NetIf> {
    let mut interfaces: Vec<NetIf> = Vec::new();
    for i in &f.interfaces {
        if !i.modules.iter().any(|x| set.contains(x.as_str())) {
            continue;
        }
        let mut i = i.clone();
        check_unknown_management(f, m, &mut i, fd);
        check_management(f, m, set, &mut i, fd);
        xapi_uses(&mut i, m, fd);
        if !i.management && !i.pifs.iter().any(|p| p.in_use()) {
            fd.note(format!(
                "{} goes down while {m} reloads: traffic through it stops for a moment",
                i.name
            ));
        }
        interfaces.push(i);
    }
    if let Some(p) = &f.xapi_problem {
        if !interfaces.is_empty() {
            fd.note(p.clone());
        }
    }
    if let Some(age) = f.xapi_age {
        if interfaces.iter().any(|i| !i.pifs.is_empty()) && age.as_secs() >= 60 {
            fd.note(format!(
                "XAPI last wrote its database {} min ago: a VM started or an SR plugged since may be missing above",
                age.as_secs() / 60
            ));
        }
    }
    interfaces
}

/// Block devices behind a module of the plan lose their storage while it is unloaded.
fn check_block_devices(
    f: &Facts,
    m: &str,
    set: &BTreeSet<&str>,
    fd: &mut Findings,
) -> Vec<BlockDev> {
    let mut out = Vec::new();
    for b in &f.block_devices {
        if let Some(by) = b.modules.iter().find(|x| set.contains(x.as_str())) {
            fd.reason(format!(
                "block device {} is behind {by}: the storage on it (SRs, VM disks) goes away while {m} is unloaded",
                b.name
            ));
            fd.way("stop the VMs and unplug the SRs that use it, then add --force; or reboot");
            out.push(b.clone());
        }
    }
    out
}

/// The copy that would load: will the kernel take it, and can it be read.
fn check_winner(
    f: &Facts,
    m: &str,
    winner: Option<&CopyRecord>,
    fd: &mut Findings,
) -> VermagicCheck {
    let Some(w) = winner else {
        return VermagicCheck {
            status: VermagicStatus::Unknown,
            module: None,
            kernel: f.kernel_vermagic.clone(),
        };
    };
    let vermagic = VermagicCheck {
        status: check_vermagic(
            w.vermagic.as_deref(),
            f.kernel_vermagic.as_deref(),
            &f.kernel,
        ),
        module: w.vermagic.as_ref().map(|s| s.trim_end().to_string()),
        kernel: f.kernel_vermagic.as_ref().map(|s| s.trim_end().to_string()),
    };
    let built_for = vermagic
        .module
        .as_deref()
        .and_then(|v| v.split_whitespace().next())
        .unwrap_or("?")
        .to_string();
    match vermagic.status {
        VermagicStatus::Refused => {
            fd.reason(format!(
                "{} was built for another kernel ({built_for}; vermagic `{}`, kernel {} expects `{}`): the kernel will refuse to load it",
                w.path,
                vermagic.module.as_deref().unwrap_or(""),
                f.kernel,
                vermagic.kernel.as_deref().unwrap_or(&f.kernel),
            ));
            fd.way(format!("install the {m} package built for kernel {}, or remove the faulty copy and run `xcpng-mod depmod`", f.kernel));
            fd.way(
                "with --force the load is tried, and the copy loaded now is put back when it fails",
            );
        }
        VermagicStatus::OtherRelease => {
            fd.reason(format!(
                "{} was built for kernel {built_for}, not {}: the kernel loads it only if every symbol version matches",
                w.path, f.kernel
            ));
            fd.way(format!("install the {m} package built for kernel {}, or add --force to try (the copy loaded now is put back if it fails)", f.kernel));
        }
        _ => {}
    }
    if let Some(err) = &w.error {
        fd.reason(format!("{} cannot be read: {err}", w.path));
    }
    vermagic
}

/// The loaded copy must be on disk to be put back; and what else the admin should know:
/// the same file, the initrd's copy, not loaded at all, modprobe `install` commands.
fn check_loaded_copy(
    f: &Facts,
    m: &str,
    set: &BTreeSet<&str>,
    winner: Option<&CopyRecord>,
    fd: &mut Findings,
) {
    let loaded_now = f.loaded.get(m);
    if let (Some(l), Some(e)) = (loaded_now, f.entry.as_ref()) {
        let st = e.loaded.as_ref();
        if st.and_then(|s| s.path.as_ref()).is_none() {
            fd.reason(format!(
                "the loaded {m} (build-id {}) matches no file on disk: if the new copy fails, nothing can be put back",
                l.build_id.as_deref().unwrap_or("unknown")
            ));
            fd.way("reboot instead, or add --force to take the risk");
        } else if st.and_then(|s| s.path.as_deref()) == winner.map(|w| w.path.as_str()) {
            fd.note(
                "the copy that would load is the one loaded now: the reload loads the same file"
                    .into(),
            );
        }
    }
    if f.in_initrd == Some(true) && f.initrd_older {
        fd.note(format!(
            "{m} is in /boot/initrd-{}.img, which is older than the copy that would load: the reload changes the running kernel only, and the next boot loads the initrd's copy until the initrd is rebuilt (`dracut -f /boot/initrd-{k}.img {k}`)",
            f.kernel,
            k = f.kernel
        ));
    }
    if loaded_now.is_none() && !f.builtin {
        fd.note(format!("{m} is not loaded: it is only loaded"));
    }
    for c in &f.commands {
        if set.contains(c.module.as_str()) {
            fd.note(format!(
                "{} has an `{}` command in {}: modprobe runs `{}` instead",
                c.module, c.kind, c.file, c.command
            ));
        }
    }
}

/// How to load the module back, then its holders; the `modprobe.d` options that apply.
fn load_plan(
    f: &Facts,
    m: &str,
    set: &BTreeSet<&str>,
    winner: Option<&CopyRecord>,
    holder_names: &[String],
    fd: &mut Findings,
) -> (Vec<LoadStep>, Vec<ModprobeOption>) {
    let options: Vec<ModprobeOption> = f
        .options
        .iter()
        .filter(|o| set.contains(o.module.as_str()))
        .cloned()
        .collect();
    let modprobe = |module: &str| LoadStep {
        module: module.to_string(),
        command: vec!["modprobe".into(), module.to_string()],
    };
    let mut load = Vec::new();
    if let Some(w) = winner {
        if f.modprobe_picks_winner {
            load.push(modprobe(m));
        } else {
            // modprobe would pick another file (modules.dep is stale): load the winner by
            // path, its dependencies first.
            let depends = w
                .modinfo
                .as_ref()
                .map(|i| i.depends.clone())
                .unwrap_or_default();
            load.extend(
                depends
                    .iter()
                    .filter(|d| !d.is_empty())
                    .map(|d| modprobe(d)),
            );
            let mut cmd = vec!["insmod".to_string(), w.path.clone()];
            cmd.extend(
                options
                    .iter()
                    .filter(|o| o.module == m)
                    .flat_map(|o| o.options.clone()),
            );
            load.push(LoadStep {
                module: m.to_string(),
                command: cmd,
            });
            fd.note(format!(
                "modules.dep does not name {}: it is loaded by path (run `xcpng-mod depmod` so modprobe agrees)",
                w.path
            ));
        }
    }
    load.extend(holder_names.iter().rev().map(|h| modprobe(h)));
    (load, options)
}

/// Turn the facts into a verdict and a plan: each check adds its findings, in the order the
/// report shows them.
pub fn assess(f: &Facts) -> Preflight {
    let m = f.module.as_str();
    let mut fd = Findings::default();
    let loaded_now = f.loaded.get(m);
    let entry = f.entry.as_ref();
    let winner = entry.map(|e| e.winner().clone());

    check_builtin(f, m, loaded_now.is_some(), &mut fd);
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
    check_unloadable(f, &unload, &mut fd);
    let holders = check_holders(f, m, &holder_names, &mut fd);
    let interfaces = check_interfaces(f, m, &set, &mut fd);
    let block_devices = check_block_devices(f, m, &set, &mut fd);
    let vermagic = check_winner(f, m, winner.as_ref(), &mut fd);
    check_loaded_copy(f, m, &set, winner.as_ref(), &mut fd);
    let (load, options) = load_plan(f, m, &set, winner.as_ref(), &holder_names, &mut fd);

    let verdict = fd.verdict();
    let mut reasons = fd.impossible;
    reasons.extend(fd.reasons);
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
        reasons,
        notes: fd.notes,
        ways_forward: fd.ways,
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
