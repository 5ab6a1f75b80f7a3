//! `reload` and `rollback` proven on a real kernel: each test boots Debian's cloud kernel under qemu (TCG, no
//! KVM) with an initramfs holding the `xcpng-mod` binary under test, kmod's tools and real
//! modules, runs one scenario inside the guest, and reads its verdict lines from the serial
//! console. Nothing is ever loaded into this machine's kernel. Needs `XCPNG_MOD_KERNEL_DIR`
//! (`scripts/fetch-kernel.sh`), `qemu-system-x86_64` and busybox (`busybox-static`); outside
//! CI a missing piece skips the tests, in CI it fails them. `XCPNG_MOD_VM_SHOW=1` prints every
//! guest's console (with `--nocapture`).
//!
//! A test binary of its own, not a module of `tests/it`: the emulated guests (about a minute
//! for the file on 2 cores) run after the other tests instead of beside them on the same cores.

mod vm_support;
#[allow(dead_code)]
#[path = "it/xapi_parser.rs"]
mod xapi_parser;

use vm_support::{boot, env, initramfs};

/// A driver update in updates/ (another build-id) replaces the loaded in-tree dummy.
const UNUSED: &str = r#"
modprobe dummy
check setup-loaded loaded dummy
check setup-kernel-copy [ "$(build_id dummy)" = "$kernel_dummy" ]
mkdir -p $K/updates
cp /fixtures/update/dummy.ko $K/updates/dummy.ko
depmod
xm reload dummy --dry-run
check dry-run-exit-0 [ "$rc" = 0 ]
check dry-run-safe out_has "verdict:     safe"
check dry-run-plan out_has "unload:    dummy"
check dry-run-changed-nothing [ "$(build_id dummy)" = "$kernel_dummy" ]
xm reload dummy
check reload-exit-0 [ "$rc" = 0 ]
check reload-result out_has "result:      reloaded"
check reload-checked-build-id out_has "ok   build-id"
check build-id-is-the-update [ "$(build_id dummy)" = "$update_dummy" ]
check interface-back has_iface dummy0
xm --json reload dummy
check json-exit-0 [ "$rc" = 0 ]
check json-result out_has '"result": "reloaded"'
check json-version out_has '"version": 1'
xm history
check history-records-reload out_has "reload dummy"
check log-records-reload grep -q "transaction [0-9]*: reload dummy: .*: ok" /var/log/xcpng-mod.log
"#;

/// A module used by another: refused without --force; with it, both are reloaded.
const HOLDER: &str = r#"
modprobe stp
check setup-llc-loaded loaded llc
xm reload llc
check refused-exit-1 [ "$rc" = 1 ]
check refused-names-holder out_has "stp uses llc"
check refused-needs-force out_has "needs --force"
check refused-way-forward out_has "add --force"
check refused-untouched loaded stp
xm reload llc --dry-run
check dry-run-order out_has "unload:    stp, llc"
check dry-run-load-order out_has "load:      modprobe llc; modprobe stp"
xm reload llc --force
check force-exit-0 [ "$rc" = 0 ]
check force-unloaded-holder-first out_has "ok   rmmod stp"
check force-llc-loaded loaded llc
check force-stp-loaded-again loaded stp
"#;

/// The management interface (a dummy device named in xensource-inventory, then a bridge over
/// one) hangs from the driver: refused without --force, nothing touched. Then a device that
/// XAPI's database says carries a running VM's network: refused, the VM named; once the VM is
/// halted, safe.
const MANAGEMENT: &str = r#"
modprobe dummy numdummies=0
ip link add eth0 type dummy
check setup-eth0 has_iface eth0
echo "MANAGEMENT_INTERFACE='eth0'" > /etc/xensource-inventory
xm reload dummy
check refused-exit-1 [ "$rc" = 1 ]
check refused-says-what-is-at-risk out_has "eth0 is the management interface; reloading dummy drops it"
check refused-way-forward out_has "maintenance mode"
check eth0-untouched has_iface eth0
check dummy-still-loaded loaded dummy
xm --json reload dummy --dry-run
check json-needs-force out_has '"verdict": "needs-force"'
check json-management out_has '"management": true'
echo "search override updates built-in" > /etc/depmod.d/00-xcpng-override.conf
xm --json --assumeno --enablerepo xcp-ng-candidates install dummy-alt
check plan-exit-0 [ "$rc" = 0 ]
check plan-predicts-override out_has '"path": "/lib/modules/'"$(uname -r)"'/override/dummy.ko"'
check plan-management-reboot out_has '"action": "reboot"'
check plan-management-why out_has 'eth0 is the management interface'
check plan-management-guidance out_has '"RebootHost"'
rm /etc/depmod.d/00-xcpng-override.conf
modprobe bridge
ip link add eth1 type dummy
ip link add xenbr1 type bridge
ip link set eth1 master xenbr1
echo "MANAGEMENT_INTERFACE='xenbr1'" > /etc/xensource-inventory
xm reload dummy
check bridge-refused-exit-1 [ "$rc" = 1 ]
check bridge-over-the-nic out_has "the management interface xenbr1 runs over eth1"
check bridge-eth1-untouched has_iface eth1
ip link add eth2 type dummy
mkdir -p /var/lib/xcp
printf "INSTALLATION_UUID='0a1b2c3d-0000-4000-8000-000000000001'\nMANAGEMENT_INTERFACE='xenbr9'\n" > /etc/xensource-inventory
cat > /var/lib/xcp/state.db <<'DB'
<?xml version="1.0" encoding="UTF-8"?>
<database><manifest><pair key="schema_major_vsn" value="5"/><pair key="schema_minor_vsn" value="786"/><pair key="generation_count" value="77"/></manifest><table name="Bond"/><table name="PIF"><row ref="OpaqueRef:p2" __ctime="5" __mtime="9" IP="" VLAN="-1" _ref="OpaqueRef:p2" bond_slave_of="OpaqueRef:NULL" currently_attached="true" device="eth2" host="OpaqueRef:h1" ip_configuration_mode="None" management="false" network="OpaqueRef:n2" uuid="9f0e"/></table><table name="VIF"><row ref="OpaqueRef:v1" __ctime="6" __mtime="9" VM="OpaqueRef:vm1" _ref="OpaqueRef:v1" currently_attached="true" device="0" network="OpaqueRef:n2" uuid="7a1c"/></table><table name="VLAN"/><table name="VM"><row ref="OpaqueRef:vm1" __ctime="6" __mtime="9" _ref="OpaqueRef:vm1" is_control_domain="false" name__label="web-01%.(prod)" power_state="Running" uuid="3c2d"/></table><table name="host"><row ref="OpaqueRef:h1" __ctime="1" __mtime="2" _ref="OpaqueRef:h1" hostname="guest" name__label="guest" uuid="0a1b2c3d-0000-4000-8000-000000000001"/></table><table name="network"><row ref="OpaqueRef:n2" __ctime="3" __mtime="4" VIFs="('OpaqueRef:v1')" _ref="OpaqueRef:n2" bridge="xenbr2" name__label="VM%.traffic" uuid="5e6f"/></table><table name="tunnel"/></database>
DB
xm reload dummy
check pif-refused-exit-1 [ "$rc" = 1 ]
check pif-names-the-vm out_has "eth2 carries XAPI network 'VM traffic' (xenbr2), with running VM web-01 (prod) plugged in"
check pif-way-forward out_has "migrate the VMs on it"
check pif-eth2-untouched has_iface eth2
xm --json reload dummy --dry-run
check pif-json out_has '"web-01 (prod)"'
sed -i 's/power_state="Running"/power_state="Halted"/' /var/lib/xcp/state.db
xm reload dummy --dry-run
check pif-halted-vm-is-safe [ "$rc" = 0 ]
check pif-halted-note out_has "plugged, with nothing XAPI knows of using it"
"#;

/// Without a readable /etc/xensource-inventory (missing, then cut short) and with no XAPI
/// database, the management interface cannot be known: an interface over the driver that is
/// up with an address needs --force, and the reasons say why and where the inventory was
/// looked for. Once it is down with no address, the reload is safe again.
const NOINVENTORY: &str = r#"
modprobe dummy numdummies=0
ip link add eth0 type dummy
ip addr add 192.0.2.10/24 dev eth0
ip link set eth0 up
check setup-eth0-up has_iface eth0
rm -f /etc/xensource-inventory /var/lib/xcp/state.db
xm reload dummy
check missing-refused-exit-1 [ "$rc" = 1 ]
check missing-says-why out_has "the management interface cannot be known: /etc/xensource-inventory is missing"
check missing-names-eth0 out_has "eth0 is up with an address, so it may be the management interface"
check missing-way-forward out_has "restore /etc/xensource-inventory"
check missing-untouched has_iface eth0
check missing-still-loaded loaded dummy
printf "INSTALLATION_UUID='0a1b2c3d-0000-4000-8000-000000000001'\nMANAGEMENT_INTERF" > /etc/xensource-inventory
xm reload dummy
check truncated-refused-exit-1 [ "$rc" = 1 ]
check truncated-says-why out_has "/etc/xensource-inventory is cut short"
xm --json reload dummy --dry-run
check truncated-json-needs-force out_has '"verdict": "needs-force"'
ip addr flush dev eth0
ip link set eth0 down
xm reload dummy --dry-run
check down-is-safe [ "$rc" = 0 ]
"#;

/// A faulty alternate in override/ (built for another kernel: vermagic the kernel refuses):
/// the preflight catches it; with --force the load fails and the previous copy goes back.
const FAULTY: &str = r#"
modprobe dummy
check setup-kernel-copy [ "$(build_id dummy)" = "$kernel_dummy" ]
mkdir -p $K/override
cp /fixtures/faulty/dummy.ko $K/override/dummy.ko
echo "search override updates built-in" > /etc/depmod.d/00-xcpng-override.conf
depmod
check setup-depmod-picks-override grep -q "^override/dummy.ko:" $K/modules.dep
xm reload dummy --dry-run
check preflight-exit-1 [ "$rc" = 1 ]
check preflight-vermagic out_has "the kernel will refuse to load it"
check preflight-names-the-copy out_has "$K/override/dummy.ko was built for another kernel (4.19.0+1"
xm reload dummy
check refused-exit-1 [ "$rc" = 1 ]
check refused-untouched [ "$(build_id dummy)" = "$kernel_dummy" ]
xm reload dummy --force
check force-exit-1 [ "$rc" = 1 ]
check force-rolled-back out_has "result:      rolled back"
check force-load-failed out_has "FAIL modprobe dummy"
check force-kernel-said-why out_has "version magic"
check force-fallback-by-path out_has "ok   insmod $K/kernel/drivers/net/dummy.ko (fallback)"
check previous-loaded loaded dummy
check previous-build-id [ "$(build_id dummy)" = "$kernel_dummy" ]
check interface-back has_iface dummy0
xm --json reload dummy --force
check json-rolled-back out_has '"result": "rolled-back"'
check json-error out_has '"kind": "failed"'
check json-still-previous [ "$(build_id dummy)" = "$kernel_dummy" ]
"#;

/// A module held by an open device (refcount without module holders): impossible, even with
/// --force.
const IMPOSSIBLE: &str = r#"
modprobe loop
exec 3</dev/loop0
check setup-refcount grep -q "^loop [0-9]* 1 " /proc/modules
xm reload loop
check refused-exit-1 [ "$rc" = 1 ]
check says-impossible out_has "verdict:     impossible"
check says-why out_has "loop is in use by something that is not a module (refcount 1"
xm reload loop --force
check force-still-refused [ "$rc" = 1 ]
check still-loaded loaded loop
exec 3<&-
"#;

/// Rollback after installing an alternate package: `dummy-alt` (a repo of the guest, through
/// the guest's real rpm) puts its copy in override/; once reloaded, `rollback dummy` removes
/// the package, depmod makes the kernel's copy win again and it is reloaded safely.
const ROLLBACK: &str = r#"
not() { if "$@"; then return 1; else return 0; fi; }
# busybox's shell prefers its own `rpm` applet: call the real one by path.
rpm() { /bin/rpm "$@"; }
check setup-rpm /bin/rpm --version
modprobe dummy
check setup-kernel-copy [ "$(build_id dummy)" = "$kernel_dummy" ]
echo "search override updates built-in" > /etc/depmod.d/00-xcpng-override.conf
depmod
xm --json --assumeno --enablerepo xcp-ng-candidates install dummy-alt
check plan-exit-0 [ "$rc" = 0 ]
check plan-loaded out_has '"loaded": true'
check plan-reload-when-safe out_has '"action": "reload"'
check plan-verdict-safe out_has '"verdict": "safe"'
check plan-no-guidance out_has '"guidance": []'
xm --assumeno --enablerepo xcp-ng-candidates install dummy-alt
check plan-text-after out_has "After this: reload dummy"
xm -y --enablerepo xcp-ng-candidates install dummy-alt
check install-exit-0 [ "$rc" = 0 ]
check install-installed rpm -q dummy-alt
check install-rpmdb-in-var-lib-rpm [ -f /var/lib/rpm/rpmdb.sqlite ]
check install-ran-depmod grep -q "^override/dummy.ko:" $K/modules.dep
check install-advises-reload out_has "dummy: reload it to use the new copy"
xm needs-reboot
check needs-reboot-sees-changed-file out_has "dummy is loaded, but its file on disk changed"
xm reload dummy
check reload-alt-exit-0 [ "$rc" = 0 ]
check alt-loaded [ "$(build_id dummy)" = "$update_dummy" ]
xm needs-reboot
check no-reboot-after-reload [ "$rc" = 0 ]
xm rollback dummy --dry-run
check dry-run-exit-0 [ "$rc" = 0 ]
check dry-run-action out_has "remove the alternate driver dummy-alt"
check dry-run-expected out_has "now $K/override/dummy.ko → $K/kernel/drivers/net/dummy.ko"
check dry-run-kept-package rpm -q dummy-alt
check dry-run-kept-loaded [ "$(build_id dummy)" = "$update_dummy" ]
xm -y rollback dummy
check rollback-exit-0 [ "$rc" = 0 ]
check rollback-removed-alt not rpm -q dummy-alt
check rollback-file-gone [ ! -e $K/override/dummy.ko ]
check rollback-depmod grep -q "^kernel/drivers/net/dummy.ko:" $K/modules.dep
check rollback-expected out_has "[ok]"
check rollback-reloaded out_has "dummy: reloaded"
check rollback-kernel-copy-loaded [ "$(build_id dummy)" = "$kernel_dummy" ]
check interface-back has_iface dummy0
xm history
check history-records-it out_has "rollback dummy"
xm needs-reboot
check no-reboot-needed [ "$rc" = 0 ]
"#;

/// XAPI's driver-tool in the guest: qemu's VMXNET3 card bound to the kernel's vmxnet3, which
/// `-l` reports active with hardware present; selecting the alternate installs it, and the
/// loaded driver is then not the selected one until a reboot. Each `-l` answer is printed
/// between markers for the host side to read with XAPI's parser.
const DRIVERTOOL: &str = r#"
rpm() { /bin/rpm "$@"; }
bound() {
    for d in /sys/bus/pci/devices/*; do
        [ "$(basename "$(readlink $d/driver)")" = vmxnet3 ] && return 0
    done
    return 1
}
modprobe vmxnet3
check setup-loaded loaded vmxnet3
check setup-bound bound
rpm -i --nodeps /fixtures/kernel-vmxnet3.rpm
check setup-kernel-owns-it rpm -qf $K/kernel/drivers/net/vmxnet3/vmxnet3.ko
echo "search override updates built-in" > /etc/depmod.d/00-xcpng-override.conf
depmod
xm --enablerepo xcp-ng-candidates driver-tool -l
check list-exit-0 [ "$rc" = 0 ]
echo XCPNG-JSON-BEGIN; cat /tmp/out; echo XCPNG-JSON-END
xm --enablerepo xcp-ng-candidates driver-tool -s -n vmxnet3 -v alternate
check select-exit-0 [ "$rc" = 0 ]
check select-installed rpm -q vmxnet3-alt
check select-depmod grep -q "^override/vmxnet3.ko:" $K/modules.dep
xm --enablerepo xcp-ng-candidates driver-tool list
check list-again-exit-0 [ "$rc" = 0 ]
echo XCPNG-JSON-BEGIN; cat /tmp/out; echo XCPNG-JSON-END
"#;

const SCENARIOS: &[(&str, &str)] = &[
    ("drivertool", DRIVERTOOL),
    ("rollback", ROLLBACK),
    ("unused", UNUSED),
    ("holder", HOLDER),
    ("management", MANAGEMENT),
    ("noinventory", NOINVENTORY),
    ("faulty", FAULTY),
    ("impossible", IMPOSSIBLE),
];

fn run(scenario: &str, expected: &[&str]) {
    let Some(env) = env() else { return };
    let initrd = initramfs(env, SCENARIOS);
    let b = boot(env, initrd, scenario);
    if std::env::var_os("XCPNG_MOD_VM_SHOW").is_some() {
        eprintln!("--- serial console of `{scenario}`\n{}", b.console);
    }
    b.assert_ok(expected);
}

#[test]
fn reload_of_an_unused_module_loads_the_update() {
    run(
        "unused",
        &[
            "dry-run-safe",
            "dry-run-changed-nothing",
            "reload-exit-0",
            "build-id-is-the-update",
            "interface-back",
            "json-result",
            "history-records-reload",
            "log-records-reload",
        ],
    );
}

#[test]
fn reload_with_a_holder_needs_force() {
    run(
        "holder",
        &[
            "refused-exit-1",
            "refused-names-holder",
            "refused-untouched",
            "dry-run-order",
            "force-exit-0",
            "force-stp-loaded-again",
        ],
    );
}

#[test]
fn reload_under_the_management_interface_is_refused() {
    run(
        "management",
        &[
            "refused-exit-1",
            "refused-says-what-is-at-risk",
            "eth0-untouched",
            "json-needs-force",
            "bridge-over-the-nic",
            "pif-refused-exit-1",
            "pif-names-the-vm",
            "pif-way-forward",
            "pif-eth2-untouched",
            "pif-json",
            "pif-halted-vm-is-safe",
            "pif-halted-note",
            "plan-exit-0",
            "plan-predicts-override",
            "plan-management-reboot",
            "plan-management-why",
            "plan-management-guidance",
        ],
    );
}

#[test]
fn reload_without_a_readable_inventory_never_fails_open() {
    run(
        "noinventory",
        &[
            "setup-eth0-up",
            "missing-refused-exit-1",
            "missing-says-why",
            "missing-names-eth0",
            "missing-way-forward",
            "missing-untouched",
            "truncated-refused-exit-1",
            "truncated-says-why",
            "truncated-json-needs-force",
            "down-is-safe",
        ],
    );
}

#[test]
fn faulty_alternate_is_caught_and_rolled_back() {
    run(
        "faulty",
        &[
            "setup-depmod-picks-override",
            "preflight-vermagic",
            "refused-untouched",
            "force-rolled-back",
            "force-kernel-said-why",
            "previous-build-id",
            "interface-back",
            "json-rolled-back",
        ],
    );
}

#[test]
fn module_held_by_an_open_device_is_impossible() {
    run(
        "impossible",
        &[
            "setup-refcount",
            "says-impossible",
            "says-why",
            "still-loaded",
        ],
    );
}

#[test]
fn rollback_after_installing_an_alternate_package() {
    run(
        "rollback",
        &[
            "plan-exit-0",
            "plan-loaded",
            "plan-reload-when-safe",
            "plan-verdict-safe",
            "plan-no-guidance",
            "plan-text-after",
            "install-exit-0",
            "install-rpmdb-in-var-lib-rpm",
            "install-ran-depmod",
            "install-advises-reload",
            "needs-reboot-sees-changed-file",
            "alt-loaded",
            "dry-run-action",
            "dry-run-kept-package",
            "dry-run-kept-loaded",
            "rollback-exit-0",
            "rollback-removed-alt",
            "rollback-depmod",
            "rollback-reloaded",
            "rollback-kernel-copy-loaded",
            "history-records-it",
            "no-reboot-needed",
        ],
    );
}

/// The `-l` answers the driver-tool scenario printed, as XAPI parses them.
fn answers(console: &str) -> Vec<(Vec<xapi_parser::Driver>, serde_json::Value)> {
    let text = console.replace('\r', "");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("XCPNG-JSON-BEGIN\n") {
        let body = &rest[start + "XCPNG-JSON-BEGIN\n".len()..];
        let end = body.find("XCPNG-JSON-END").expect("end marker");
        let json = &body[..end];
        let parsed = xapi_parser::parse(json)
            .unwrap_or_else(|e| panic!("XAPI would refuse the guest's answer: {e}\n{json}"));
        out.push((parsed, serde_json::from_str(json).unwrap()));
        rest = &body[end..];
    }
    out
}

#[test]
fn driver_tool_in_the_guest_sees_the_real_device_and_its_driver() {
    let Some(env) = env() else { return };
    let initrd = initramfs(env, SCENARIOS);
    let b = boot(env, initrd, "drivertool");
    if std::env::var_os("XCPNG_MOD_VM_SHOW").is_some() {
        eprintln!("--- serial console of `drivertool`\n{}", b.console);
    }
    b.assert_ok(&[
        "setup-bound",
        "setup-kernel-owns-it",
        "list-exit-0",
        "select-exit-0",
        "select-depmod",
        "list-again-exit-0",
    ]);
    let got = answers(&b.console);
    assert_eq!(got.len(), 2, "{}", b.console);
    let vmxnet3 = |ds: &[xapi_parser::Driver]| {
        ds.iter()
            .find(|d| d.name == "vmxnet3")
            .unwrap_or_else(|| panic!("no vmxnet3 in {ds:#?}"))
            .clone()
    };
    let hw = |d: &xapi_parser::Driver, v: &str| {
        d.variants
            .iter()
            .find(|(n, _)| n == v)
            .unwrap_or_else(|| panic!("no {v} in {d:#?}"))
            .1
            .hardware_present
    };
    let before = vmxnet3(&got[0].0);
    assert_eq!(before.active.as_deref(), Some("builtin"), "{before:#?}");
    assert_eq!(before.selected.as_deref(), Some("builtin"));
    assert_eq!(before.ty, "network");
    assert!(
        hw(&before, "builtin") && hw(&before, "alternate"),
        "{before:#?}"
    );
    assert_eq!(got[0].1["operation"]["reboot"], false);
    let after = vmxnet3(&got[1].0);
    assert_eq!(after.selected.as_deref(), Some("alternate"), "{after:#?}");
    assert_eq!(after.active.as_deref(), Some("builtin"));
    assert_eq!(got[1].1["operation"]["reboot"], true);
    let devices = &got[0].1["drivers"]["vmxnet3"]["variants"]["builtin"]["xcpng-mod"]["devices"];
    assert_eq!(devices.as_array().map(Vec::len), Some(1), "{devices}");
}

#[test]
fn console_parsing() {
    let b = vm_support::parse_console(
        "noise\r\nXCPNG-VERDICT name=a ok \r\nXCPNG-VERDICT name=b fail [ 1 = 0 ]\nXCPNG-DONE\r\n",
    );
    assert!(b.done);
    assert_eq!(b.verdicts.len(), 2);
    assert!(b.verdicts[0].1 && !b.verdicts[1].1);
    assert_eq!(b.verdicts[1].2, "[ 1 = 0 ]");
}

/// Without a VM: the preflight under `--root` on a tree shaped like a host (a PCI NIC whose
/// driver module is found through sysfs, the management interface on it, a faulty override),
/// and the refusal to act on anything but the running kernel.
#[test]
fn preflight_under_root_reads_sysfs_and_never_acts() {
    use std::os::unix::fs::symlink;
    use xcpng_mod::modules::modinfo::minimal_module;
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let kver = "4.19.0+1";
    let w = |rel: &str, data: &[u8]| {
        let p = r.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    let good = minimal_module(
        &[
            ("name", "bnxt_en"),
            ("vermagic", "4.19.0+1 SMP mod_unload modversions "),
        ],
        &[1; 20],
    );
    let bad = minimal_module(
        &[
            ("name", "bnxt_en"),
            ("vermagic", "4.4.0+10 SMP mod_unload "),
        ],
        &[2; 20],
    );
    w(
        &format!("lib/modules/{kver}/kernel/drivers/net/bnxt_en.ko"),
        &good,
    );
    w(&format!("lib/modules/{kver}/override/bnxt_en.ko"), &bad);
    w(
        &format!("lib/modules/{kver}/modules.dep"),
        b"override/bnxt_en.ko:\n",
    );
    w("etc/depmod.d/00-xcpng-override.conf", b"search override\n");
    w(
        "etc/modprobe.d/bnxt.conf",
        b"options bnxt_en disable_msix=1\n",
    );
    w(
        "etc/xensource-inventory",
        b"MANAGEMENT_INTERFACE='xenbr0'\n",
    );
    w("proc/modules", b"bnxt_en 249856 0 - Live 0x0\n");
    std::fs::create_dir_all(r.join("sys/module/bnxt_en/holders")).unwrap();
    // The loaded module's build-id note: the in-tree copy.
    let mut note = [4u32.to_le_bytes(), 20u32.to_le_bytes(), 3u32.to_le_bytes()].concat();
    note.extend_from_slice(b"GNU\0");
    note.extend_from_slice(&[1; 20]);
    w("sys/module/bnxt_en/notes/.note.gnu.build-id", &note);
    let dev = "sys/devices/pci0000:00/0000:00:03.0";
    std::fs::create_dir_all(r.join(dev)).unwrap();
    std::fs::create_dir_all(r.join("sys/bus/pci/drivers/bnxt_en")).unwrap();
    symlink(
        "../../../bus/pci/drivers/bnxt_en",
        r.join(dev).join("driver"),
    )
    .unwrap();
    symlink(
        "../../../../module/bnxt_en",
        r.join("sys/bus/pci/drivers/bnxt_en/module"),
    )
    .unwrap();
    std::fs::create_dir_all(r.join("sys/class/net/eth0")).unwrap();
    symlink(
        "../../../devices/pci0000:00/0000:00:03.0",
        r.join("sys/class/net/eth0/device"),
    )
    .unwrap();
    std::fs::create_dir_all(r.join("sys/class/net/xenbr0")).unwrap();

    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_xcpng-mod"))
            .arg("--root")
            .arg(r)
            .args(args)
            .env_clear()
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["--json", "reload", "bnxt_en", "--dry-run"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = &v["reload"]["preflight"];
    assert_eq!(v["version"], 1);
    assert_eq!(v["reload"]["result"], "dry-run");
    assert_eq!(p["verdict"], "needs-force");
    assert_eq!(p["interfaces"][0]["name"], "eth0");
    assert_eq!(
        p["interfaces"][0]["management"], true,
        "xenbr0 is eth0's bridge"
    );
    assert_eq!(p["vermagic"]["status"], "refused");
    assert_eq!(
        p["loaded"]["path"],
        format!("/lib/modules/{kver}/kernel/drivers/net/bnxt_en.ko")
    );
    assert_eq!(p["plan"]["unload"][0], "bnxt_en");
    assert_eq!(p["plan"]["load"][0]["command"][0], "modprobe");
    assert_eq!(p["plan"]["options"][0]["options"][0], "disable_msix=1");
    let reasons = p["reasons"].to_string();
    assert!(
        reasons
            .contains("the management interface xenbr0 runs over eth0; reloading bnxt_en drops it"),
        "{reasons}"
    );
    assert!(
        reasons.contains("the kernel will refuse to load it"),
        "{reasons}"
    );
    assert_eq!(v["error"]["kind"], "failed");

    // Acting needs the running kernel: refused under --root, before anything runs.
    let (code, _, err) = run(&["reload", "bnxt_en", "--force"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot act on --root"), "{err}");
    // Without --force, the refusal comes first (exit 1), with the way forward.
    let (code, out, err) = run(&["reload", "bnxt_en"]);
    assert_eq!(code, 1);
    assert!(out.contains("verdict:     needs --force"), "{out}");
    assert!(
        err.contains("hint: put the host in maintenance mode"),
        "{err}"
    );
}
