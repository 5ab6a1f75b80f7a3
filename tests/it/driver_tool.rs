//! `driver-tool`, XAPI's multi-version driver API, through the real binary on temp hosts built
//! from real RPMs (real `rpm --root`, real `createrepo_c` repos, real `depmod -b`), with PCI
//! devices in a sysfs tree under the root: every `-l` answer goes through the port of XAPI's
//! own parser (`xapi_parser`), in both of XAPI's calling conventions; selections run real
//! transactions and are checked against the real `modules.dep`. "Loaded" is faked under the
//! root; nothing is loaded into this machine's kernel.

use crate::common::{fake_loaded, kpath, pkg, PkgSpec, TestHost, KVER};
use crate::xapi_parser::{self, Driver};
use xcpng_mod::demo::{add_pci_device, module_bytes_with};

const R: &str = "1.xcpng8.3";
const IXGBEVF: &[&str] = &[
    "pci:v00008086d000010EDsv*sd*bc*sc*i*",
    "pci:v00008086d00001515sv*sd*bc*sc*i*",
];
const BNXT: &[&str] = &["pci:v000014E4d000016D7sv*sd*bc*sc*i*"];

fn driver(name: &str, module: &str, version: &str, dir: &str, aliases: &[&str]) -> PkgSpec {
    pkg(name, version, R)
        .provides("vendor-driver")
        .requires(&format!("kernel-uname-r = {KVER}"))
        .file(
            &kpath(&format!("{dir}/{module}.ko")),
            &module_bytes_with(module, version, aliases),
        )
}

/// A host with the kernel's ixgbevf and bnxt_en, the supported intel-ixgbevf and
/// broadcom-bnxt-en installed, two ixgbevf alternates and a bnxt_en alternate in a repo, an
/// 82599 VF (8086:10ed) bound to ixgbevf and loaded (the supported copy), no Broadcom card.
fn host() -> TestHost {
    let h = TestHost::new();
    let kernel = pkg("kernel", "4.19.19", R)
        .provides(&format!("kernel-uname-r = {KVER}"))
        .file(
            &kpath("kernel/drivers/net/ethernet/intel/ixgbevf/ixgbevf.ko"),
            &module_bytes_with("ixgbevf", "4.1.0-k", IXGBEVF),
        )
        .file(
            &kpath("kernel/drivers/net/ethernet/broadcom/bnxt/bnxt_en.ko"),
            &module_bytes_with("bnxt_en", "1.9.2", BNXT),
        );
    h.install(&[
        kernel,
        driver("intel-ixgbevf", "ixgbevf", "4.18.9", "updates", IXGBEVF),
        driver("broadcom-bnxt-en", "bnxt_en", "1.10.0", "updates", BNXT),
    ]);
    h.write("/etc/depmod.d/00-xcpng-override.conf", "search override\n");
    h.write(
        "/etc/depmod.d/dist.conf",
        "search updates extra built-in weak-updates\n",
    );
    h.add_repo(
        "xcp-ng-updates",
        true,
        &[
            driver(
                "intel-ixgbevf-alt",
                "ixgbevf",
                "4.19.1",
                "override",
                IXGBEVF,
            ),
            driver(
                "intel-ixgbevf-oem-alt",
                "ixgbevf",
                "4.20.0",
                "override",
                IXGBEVF,
            ),
            driver(
                "broadcom-bnxt-en-alt",
                "bnxt_en",
                "1.10.3",
                "override",
                BNXT,
            ),
        ],
    );
    add_pci_device(
        h.root(),
        "0000:03:00.0",
        [0x8086, 0x10ed, 0x8086, 0x0001],
        0x020000,
        Some(("ixgbevf", Some("ixgbevf"))),
    )
    .unwrap();
    fake_loaded(&h, "ixgbevf", "4.18.9");
    h.run(&["depmod"]).ok();
    h
}

/// `driver-tool -l` and `driver-tool list`: the same answer, accepted by XAPI's parser.
fn list(h: &TestHost) -> (Vec<Driver>, serde_json::Value) {
    let new = h.run(&["driver-tool", "-l"]);
    new.ok();
    let old = h.run(&["driver-tool", "list"]);
    old.ok();
    assert_eq!(new.stdout, old.stdout, "both conventions answer alike");
    let parsed = xapi_parser::parse(&new.stdout)
        .unwrap_or_else(|e| panic!("XAPI would refuse this answer: {e}\n{}", new.stdout));
    for d in &parsed {
        assert_eq!(d.name, d.key, "friendly_name is the name xapi passes back");
        for (v, _) in &d.variants {
            assert!(xapi_parser::legal_name(v), "variant name {v:?}");
        }
        assert!(
            d.name
                .chars()
                .all(|c| c == '-' || xapi_parser::legal_name(&c.to_string())),
            "{:?}",
            d.name
        );
    }
    (parsed, new.json())
}

fn find<'a>(ds: &'a [Driver], name: &str) -> &'a Driver {
    ds.iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not in {ds:#?}"))
}

fn variant<'a>(d: &'a Driver, name: &str) -> &'a xapi_parser::Variant {
    &d.variants
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not in {d:#?}"))
        .1
}

#[test]
fn the_list_is_what_xapi_parses_with_roles_priorities_and_hardware() {
    let h = host();
    let (ds, doc) = list(&h);
    let ixgbevf = find(&ds, "intel-ixgbevf");
    let names: Vec<&str> = ixgbevf.variants.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["alternate", "alternate.2", "builtin", "supported"]);
    assert_eq!(ixgbevf.ty, "network");
    assert_eq!(ixgbevf.selected.as_deref(), Some("supported"));
    assert_eq!(ixgbevf.active.as_deref(), Some("supported"));
    assert!(
        ixgbevf
            .description
            .contains("supported driver intel-ixgbevf 4.18.9"),
        "{ixgbevf:?}"
    );
    // The alternates: package-name order, versions from their packages (not on disk).
    assert_eq!(variant(ixgbevf, "alternate").version, "4.19.1");
    assert_eq!(variant(ixgbevf, "alternate.2").version, "4.20.0");
    assert_eq!(variant(ixgbevf, "supported").version, "4.18.9");
    assert_eq!(variant(ixgbevf, "builtin").version, "4.1.0-k");
    let extra = &doc["drivers"]["intel-ixgbevf"]["variants"]["alternate.2"]["xcpng-mod"];
    assert_eq!(extra["package"], "intel-ixgbevf-oem-alt");
    assert_eq!(extra["available"][1], "xcp-ng-updates");
    // depmod's order: override/ over updates/ over the kernel's copy; the winner is best.
    let p = |n| variant(ixgbevf, n).priority;
    assert!(p("alternate") > p("supported") && p("supported") > p("builtin"));
    // The 82599 VF is present: every ixgbevf variant drives it; no Broadcom card.
    for (n, v) in &ixgbevf.variants {
        assert!(v.hardware_present, "{n}");
    }
    let bnxt = find(&ds, "broadcom-bnxt-en");
    for (n, v) in &bnxt.variants {
        assert!(!v.hardware_present, "{n}");
    }
    assert_eq!(bnxt.active, None, "not loaded");
    assert_eq!(doc["operation"]["reboot"], false);
    assert_eq!(variant(bnxt, "supported").status, "supported");
    assert!(variant(bnxt, "alternate").status.contains("less tested"));
}

#[test]
fn selecting_installs_the_alternate_and_deselecting_takes_it_back() {
    let h = host();
    for call in [
        &[
            "driver-tool",
            "-s",
            "-n",
            "intel-ixgbevf",
            "-v",
            "alternate",
        ][..],
        &["driver-tool", "-d", "intel-ixgbevf"],
        &["driver-tool", "select", "intel-ixgbevf", "alternate"],
        &["driver-tool", "deselect", "intel-ixgbevf"],
    ] {
        let out = h.run(call);
        out.ok();
        let doc = out.json();
        assert_eq!(doc["driver"], "intel-ixgbevf", "{call:?}");
        assert_eq!(doc["exit"], 0);
        assert!(doc["transaction"].is_u64(), "{doc}");
        let selecting = call.contains(&"alternate");
        let want = if selecting { "alternate" } else { "supported" };
        assert_eq!(doc["variant"], want);
        // The real modules.dep gives the selected copy; the loaded driver is still the old
        // one, so a reboot is pending exactly while the alternate is selected.
        let dep = std::fs::read_to_string(h.host_path(&kpath("modules.dep"))).unwrap();
        let dir = if selecting { "override" } else { "updates" };
        assert!(
            dep.lines()
                .any(|l| l.starts_with(&format!("{dir}/ixgbevf.ko:"))),
            "{call:?}: {dep}"
        );
        let (ds, doc) = list(&h);
        let d = find(&ds, "intel-ixgbevf");
        assert_eq!(d.selected.as_deref(), Some(want), "{call:?}");
        assert_eq!(d.active.as_deref(), Some("supported"));
        assert_eq!(doc["operation"]["reboot"], selecting);
        assert_eq!(
            h.rpm_qa_fmt("%{NAME}\n")
                .contains(&"intel-ixgbevf-alt".to_string()),
            selecting
        );
    }
    // Selecting what already wins changes nothing.
    let out = h.run(&[
        "driver-tool",
        "-s",
        "-n",
        "intel-ixgbevf",
        "-v",
        "supported",
    ]);
    out.ok();
    assert_eq!(out.json()["transaction"], serde_json::Value::Null);
}

#[test]
fn refusals_change_nothing_and_say_why() {
    let h = host();
    let before = h.rpm_qa_fmt("%{NAME}-%{VERSION}\n");
    // No Broadcom card: refused as XAPI refuses it, unless --force.
    h.run(&[
        "driver-tool",
        "-s",
        "-n",
        "broadcom-bnxt-en",
        "-v",
        "alternate",
    ])
    .code(1)
    .stderr_has("HOST_DRIVER_NO_HARDWARE")
    .stderr_has("--force");
    assert_eq!(before, h.rpm_qa_fmt("%{NAME}-%{VERSION}\n"));
    // Unknown names, and bad calls.
    h.run(&["driver-tool", "-s", "-n", "intel-e1000", "-v", "alternate"])
        .code(1)
        .stderr_has("no driver named `intel-e1000`")
        .stderr_has("intel-ixgbevf");
    h.run(&["driver-tool", "-s", "-n", "intel-ixgbevf", "-v", "oem"])
        .code(1)
        .stderr_has("has no variant `oem`")
        .stderr_has("alternate.2");
    h.run(&["driver-tool", "-s", "-n", "intel-ixgbevf"])
        .code(2)
        .stderr_has("-s needs -n DRIVER and -v VARIANT");
    // An unsigned alternate where signatures are required: the transaction refuses it.
    let text =
        std::fs::read_to_string(h.host_path("/etc/yum.repos.d/xcp-ng-updates.repo")).unwrap();
    h.repo_file(
        "xcp-ng-updates.repo",
        &text.replace("gpgcheck=0", "gpgcheck=1"),
    );
    h.run(&[
        "driver-tool",
        "-s",
        "-n",
        "intel-ixgbevf",
        "-v",
        "alternate",
    ])
    .code(1)
    .stderr_has("signature check failed");
    h.repo_file("xcp-ng-updates.repo", &text);
    assert_eq!(before, h.rpm_qa_fmt("%{NAME}-%{VERSION}\n"));
    // With one alternate installed, the other is a swap: one transaction removes the first
    // and installs the second (both ship override/ixgbevf.ko, which rpm alone would refuse).
    h.run(&["driver-tool", "select", "intel-ixgbevf", "alternate"])
        .ok();
    let out = h.run(&["driver-tool", "select", "intel-ixgbevf", "alternate.2"]);
    out.ok();
    let names = h.rpm_qa_fmt("%{NAME}\n");
    assert!(
        names.contains(&"intel-ixgbevf-oem-alt".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"intel-ixgbevf-alt".to_string()),
        "{names:?}"
    );
    let (ds, _) = list(&h);
    assert_eq!(
        find(&ds, "intel-ixgbevf").selected.as_deref(),
        Some("alternate.2")
    );
    let hist = h.run(&[
        "--json",
        "history",
        "info",
        &out.json()["transaction"].to_string(),
    ]);
    hist.ok();
    h.run(&["driver-tool", "-d", "intel-ixgbevf"]).ok();
    assert_eq!(before, h.rpm_qa_fmt("%{NAME}-%{VERSION}\n"));
    // --force selects a variant without hardware.
    h.run(&[
        "driver-tool",
        "--force",
        "-s",
        "-n",
        "broadcom-bnxt-en",
        "-v",
        "alternate",
    ])
    .ok();
    let (ds, _) = list(&h);
    assert_eq!(
        find(&ds, "broadcom-bnxt-en").selected.as_deref(),
        Some("alternate")
    );
}

#[test]
fn with_the_repos_unreachable_the_installed_variants_are_listed() {
    let h = host();
    h.repo_file(
        "xcp-ng-updates.repo",
        "[xcp-ng-updates]\nname=gone\nbaseurl=file:///nonexistent/xcpng-mod-test/\nenabled=1\ngpgcheck=0\n",
    );
    let out = h.run(&["driver-tool", "-l"]);
    out.ok().stderr_has("not every enabled repo could be read");
    let ds = xapi_parser::parse(&out.stdout).unwrap();
    let names: Vec<&str> = find(&ds, "intel-ixgbevf")
        .variants
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["builtin", "supported"]);
}

/// The demo host: its I210 and BCM57414 (sysfs) make igb and bnxt_en variants present, the
/// additional drivers (no device) absent; `-l` parses as XAPI parses it.
#[test]
fn the_demo_hosts_drivers() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    crate::common::run_raw(&["demo", demo.to_str().unwrap()], dir.path()).ok();
    let root = demo.join("root");
    let out = crate::common::run_raw(
        &["--root", root.to_str().unwrap(), "driver-tool", "-l"],
        dir.path(),
    );
    out.ok();
    let ds = xapi_parser::parse(&out.stdout).unwrap();
    for d in ["intel-igb", "broadcom-bnxt-en"] {
        let d = find(&ds, d);
        assert_eq!(d.selected.as_deref(), Some("supported"));
        assert!(variant(d, "alternate").hardware_present, "{d:?}");
    }
    assert!(!variant(find(&ds, "r8125"), "additional").hardware_present);
    let hw = crate::common::run_raw(&["--root", root.to_str().unwrap(), "hardware"], dir.path());
    hw.ok()
        .stdout_has("0000:01:00.0 Intel Corporation I210 Gigabit Network Connection [8086:1533]")
        .stdout_has(
            "no driver bound; intel-igb-alt 5.3.5.39-1.xcpng8.3 in xcp-ng-base carries igb for it",
        );
}

/// A newer alternate that supports a device the installed copies do not: only its own
/// aliases say so, read from the package with `hardware --fetch` (downloaded and verified,
/// then cached), after which `hardware` and `driver-tool -l` know it without fetching again;
/// a package that fails verification is not read.
#[test]
fn fetched_aliases_find_the_package_for_a_new_device() {
    let h = host();
    let x550_vf = "pci:v00008086d00001565sv*sd*bc*sc*i*";
    let mut newer: Vec<&str> = IXGBEVF.to_vec();
    newer.push(x550_vf);
    h.add_repo(
        "xcp-ng-testing",
        true,
        &[driver(
            "intel-ixgbevf-new-alt",
            "ixgbevf",
            "4.21.0",
            "override",
            &newer,
        )],
    );
    add_pci_device(
        h.root(),
        "0000:05:00.0",
        [0x8086, 0x1565, 0x8086, 0x0001],
        0x020000,
        None,
    )
    .unwrap();
    let device = |doc: &serde_json::Value| {
        doc["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["address"] == "0000:05:00.0")
            .unwrap()
            .clone()
    };
    // Without the package's own aliases nothing is known to drive it.
    let doc = h.run(&["--json", "hardware"]).ok().json();
    assert_eq!(device(&doc)["copies"], serde_json::json!([]));
    assert_eq!(device(&doc)["packages"], serde_json::json!([]));
    assert!(doc["packages_not_read"].as_u64().unwrap() >= 3, "{doc}");
    // Signatures required, the package unsigned: not read, said, nothing cached.
    let path = "/etc/yum.repos.d/xcp-ng-testing.repo";
    let text = std::fs::read_to_string(h.host_path(path)).unwrap();
    h.repo_file(
        "xcp-ng-testing.repo",
        &text.replace("gpgcheck=0", "gpgcheck=1"),
    );
    let out = h.run(&["--json", "hardware", "--fetch"]);
    out.ok()
        .stderr_has("the module aliases of intel-ixgbevf-new-alt-4.21.0")
        .stderr_has("signature check failed");
    assert_eq!(device(&out.json())["packages"], serde_json::json!([]));
    h.repo_file("xcp-ng-testing.repo", &text);
    // Fetched and verified: the new alternate carries ixgbevf for it.
    let doc = h.run(&["--json", "hardware", "--fetch"]).ok().json();
    let pkgs = device(&doc)["packages"].clone();
    assert_eq!(pkgs[0]["package"], "intel-ixgbevf-new-alt", "{pkgs}");
    assert_eq!(pkgs[0]["by"], "package");
    assert_eq!(
        pkgs.as_array().unwrap().len(),
        1,
        "the others lack its id: {pkgs}"
    );
    assert!(h
        .host_path("/var/cache/xcpng-mod/xcp-ng-testing/module-aliases.json")
        .exists());
    // Cached: known without --fetch, to hardware and to driver-tool.
    let text = h.run(&["hardware"]).ok().stdout.clone();
    assert!(
        text.contains("0000:05:00.0") && text.contains("no driver bound; intel-ixgbevf-new-alt 4.21.0-1.xcpng8.3 in xcp-ng-testing carries ixgbevf for it"),
        "{text}"
    );
    let (_, doc) = list(&h);
    let v = &doc["drivers"]["intel-ixgbevf"]["variants"]["alternate.2"];
    assert_eq!(v["xcpng-mod"]["package"], "intel-ixgbevf-new-alt", "{v}");
    assert_eq!(v["xcpng-mod"]["aliases_from"], "package");
    assert_eq!(
        v["xcpng-mod"]["devices"],
        serde_json::json!(["0000:03:00.0", "0000:05:00.0"])
    );
}

/// The kernel's own copy, selected while the supported package stays installed (on a host
/// `vendor-drivers` requires it): a depmod.d `override` line, checked against the real
/// modules.dep, and removed again by `-d`.
#[test]
fn the_builtin_variant_is_selected_by_an_override_not_by_removing_packages() {
    let h = host();
    let before = h.rpm_qa_fmt("%{NAME}-%{VERSION}\n");
    h.run(&["driver-tool", "-s", "-n", "intel-ixgbevf", "-v", "builtin"])
        .ok();
    assert_eq!(
        before,
        h.rpm_qa_fmt("%{NAME}-%{VERSION}\n"),
        "no package changed"
    );
    let conf =
        std::fs::read_to_string(h.host_path("/etc/depmod.d/xcpng-mod-ixgbevf.conf")).unwrap();
    assert!(
        conf.lines()
            .any(|l| l == "override ixgbevf * kernel/drivers/net/ethernet/intel/ixgbevf"),
        "{conf}"
    );
    let dep = std::fs::read_to_string(h.host_path(&kpath("modules.dep"))).unwrap();
    assert!(
        dep.lines()
            .any(|l| l.starts_with("kernel/drivers/net/ethernet/intel/ixgbevf/ixgbevf.ko:")),
        "{dep}"
    );
    let (ds, _) = list(&h);
    assert_eq!(
        find(&ds, "intel-ixgbevf").selected.as_deref(),
        Some("builtin")
    );
    // An alternate selected now: the override goes, the package comes, the alternate wins.
    h.run(&[
        "driver-tool",
        "-s",
        "-n",
        "intel-ixgbevf",
        "-v",
        "alternate",
    ])
    .ok();
    assert!(!h.host_path("/etc/depmod.d/xcpng-mod-ixgbevf.conf").exists());
    let (ds, _) = list(&h);
    assert_eq!(
        find(&ds, "intel-ixgbevf").selected.as_deref(),
        Some("alternate")
    );
    // Builtin again, then -d: back to supported, which needs the alternate removed.
    h.run(&["driver-tool", "select", "intel-ixgbevf", "builtin"])
        .ok();
    h.run(&["driver-tool", "-d", "intel-ixgbevf"]).ok();
    assert!(!h.host_path("/etc/depmod.d/xcpng-mod-ixgbevf.conf").exists());
    let (ds, _) = list(&h);
    assert_eq!(
        find(&ds, "intel-ixgbevf").selected.as_deref(),
        Some("supported")
    );
    assert_eq!(before, h.rpm_qa_fmt("%{NAME}-%{VERSION}\n"));
    // `doctor` has nothing to say about it.
    h.run(&["driver-tool", "select", "intel-ixgbevf", "builtin"])
        .ok();
    let doc = h.run(&["--json", "doctor"]).json();
    let ids: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.iter().any(|i| i.contains("7x") || i.contains("orphan")),
        "{doc}"
    );
}
