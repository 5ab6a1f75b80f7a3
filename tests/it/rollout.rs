//! `pool rollout`, `pool resume`, `pool abort` against the XAPI test double
//! (`tests/xapi_double/xapi_double.py`: XAPI's JSON-RPC wire format, its calls and error codes
//! from xen-api's source, NOT XAPI itself). Behind it everything is real: each host is a copy
//! of the demo host (real rpmdb, signed repos), `host.call_plugin` runs the real plugin, which
//! runs the real binary on that host's tree. A reboot is a delay after which the host reports
//! a new agent start time and "boots": the double writes the build-id of the copy that wins
//! (as the binary says) as the loaded one, unless a fault keeps the old one.

use crate::common::{run_raw, Out};
use crate::pool::{hosts, pool_at, start_with, Double, PoolHosts};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// `xcpng-mod pool ARGS` over https with the pool certificate, and `env`.
fn pool(p: &PoolHosts, d: &Double, args: &[&str], env: &[(&str, &str)]) -> Out {
    pool_at(p, d.master, args, env)
}

/// `pool rollout install ALT` with `canary` first, which fails: its report.
fn failing_rollout(p: &PoolHosts, d: &Double, canary: &str) -> Value {
    pool(
        p,
        d,
        &[
            "-y", "--json", "rollout", "--canary", canary, "install", ALT,
        ],
        &[],
    )
    .code(1)
    .json()
}

/// The double's own view (GET /state on its local socket): hosts, VMs, pool, calls.
fn state(d: &Double) -> Value {
    let out = Command::new("curl")
        .args(["-sf", "--unix-socket"])
        .arg(&d.socket)
        .arg("http://localhost/state")
        .output()
        .expect("curl");
    assert!(out.status.success(), "GET /state: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The installed version of `package` in a host's tree ("" when not installed).
fn installed(root: &Path, package: &str) -> String {
    let out = Command::new("rpm")
        .arg("--root")
        .arg(root)
        .args([
            "--dbpath",
            "/var/lib/rpm",
            "-q",
            "--qf",
            "%{VERSION}",
            package,
        ])
        .output()
        .unwrap();
    if out.status.success() {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        String::new()
    }
}

/// The variant of intel-igb selected on a host tree (`driver-tool -l`).
fn igb_selected(root: &Path) -> String {
    let out = run_raw(
        &["--root", root.to_str().unwrap(), "driver-tool", "-l"],
        root,
    );
    out.json()["drivers"]["intel-igb"]["selected"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `n` demo hosts whose igb carries the management interface.
fn managed_hosts(n: usize) -> PoolHosts {
    let p = hosts(n);
    for r in &p.roots {
        igb_carries_management(r);
    }
    p
}

/// A pool of `n` hosts where igb is loaded on each (so an `-alt` needs a reboot), HA on,
/// VMs as `vms[i]` (names) on host i+1, and `faults[i]` on host i+1.
fn pool_of(n: usize, vms: &[&[&str]], faults: &[Value]) -> (PoolHosts, Double) {
    let p = managed_hosts(n);
    let extra: Vec<Value> = (0..n)
        .map(|i| {
            let vms: Vec<Value> = vms
                .get(i)
                .copied()
                .unwrap_or(&[])
                .iter()
                .map(|v| json!({"name": v, "memory_mib": 2048}))
                .collect();
            json!({"loaded": ["igb"], "vms": vms, "xapi_version": "25.33.0",
                   "faults": faults.get(i).cloned().unwrap_or(json!({}))})
        })
        .collect();
    let d = start_with(
        &p,
        json!({"ha_enabled": true, "reboot_seconds": 0.3}),
        &extra,
    );
    (p, d)
}

fn host_names(report: &Value) -> Vec<String> {
    report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

fn outcome<'a>(report: &'a Value, name: &str) -> &'a Value {
    let h = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report}"));
    &h["outcome"]
}

const ALT: &str = "intel-igb-alt";

#[test]
fn an_alt_driver_goes_host_by_host_with_evacuation_reboot_and_verification() {
    let (p, d) = pool_of(3, &[&["infra"], &["web", "app"], &[]], &[]);
    // Without -y: the plan of every host, nothing changed.
    let out = pool(&p, &d, &["rollout", "install", ALT], &[]);
    out.ok()
        .stdout_has("planned (nothing changed; -y runs it)")
        .stdout_has("install intel-igb-alt-5.3.5.39")
        .stdout_has("After this: RebootHost");
    let st = state(&d);
    assert_eq!(st["pool"]["other_config"].get("xcpng-mod:rollout"), None);
    assert!(p.roots.iter().all(|r| installed(r, ALT).is_empty()));
    // With -y: done; the canary is the member with the fewest VMs (no toolstack change),
    // then the master, then the other member.
    let out = pool(&p, &d, &["-y", "--json", "rollout", "install", ALT], &[]);
    let doc = out.ok().json();
    assert_eq!(doc["result"], "done", "{doc}");
    assert_eq!(host_names(&doc), ["host3", "host1", "host2"]);
    for h in ["host1", "host2", "host3"] {
        assert_eq!(outcome(&doc, h), "done", "{doc}");
    }
    let st = state(&d);
    for (i, r) in p.roots.iter().enumerate() {
        assert_eq!(installed(r, ALT), "5.3.5.39", "host{}", i + 1);
        assert_eq!(igb_selected(r), "alternate");
        let h = &st["hosts"][format!("host{}", i + 1)];
        assert_eq!(h["reboots"], 1, "{st}");
        assert_eq!(h["enabled"], true, "{st}");
    }
    // Every VM is back where it lived; HA is on again; the lock is gone.
    assert_eq!(st["vms"]["web"], "host2", "{st}");
    assert_eq!(st["vms"]["app"], "host2", "{st}");
    assert_eq!(st["vms"]["infra"], "host1", "{st}");
    assert_eq!(st["pool"]["ha_enabled"], true);
    assert_eq!(doc["ha_restored"], true);
    assert_eq!(st["pool"]["other_config"].get("xcpng-mod:rollout"), None);
    // Per host, in XAPI's order: checked, disabled (auto_enable=false on XAPI 25.33: it
    // stays disabled across the reboot), evacuated, rebooted, enabled once verified.
    let calls: Vec<&str> = st["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |m: &str| {
        calls
            .iter()
            .position(|c| *c == m)
            .unwrap_or_else(|| panic!("no {m} in {calls:?}"))
    };
    let order = [
        "host.assert_can_evacuate",
        "host.disable",
        "host.evacuate",
        "host.reboot",
        "host.enable",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{calls:?}");
    assert!(calls.contains(&"pool.disable_ha") && calls.contains(&"pool.enable_ha"));
    // The master's reboot took XAPI away for a while: the tool waited and logged in again.
    assert!(doc["logins"].as_u64().unwrap() >= 2, "{doc}");
    // A second rollout of the same finds nothing to do.
    let doc = pool(&p, &d, &["--json", "rollout", "install", ALT], &[])
        .ok()
        .json();
    assert_eq!(doc["result"], "nothing-to-do");
}

#[test]
fn the_first_failure_rolls_that_host_back_stops_and_abort_takes_back_the_rest() {
    // host1 goes first (--canary); host2's next boot keeps the old igb (as when the initrd
    // carries it): it does not verify, is rolled back, and host3 is never touched.
    let (p, d) = pool_of(
        3,
        &[&[], &["web"], &[]],
        &[json!({}), json!({"boot_keeps_old": true}), json!({})],
    );
    let out = pool(
        &p,
        &d,
        &[
            "-y", "--json", "rollout", "--canary", "host1", "install", ALT,
        ],
        &[],
    );
    let doc = out.code(1).json();
    assert_eq!(doc["result"], "failed", "{doc}");
    assert_eq!(host_names(&doc), ["host1", "host2", "host3"]);
    assert_eq!(outcome(&doc, "host1"), "done");
    assert_eq!(outcome(&doc, "host2"), "rolled-back", "{doc}");
    assert_eq!(outcome(&doc, "host3"), "pending");
    let h2 = &doc["hosts"][1];
    let failure = h2["failure"].as_str().unwrap();
    assert!(
        failure.contains("host2 does not verify: igb: the copy loaded (build-id"),
        "{failure}"
    );
    assert!(h2["next"].as_str().unwrap().contains("pool resume"), "{h2}");
    assert!(doc["hosts"][2]["next"]
        .as_str()
        .unwrap()
        .contains("untouched"));
    let st = state(&d);
    assert_eq!(installed(&p.roots[0], ALT), "5.3.5.39");
    assert_eq!(installed(&p.roots[1], ALT), "", "host2 is rolled back");
    assert_eq!(igb_selected(&p.roots[1]), "supported");
    assert_eq!(installed(&p.roots[2], ALT), "");
    assert_eq!(
        st["hosts"]["host2"]["reboots"], 2,
        "its change and its rollback"
    );
    assert_eq!(
        st["hosts"]["host2"]["enabled"], true,
        "verified again: enabled"
    );
    assert_eq!(st["hosts"]["host3"]["reboots"], 0);
    assert_eq!(st["vms"]["web"], "host2", "{st}");
    assert_eq!(st["pool"]["ha_enabled"], true, "HA back also on failure");
    // The text report says the same, per host.
    let key = st["pool"]["other_config"]["xcpng-mod:rollout"]
        .as_str()
        .unwrap();
    let saved: Value = serde_json::from_str(key).unwrap();
    assert_eq!(saved["phase"], "failed");
    // One rollout per pool: another is refused, naming who holds it.
    pool(&p, &d, &["-y", "rollout", "update"], &[])
        .code(1)
        .stderr_has("another rollout holds this pool: `install intel-igb-alt`, started by")
        .stderr_has("pool abort");
    // Abort: host1 is taken back; the key goes.
    let out = pool(&p, &d, &["abort"], &[]);
    out.ok().stdout_has("aborted").stdout_has("transaction");
    assert_eq!(installed(&p.roots[0], ALT), "");
    assert_eq!(igb_selected(&p.roots[0]), "supported");
    let st = state(&d);
    assert_eq!(st["pool"]["other_config"].get("xcpng-mod:rollout"), None);
    assert_eq!(st["hosts"]["host1"]["reboots"], 2);
    assert_eq!(st["hosts"]["host1"]["enabled"], true);
}

#[test]
fn a_rollout_killed_at_any_step_resumes_and_completes() {
    // Two hosts; the tool killed (SIGKILL) right after its Nth save of the state, N over
    // every step of the first host's run (the second host's steps are the same steps): from
    // the lock taken and HA off (1) through checked, evacuated, applying, the change asked
    // for, applied, rebooting, back, to done (9). `pool resume` completes each.
    for n in 1..=9 {
        let (p, d) = pool_of(2, &[&["web"], &[]], &[]);
        let kill = n.to_string();
        let out = pool(
            &p,
            &d,
            &["-y", "--json", "rollout", "install", ALT],
            &[("XCPNG_MOD_TEST_KILL_AFTER_SAVE", &kill)],
        );
        assert_eq!(out.code, 128 + 9, "killed after save {n}: {out:?}");
        let st = state(&d);
        let saved: Value = serde_json::from_str(
            st["pool"]["other_config"]["xcpng-mod:rollout"]
                .as_str()
                .unwrap_or_else(|| panic!("no saved rollout after kill {n}: {st}")),
        )
        .unwrap();
        assert_eq!(saved["phase"], "running");
        let doc = pool(&p, &d, &["--json", "resume"], &[]).ok().json();
        assert_eq!(doc["result"], "done", "resumed after save {n}: {doc}");
        let st = state(&d);
        for (i, r) in p.roots.iter().enumerate() {
            assert_eq!(
                installed(r, ALT),
                "5.3.5.39",
                "host{} after kill {n}",
                i + 1
            );
            let h = &st["hosts"][format!("host{}", i + 1)];
            assert_eq!(h["enabled"], true, "after kill {n}: {st}");
            assert_eq!(h["reboots"], 1, "after kill {n}: {st}");
        }
        assert_eq!(st["vms"]["web"], "host1", "after kill {n}: {st}");
        assert_eq!(st["pool"]["ha_enabled"], true);
        assert_eq!(st["pool"]["other_config"].get("xcpng-mod:rollout"), None);
        // One transaction per host: nothing applied twice.
        for r in &p.roots {
            let h = run_raw(&["--root", r.to_str().unwrap(), "--json", "history"], r).json();
            let installs = h["transactions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["command"].to_string().contains(ALT))
                .count();
            assert_eq!(installs, 1, "after kill {n}: {h}");
        }
    }
}

#[test]
fn evacuation_refused_stops_before_anything_changed_naming_the_vm() {
    // The canary's VMs: one needs an SR no other host has, one is bigger than the memory
    // any other host has free: XAPI's CANNOT_EVACUATE_HOST, each VM named with its reason.
    let p = managed_hosts(2);
    let extra = [
        json!({"loaded": ["igb"], "xapi_version": "25.33.0"}),
        json!({"loaded": ["igb"], "xapi_version": "25.33.0", "srs": ["Local storage host2", "NFS shared"],
               "memory_mib": 65536,
               "vms": [{"name": "pinned", "memory_mib": 1024, "srs": ["Local storage host2"]},
                       {"name": "huge", "memory_mib": 32768}]}),
    ];
    let d = start_with(&p, json!({"reboot_seconds": 0.3}), &extra);
    let doc = failing_rollout(&p, &d, "host2");
    let h = &doc["hosts"][0];
    assert_eq!(h["name"], "host2");
    assert_eq!(h["outcome"], "failed", "{doc}");
    let f = h["failure"].as_str().unwrap();
    assert!(
        f.contains("cannot be evacuated (CANNOT_EVACUATE_HOST)"),
        "{f}"
    );
    assert!(f.contains("VM pinned: VM_REQUIRES_SR"), "{f}");
    assert!(f.contains("VM huge: HOST_NOT_ENOUGH_FREE_MEMORY"), "{f}");
    assert!(f.contains("nothing was changed on it"), "{f}");
    assert_eq!(installed(&p.roots[1], ALT), "");
    let st = state(&d);
    assert_eq!(st["hosts"]["host2"]["enabled"], true);
    assert_eq!(st["hosts"]["host2"]["reboots"], 0);
}

#[test]
fn a_busy_plugin_is_waited_for_and_a_host_that_never_returns_is_a_failure() {
    // host1's plugin is busy for 2 s (another operation holds its lock): retried with
    // backoff, the rollout goes on. host2 never comes back from its reboot.
    let p = managed_hosts(2);
    let extra = [
        // An XAPI before 25.31 (no auto_enable): it re-enables the host after its reboot;
        // the rollout disables it again until it is verified.
        json!({"loaded": ["igb"], "xapi_version": "25.20.0", "faults": {"plugin_busy_seconds": 2}}),
        json!({"loaded": ["igb"], "xapi_version": "25.33.0", "faults": {"never_returns": true}}),
    ];
    let d = start_with(&p, json!({"reboot_seconds": 0.3}), &extra);
    let doc = pool(
        &p,
        &d,
        &[
            "-y",
            "--json",
            "rollout",
            "--canary",
            "host1",
            "--host-timeout",
            "3",
            "install",
            ALT,
        ],
        &[],
    )
    .code(1)
    .json();
    assert_eq!(outcome(&doc, "host1"), "done", "{doc}");
    assert_eq!(outcome(&doc, "host2"), "rollback-failed", "{doc}");
    let h2 = &doc["hosts"][1];
    assert!(h2["failure"]
        .as_str()
        .unwrap()
        .contains("host2 did not come back within 3 s of its reboot"));
    assert!(
        h2["next"].as_str().unwrap().contains("left disabled"),
        "{h2}"
    );
    // A rollout whose rollback failed is not resumed blindly.
    pool(&p, &d, &["resume"], &[])
        .code(1)
        .stderr_has("cannot be resumed");
}

/// Make igb carry the host's management interface, as on a real host whose management NIC
/// is the I210: the demo's 0000:01:00.0 bound to igb, eth0 on it, and the inventory naming
/// xenbr0 (eth0's bridge). A reload of igb would drop XAPI's link: an `-alt` needs a reboot.
fn igb_carries_management(root: &Path) {
    use std::os::unix::fs::symlink;
    let dev = root.join("sys/bus/pci/devices/0000:01:00.0");
    let drv = root.join("sys/bus/pci/drivers/igb");
    std::fs::create_dir_all(&drv).unwrap();
    symlink("../../drivers/igb", dev.join("driver")).unwrap();
    symlink("../../../../module/igb", drv.join("module")).unwrap();
    let eth0 = root.join("sys/class/net/eth0");
    std::fs::create_dir_all(&eth0).unwrap();
    symlink("../../../bus/pci/devices/0000:01:00.0", eth0.join("device")).unwrap();
    std::fs::write(eth0.join("flags"), "0x1003\n").unwrap();
    std::fs::write(
        root.join("etc/xensource-inventory"),
        "PRIMARY_DISK='/dev/sda'\nMANAGEMENT_INTERFACE='xenbr0'\nMANAGEMENT_ADDRESS_TYPE='IPv4'\n",
    )
    .unwrap();
}

#[test]
fn select_and_rollback_without_a_reboot_change_no_vm_and_no_host_state() {
    // igb not loaded: the alternate needs no reboot, so no host is disabled or evacuated.
    let p = managed_hosts(2);
    let d = start_with(
        &p,
        json!({"reboot_seconds": 0.3}),
        &[json!({"vms": [{"name": "web"}]}), json!({})],
    );
    let doc = pool(
        &p,
        &d,
        &[
            "-y",
            "--json",
            "rollout",
            "select",
            "intel-igb",
            "alternate",
        ],
        &[],
    )
    .ok()
    .json();
    assert_eq!(doc["result"], "done", "{doc}");
    for r in &p.roots {
        assert_eq!(igb_selected(r), "alternate");
    }
    let st = state(&d);
    let calls = st["calls"].to_string();
    for m in [
        "host.disable",
        "host.evacuate",
        "host.reboot",
        "VM.pool_migrate",
    ] {
        assert!(!calls.contains(m), "{m} in {calls}");
    }
    // `rollback igb` on every host: back to the supported driver.
    let doc = pool(&p, &d, &["-y", "--json", "rollout", "rollback", "igb"], &[])
        .ok()
        .json();
    assert_eq!(doc["result"], "done", "{doc}");
    for r in &p.roots {
        assert_eq!(igb_selected(r), "supported");
        assert_eq!(installed(r, ALT), "");
    }
}

#[test]
fn a_pif_down_or_a_pbd_unplugged_after_the_reboot_fails_the_host() {
    let (p, d) = pool_of(
        2,
        &[],
        &[
            json!({}),
            json!({"pif_down_after_reboot": "eth0", "pbd_unplugged_after_reboot": true}),
        ],
    );
    let doc = failing_rollout(&p, &d, "host1");
    let h2 = &doc["hosts"][1];
    let f = h2["failure"].as_str().unwrap();
    assert!(f.contains("PIF eth0 was up with carrier and is not"), "{f}");
    assert!(f.contains("the PBD of SR "), "{f}");
    // The faults last one boot: the rollback's reboot brings them back, and it verifies.
    assert_eq!(h2["outcome"], "rolled-back", "{doc}");
    assert_eq!(installed(&p.roots[1], ALT), "");
}

#[test]
fn vms_go_home_making_room_where_another_hosts_vm_was_parked() {
    // host1 (2 GiB) runs `a`; host2 (4 GiB) runs `b` and `c`; host3 (4 GiB) is empty and
    // goes first. `a` is parked on host3; then host2's `b` and `c` go one to host1, one to
    // host3. At the end `a` can only go home once the VM parked on host1 has left.
    let p = managed_hosts(3);
    let vm = |n: &str| json!({"name": n, "memory_mib": 2048});
    let extra = [
        json!({"loaded": ["igb"], "memory_mib": 2048, "vms": [vm("a")]}),
        json!({"loaded": ["igb"], "memory_mib": 4096, "vms": [vm("b"), vm("c")]}),
        json!({"loaded": ["igb"], "memory_mib": 4096}),
    ];
    let d = start_with(&p, json!({"reboot_seconds": 0.3}), &extra);
    let doc = pool(&p, &d, &["-y", "--json", "rollout", "install", ALT], &[])
        .ok()
        .json();
    assert_eq!(host_names(&doc), ["host3", "host1", "host2"]);
    assert_eq!(doc["vms_not_home"], json!([]), "{doc}");
    let st = state(&d);
    assert_eq!(
        st["vms"],
        json!({"a": "host1", "b": "host2", "c": "host2"}),
        "{st}"
    );
    let migrations = st["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| *c == "VM.pool_migrate")
        .count();
    assert_eq!(
        migrations, 4,
        "a refused once for lack of room, then moved: {st}"
    );
}

#[test]
fn members_go_side_by_side_with_parallel_after_the_canary_and_the_master() {
    // 4 hosts: the canary (host4, no VMs) alone, then the master alone, then host2 and
    // host3 side by side, each on its own session.
    let (p, d) = pool_of(4, &[&["m"], &["b"], &["c"], &[]], &[]);
    let doc = pool(
        &p,
        &d,
        &["-y", "--json", "rollout", "--parallel", "2", "install", ALT],
        &[],
    )
    .ok()
    .json();
    assert_eq!(doc["result"], "done", "{doc}");
    assert_eq!(host_names(&doc), ["host4", "host1", "host2", "host3"]);
    let st = state(&d);
    assert_eq!(st["max_disabled"], 2, "two members at once: {st}");
    for (i, r) in p.roots.iter().enumerate() {
        assert_eq!(installed(r, ALT), "5.3.5.39", "host{}", i + 1);
        assert_eq!(st["hosts"][format!("host{}", i + 1)]["enabled"], true);
    }
    assert_eq!(
        st["vms"],
        json!({"m": "host1", "b": "host2", "c": "host3"}),
        "{st}"
    );
}

#[test]
fn abort_after_two_hosts_takes_them_back_newest_first() {
    // Three hosts; the tool killed right after its 17th save: the lock and HA (1), then
    // 8 saves per host, so two hosts are done and the third not started.
    let (p, d) = pool_of(3, &[&[], &["web"], &[]], &[]);
    let out = pool(
        &p,
        &d,
        &[
            "-y", "--json", "rollout", "--canary", "host3", "install", ALT,
        ],
        &[("XCPNG_MOD_TEST_KILL_AFTER_SAVE", "17")],
    );
    assert_eq!(out.code, 128 + 9, "{out:?}");
    assert_eq!(installed(&p.roots[2], ALT), "5.3.5.39");
    assert_eq!(installed(&p.roots[0], ALT), "5.3.5.39");
    assert_eq!(installed(&p.roots[1], ALT), "", "host2 not started");
    assert_eq!(state(&d)["reboot_order"], json!(["host3", "host1"]));
    let doc = pool(&p, &d, &["--json", "abort"], &[]).ok().json();
    assert_eq!(doc["result"], "aborted", "{doc}");
    assert_eq!(outcome(&doc, "host3"), "undone");
    assert_eq!(outcome(&doc, "host1"), "undone");
    assert_eq!(outcome(&doc, "host2"), "pending");
    let st = state(&d);
    // Newest first: host1 (done second) is taken back before host3.
    assert_eq!(
        st["reboot_order"],
        json!(["host3", "host1", "host1", "host3"]),
        "{st}"
    );
    for r in &p.roots {
        assert_eq!(installed(r, ALT), "");
        assert_eq!(igb_selected(r), "supported");
    }
    assert_eq!(st["hosts"]["host2"]["reboots"], 0);
    assert_eq!(st["vms"]["web"], "host2");
    assert_eq!(st["pool"]["ha_enabled"], true);
    assert_eq!(st["pool"]["other_config"].get("xcpng-mod:rollout"), None);
}
