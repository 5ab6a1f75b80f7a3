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

/// The reasons and notes from what XAPI runs over interface `i` (its PIFs in use).
pub(super) fn xapi_uses(
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

pub(super) fn push_unique(v: &mut Vec<String>, s: String) {
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
                    crate::modules::xapi::STATE_DB,
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
