//! The commands through the real binary on a host with real repos and a real rpmdb: `list`
//! and its filters, `info` with the changelog head, `search`, `check-update`, `vercmp`, `-C`,
//! the `--json` documents and errors, the demo, and snapshots of the tables.

use crate::common::{fixture, nvrs, pkg, run_raw, PkgSpec, TestHost};
use serde_json::Value;

const R: &str = "xcpng8.3";
const KVER: &str = "4.19.0+1";

fn drv(name: &str, version: &str, release: &str, summary: &str) -> PkgSpec {
    pkg(name, version, &format!("{release}.{R}"))
        .summary(summary)
        .provides("vendor-driver")
        .requires(&format!("kernel-uname-r = {KVER}"))
}

fn kernel() -> PkgSpec {
    pkg("kernel", "4.19.19", &format!("8.0.38.1.{R}"))
        .summary("The Linux kernel")
        .provides(&format!("kernel-uname-r = {KVER}"))
}

fn bnxt1() -> PkgSpec {
    drv(
        "broadcom-bnxt-en",
        "1.10.0_216.0.119.1",
        "1",
        "Broadcom NetXtreme-C/E network driver",
    )
}

fn igb() -> PkgSpec {
    drv("intel-igb", "5.11.4", "1", "Intel Gigabit Ethernet driver")
}

fn vendor_drivers() -> PkgSpec {
    pkg("vendor-drivers", "1.0.2", &format!("1.3.{R}"))
        .summary("Meta package pulling in the supported vendor drivers")
        .requires("broadcom-bnxt-en")
}

/// A host like XCP-ng's: base and updates enabled, testing disabled; the kernel, bnxt 1,
/// igb and vendor-drivers installed.
fn host() -> TestHost {
    let h = TestHost::new();
    h.add_repo(
        "xcp-ng-base",
        true,
        &[
            kernel(),
            vendor_drivers(),
            bnxt1(),
            drv(
                "broadcom-bnxt-en-alt",
                "1.10.3_232.0.155.5",
                "1",
                "Alternate Broadcom NetXtreme-C/E network driver",
            ),
            igb(),
            drv(
                "intel-igb-alt",
                "5.3.5.39",
                "1",
                "Alternate Intel Gigabit Ethernet driver",
            ),
            drv(
                &format!("kmod-zfs-{KVER}"),
                "2.1.7",
                "1",
                "ZFS kernel modules",
            ),
            drv(
                "r8125-module",
                "9.011.00",
                "1",
                "Realtek RTL8125 2.5GbE driver",
            ),
            pkg("zfs", "2.1.7", &format!("1.{R}")).summary("Commands to manage ZFS pools"),
        ],
    );
    let mut bnxt2 = drv(
        "broadcom-bnxt-en",
        "1.10.0_216.0.119.1",
        "2",
        "Broadcom NetXtreme-C/E network driver",
    );
    for (i, text) in [
        "- Initial package",
        "- Fix link state",
        "- Fix VF probing",
        "- Rebuild for updates",
    ]
    .iter()
    .enumerate()
    {
        bnxt2 = bnxt2.changelog(
            &format!(
                "Samuel Verschelde <stormi-xcp@ylix.fr> - 1.10.0_216.0.119.1-{}",
                i + 1
            ),
            text,
            1_700_000_000 + (i as u32) * 10_000_000,
        );
    }
    h.add_repo("xcp-ng-updates", true, &[bnxt2]);
    h.add_repo(
        "xcp-ng-testing",
        false,
        &[
            drv("intel-igb", "5.12.3", "1", "Intel Gigabit Ethernet driver").changelog(
                "Thierry Escande <thierry.escande@vates.tech> - 5.12.3-1",
                "- Update to 5.12.3\n- Fixes link flaps on I350",
                1_735_000_000,
            ),
            drv(
                "r8125-module-alt",
                "9.013.02",
                "1",
                "Alternate Realtek RTL8125 2.5GbE driver",
            ),
        ],
    );
    h.install(&[kernel(), bnxt1(), igb(), vendor_drivers()]);
    h
}

/// `-q`: the test repos have gpgcheck=0, which warns; keep stderr for what matters.
fn q<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["-q"];
    v.extend_from_slice(args);
    v
}

fn json_list(h: &TestHost, args: &[&str]) -> Value {
    let mut a = q(args);
    a.insert(1, "--json");
    let out = h.run(&a);
    out.ok();
    out.json()
}

#[test]
fn list_default_and_scopes() {
    let h = host();
    let out = h.run(&q(&["list"]));
    out.ok();
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("list_all", out.stdout);
    // --all is the default.
    assert_eq!(h.run(&q(&["list", "--all"])).stdout, out.stdout);

    let inst = json_list(&h, &["list", "--installed"]);
    assert_eq!(
        nvrs(&inst),
        [
            "broadcom-bnxt-en-1.10.0_216.0.119.1-1.xcpng8.3",
            "intel-igb-5.11.4-1.xcpng8.3",
            "kernel-4.19.19-8.0.38.1.xcpng8.3",
            "vendor-drivers-1.0.2-1.3.xcpng8.3"
        ]
    );
    assert!(inst["packages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["repo"] == "@System"));

    // Available hides what is installed at that very version, and shows the newest only.
    let avail = json_list(&h, &["list", "--available"]);
    assert_eq!(
        nvrs(&avail),
        [
            "broadcom-bnxt-en-1.10.0_216.0.119.1-2.xcpng8.3",
            "broadcom-bnxt-en-alt-1.10.3_232.0.155.5-1.xcpng8.3",
            "intel-igb-alt-5.3.5.39-1.xcpng8.3",
            "kmod-zfs-4.19.0+1-2.1.7-1.xcpng8.3",
            "r8125-module-9.011.00-1.xcpng8.3",
            "zfs-2.1.7-1.xcpng8.3"
        ]
    );
    let dups = json_list(
        &h,
        &[
            "list",
            "--available",
            "--showduplicates",
            "broadcom-bnxt-en",
        ],
    );
    assert_eq!(
        nvrs(&dups),
        [
            "broadcom-bnxt-en-1.10.0_216.0.119.1-1.xcpng8.3",
            "broadcom-bnxt-en-1.10.0_216.0.119.1-2.xcpng8.3"
        ]
    );

    let out = h.run(&q(&["list", "--updates"]));
    out.ok();
    insta::assert_snapshot!("list_updates", out.stdout);
    let out = h.run(&q(&["--enablerepo", "xcp-ng-test*", "list", "--updates"]));
    insta::assert_snapshot!("list_updates_with_testing", out.stdout);
}

#[test]
fn list_driver_classes() {
    let h = host();
    let out = h.run(&q(&["list", "--alternate"]));
    out.ok();
    insta::assert_snapshot!("list_alternate", out.stdout);
    let out = h.run(&q(&[
        "--enablerepo",
        "xcp-ng-testing",
        "list",
        "--alternate",
    ]));
    out.ok().stdout_has("r8125-module-alt.x86_64");

    let names = |doc: &Value| {
        let mut v: Vec<String> = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p["name"].as_str().unwrap(),
                    p["status"].as_str().unwrap(),
                    p["class"].as_str().unwrap()
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&json_list(&h, &["list", "--additional"])),
        [
            "kmod-zfs-4.19.0+1 available additional",
            "r8125-module available additional"
        ]
    );
    assert_eq!(
        names(&json_list(&h, &["list", "--supported"])),
        [
            "broadcom-bnxt-en available supported",
            "broadcom-bnxt-en installed supported",
            "intel-igb installed supported"
        ]
    );
    assert_eq!(
        names(&json_list(&h, &["list", "--installed", "--supported"])),
        [
            "broadcom-bnxt-en installed supported",
            "intel-igb installed supported"
        ]
    );
    // Class flags exclude each other.
    h.run(&["list", "--alternate", "--additional"])
        .code(2)
        .stderr_has("cannot be used with");
}

#[test]
fn list_globs_and_specs() {
    let h = host();
    let names = |args: &[&str]| {
        let mut v: Vec<String> = json_list(&h, args)["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(
        names(&["list", "broadcom*"]),
        ["broadcom-bnxt-en", "broadcom-bnxt-en-alt"]
    );
    assert_eq!(
        names(&["list", "*-alt"]),
        ["broadcom-bnxt-en-alt", "intel-igb-alt"]
    );
    assert_eq!(names(&["list", "intel-igb"]), ["intel-igb"]);
    assert_eq!(names(&["list", "kmod-zfs-4.19.0+?"]), ["kmod-zfs-4.19.0+1"]);
    assert_eq!(names(&["list", "zfs", "kernel"]), ["kernel", "zfs"]);
    assert_eq!(
        names(&["list", "intel-igb-alt-5.3.5.39"]),
        ["intel-igb-alt"]
    );
    assert_eq!(names(&["list", "intel-igb-alt.x86_64"]), ["intel-igb-alt"]);
    assert_eq!(
        names(&["list", "r8125-module-9.011.00-1.xcpng8.3.x86_64"]),
        ["r8125-module"]
    );

    let out = h.run(&q(&["list", "nosuch*"]));
    out.code(1)
        .stderr_has("error: no package matches nosuch*")
        .stderr_has("hint: ");
    assert_eq!(out.stdout, "");
}

#[test]
fn info_shows_repo_class_and_changelog_head() {
    let h = host();
    let out = h.run(&q(&["info", "broadcom-bnxt-en"]));
    out.ok();
    // Package file sizes depend on the rpm builder's output; keep them out of the snapshot.
    let text: String = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with("Size "))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("info_bnxt", text);

    let out = h.run(&q(&["--json", "info", "broadcom-bnxt-en"]));
    out.ok();
    let doc = out.json();
    let pkgs = doc["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 2);
    assert_eq!(pkgs[0]["repo"], "@System");
    assert_eq!(pkgs[0]["installed"], true);
    let avail = &pkgs[1];
    for key in [
        "name",
        "epoch",
        "version",
        "release",
        "arch",
        "repo",
        "summary",
        "changelog",
        "provides",
    ] {
        assert!(avail.get(key).is_some(), "no {key} in {avail}");
    }
    assert_eq!(avail["repo"], "xcp-ng-updates");
    assert_eq!(avail["epoch"], 0);
    assert_eq!(avail["class"], "supported");
    let log = avail["changelog"].as_array().unwrap();
    assert_eq!(log.len(), 3, "the head: three newest entries");
    assert!(
        log[0]["text"]
            .as_str()
            .unwrap()
            .contains("Rebuild for updates"),
        "{log:?}"
    );
    assert!(avail["provides"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "vendor-driver"));

    let out = h.run(&q(&["--enablerepo", "xcp-ng-testing", "info", "intel-igb"]));
    out.ok()
        .stdout_has("Repository    : xcp-ng-testing")
        .stdout_has("  * 2024-12-24 Thierry Escande <thierry.escande@vates.tech> - 5.12.3-1\n    - Update to 5.12.3\n    - Fixes link flaps on I350\n");

    h.run(&q(&["info", "nosuch"]))
        .code(1)
        .stderr_has("no package matches nosuch");
}

#[test]
fn search_names_and_summaries() {
    let h = host();
    let out = h.run(&q(&["search", "driver"]));
    out.ok();
    insta::assert_snapshot!("search_driver", out.stdout);
    let out = h.run(&q(&["search", "ALTERNATE", "intel"]));
    out.ok();
    assert_eq!(
        out.stdout,
        "intel-igb-alt.x86_64 : Alternate Intel Gigabit Ethernet driver\n"
    );
    let doc = json_list(&h, &["search", "zfs"]);
    assert_eq!(
        nvrs(&doc),
        ["kmod-zfs-4.19.0+1-2.1.7-1.xcpng8.3", "zfs-2.1.7-1.xcpng8.3"]
    );
    h.run(&q(&["search", "nothing-like-this"]))
        .code(1)
        .stderr_has("no package matches");
}

#[test]
fn check_update_exit_codes() {
    let h = host();
    let out = h.run(&q(&["check-update"]));
    out.code(100);
    insta::assert_snapshot!("check_update", out.stdout);
    let out = h.run(&q(&[
        "--enablerepo",
        "xcp-ng-testing",
        "--json",
        "check-update",
    ]));
    out.code(100);
    let doc = out.json();
    assert_eq!(
        nvrs(&doc),
        [
            "broadcom-bnxt-en-1.10.0_216.0.119.1-2.xcpng8.3",
            "intel-igb-5.12.3-1.xcpng8.3"
        ]
    );
    let igb = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "intel-igb")
        .unwrap();
    assert_eq!(igb["repo"], "xcp-ng-testing");
    assert_eq!(igb["installed_version"], "5.11.4-1.xcpng8.3");
    // Only the named packages.
    let out = h.run(&q(&[
        "--enablerepo",
        "xcp-ng-testing",
        "--json",
        "check-update",
        "intel-*",
    ]));
    out.code(100);
    assert_eq!(nvrs(&out.json()), ["intel-igb-5.12.3-1.xcpng8.3"]);
    // No updates: exit 0.
    let out = h.run(&q(&["--disablerepo", "xcp-ng-updates", "check-update"]));
    out.code(0);
    assert_eq!(out.stdout, "no updates\n");
    let out = h.run(&q(&["--json", "check-update", "zfs"]));
    out.code(0);
    assert_eq!(out.json()["packages"], serde_json::json!([]));
}

#[test]
fn vercmp_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |a: &str, b: &str| run_raw(&["vercmp", a, b], dir.path());
    let out = run("1.0-1", "1.0-1");
    out.code(0);
    assert_eq!(out.stdout, "1.0-1 == 1.0-1\n");
    run("1:1.0", "2.0").code(11);
    run("1.0~rc1", "1.0").code(12);
    run("1.0^git1", "1.0").code(11);
    run("5.11.4-1.xcpng8.3", "5.12.3-1.xcpng8.3")
        .code(12)
        .stdout_has("<");
    let out = run_raw(&["--json", "vercmp", "2.0", "1.0"], dir.path());
    out.code(11);
    assert_eq!(out.json()["result"], 1);
    run_raw(&["vercmp", "1.0"], dir.path()).code(2);
}

/// Every row of a conformance table through the binary.
fn conformance(file: &str, shorten: usize) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(&format!("conformance/{file}"))).unwrap();
    let mut n = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 || line.starts_with('#') {
            continue;
        }
        let want = match f[2].trim() {
            "0" => 0,
            "1" => 11,
            "-1" => 12,
            other => panic!("{file}:{}: bad expected value {other:?}", i + 1),
        };
        let out = run_raw(&["vercmp", "--", f[0], f[1]], dir.path());
        assert_eq!(
            out.code,
            want,
            "{file}:{}: vercmp {} {}: {}{}",
            i + 1,
            f[0],
            f[1],
            out.stdout,
            out.stderr
        );
        n += 1;
    }
    assert!(n >= shorten, "{file}: only {n} rows");
}

#[test]
fn vercmp_conformance_rows() {
    conformance("rpmvercmp.tsv", 80);
    conformance("evr-labelcompare.tsv", 10);
}

#[test]
fn cacheonly_without_cache_fails_with_a_hint() {
    let h = host();
    let out = h.run(&q(&["-C", "list"]));
    // The messages name the flag as it was given.
    out.code(1)
        .stderr_has("no cached metadata and -C was given")
        .stderr_has("hint: run `xcpng-mod makecache`")
        .stderr_has("or drop -C");
    assert_eq!(out.stdout, "");
    let out = h.run(&q(&["--cacheonly", "--json", "list"]));
    out.code(1);
    let doc = out.json();
    assert_eq!(doc["error"]["kind"], "repo");
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("and --cacheonly was given"));
    assert!(doc["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("drop --cacheonly"));
    h.run(&q(&["-yC", "list"]))
        .code(1)
        .stderr_has("and -C was given");
    // Installed packages need no repo metadata.
    h.run(&q(&["-C", "list", "--installed"])).ok();
    // After makecache, -C works and repolist shows the counts.
    let out = h.run(&q(&["makecache"]));
    out.ok();
    insta::assert_snapshot!("makecache", out.stdout);
    h.run(&q(&["-C", "list"])).ok();
    let out = h.run(&q(&["repolist", "--all"]));
    out.ok();
    insta::assert_snapshot!("repolist_all", h.redact(&out.stdout));
    // -C and --refresh exclude each other.
    h.run(&["-C", "--refresh", "list"]).code(2);
}

#[test]
fn json_documents_have_the_contract_keys() {
    let h = host();
    let doc = json_list(&h, &["list"]);
    let pkgs = doc["packages"].as_array().unwrap();
    assert!(!pkgs.is_empty());
    for p in pkgs {
        for key in ["name", "epoch", "version", "release", "arch", "repo"] {
            assert!(p.get(key).is_some(), "no {key} in {p}");
        }
        assert!(p["epoch"].is_u64(), "{p}");
    }
    let out = h.run(&q(&["--json", "repolist", "--all"]));
    out.ok();
    let doc = out.json();
    let repos = doc["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 3);
    for r in repos {
        for key in ["id", "name", "enabled", "baseurls", "packages"] {
            assert!(r.get(key).is_some(), "no {key} in {r}");
        }
        assert!(r["baseurls"].is_array() && r["enabled"].is_boolean());
    }
    // Errors: one document on stdout with kind, message and hint; talk on stderr.
    let out = h.run(&q(&["--json", "info", "nosuch"]));
    out.code(1);
    let doc = out.json();
    let err = doc["error"].as_object().unwrap();
    assert_eq!(err.keys().collect::<Vec<_>>(), ["hint", "kind", "message"]);
    assert_eq!(doc["error"]["kind"], "not-found");
    assert_eq!(doc["error"]["message"], "no package matches nosuch");
    assert!(
        out.stderr.starts_with("error: no package matches nosuch\n"),
        "{}",
        out.stderr
    );
    let out = h.run(&["--json", "--enablerepo", "nope", "list"]);
    out.code(2);
    assert_eq!(out.json()["error"]["kind"], "config");
}

#[test]
fn warnings_go_to_stderr_and_quiet_hides_them() {
    let h = host();
    let out = h.run(&["--json", "list", "--installed"]);
    out.ok()
        .stderr_has("warning: repo `xcp-ng-base`: gpgcheck=0, package signatures are not checked");
    out.json();
    let out = h.run(&["-q", "--json", "list", "--installed"]);
    assert_eq!(out.stderr, "");
}

#[test]
fn empty_host_has_no_packages() {
    let h = TestHost::new();
    let out = h.run(&["list"]);
    out.ok();
    assert_eq!(out.stdout, "no packages\n");
    let out = h.run(&["repolist"]);
    assert_eq!(out.stdout, "no enabled repos\n");
    let out = h.run(&["--json", "list"]);
    assert_eq!(out.json()["packages"], serde_json::json!([]));
    h.run(&["check-update"]).code(0);
}

#[test]
fn help_documents_exit_codes_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_raw(&["--help"], dir.path());
    out.ok()
        .stdout_has("Exit status:")
        .stdout_has("100  check-update");
    for cmd in [
        "repolist",
        "makecache",
        "list",
        "info",
        "search",
        "check-update",
        "vercmp",
        "demo",
    ] {
        out.stdout_has(cmd);
    }
    run_raw(&["--version"], dir.path())
        .ok()
        .stdout_has("xcpng-mod ");
    run_raw(&["--no-such-flag", "list"], dir.path())
        .code(2)
        .stderr_has("--no-such-flag");
    run_raw(&["frobnicate"], dir.path()).code(2);
    run_raw(&[], dir.path()).code(2);
    run_raw(&["info"], dir.path()).code(2).stderr_has("<PKG>");
}

#[test]
fn demo_builds_a_host_that_the_commands_work_on() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = run_raw(&["demo", demo.to_str().unwrap()], dir.path());
    out.ok().stderr_has("building the demo host in");
    let text = out.stdout.replace(demo.to_str().unwrap(), "[DEMO]");
    insta::assert_snapshot!("demo", text);
    let root = demo.join("root");
    let root = root.to_str().unwrap();
    let out = run_raw(
        &["--root", root, "-q", "--json", "list", "--installed"],
        dir.path(),
    );
    out.ok();
    // Five packages and the imported key (`gpg-pubkey`, which yum lists too).
    let pkgs = out.json()["packages"].as_array().unwrap().clone();
    assert_eq!(pkgs.len(), 6);
    assert!(pkgs.iter().any(|p| p["name"] == "gpg-pubkey"));
    let out = run_raw(
        &[
            "--root",
            root,
            "-q",
            "--enablerepo",
            "xcp-ng-testing",
            "check-update",
        ],
        dir.path(),
    );
    out.code(100).stdout_has("intel-igb.x86_64");
    // Building it again over the old one works.
    run_raw(&["demo", demo.to_str().unwrap()], dir.path()).ok();
}

#[test]
fn the_demo_host_is_signed_as_a_real_host_is() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = run_raw(&["demo", demo.to_str().unwrap()], dir.path());
    out.ok();
    // No gpgcheck=0 warnings: the repos check signatures.
    assert!(!out.stderr.contains("gpgcheck"), "{}", out.stderr);
    let root = demo.join("root");
    let rootstr = root.to_str().unwrap();
    let repo = std::fs::read_to_string(root.join("etc/yum.repos.d/xcp-ng.repo")).unwrap();
    assert_eq!(repo.matches("gpgcheck=1").count(), 6, "{repo}");
    // The key is in the rpmdb, as after `rpm --import` on a host.
    let keys = run_raw(&["--root", rootstr, "--json", "keys"], dir.path());
    keys.ok();
    let k = keys.json();
    let origins = k["keys"][0]["origins"].to_string();
    assert!(origins.contains("rpmdb"), "{k}");
    // The real rpm agrees that the packages are signed by that key.
    let pkg = demo.join("repos/xcp-ng-base/x86_64/Packages");
    let file = std::fs::read_dir(&pkg)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let o = std::process::Command::new("rpm")
        .args(["--root", rootstr, "--dbpath", "/var/lib/rpm", "-K"])
        .arg(&file)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("signatures OK"), "{said}");
    // A tampered repomd.xml is refused, as repo_gpgcheck=1 asks.
    let repomd = demo.join("repos/xcp-ng-base/x86_64/repodata/repomd.xml");
    let mut md = std::fs::read_to_string(&repomd).unwrap();
    md = md.replacen("<revision>", "<revision>9", 1);
    std::fs::write(&repomd, md).unwrap();
    run_raw(&["--root", rootstr, "--refresh", "list"], dir.path())
        .code(1)
        .stderr_has("repomd.xml");
}

#[test]
fn centos7_sample_repodata() {
    let h = TestHost::new();
    let sample = fixture("centos7-sample");
    let repodata = sample.join("repodata");
    let primary = std::fs::read_dir(&repodata)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_str().unwrap().ends_with("-primary.xml.gz"))
        .unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&primary).unwrap()),
        &mut xml,
    )
    .unwrap();
    let at = xml.find("packages=\"").unwrap() + "packages=\"".len();
    let count: usize = xml[at..at + xml[at..].find('"').unwrap()].parse().unwrap();
    assert_eq!(count, xml.matches("<package type=\"rpm\">").count());

    let spec = format!("c7,file://{}/", sample.display());
    let out = h.run(&[
        "--repofrompath",
        &spec,
        "--json",
        "list",
        "--available",
        "--showduplicates",
    ]);
    out.ok();
    let doc = out.json();
    let pkgs = doc["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), count);
    assert!(pkgs.iter().all(|p| p["repo"] == "c7"));
    let out = h.run(&["-q", "--repofrompath", &spec, "-C", "--json", "repolist"]);
    assert_eq!(out.json()["repos"][0]["packages"], count);
    // The table lists the same packages.
    let out = h.run(&[
        "-q",
        "--repofrompath",
        &spec,
        "-C",
        "list",
        "--available",
        "--showduplicates",
    ]);
    out.ok();
    assert_eq!(
        out.stdout.lines().count(),
        count + 2,
        "title and header lines"
    );
}
