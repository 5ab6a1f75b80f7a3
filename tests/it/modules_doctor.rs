//! `doctor [--fix]`, driver classes from the rpmdb, and snapshots of the `modules`, `module
//! show` and `doctor` output, through the real binary on a temp XCP-ng-like host: packages
//! built here and installed by the real `rpm --root`, module files with a real ELF
//! `.modinfo`, the real `depmod -b ROOT -C ROOT/etc/depmod.d`. Nothing is loaded into this
//! machine's kernel.

use crate::common::{pkg, PkgSpec, TestHost};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};
use xcpng_mod::demo::module_bytes;
use xcpng_mod::modules::modinfo::minimal_module;

const KVER: &str = "4.19.0+1";
const R: &str = "xcpng8.3";

fn kmod_path(rel: &str) -> String {
    format!("/lib/modules/{KVER}/{rel}")
}

/// A module file built for another kernel release.
fn foreign_module(name: &str, version: &str, kernel: &str) -> Vec<u8> {
    minimal_module(
        &[
            ("version", version),
            ("license", "GPL"),
            ("srcversion", "0123456789ABCDEF01234567"),
            ("name", name),
            ("vermagic", &format!("{kernel} SMP mod_unload modversions ")),
        ],
        &[7u8; 20],
    )
}

fn driver(name: &str, module: &str, version: &str, dir: &str) -> PkgSpec {
    pkg(name, version, &format!("1.{R}"))
        .provides("vendor-driver")
        .requires(&format!("kernel-uname-r = {KVER}"))
        .file(
            &kmod_path(&format!("{dir}/{module}.ko")),
            &module_bytes(module, version),
        )
}

fn kernel() -> PkgSpec {
    pkg("kernel", "4.19.19", &format!("8.0.38.1.{R}"))
        .provides(&format!("kernel-uname-r = {KVER}"))
        .file(
            &kmod_path("kernel/drivers/net/ethernet/intel/igb/igb.ko"),
            &module_bytes("igb", "5.4.0-k"),
        )
        .file(
            &kmod_path("kernel/drivers/net/virtio_net.ko"),
            &module_bytes("virtio_net", "1.0.0"),
        )
}

/// newc cpio archive, as dracut writes (uncompressed here).
fn newc(entries: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for name in entries.iter().chain(std::iter::once(&"TRAILER!!!")) {
        v.extend_from_slice(b"070701");
        for x in [0, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, name.len() + 1, 0] {
            v.extend_from_slice(format!("{x:08x}").as_bytes());
        }
        v.extend_from_slice(name.as_bytes());
        v.push(0);
        while v.len() % 4 != 0 {
            v.push(0);
        }
    }
    v
}

fn set_old(h: &TestHost, host_path: &str) {
    let f = std::fs::File::options()
        .write(true)
        .open(h.host_path(host_path))
        .unwrap();
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800))
        .unwrap();
}

/// A broken host: intel-igb-alt installed but no `search override` (8.0-8.2 dist.conf
/// without it), bnxt_en built for another kernel, an unpackaged file in extra/, a 7.x
/// per-module conf whose alternate is gone, an initrd older than the igb it holds, no
/// modules.dep. `intel-foo` sits in updates/ but vendor-drivers does not pull it in.
fn broken_host() -> TestHost {
    let h = TestHost::new();
    h.install(&[
        kernel(),
        pkg("vendor-drivers", "1.0.2", &format!("1.3.{R}"))
            .requires("intel-igb")
            .requires("broadcom-bnxt-en"),
        driver("intel-igb", "igb", "5.11.4", "updates"),
        driver("intel-igb-alt", "igb", "5.3.5.39", "override"),
        driver("intel-foo", "foo", "1.0", "updates"),
        pkg("broadcom-bnxt-en", "1.10.0", &format!("1.{R}")).file(
            &kmod_path("updates/bnxt_en.ko"),
            &foreign_module("bnxt_en", "1.10.0", "4.19.0+2"),
        ),
    ]);
    h.write(
        "/etc/depmod.d/dist.conf",
        "search updates extra built-in weak-updates\n",
    );
    h.write(
        "/etc/depmod.d/r8125-4.4.0.conf",
        "override r8125 4.4.0 override\n",
    );
    std::fs::create_dir_all(h.host_path(&kmod_path("extra"))).unwrap();
    std::fs::write(
        h.host_path(&kmod_path("extra/hand.ko")),
        module_bytes("hand", "0.1"),
    )
    .unwrap();
    let img = format!("/boot/initrd-{KVER}.img");
    let initrd = newc(&[
        "usr/lib/modules/4.19.0+1/updates/igb.ko",
        "usr/lib/modules/4.19.0+1/kernel/drivers/net/virtio_net.ko",
    ]);
    std::fs::create_dir_all(h.host_path("/boot")).unwrap();
    std::fs::write(h.host_path(&img), initrd).unwrap();
    set_old(&h, &img);
    h
}

fn ids(doc: &Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["id"].as_str().unwrap(),
                f["subject"].as_str().unwrap()
            )
        })
        .collect()
}

fn finding<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {doc}"))
}

#[test]
fn doctor_finds_each_problem_with_what_why_and_fix() {
    let h = broken_host();
    let out = h.run(&["--json", "doctor"]);
    out.code(1);
    let doc = out.json();
    assert_eq!(doc["kernel"], KVER);
    let want: BTreeSet<String> = [
        "override-search-missing depmod.d".to_string(),
        "modules-dep-stale modules.dep".into(),
        "vermagic-mismatch bnxt_en".into(),
        format!("unowned-module {}", kmod_path("extra/hand.ko")),
        "leftover-7x-conf /etc/depmod.d/r8125-4.4.0.conf".into(),
        format!("initrd-stale /boot/initrd-{KVER}.img"),
    ]
    .into_iter()
    .collect();
    assert_eq!(ids(&doc), want);
    for f in doc["findings"].as_array().unwrap() {
        for k in ["what", "why", "fix"] {
            assert!(f[k].as_str().is_some_and(|s| s.len() > 10), "{k} of {f}");
        }
        assert_eq!(f["fixed"], false);
    }
    let o = finding(&doc, "override-search-missing");
    assert_eq!(o["severity"], "error");
    assert!(o["what"].as_str().unwrap().contains("intel-igb-alt"), "{o}");
    assert!(
        o["fix"]
            .as_str()
            .unwrap()
            .contains("00-xcpng-override.conf"),
        "{o}"
    );
    assert!(finding(&doc, "vermagic-mismatch")["what"]
        .as_str()
        .unwrap()
        .contains("4.19.0+2"));
    assert!(finding(&doc, "initrd-stale")["what"]
        .as_str()
        .unwrap()
        .contains("igb"));
    // Nothing was changed without --fix.
    assert!(!h.host_path("/etc/depmod.d/00-xcpng-override.conf").exists());
    assert!(!h.host_path(&kmod_path("modules.dep")).exists());

    let text = h.run(&["doctor"]);
    text.code(1);
    insta::assert_snapshot!("doctor_broken", h.redact(&text.stdout));
}

#[test]
fn doctor_fix_applies_only_the_safe_fixes_and_says_so() {
    let h = broken_host();
    let out = h.run(&["--json", "doctor", "--fix"]);
    out.code(1);
    let doc = out.json();
    for id in [
        "override-search-missing",
        "modules-dep-stale",
        "leftover-7x-conf",
    ] {
        assert_eq!(finding(&doc, id)["fixed"], true, "{id}");
    }
    for id in ["vermagic-mismatch", "unowned-module", "initrd-stale"] {
        assert_eq!(finding(&doc, id)["fixed"], false, "{id}");
    }
    // With override/ first, the alternate now wins, and it is older than the supported igb.
    let older = finding(&doc, "alternate-older");
    assert!(
        older["what"].as_str().unwrap().contains("5.3.5.39")
            && older["what"].as_str().unwrap().contains("5.11.4"),
        "{older}"
    );
    let actions: Vec<&str> = doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions[0].starts_with("wrote /etc/depmod.d/00-xcpng-override.conf"),
        "{actions:?}"
    );
    assert!(actions
        .iter()
        .any(|a| a.starts_with("removed /etc/depmod.d/r8125-4.4.0.conf")));
    assert!(actions
        .iter()
        .any(|a| a.starts_with("ran: ") && a.contains(" -C ")));
    assert_eq!(
        std::fs::read_to_string(h.host_path("/etc/depmod.d/00-xcpng-override.conf")).unwrap(),
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/depmod.d/00-xcpng-override.conf"
        ))
        .unwrap()
    );
    assert!(!h.host_path("/etc/depmod.d/r8125-4.4.0.conf").exists());
    let dep = std::fs::read_to_string(h.host_path(&kmod_path("modules.dep"))).unwrap();
    assert!(dep.contains("override/igb.ko:"), "{dep}");
    // The unsafe ones were left alone.
    assert!(h.host_path(&kmod_path("extra/hand.ko")).exists());
    assert!(h.host_path(&kmod_path("updates/bnxt_en.ko")).exists());
    // Human output says what it did.
    let again = h.run(&["doctor", "--fix"]);
    again.code(1).stdout_has("problem(s) left");
    assert!(!again.stdout.contains("--fix did:"), "{}", again.stdout);
}

#[test]
fn doctor_on_a_healthy_host_exits_0() {
    let h = TestHost::new();
    h.install(&[kernel(), driver("intel-igb", "igb", "5.11.4", "updates")]);
    h.write("/etc/depmod.d/00-xcpng-override.conf", "search override\n");
    h.write(
        "/etc/depmod.d/dist.conf",
        "search updates extra built-in weak-updates\n",
    );
    h.run(&["depmod"]).ok();
    let out = h.run(&["doctor"]);
    out.ok().stdout_has("no problems left");
    let doc = h.run(&["--json", "doctor"]);
    doc.ok();
    assert_eq!(doc.json()["problems_left"], 0);
    assert_eq!(doc.json()["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn classes_come_from_the_rpmdb() {
    let h = broken_host();
    let out = h.run(&["--json", "modules"]);
    out.ok();
    let doc = out.json();
    let class = |path: &str| -> String {
        let path = kmod_path(path);
        doc["modules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["copies"].as_array().unwrap())
            .find(|c| c["path"] == path.as_str())
            .unwrap_or_else(|| panic!("no copy {path}"))["class"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(class("updates/igb.ko"), "supported"); // vendor-drivers requires it
    assert_eq!(class("updates/foo.ko"), "additional"); // vendor-named, not pulled in
    assert_eq!(class("override/igb.ko"), "alternate");
    assert_eq!(
        class("kernel/drivers/net/ethernet/intel/igb/igb.ko"),
        "built-in"
    );
    assert_eq!(class("extra/hand.ko"), "unpackaged");
}

#[test]
fn snapshots_of_modules_and_module_show() {
    let h = broken_host();
    h.write("/etc/depmod.d/00-xcpng-override.conf", "search override\n");
    h.run(&["depmod"]).ok();
    let out = h.run(&["modules"]);
    out.ok();
    insta::assert_snapshot!("modules_table", h.redact(&out.stdout));
    let out = h.run(&["module", "show", "igb"]);
    out.ok();
    insta::assert_snapshot!("module_show_igb", h.redact(&out.stdout));
}

#[test]
fn list_alternate_is_module_aware_and_warns_when_older() {
    let h = broken_host();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[
            driver("intel-igb", "igb", "5.12.3", "updates"),
            driver("intel-igb-alt", "igb", "5.3.5.39", "override"),
            driver("broadcom-bnxt-en-alt", "bnxt_en", "1.10.3", "override"),
        ],
    );
    let out = h.run(&["--json", "list", "--alternate"]);
    out.ok().stderr_has(
        "intel-igb-alt 5.3.5.39-1.xcpng8.3 is OLDER than the supported intel-igb 5.11.4-1.xcpng8.3",
    );
    assert_eq!(
        out.stderr.matches("is OLDER").count(),
        1,
        "one warning per package: {}",
        out.stderr
    );
    let doc = out.json();
    let pkgs = doc["packages"].as_array().unwrap();
    let igb = pkgs
        .iter()
        .find(|p| p["name"] == "intel-igb-alt" && p["status"] == "installed")
        .unwrap();
    assert_eq!(igb["modules"], serde_json::json!(["igb"]));
    assert_eq!(igb["modules_from"], "files");
    assert_eq!(igb["older_than_supported"], true);
    assert_eq!(igb["overrides"]["name"], "intel-igb");
    assert_eq!(igb["overrides"]["installed"], true);
    assert_eq!(igb["overrides"]["version"], "5.11.4-1.xcpng8.3");
    assert_eq!(igb["overrides"]["module_version"], "5.11.4");
    let bnxt = pkgs
        .iter()
        .find(|p| p["name"] == "broadcom-bnxt-en-alt")
        .unwrap();
    assert_eq!(bnxt["status"], "available");
    assert_eq!(bnxt["modules"], serde_json::json!(["bnxt_en"]));
    assert_eq!(bnxt["older_than_supported"], false);
    // The contract keys are still there.
    for k in ["name", "epoch", "version", "release", "arch", "repo"] {
        assert!(bnxt.get(k).is_some(), "{k}");
    }
    let out = h.run(&["list", "--supported"]);
    out.ok()
        .stdout_has("5.12.3-1.xcpng8.3")
        .stdout_has("modules");
}
