//! Module impact and restart guidance before a change, through the real binary on temp
//! XCP-ng-like hosts built from real RPMs (real `rpm --root`, real `createrepo_c` repos,
//! real `depmod -b ROOT`): for each plan the copy predicted to win after is checked against
//! the one real depmod picks once the transaction ran; the guidance table rule by rule with
//! real packages. "Loaded" is faked under the root (`proc/modules`, `sys/module`); nothing is
//! loaded into this machine's kernel.

use crate::common::{fake_loaded, kpath, pkg, PkgSpec, TestHost, KVER};
use serde_json::Value;
use xcpng_mod::demo::module_bytes;

const R: &str = "1.xcpng8.3";

fn driver(name: &str, module: &str, version: &str, dir: &str) -> PkgSpec {
    pkg(name, version, R)
        .provides("vendor-driver")
        .requires(&format!("kernel-uname-r = {KVER}"))
        .file(
            &kpath(&format!("{dir}/{module}.ko")),
            &module_bytes(module, version),
        )
}

fn kernel() -> PkgSpec {
    pkg("kernel", "4.19.19", R)
        .provides(&format!("kernel-uname-r = {KVER}"))
        .file(
            &kpath("kernel/drivers/net/dummy.ko"),
            &module_bytes("dummy", "1.0"),
        )
}

fn host() -> TestHost {
    let h = TestHost::new();
    h.install(&[kernel()]);
    h.write("/etc/depmod.d/00-xcpng-override.conf", "search override\n");
    h.write(
        "/etc/depmod.d/dist.conf",
        "search updates extra built-in weak-updates\n",
    );
    h
}

/// The plan document of `args` with `--assumeno --json`.
fn plan(h: &TestHost, args: &[&str]) -> Value {
    let mut a = vec!["--json", "--assumeno"];
    a.extend_from_slice(args);
    h.run(&a).ok().json()
}

fn module<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["modules"]
        .as_array()
        .unwrap_or_else(|| panic!("no modules in {doc}"))
        .iter()
        .find(|m| m["module"] == name)
        .unwrap_or_else(|| panic!("{name} not in {doc}"))
}

/// The path real depmod gives `module` in `modules.dep` (host path), None when absent.
fn depmod_pick(h: &TestHost, module: &str) -> Option<String> {
    let dep = std::fs::read_to_string(h.host_path(&kpath("modules.dep"))).unwrap();
    dep.lines()
        .filter_map(|l| l.split_once(':').map(|(p, _)| p))
        .find(|p| {
            let f = p.rsplit('/').next().unwrap();
            f.split('.').next().unwrap().replace('-', "_") == module
        })
        .map(|p| {
            if p.starts_with('/') {
                p.to_string()
            } else {
                kpath(p)
            }
        })
}

/// Plan `args`, run them with -y, and check the predicted winner of `module` is real
/// depmod's. Returns the plan's entry for the module.
fn predicted_is_real(h: &TestHost, args: &[&str], module_name: &str) -> Value {
    let doc = plan(h, args);
    let m = module(&doc, module_name).clone();
    let mut a = vec!["-y"];
    a.extend_from_slice(args);
    h.run(&a).ok();
    let after = m["after"]["path"].as_str().map(str::to_string);
    assert_eq!(after, depmod_pick(h, module_name), "{args:?}: {m}");
    m
}

#[test]
fn the_predicted_winner_is_the_one_real_depmod_picks() {
    let h = host();
    h.install(&[driver("broadcom-bnxt-en", "bnxt_en", "1.10.0", "updates")]);
    h.add_repo(
        "xcp-ng-base",
        true,
        &[
            driver("broadcom-bnxt-en-alt", "bnxt_en", "1.10.3", "override"),
            driver("broadcom-bnxt-en", "bnxt_en", "1.10.2", "extra"),
            driver("r8125-module", "r8125", "9.011.00", "extra"),
        ],
    );
    // An -alt in override/ wins over the supported copy in updates/.
    let m = predicted_is_real(&h, &["install", "broadcom-bnxt-en-alt"], "bnxt_en");
    assert_eq!(m["before"]["path"], kpath("updates/bnxt_en.ko"));
    assert_eq!(m["after"]["class"], "alternate");
    assert_eq!(m["action"], "none");
    // The supported package moves its copy from updates/ to extra/; the -alt still wins, so
    // the set of copies changes but not the winner.
    let doc = plan(&h, &["update", "broadcom-bnxt-en"]);
    let m = module(&doc, "bnxt_en");
    assert_eq!(m["after"]["path"], kpath("override/bnxt_en.ko"));
    h.run(&["-y", "update", "broadcom-bnxt-en"]).ok();
    assert_eq!(
        depmod_pick(&h, "bnxt_en"),
        Some(kpath("override/bnxt_en.ko"))
    );
    // Removing the -alt: the supported copy, now in extra/, wins again.
    let m = predicted_is_real(&h, &["remove", "broadcom-bnxt-en-alt"], "bnxt_en");
    assert_eq!(m["after"]["path"], kpath("extra/bnxt_en.ko"));
    assert_eq!(m["after"]["class"], "supported");
    // An additional driver: no copy before.
    let m = predicted_is_real(&h, &["install", "r8125-module"], "r8125");
    assert_eq!(m["before"], Value::Null);
    // A local package file (unsigned: built here).
    let spec = driver("intel-igb", "igb", "5.11.4", "updates");
    let file = xcpng_mod::demo::build_rpm(&spec, &h.dir().join("local")).unwrap();
    let f = file.to_str().unwrap();
    let m = predicted_is_real(&h, &["--nogpgcheck", "install", f], "igb");
    assert_eq!(m["after"]["path"], kpath("updates/igb.ko"));
}

#[test]
fn an_older_alternate_and_a_loaded_module_are_said_before_the_change() {
    let h = host();
    h.install(&[driver("intel-igb", "igb", "5.11.4", "updates")]);
    h.add_repo(
        "xcp-ng-base",
        true,
        &[driver("intel-igb-alt", "igb", "5.3.5", "override")],
    );
    fake_loaded(&h, "igb", "5.11.4");
    let doc = plan(&h, &["install", "intel-igb-alt"]);
    let m = module(&doc, "igb");
    assert_eq!(m["loaded"], true);
    let reason = m["reason"].as_str().unwrap();
    assert!(
        reason.contains("OLDER than the supported driver 5.11.4"),
        "{m}"
    );
    // A reload or a reboot, never "none", for a loaded module whose copy changes; the
    // guidance says RebootHost exactly when the action is a reboot.
    let action = m["action"].as_str().unwrap();
    assert!(action == "reload" || action == "reboot", "{m}");
    let reboots = doc["guidance"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g == "RebootHost");
    assert_eq!(reboots, action == "reboot", "{doc}");
    assert!(m["verdict"].is_string(), "{m}");
    // Removing the only copy of a loaded module: reboot, and it says why.
    let doc = plan(&h, &["remove", "intel-igb"]);
    let m = module(&doc, "igb");
    assert_eq!(m["after"], Value::Null);
    assert_eq!(m["action"], "reboot");
    assert!(
        m["reason"].as_str().unwrap().contains("no copy on disk"),
        "{m}"
    );
    assert_eq!(doc["guidance"], serde_json::json!(["RebootHost"]));
    // The text plan has the section and the line.
    let out = h
        .run(&["--assumeno", "remove", "intel-igb"])
        .ok()
        .stdout
        .clone();
    assert!(
        out.contains("Kernel modules\n igb (4.19.0+1): updates/igb.ko"),
        "{out}"
    );
    assert!(out.contains("After this: RebootHost"), "{out}");
}

#[test]
fn the_guidance_table_rule_by_rule_with_real_packages() {
    let h = host();
    h.add_repo(
        "xcp-ng-updates",
        true,
        &[
            pkg("kernel", "4.19.20", R).provides(&format!("kernel-uname-r = {KVER}")),
            pkg("xen-hypervisor", "4.17.5", R),
            pkg("microcode_ctl", "2.1", R),
            pkg("glibc", "2.17", R),
            pkg("xapi-core", "25.33.1", R),
            pkg("sm", "3.2.3", R),
            pkg("qemu", "4.2.1", R),
            pkg("grub-config", "1.0", R).file("/boot/grub/grub.cfg", b"menuentry\n"),
            pkg("vim-enhanced", "7.4", R).file("/usr/bin/vim", b"#!/bin/sh\n"),
        ],
    );
    let cases: &[(&str, &[&str])] = &[
        ("kernel", &["RebootHost"]),
        ("xen-hypervisor", &["RebootHost"]),
        ("microcode_ctl", &["RebootHost"]),
        ("glibc", &["RebootHost"]),
        ("xapi-core", &["RestartToolstack"]),
        ("sm", &["RestartToolstack"]),
        ("qemu", &["RestartDeviceModel"]),
        ("grub-config", &["RebootHost"]),
        ("vim-enhanced", &[]),
    ];
    for (name, want) in cases {
        let verb = if *name == "kernel" {
            "update"
        } else {
            "install"
        };
        let doc = plan(&h, &[verb, name]);
        assert_eq!(doc["guidance"], serde_json::json!(want), "{name}: {doc}");
        let why = doc["guidance_reasons"].as_array().unwrap();
        assert_eq!(why.len(), want.len(), "{name}: {doc}");
    }
    // Merged as XAPI merges: RebootHost takes in RestartToolstack and RestartDeviceModel.
    let doc = plan(&h, &["install", "xapi-core", "qemu", "glibc"]);
    assert_eq!(doc["guidance"], serde_json::json!(["RebootHost"]), "{doc}");
    let doc = plan(&h, &["install", "xapi-core", "qemu"]);
    assert_eq!(
        doc["guidance"],
        serde_json::json!(["RestartToolstack", "RestartDeviceModel"]),
        "{doc}"
    );
    // The result of the run carries it too.
    let doc = h.run(&["--json", "-y", "install", "xapi-core"]).ok().json();
    assert_eq!(
        doc["guidance"],
        serde_json::json!(["RestartToolstack"]),
        "{doc}"
    );
    assert_eq!(doc["transaction"]["result"], "ok");
    // needs-reboot: the guidance still pending since boot for what was done. A toolstack
    // package needs no reboot (exit 0) but a toolstack restart.
    let boot = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600;
    h.write("/proc/stat", &format!("cpu  1 2 3\nbtime {boot}\n"));
    let out = h.run(&["--json", "needs-reboot"]);
    let doc = out.code(0).json();
    assert_eq!(
        doc["guidance"],
        serde_json::json!(["RestartToolstack"]),
        "{doc}"
    );
    assert_eq!(doc["reboot_needed"], false);
    assert_eq!(doc["reasons"][0]["kind"], "toolstack", "{doc}");
    // The C library since boot: a reboot, which takes in the toolstack restart.
    h.run(&["-y", "install", "glibc"]).ok();
    let doc = h.run(&["--json", "needs-reboot"]).code(1).json();
    assert_eq!(doc["guidance"], serde_json::json!(["RebootHost"]), "{doc}");
    assert_eq!(doc["reboot_needed"], true);
}

#[test]
fn candidates_are_announced_with_their_impact_and_the_exact_commands() {
    let h = host();
    h.install(&[driver("intel-igb", "igb", "5.11.4", "updates")]);
    h.add_repo(
        "xcp-ng-base",
        true,
        &[driver("intel-igb", "igb", "5.11.4", "updates")],
    );
    h.add_repo(
        "xcp-ng-testing",
        false,
        &[driver("intel-igb", "igb", "5.12.3", "updates").changelog(
            "Thierry Escande <te@example.org> - 5.12.3-1",
            "- Update to 5.12.3\n- Fixes link flaps on I350",
            1_735_000_000,
        )],
    );
    fake_loaded(&h, "igb", "5.11.4");
    let doc = h.run(&["--json", "candidates", "--announce"]).ok().json();
    let a = &doc["announcement"];
    assert_eq!(
        a["packages"],
        serde_json::json!([format!("intel-igb-5.12.3-{R}.x86_64")])
    );
    assert_eq!(
        a["install"][0],
        "yum update --enablerepo=xcp-ng-testing intel-igb"
    );
    assert_eq!(
        a["downgrade"][0],
        format!("yum downgrade intel-igb-5.11.4-{R}")
    );
    // The impact of installing it: the loaded igb gets a new copy in the same place.
    let m = module(&doc, "igb");
    assert_eq!(m["after"]["path"], kpath("updates/igb.ko"));
    assert_eq!(m["after"]["version"], format!("5.12.3-{R}"));
    assert_eq!(m["loaded"], true);
    let reboot = m["action"] == "reboot";
    assert_eq!(a["reboot_required"], reboot, "{doc}");
    let text = a["text"].as_str().unwrap();
    for part in [
        "## Why",
        "- Fixes link flaps on I350",
        "## Updated RPMs",
        "## To install",
        "## To downgrade in case of issues",
        "## What to test",
        "  - igb: the devices it drives work with the new copy",
        "## Reboot required",
    ] {
        assert!(text.contains(part), "{part:?} not in:\n{text}");
    }
    // The text mode prints the same announcement.
    let out = h.run(&["candidates", "--announce"]).ok().stdout.clone();
    assert_eq!(out, text);
    // The commands it gives work: install as announced, then downgrade as announced.
    let words = |cmd: &str| -> Vec<String> { cmd.split(' ').skip(1).map(str::to_string).collect() };
    let run = |cmd: &Value| {
        let mut argv = words(cmd.as_str().unwrap());
        argv.insert(0, "-y".into());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        h.run(&argv).ok();
    };
    let igb = || {
        h.rpm_qa()
            .into_iter()
            .filter(|n| n.starts_with("intel-igb-"))
            .collect::<Vec<_>>()
    };
    run(&a["install"][1]);
    assert_eq!(igb(), vec![format!("intel-igb-5.12.3-{R}")]);
    run(&a["downgrade"][1]);
    assert_eq!(igb(), vec![format!("intel-igb-5.11.4-{R}")]);
}

#[test]
fn rollback_and_history_undo_say_their_impact_too() {
    let h = host();
    h.install(&[driver("broadcom-bnxt-en", "bnxt_en", "1.10.0", "updates")]);
    h.add_repo(
        "xcp-ng-base",
        true,
        &[driver(
            "broadcom-bnxt-en-alt",
            "bnxt_en",
            "1.10.3",
            "override",
        )],
    );
    h.run(&["-y", "install", "broadcom-bnxt-en-alt"]).ok();
    // rollback PACKAGE: the -alt goes, the supported copy wins again.
    let m = predicted_is_real(&h, &["rollback", "broadcom-bnxt-en-alt"], "bnxt_en");
    assert_eq!(m["before"]["path"], kpath("override/bnxt_en.ko"));
    assert_eq!(m["after"]["path"], kpath("updates/bnxt_en.ko"));
    // history undo of that rollback: the -alt comes back (from the kept file or the repo).
    let hist = h.run(&["--json", "history"]).ok().json();
    let last = hist["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .max()
        .unwrap()
        .to_string();
    let m = predicted_is_real(&h, &["history", "undo", &last], "bnxt_en");
    assert_eq!(m["after"]["path"], kpath("override/bnxt_en.ko"));
    assert_eq!(m["after"]["class"], "alternate");
}

/// A repo's `updateinfo.xml` `<guidance>` (added with the real `modifyrepo_c`) decides for the
/// packages its notices cover; a value xen-api does not know means RebootHost, as in xen-api.
#[test]
fn the_guidance_an_update_notice_states_is_honoured() {
    let h = host();
    let dir = h.add_repo(
        "xcp-ng-updates",
        true,
        &[
            pkg("zfs", "2.1.7", R),
            pkg("xapi-core", "25.33.1", R),
            pkg("sm", "3.2.3", R),
        ],
    );
    let notice = |id: &str, name: &str, version: &str, kind: &str, value: &str| {
        format!(
            "<update type=\"bugfix\"><id>{id}</id><summary>s</summary><pkglist><collection>\
             <package name=\"{name}\" epoch=\"0\" version=\"{version}\" release=\"{R}\" \
             arch=\"x86_64\"><filename>{name}.rpm</filename></package></collection></pkglist>\
             <guidance><{kind}><value>{value}</value></{kind}></guidance></update>"
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<updates>{}{}</updates>\n",
        notice("XCPNG-1", "zfs", "2.1.7", "mandatory", "RebootHost"),
        notice(
            "XCPNG-2",
            "xapi-core",
            "25.33.1",
            "recommended",
            "FutureGuidance"
        ),
    );
    let file = h.dir().join("updateinfo.xml");
    std::fs::write(&file, xml).unwrap();
    let st = std::process::Command::new("modifyrepo_c")
        .arg("--mdtype=updateinfo")
        .arg(&file)
        .arg(dir.join("repodata"))
        .status()
        .unwrap();
    assert!(st.success());
    // zfs: no rule of the table, but its notice says RebootHost.
    let doc = plan(&h, &["install", "zfs"]);
    assert_eq!(doc["guidance"], serde_json::json!(["RebootHost"]), "{doc}");
    let why = doc["guidance_reasons"][0]["why"].as_str().unwrap();
    assert!(
        why.contains("update notice XCPNG-1 says RebootHost"),
        "{doc}"
    );
    // xapi-core: the notice decides over the table (RestartToolstack), its unknown value
    // read as xen-api reads it.
    let doc = plan(&h, &["install", "xapi-core"]);
    assert_eq!(doc["guidance"], serde_json::json!(["RebootHost"]), "{doc}");
    // sm: no notice, the table.
    let doc = plan(&h, &["install", "sm"]);
    assert_eq!(
        doc["guidance"],
        serde_json::json!(["RestartToolstack"]),
        "{doc}"
    );
}

/// qemu needs a device-model restart only while VMs run: XAPI's database (and this host's
/// INSTALLATION_UUID) tells; without a database the guidance stays (it cannot be told).
#[test]
fn a_device_model_restart_is_said_while_vms_run() {
    let h = host();
    h.add_repo("xcp-ng-updates", true, &[pkg("qemu", "4.2.1", R)]);
    let guidance = |h: &TestHost| plan(h, &["install", "qemu"])["guidance"].clone();
    assert_eq!(guidance(&h), serde_json::json!(["RestartDeviceModel"]));
    let uuid = "0a1b2c3d-0000-4000-8000-000000000001";
    h.write(
        "/etc/xensource-inventory",
        &format!("INSTALLATION_UUID='{uuid}'\nMANAGEMENT_INTERFACE='xenbr0'\n"),
    );
    let db = |state: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<database><manifest><pair \
             key=\"schema_major_vsn\" value=\"5\"/></manifest><table name=\"VM\"><row \
             ref=\"OpaqueRef:vm1\" _ref=\"OpaqueRef:vm1\" is_control_domain=\"false\" \
             name__label=\"web-01\" power_state=\"{state}\" resident_on=\"OpaqueRef:h1\" \
             uuid=\"3c2d\"/></table><table name=\"host\"><row ref=\"OpaqueRef:h1\" \
             _ref=\"OpaqueRef:h1\" hostname=\"h\" name__label=\"h\" uuid=\"{uuid}\"/></table>\
             </database>\n"
        )
    };
    h.write("/var/lib/xcp/state.db", &db("Halted"));
    assert_eq!(guidance(&h), serde_json::json!([]));
    h.write("/var/lib/xcp/state.db", &db("Running"));
    let doc = plan(&h, &["install", "qemu"]);
    assert_eq!(doc["guidance"], serde_json::json!(["RestartDeviceModel"]));
    assert!(
        doc.to_string()
            .contains("running VMs keep the old qemu: web-01"),
        "{doc}"
    );
}

/// A repo that publishes no `filelists`: the files of a driver package come from its own
/// header (the package fetched into the cache and verified like a download), so the
/// prediction still matches depmod; a package that fails verification is not read, and its
/// module is not predicted rather than predicted gone.
#[test]
fn without_filelists_the_package_header_tells_the_files() {
    let h = host();
    h.install(&[driver("intel-igb", "igb", "5.11.4", "updates")]);
    let dir = h.add_repo(
        "xcp-ng-updates",
        true,
        &[
            driver("intel-igb-alt", "igb", "5.17.5", "override"),
            driver("intel-igb", "igb", "5.11.5", "extra"),
        ],
    );
    let st = std::process::Command::new("modifyrepo_c")
        .args(["--remove", "filelists"])
        .arg(dir.join("repodata"))
        .status()
        .unwrap();
    assert!(st.success());
    let repomd = std::fs::read_to_string(dir.join("repodata/repomd.xml")).unwrap();
    assert!(!repomd.contains("type=\"filelists\""), "{repomd}");
    // Signed packages required, these are not: the header is not trusted, so not read.
    let text =
        std::fs::read_to_string(h.host_path("/etc/yum.repos.d/xcp-ng-updates.repo")).unwrap();
    h.repo_file(
        "xcp-ng-updates.repo",
        &text.replace("gpgcheck=0", "gpgcheck=1"),
    );
    let out = h.run(&["--json", "--assumeno", "update", "intel-igb"]);
    out.ok()
        .stderr_has("has no file lists, and reading the package header instead failed")
        .stderr_has("intel-igb-5.11.5-1.xcpng8.3.x86_64")
        .stderr_has("signature check failed")
        .stderr_has("the files of intel-igb are not known");
    let doc = out.json();
    assert!(
        doc["modules"].as_array().unwrap().is_empty(),
        "not predicted: {doc}"
    );
    // Unsigned packages allowed: the header is read, and the prediction is real depmod's.
    h.repo_file("xcp-ng-updates.repo", &text);
    let m = predicted_is_real(&h, &["install", "intel-igb-alt"], "igb");
    assert_eq!(m["before"]["path"], kpath("updates/igb.ko"));
    assert_eq!(m["after"]["path"], kpath("override/igb.ko"));
    let m = predicted_is_real(&h, &["update", "intel-igb"], "igb");
    assert_eq!(m["after"]["path"], kpath("override/igb.ko"));
    let m = predicted_is_real(&h, &["remove", "intel-igb-alt"], "igb");
    assert_eq!(m["after"]["path"], kpath("extra/igb.ko"));
}
