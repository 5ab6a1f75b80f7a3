//! `rollback MODULE|PACKAGE` and the module check after transactions, through the real binary
//! and the real `rpm --root` and `depmod -b ROOT` on temp XCP-ng-like hosts: an `-alt` driver
//! installed over the supported one and taken back, an upgrade taken back from the kept
//! package files with the repos gone, `--dry-run` changing nothing, the refusals, and
//! `needs-reboot` seeing a loaded module whose file changed. The "loaded" state is faked
//! under the root (`proc/modules`, `sys/module/<m>/srcversion`); nothing is loaded into this
//! machine's kernel.

use crate::common::{fake_loaded, kpath, pkg, PkgSpec, TestHost, KVER};
use std::collections::BTreeMap;
use std::path::Path;
use xcpng_mod::demo::module_bytes;

const R: &str = "1.xcpng8.3";

fn driver(name: &str, module: &str, version: &str, dir: &str) -> PkgSpec {
    pkg(name, version, R).provides("vendor-driver").file(
        &kpath(&format!("{dir}/{module}.ko")),
        &module_bytes(module, version),
    )
}

/// A host with an rpmdb, the kernel's module dir with one built-in module, and the 8.3
/// depmod configuration.
fn host() -> TestHost {
    let h = TestHost::new();
    h.install(&[pkg("filesystem", "3.2", "1").file(
        &kpath("kernel/drivers/net/dummy.ko"),
        &module_bytes("dummy", "1.0"),
    )]);
    h.write("/etc/depmod.d/00-xcpng-override.conf", "search override\n");
    h.write(
        "/etc/depmod.d/dist.conf",
        "search updates extra built-in weak-updates\n",
    );
    h
}

fn rpmqa(h: &TestHost) -> Vec<String> {
    h.rpm_qa()
}

fn rpmq(h: &TestHost, name: &str) -> Vec<String> {
    rpmqa(h)
        .into_iter()
        .filter(|n| n.rsplitn(3, '-').nth(2) == Some(name))
        .collect()
}

/// Every file under the root except the rpmdb (compared with `rpm -qa`), path → bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if rel == "var/lib/rpm" {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn winner(h: &TestHost, module: &str) -> String {
    let doc = h.run(&["--json", "modules", module]).json();
    doc["modules"][0]["winner"]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no winner in {doc}"))
        .to_string()
}

fn modules_dep(h: &TestHost) -> String {
    std::fs::read_to_string(h.host_path(&kpath("modules.dep"))).unwrap_or_default()
}

#[test]
fn alternate_installed_then_rolled_back_by_module_name() {
    let h = host();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[driver("broadcom-bnxt-en", "bnxt_en", "1.10.0", "updates")],
    );
    h.add_repo(
        "xcp-ng-candidates",
        false,
        &[driver(
            "broadcom-bnxt-en-alt",
            "bnxt_en",
            "1.10.3",
            "override",
        )],
    );
    fake_loaded(&h, "bnxt_en", "1.10.0");

    // The supported driver: the module check runs depmod (no scriptlet did) and finds the
    // loaded copy is the winning one.
    let out = h.run(&["-y", "--json", "install", "broadcom-bnxt-en"]);
    out.ok();
    let doc = out.json();
    let m = &doc["transaction"]["modules"];
    assert_eq!(m["depmod"][0]["ran"], true, "{doc}");
    assert_eq!(m["modules"][0]["module"], "bnxt_en");
    assert_eq!(m["modules"][0]["expected"], true, "{doc}");
    assert_eq!(
        m["modules"][0]["winner"]["path"],
        kpath("updates/bnxt_en.ko").as_str()
    );
    assert_eq!(m["modules"][0]["advice"], "none", "{doc}");
    assert!(modules_dep(&h).contains("updates/bnxt_en.ko:"));
    h.run(&["needs-reboot"]).ok();

    // The alternate wins once installed; the loaded module is not the winning copy any more.
    let out = h.run(&[
        "-y",
        "--enablerepo",
        "xcp-ng-candidates",
        "install",
        "broadcom-bnxt-en-alt",
    ]);
    out.ok().stdout_has("bnxt_en: ");
    let doc = h.run(&["--json", "history", "info", "2"]).json();
    assert!(
        doc["transaction"]["advice"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("bnxt_en: ")),
        "{doc}"
    );
    assert_eq!(winner(&h, "bnxt_en"), kpath("override/bnxt_en.ko"));
    assert!(modules_dep(&h).contains("override/bnxt_en.ko:"));
    h.run(&["needs-reboot"])
        .code(1)
        .stdout_has("bnxt_en is loaded, but its file on disk changed");

    // --dry-run: everything shown, nothing changed.
    let db = rpmqa(&h);
    let tree = files(h.root());
    let dry = h.run(&["rollback", "bnxt_en", "--dry-run"]);
    dry.ok()
        .stdout_has("belongs to broadcom-bnxt-en-alt.x86_64")
        .stdout_has("Last change: transaction 2")
        .stdout_has("remove the alternate driver broadcom-bnxt-en-alt")
        .stdout_has(&format!(
            "now {} → {}",
            kpath("override/bnxt_en.ko"),
            kpath("updates/bnxt_en.ko")
        ))
        .stdout_has("Removing:")
        .stdout_has("--dry-run: nothing was changed");
    let dj = h.run(&["--json", "rollback", "bnxt_en", "--dry-run"]);
    dj.ok();
    let dj = dj.json();
    assert_eq!(dj["dry_run"], true);
    assert_eq!(dj["basis"]["transaction"], 2);
    assert_eq!(dj["plan"]["remove"][0]["name"], "broadcom-bnxt-en-alt");
    assert!(dj["transaction"].is_null());
    assert_eq!(dj["reloads"][0]["module"], "bnxt_en");
    assert_eq!(dj["reloads"][0]["action"], "none", "{dj}");
    assert!(dj["reloads"][0]["why"]
        .as_str()
        .unwrap()
        .contains("expected to win after the rollback"));
    assert_eq!(rpmqa(&h), db, "the rpmdb changed");
    assert!(files(h.root()) == tree, "--dry-run changed files");

    // The rollback: the alt is removed, depmod re-run, the supported copy wins, and it is the
    // copy already loaded: nothing to reload.
    let out = h.run(&["-y", "--json", "rollback", "bnxt_en"]);
    out.ok();
    let doc = out.json();
    assert_eq!(doc["package"], "broadcom-bnxt-en-alt");
    assert_eq!(doc["module"], "bnxt_en");
    assert_eq!(doc["transaction"]["result"], "ok", "{doc}");
    assert_eq!(doc["transaction"]["id"], 3);
    assert_eq!(doc["expect"][0]["ok"], true, "{doc}");
    assert_eq!(doc["transaction"]["modules"]["depmod"][0]["ran"], true);
    assert_eq!(
        doc["transaction"]["modules"]["modules"][0]["winner"]["path"],
        kpath("updates/bnxt_en.ko").as_str()
    );
    assert_eq!(doc["reloads"][0]["action"], "none", "{doc}");
    assert!(doc["reloads"][0]["why"]
        .as_str()
        .unwrap()
        .contains("already the winning one"));
    assert!(rpmq(&h, "broadcom-bnxt-en-alt").is_empty());
    assert_eq!(
        rpmq(&h, "broadcom-bnxt-en"),
        vec!["broadcom-bnxt-en-1.10.0-1.xcpng8.3"]
    );
    assert!(!h.host_path(&kpath("override/bnxt_en.ko")).exists());
    assert_eq!(winner(&h, "bnxt_en"), kpath("updates/bnxt_en.ko"));
    let dep = modules_dep(&h);
    assert!(
        dep.contains("updates/bnxt_en.ko:") && !dep.contains("override/"),
        "{dep}"
    );
    h.run(&["needs-reboot"]).ok();
    // Recorded like any transaction.
    let hist = h.run(&["--json", "history", "info", "3"]).json();
    let t = &hist["transaction"];
    assert_eq!(t["result"], "ok");
    assert_eq!(t["steps"][0]["action"], "remove");
    assert_eq!(t["steps"][0]["name"], "broadcom-bnxt-en-alt");
    assert!(t["command"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "rollback"));
    let log = std::fs::read_to_string(h.host_path("/var/log/xcpng-mod.log")).unwrap();
    assert!(
        log.contains("transaction 3: remove broadcom-bnxt-en-alt-1.10.3-1.xcpng8.3.x86_64 done"),
        "{log}"
    );
    assert!(
        log.contains("transaction 3: rollback: bnxt_en none:"),
        "{log}"
    );
}

#[test]
fn upgrade_rolled_back_from_kept_files_with_the_repos_gone() {
    let h = host();
    let base = h.add_repo(
        "xcp-ng-base",
        true,
        &[driver("intel-igb", "igb", "5.11.4", "updates")],
    );
    let testing = h.add_repo(
        "xcp-ng-testing",
        false,
        &[driver("intel-igb", "igb", "5.12.3", "updates")],
    );
    h.run(&["-y", "install", "intel-igb"]).ok();
    h.run(&[
        "-y",
        "--enablerepo",
        "xcp-ng-testing",
        "update",
        "intel-igb",
    ])
    .ok();
    assert_eq!(rpmq(&h, "intel-igb"), vec!["intel-igb-5.12.3-1.xcpng8.3"]);
    // Repos, repo files and the download cache all gone: only the kept files remain.
    std::fs::remove_dir_all(&base).unwrap();
    std::fs::remove_dir_all(&testing).unwrap();
    for id in ["xcp-ng-base", "xcp-ng-testing"] {
        std::fs::remove_file(h.host_path(&format!("/etc/yum.repos.d/{id}.repo"))).unwrap();
        std::fs::remove_dir_all(h.host_path(&format!("/var/cache/xcpng-mod/{id}"))).unwrap();
    }
    let db = rpmqa(&h);
    h.run(&["rollback", "igb", "--dry-run"])
        .ok()
        .stdout_has("Last change: transaction 2")
        .stdout_has("downgrade intel-igb.x86_64 5.12.3-1.xcpng8.3 → 5.11.4-1.xcpng8.3")
        .stdout_has("Downgrading:");
    assert_eq!(rpmqa(&h), db);

    let out = h.run(&["-y", "--json", "rollback", "igb"]);
    out.ok();
    let doc = out.json();
    assert_eq!(
        doc["plan"]["downgrade"][0]["to"]["version"], "5.11.4",
        "{doc}"
    );
    assert_eq!(doc["expect"][0]["ok"], true, "{doc}");
    assert_eq!(rpmq(&h, "intel-igb"), vec!["intel-igb-5.11.4-1.xcpng8.3"]);
    let m = h.run(&["--json", "modules", "igb"]).json();
    assert_eq!(m["modules"][0]["winner"]["version"], "5.11.4", "{m}");
    assert_eq!(m["modules"][0]["winner"]["package"], "intel-igb");
    let hist = h.run(&["--json", "history", "info", "3"]).json();
    assert_eq!(hist["transaction"]["steps"][0]["action"], "downgrade");

    // Rolling back again goes by the last change (transaction 3, the downgrade): that is
    // the upgrade to 5.12.3, whose file was kept too.
    h.run(&["-y", "rollback", "intel-igb"]).ok();
    assert_eq!(rpmq(&h, "intel-igb"), vec!["intel-igb-5.12.3-1.xcpng8.3"]);
}

#[test]
fn refusals_say_why_and_change_nothing() {
    let h = host();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[driver("broadcom-bnxt-en", "bnxt_en", "1.10.0", "updates")],
    );
    // Unknown module or package: exit 1 with a hint.
    h.run(&["rollback", "nosuchmod"])
        .code(1)
        .stderr_has("no module and no installed package named `nosuchmod`")
        .stderr_has("xcpng-mod modules");
    let j = h.run(&["--json", "rollback", "nosuchmod"]);
    j.code(1);
    assert_eq!(j.json()["error"]["kind"], "not-found");

    // Taking back the install of a supported driver would remove it: protected.
    h.run(&["-y", "install", "broadcom-bnxt-en"]).ok();
    let db = rpmqa(&h);
    h.run(&["-y", "rollback", "bnxt_en"])
        .code(1)
        .stderr_has("refusing to roll back broadcom-bnxt-en")
        .stderr_has("supported driver")
        .stderr_has("xcpng-mod downgrade broadcom-bnxt-en");
    assert_eq!(rpmqa(&h), db);

    // No history, and no older version in a repo or among the kept files.
    h.install(&[driver("intel-ixgbe", "ixgbe", "5.9.4", "updates")]);
    h.run(&["-y", "rollback", "ixgbe"])
        .code(1)
        .stderr_has("no transaction in xcpng-mod's history changed it")
        .stderr_has("no older version than 5.9.4-1.xcpng8.3");
    assert_eq!(
        rpmq(&h, "intel-ixgbe"),
        vec!["intel-ixgbe-5.9.4-1.xcpng8.3"]
    );

    // A copy of the kernel package itself: not rolled back.
    h.install(&[pkg("kernel", "4.19.19", "8.0.38.1.xcpng8.3").file(
        &kpath("kernel/drivers/net/e1000.ko"),
        &module_bytes("e1000", "7.3.21"),
    )]);
    h.run(&["-y", "rollback", "e1000"])
        .code(1)
        .stderr_has("belongs to the kernel package (kernel)")
        .stderr_has("boot it from the boot menu");
    // An unpackaged winning copy: nothing to take back.
    std::fs::create_dir_all(h.host_path(&kpath("override"))).unwrap();
    std::fs::write(
        h.host_path(&kpath("override/e1000e.ko")),
        module_bytes("e1000e", "3.0"),
    )
    .unwrap();
    h.run(&["rollback", "e1000e"])
        .code(1)
        .stderr_has("belongs to no package");
}

#[test]
fn an_alternate_without_history_is_removed() {
    let h = host();
    h.install(&[
        driver("intel-igb", "igb", "5.11.4", "updates"),
        driver("intel-igb-alt", "igb", "5.3.5.39", "override"),
    ]);
    h.run(&["depmod"]).ok();
    assert_eq!(winner(&h, "igb"), kpath("override/igb.ko"));
    let out = h.run(&["-y", "rollback", "intel-igb-alt"]);
    out.ok()
        .stdout_has("no transaction in xcpng-mod's history changed intel-igb-alt")
        .stdout_has("[ok]");
    assert!(rpmq(&h, "intel-igb-alt").is_empty());
    assert_eq!(winner(&h, "igb"), kpath("updates/igb.ko"));
}

/// The GNU build-id `module_bytes` writes for (module, version), as the kernel exposes it in
/// `/sys/module/<m>/notes/.note.gnu.build-id`.
fn build_id_note(module: &str, version: &str) -> Vec<u8> {
    use sha1::Digest;
    let id = sha1::Sha1::digest(format!("{module}-{version}").as_bytes());
    let mut note = [4u32.to_le_bytes(), 20u32.to_le_bytes(), 3u32.to_le_bytes()].concat();
    note.extend_from_slice(b"GNU\0");
    note.extend_from_slice(&id);
    note
}

#[test]
fn upgrading_a_loaded_driver_keeps_its_file_for_the_fallback() {
    let h = host();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[driver("intel-igb", "igb", "5.11.4", "updates")],
    );
    h.add_repo(
        "xcp-ng-testing",
        false,
        &[driver("intel-igb", "igb", "5.12.3", "updates")],
    );
    h.run(&["-y", "install", "intel-igb"]).ok();
    fake_loaded(&h, "igb", "5.11.4");
    let note = h.host_path("/sys/module/igb/notes/.note.gnu.build-id");
    std::fs::create_dir_all(note.parent().unwrap()).unwrap();
    std::fs::write(&note, build_id_note("igb", "5.11.4")).unwrap();
    std::fs::create_dir_all(h.host_path("/sys/module/igb/holders")).unwrap();

    let out = h.run(&[
        "-y",
        "--json",
        "--enablerepo",
        "xcp-ng-testing",
        "update",
        "intel-igb",
    ]);
    out.ok();
    let doc = out.json();
    let m = &doc["transaction"]["modules"]["modules"][0];
    assert_eq!(m["module"], "igb");
    assert_eq!(m["expected"], true, "{doc}");
    // The file the loaded module came from was replaced; its copy was saved first, so the
    // reload has something to put back and its preflight does not refuse.
    assert_eq!(m["loaded"], "unknown", "{doc}");
    assert_eq!(m["advice"], "reload", "{doc}");
    let id = hex::encode(&build_id_note("igb", "5.11.4")[16..]);
    let saved = format!("/var/lib/xcpng-mod/fallback/{KVER}/igb.{id}.ko");
    assert_eq!(
        std::fs::read(h.host_path(&saved)).unwrap(),
        module_bytes("igb", "5.11.4")
    );
    let pre = h.run(&["--json", "reload", "igb", "--dry-run"]);
    pre.ok();
    let pre = pre.json();
    assert_eq!(
        pre["reload"]["preflight"]["loaded"]["path"],
        saved.as_str(),
        "{pre}"
    );
    assert_eq!(pre["reload"]["preflight"]["verdict"], "safe", "{pre}");
    // needs-reboot sees the loaded module's file changed.
    h.run(&["needs-reboot"])
        .code(1)
        .stdout_has("igb is loaded, but its file on disk changed");
    // Under --root the reload is only previewed (a dry-run preflight).
    let dry = h.run(&["--json", "rollback", "igb", "--dry-run"]);
    dry.ok();
    let dry = dry.json();
    assert_eq!(dry["reloads"][0]["action"], "would-reload", "{dry}");
    assert_eq!(dry["reloads"][0]["report"]["result"], "dry-run", "{dry}");
    assert!(dry["reloads"][0]["why"]
        .as_str()
        .unwrap()
        .contains("under --root nothing is reloaded"));
    let out = h.run(&["-y", "--json", "rollback", "igb"]);
    out.ok();
    let doc = out.json();
    assert_eq!(
        doc["plan"]["downgrade"][0]["to"]["version"], "5.11.4",
        "{doc}"
    );
    // The downgraded file is the loaded one again: nothing to reload, no reboot.
    assert_eq!(doc["reloads"][0]["action"], "none", "{doc}");
    assert!(doc["reloads"][0]["why"]
        .as_str()
        .unwrap()
        .contains("already the winning one"));
    h.run(&["needs-reboot"]).ok();
}

#[test]
fn after_installing_an_ignored_alternate_the_check_says_so() {
    let h = host();
    // 8.0-8.2 style configuration without `override`: the alternate is silently ignored.
    std::fs::remove_file(h.host_path("/etc/depmod.d/00-xcpng-override.conf")).unwrap();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[
            driver("intel-igb", "igb", "5.11.4", "updates"),
            driver("intel-igb-alt", "igb", "5.3.5.39", "override"),
        ],
    );
    h.run(&["-y", "install", "intel-igb"]).ok();
    let out = h.run(&["-y", "install", "intel-igb-alt"]);
    out.ok()
        .stdout_has("igb: the expected copy does not win")
        .stdout_has("has no `search override` (run `xcpng-mod doctor --fix`)");
    let doc = h.run(&["--json", "history", "info", "2"]).json();
    assert!(doc["transaction"]["advice"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a
            .as_str()
            .unwrap()
            .contains("the expected copy does not win")));
    assert_eq!(winner(&h, "igb"), kpath("updates/igb.ko"));
    // Once fixed, the alternate wins; its rollback removes it.
    h.run(&["doctor", "--fix"]);
    assert_eq!(winner(&h, "igb"), kpath("override/igb.ko"));
    h.run(&["-y", "rollback", "igb"])
        .ok()
        .stdout_has("remove the alternate driver intel-igb-alt")
        .stdout_has("[ok]");
    assert_eq!(winner(&h, "igb"), kpath("updates/igb.ko"));
}

/// An alternate that obsoletes another driver package: rpm removes that one when the
/// alternate goes in; rolling the alternate back brings it back (from the repo), and its copy
/// wins again.
#[test]
fn rollback_reinstalls_what_the_alternate_obsoleted() {
    let h = host();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[
            driver("realtek-r8125", "r8125", "9.011.00", "extra"),
            driver("realtek-r8125-alt", "r8125", "9.013.02", "override").obsoletes("realtek-r8125"),
        ],
    );
    h.run(&["-y", "install", "realtek-r8125"]).ok();
    h.run(&["-y", "install", "realtek-r8125-alt"]).ok();
    assert!(
        rpmq(&h, "realtek-r8125").is_empty(),
        "obsoleted by the alternate"
    );
    assert_eq!(winner(&h, "r8125"), kpath("override/r8125.ko"));

    let preview = h.run(&["rollback", "--dry-run", "realtek-r8125-alt"]);
    preview
        .ok()
        .stdout_has("realtek-r8125-alt")
        .stdout_has("realtek-r8125-9.011.00");
    let out = h.run(&["-y", "rollback", "realtek-r8125-alt"]);
    out.ok();
    assert!(rpmq(&h, "realtek-r8125-alt").is_empty());
    assert_eq!(rpmq(&h, "realtek-r8125").len(), 1, "{}", out.stdout);
    assert_eq!(winner(&h, "r8125"), kpath("extra/r8125.ko"));
}

#[test]
fn rollback_output_names_the_flag_given() {
    let h = host();
    h.install(&[
        driver("intel-igb", "igb", "5.11.4", "updates"),
        driver("intel-igb-alt", "igb", "5.3.5.39", "override"),
    ]);
    h.run(&["depmod"]).ok();
    // --assumeno says so, not --dry-run (which the user did not give).
    let out = h.run(&["--assumeno", "rollback", "intel-igb-alt"]);
    out.ok().stdout_has("\n--assumeno: nothing was changed.\n");
    assert!(!out.stdout.contains("--dry-run"), "{}", out.stdout);
    let out = h.run(&["rollback", "--dry-run", "intel-igb-alt"]);
    out.ok().stdout_has("\n--dry-run: nothing was changed.\n");
    assert!(!out.stdout.contains("--assumeno"), "{}", out.stdout);
    assert_eq!(rpmq(&h, "intel-igb-alt").len(), 1);
}

#[test]
fn rollback_with_yes_shows_its_heading_then_the_plan_then_the_end() {
    let h = host();
    h.install(&[
        driver("intel-igb", "igb", "5.11.4", "updates"),
        driver("intel-igb-alt", "igb", "5.3.5.39", "override"),
    ]);
    h.run(&["depmod"]).ok();
    // With -y: the rollback's heading, then the plan, then the end of the transaction.
    let out = h.run(&["-y", "rollback", "intel-igb-alt"]);
    out.ok();
    let at = |needle: &str| {
        out.stdout
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{}", out.stdout))
    };
    let heading = at("Rollback of package intel-igb-alt.x86_64");
    let action = at("Action: ");
    let plan = at("Removing:");
    let summary = at("Transaction Summary");
    let end = at("Transaction 1: ok");
    assert!(
        heading < action && action < plan && plan < summary && summary < end,
        "out of order:\n{}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("Transaction Summary").count(), 1);
    assert!(rpmq(&h, "intel-igb-alt").is_empty());
}
