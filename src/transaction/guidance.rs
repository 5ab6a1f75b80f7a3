//! Restart guidance: what a change needs before the host runs what it installed, named as
//! XAPI names it (`RebootHost`, `RestartToolstack`, `RestartDeviceModel`, `EvacuateHost`,
//! `RestartVM`: the values of `<guidance>` in `updateinfo.xml`, xen-api's `Updateinfo`).
//! The rules are one table, [`RULES`], matched against the names (and files) of the packages
//! a plan adds, replaces or removes; module packages are judged by the module impact instead.
//!
//! Owns: the table and XAPI's merge of guidances. Must not: read the host.

use crate::glob::glob_match;

/// One guidance, as `updateinfo.xml` spells it (and the JSON documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Guidance {
    RebootHost,
    EvacuateHost,
    RestartToolstack,
    RestartDeviceModel,
    RestartVM,
}

impl Guidance {
    pub fn as_str(self) -> &'static str {
        match self {
            Guidance::RebootHost => "RebootHost",
            Guidance::EvacuateHost => "EvacuateHost",
            Guidance::RestartToolstack => "RestartToolstack",
            Guidance::RestartDeviceModel => "RestartDeviceModel",
            Guidance::RestartVM => "RestartVM",
        }
    }

    /// The value of an `updateinfo.xml` `<guidance>` element (None: not one xen-api reads).
    pub fn parse(s: &str) -> Option<Guidance> {
        [
            Guidance::RebootHost,
            Guidance::EvacuateHost,
            Guidance::RestartToolstack,
            Guidance::RestartDeviceModel,
            Guidance::RestartVM,
        ]
        .into_iter()
        .find(|g| g.as_str() == s.trim())
    }

    /// What a person does about it.
    pub fn advice(self) -> &'static str {
        match self {
            Guidance::RebootHost => "reboot the host (evacuate its VMs first)",
            Guidance::EvacuateHost => "migrate the VMs off the host and back",
            Guidance::RestartToolstack => "restart the toolstack (xe-toolstack-restart)",
            Guidance::RestartDeviceModel => {
                "restart the VMs' device models (migrate or reboot each running VM)"
            }
            Guidance::RestartVM => "restart the VMs",
        }
    }
}

impl serde::Serialize for Guidance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A rule: packages whose name matches `package` (a glob) need `guidance`, because `why`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub package: &'static str,
    pub guidance: Guidance,
    pub why: &'static str,
}

const fn rule(package: &'static str, guidance: Guidance, why: &'static str) -> Rule {
    Rule {
        package,
        guidance,
        why,
    }
}

use Guidance as G;

/// The table, in the order it is documented (man page `xcpng-mod-install(1)`, README). The
/// first rule that matches a package decides; a package no rule matches needs nothing,
/// except for files under `/boot` (the kernel, Xen, the initrd: `G::RebootHost`).
pub const RULES: &[Rule] = &[
    rule(
        "kernel",
        G::RebootHost,
        "the kernel runs until the host reboots",
    ),
    rule(
        "kernel-uname-r*",
        G::RebootHost,
        "the kernel runs until the host reboots",
    ),
    rule(
        "xen-hypervisor",
        G::RebootHost,
        "Xen runs until the host reboots",
    ),
    rule(
        "xen-*",
        G::RebootHost,
        "Xen's tools and libraries must match the running hypervisor",
    ),
    rule(
        "microcode_ctl",
        G::RebootHost,
        "CPU microcode is loaded at boot",
    ),
    rule(
        "linux-firmware",
        G::RebootHost,
        "device firmware is loaded when the drivers start",
    ),
    rule(
        "*-firmware",
        G::RebootHost,
        "device firmware is loaded when the drivers start",
    ),
    rule("glibc*", G::RebootHost, "every daemon links the C library"),
    rule(
        "systemd*",
        G::RebootHost,
        "systemd and its libraries run in every daemon's session",
    ),
    rule(
        "openssl*",
        G::RebootHost,
        "the toolstack and sshd link the TLS library",
    ),
    rule("dbus*", G::RebootHost, "the system bus runs from boot"),
    rule(
        "xapi*",
        G::RestartToolstack,
        "xapi runs until the toolstack restarts",
    ),
    rule(
        "xenopsd*",
        G::RestartToolstack,
        "xenopsd runs until the toolstack restarts",
    ),
    rule(
        "xcp-networkd",
        G::RestartToolstack,
        "xcp-networkd runs until the toolstack restarts",
    ),
    rule(
        "xcp-rrdd*",
        G::RestartToolstack,
        "xcp-rrdd runs until the toolstack restarts",
    ),
    rule(
        "squeezed",
        G::RestartToolstack,
        "squeezed runs until the toolstack restarts",
    ),
    rule(
        "forkexecd",
        G::RestartToolstack,
        "forkexecd runs until the toolstack restarts",
    ),
    rule(
        "message-switch",
        G::RestartToolstack,
        "message-switch runs until the toolstack restarts",
    ),
    rule(
        "varstored*",
        G::RestartToolstack,
        "the toolstack starts it for each UEFI VM",
    ),
    rule(
        "sm",
        G::RestartToolstack,
        "the storage manager is called by xapi",
    ),
    rule(
        "sm-*",
        G::RestartToolstack,
        "the storage manager is called by xapi",
    ),
    rule(
        "vhd-tool",
        G::RestartToolstack,
        "the toolstack runs it for storage",
    ),
    rule(
        "xcp-ng-xapi-plugins",
        G::RestartToolstack,
        "xapi loads its plugins",
    ),
    rule(
        "xcp-featured",
        G::RestartToolstack,
        "xapi reads it at start",
    ),
    rule(
        "qemu*",
        G::RestartDeviceModel,
        "each running VM keeps its qemu until it restarts or migrates (said only while VMs run, when XAPI's database tells)",
    ),
];

/// The guidance a package needs, and why (None: nothing), by its name and the files it
/// ships (when known).
pub fn for_package<'a>(
    name: &str,
    files: impl IntoIterator<Item = &'a str>,
) -> Option<(Guidance, String)> {
    if let Some(r) = RULES.iter().find(|r| glob_match(r.package, name)) {
        return Some((r.guidance, format!("{name}: {}", r.why)));
    }
    files
        .into_iter()
        .find(|f| f.starts_with("/boot/"))
        .map(|f| (G::RebootHost, format!("{name}: ships {f}, read at boot")))
}

/// XAPI's merge (xen-api's `Updateinfo.GuidanceSet`): `G::RebootHost` takes in
/// `G::RestartToolstack`, `G::EvacuateHost` and `G::RestartDeviceModel`; `G::EvacuateHost` and
/// `G::RestartVM` take in `G::RestartDeviceModel`. Sorted, each once.
pub fn merge(gs: impl IntoIterator<Item = Guidance>) -> Vec<Guidance> {
    let mut v: Vec<Guidance> = gs.into_iter().collect();
    v.sort();
    v.dedup();
    let has = |v: &[Guidance], g| v.contains(&g);
    let snapshot = v.clone();
    v.retain(|&g| match g {
        G::RestartToolstack | G::EvacuateHost => !has(&snapshot, G::RebootHost),
        G::RestartDeviceModel => {
            !has(&snapshot, G::RebootHost)
                && !has(&snapshot, G::EvacuateHost)
                && !has(&snapshot, G::RestartVM)
        }
        _ => true,
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_matches_its_own_pattern_and_the_first_match_decides() {
        for r in RULES {
            let name = r.package.replace('*', "x");
            let (g, _) = for_package(&name, []).unwrap();
            let first = RULES.iter().find(|o| glob_match(o.package, &name)).unwrap();
            assert_eq!(g, first.guidance, "{name}");
        }
        assert_eq!(for_package("kernel", []).unwrap().0, G::RebootHost);
        assert_eq!(for_package("xapi-core", []).unwrap().0, G::RestartToolstack);
        assert_eq!(for_package("qemu-dp", []).unwrap().0, G::RestartDeviceModel);
        assert_eq!(for_package("zfs", []), None);
        assert_eq!(for_package("vim-enhanced", ["/usr/bin/vim"]), None);
        assert_eq!(
            for_package("grub-config", ["/etc/x", "/boot/grub/grub.cfg"])
                .unwrap()
                .0,
            G::RebootHost
        );
    }

    #[test]
    fn the_merge_is_xapis() {
        assert_eq!(
            merge([G::RestartToolstack, G::RebootHost, G::RestartDeviceModel]),
            vec![G::RebootHost]
        );
        assert_eq!(
            merge([G::RestartVM, G::RebootHost]),
            vec![G::RebootHost, G::RestartVM]
        );
        assert_eq!(
            merge([G::EvacuateHost, G::RestartDeviceModel]),
            vec![G::EvacuateHost]
        );
        assert_eq!(
            merge([
                G::RestartDeviceModel,
                G::RestartToolstack,
                G::RestartToolstack
            ]),
            vec![G::RestartToolstack, G::RestartDeviceModel]
        );
        assert_eq!(merge([]), Vec::<Guidance>::new());
    }

    #[test]
    fn names_round_trip_as_updateinfo_spells_them() {
        for g in [
            G::RebootHost,
            G::EvacuateHost,
            G::RestartToolstack,
            G::RestartDeviceModel,
            G::RestartVM,
        ] {
            assert_eq!(Guidance::parse(g.as_str()), Some(g));
        }
        assert_eq!(Guidance::parse("reboot_host"), None);
    }
}
