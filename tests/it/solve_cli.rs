//! The solver through the real binary: the project's own libsolv-format testcases
//! (`tests/fixtures/solver/*.t`), a cross-check with libsolv's `testsolv` on generated
//! testcases, and transaction commands (`install`/`update`/`remove` … `--assumeno`) on a host
//! built from real RPMs.

use crate::common;

use crate::common::{fixture, pkg, run_raw, TestHost};

fn solver_fixtures() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(fixture("solver"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "t"))
        .collect();
    v.sort();
    v
}

#[test]
fn own_testcases_pass() {
    let files = solver_fixtures();
    assert!(files.len() >= 5);
    let tmp = tempfile::tempdir().unwrap();
    for f in files {
        let out = run_raw(&["debug-solver", f.to_str().unwrap()], tmp.path());
        assert_eq!(
            out.code,
            0,
            "{}:\n{}{}",
            f.display(),
            out.stdout,
            out.stderr
        );
        assert!(out.stdout.starts_with("result "), "{}", out.stdout);
    }
}

#[test]
fn a_wrong_expectation_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("solver/obsoletes-rename.t")).unwrap();
    // Expect the old package to stay: our solver must disagree, and say how.
    let wrong: String = text
        .lines()
        .filter(|l| !l.starts_with("#>erase"))
        .map(|l| format!("{l}\n"))
        .collect();
    let f = tmp.path().join("wrong.t");
    std::fs::write(&f, wrong).unwrap();
    let out = run_raw(&["debug-solver", f.to_str().unwrap()], tmp.path());
    out.code(1)
        .stdout_has("# FAIL: transaction differs: missing [], extra [erase r8125-module");
    // A problem expected where there is a solution.
    let f2 = tmp.path().join("problem.t");
    std::fs::write(
        &f2,
        text.replace("#>install realtek", "#>problem 0 info x\n#>install realtek"),
    )
    .unwrap();
    run_raw(&["debug-solver", f2.to_str().unwrap()], tmp.path())
        .code(1)
        .stdout_has("expected a problem, found a solution");
}

/// A small deterministic generator (no extra dependency) for cross-check universes.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A testcase with versioned requires/conflicts between package names, a few installed
/// packages and one install or update job: choices are few, so libsolv's answer is the one
/// rpm semantics imply.
fn generated(seed: u64) -> String {
    let mut r = Lcg(seed);
    let names = ["a", "b", "c", "d", "e"];
    let mut sys = String::from("repo system 0 testtags <inline>\n");
    let mut avail = String::from("repo available 0 testtags <inline>\n");
    let mut installed_names = Vec::new();
    for n in names {
        if r.next(3) == 0 {
            sys.push_str(&format!("#>=Pkg: {n} 1 1 x86_64\n"));
            installed_names.push(n);
        }
        for v in 1..=2 {
            if installed_names.contains(&n) && v == 1 {
                continue;
            }
            if r.next(4) == 0 {
                continue;
            }
            avail.push_str(&format!("#>=Pkg: {n} {v} 1 x86_64\n"));
            for _ in 0..r.next(3) {
                let d = names[r.next(5) as usize];
                if d == n {
                    continue;
                }
                let op = [">=", "<", "="][r.next(3) as usize];
                let tag = if r.next(5) == 0 { "Con" } else { "Req" };
                avail.push_str(&format!("#>={tag}: {d} {op} {}\n", 1 + r.next(2)));
            }
        }
    }
    let job = if r.next(3) == 0 {
        "job update all packages".to_string()
    } else {
        format!("job install name {}", names[r.next(5) as usize])
    };
    format!("{sys}{avail}system x86_64 rpm system\n{job}\n")
}

/// A testcase where a requirement has several providers: names, arches, versions of the
/// capability and of the providers' own names vary, some obsolete others, sometimes one provider
/// is installed.
/// What libsolv picks is its policy (best arch, common-dependency versions, byte order).
fn generated_choices(seed: u64) -> String {
    let mut r = Lcg(seed);
    let names = ["alpha", "beta", "gamma", "mta", "beta-extra", "zeta"];
    let arches = ["x86_64", "x86_64", "noarch", "i686"];
    let mut sys = String::from("repo system 0 testtags <inline>\n");
    let mut avail = String::from("repo available 0 testtags <inline>\n");
    for n in names {
        if r.next(3) == 0 {
            continue;
        }
        let arch = arches[r.next(4) as usize];
        let v = 1 + r.next(3);
        if r.next(5) == 0 {
            sys.push_str(&format!("#>=Pkg: {n} 1 0 {arch}\n#>=Prv: cap0\n"));
        }
        avail.push_str(&format!("#>=Pkg: {n} {v} 1 {arch}\n"));
        for _ in 0..1 + r.next(2) {
            let cap = match r.next(4) {
                0 => format!("cap{}", r.next(2)),
                1 => format!("cap{} = {}", r.next(2), 1 + r.next(3)),
                2 => format!("{} = {}", names[r.next(6) as usize], 1 + r.next(3)),
                _ => "cap0".to_string(),
            };
            avail.push_str(&format!("#>=Prv: {cap}\n"));
        }
        if r.next(6) == 0 {
            avail.push_str(&format!("#>=Obs: {}\n", names[r.next(6) as usize]));
        }
    }
    avail.push_str("#>=Pkg: app 1 1 x86_64\n#>=Req: cap0\n");
    if r.next(2) == 0 {
        avail.push_str("#>=Req: cap1\n");
    }
    format!("{sys}{avail}system x86_64 rpm system\njob install name app\n")
}

/// Run `generate(seed)` for each seed through testsolv and through `debug-solver` with
/// testsolv's answer as the expected result: they must agree.
fn cross_check(generate: fn(u64) -> String, seeds: std::ops::RangeInclusive<u64>) {
    if std::process::Command::new("testsolv")
        .arg("-h")
        .output()
        .is_err()
    {
        eprintln!("testsolv not installed (Debian: libsolv-tools): skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let n = seeds.clone().count();
    for seed in seeds {
        let body = generate(seed);
        let f = tmp.path().join(format!("gen{seed}.t"));
        std::fs::write(&f, &body).unwrap();
        let ts = std::process::Command::new("testsolv")
            .arg("-r")
            .arg(&f)
            .output()
            .unwrap();
        let result = String::from_utf8_lossy(&ts.stdout);
        let expected: String = result.lines().map(|l| format!("#>{l}\n")).collect();
        std::fs::write(
            &f,
            format!("{body}result transaction,problems <inline>\n{expected}"),
        )
        .unwrap();
        let out = run_raw(&["debug-solver", f.to_str().unwrap()], tmp.path());
        assert_eq!(
            out.code, 0,
            "seed {seed} disagrees with testsolv:\n{body}--- testsolv\n{result}--- ours\n{}",
            out.stdout
        );
        compared += 1;
    }
    assert_eq!(compared, n);
}

#[test]
fn cross_check_with_testsolv_on_generated_testcases() {
    cross_check(generated, 1..=40);
}

#[test]
fn provider_choice_agrees_with_testsolv() {
    cross_check(generated_choices, 1..=100);
}

const K: &str = "4.19.0+1";

fn kernel() -> common::PkgSpec {
    pkg("kernel", "4.19.19", "8.0.38.1.xcpng8.3").provides(&format!("kernel-uname-r = {K}"))
}

fn driver(name: &str, version: &str) -> common::PkgSpec {
    pkg(name, version, "1.xcpng8.3")
        .provides("vendor-driver")
        .requires(&format!("kernel-uname-r = {K}"))
}

fn host() -> TestHost {
    let h = TestHost::new();
    h.install(&[
        kernel(),
        driver("broadcom-bnxt-en", "1.10.0"),
        pkg("vendor-drivers", "1.0.2", "1.xcpng8.3").requires("broadcom-bnxt-en"),
        pkg("zfs-fuse", "0.7.2", "1.el7"),
    ]);
    h.add_repo(
        "xcp-ng-base",
        true,
        &[
            kernel(),
            driver("broadcom-bnxt-en", "1.10.0"),
            driver("broadcom-bnxt-en-alt", "1.10.3"),
            pkg("kmod-zfs", "2.1.7", "1.xcpng8.3").requires("zfs-helper"),
            pkg("zfs-helper", "1", "1"),
            pkg("zfs-next", "2", "1").requires("kernel-uname-r = 4.19.0+9"),
        ],
    );
    h.add_repo(
        "xcp-ng-updates",
        true,
        &[driver("broadcom-bnxt-en", "1.10.1")],
    );
    h
}

#[test]
fn install_assumeno_prints_the_plan_and_changes_nothing() {
    let h = host();
    let out = h.run(&["--assumeno", "install", "broadcom-bnxt-en-alt", "kmod-zfs"]);
    out.ok()
        .stdout_has("Installing:")
        .stdout_has("broadcom-bnxt-en-alt")
        .stdout_has("Installing for dependencies:")
        .stdout_has("zfs-helper")
        .stdout_has("Transaction Summary")
        .stdout_has("Install      3 Packages");
    let doc = h
        .run(&["--assumeno", "--json", "install", "broadcom-bnxt-en-alt"])
        .json();
    let inst = doc["plan"]["install"].as_array().unwrap();
    assert_eq!(inst.len(), 1);
    assert_eq!(inst[0]["name"], "broadcom-bnxt-en-alt");
    assert_eq!(inst[0]["repo"], "xcp-ng-base");
    assert_eq!(inst[0]["version"], "1.10.3");
    assert_eq!(inst[0]["reason"], "requested");
    assert_eq!(doc["plan"]["upgrade"].as_array().unwrap().len(), 0);
    // Nothing was installed.
    let after = h.run(&["--json", "list", "--installed"]).json();
    assert!(!after.to_string().contains("broadcom-bnxt-en-alt"));
}

#[test]
fn without_a_terminal_or_assumeyes_the_plan_is_shown_and_refused() {
    let h = host();
    let out = h.run(&["install", "broadcom-bnxt-en-alt"]);
    out.code(1)
        .stdout_has("broadcom-bnxt-en-alt")
        .stderr_has("standard input is not a terminal")
        .stderr_has("pass -y (--assumeyes)")
        .stderr_has("--assumeno");
    let doc = h.run(&["--json", "install", "broadcom-bnxt-en-alt"]);
    doc.code(1);
    let v = doc.json();
    assert_eq!(v["error"]["kind"], "failed");
    let after = h.run(&["--json", "list", "--installed"]).json();
    assert!(!after.to_string().contains("broadcom-bnxt-en-alt"));
}

#[test]
fn update_remove_and_explanations() {
    let h = host();
    let up = h.run(&["--assumeno", "--json", "update"]).json();
    let u = &up["plan"]["upgrade"][0];
    assert_eq!(u["from"]["version"], "1.10.0");
    assert_eq!(u["from"]["repo"], "@System");
    assert_eq!(u["to"]["version"], "1.10.1");
    assert_eq!(u["to"]["repo"], "xcp-ng-updates");

    h.run(&["--assumeno", "remove", "zfs-fuse"])
        .ok()
        .stdout_has("Removing:")
        .stdout_has("zfs-fuse");
    h.run(&["--assumeno", "remove", "vendor-drivers"])
        .code(1)
        .stderr_has("refusing to remove vendor-drivers")
        .stderr_has("protected");
    let out = h.run(&["--assumeno", "--json", "install", "zfs-next"]);
    out.code(1)
        .stderr_has("cannot install zfs-next")
        .stderr_has("requires kernel-uname-r = 4.19.0+9, but nothing provides it")
        .stderr_has("hint: enable a repo");
    let err = &out.json()["error"];
    assert_eq!(err["kind"], "unsolvable");
    // The reasons as a list, each one sentence; the message keeps them as lines.
    let reasons: Vec<&str> = err["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("requires kernel-uname-r = 4.19.0+9, but nothing provides it")),
        "{reasons:?}"
    );
    assert!(reasons.iter().all(|r| !r.contains('\n')), "{reasons:?}");
    let no_such = h.run(&["--assumeno", "--json", "install", "no-such-thing"]);
    assert!(no_such.json()["error"].get("reasons").is_none());
    h.run(&["--assumeno", "install", "no-such-thing"])
        .code(1)
        .stderr_has("no-such-thing");
}

/// `--debugsolver=DIR` writes the problem as a libsolv testcase: our `debug-solver` agrees
/// with the answer it recorded, and libsolv's `testsolv` reads it and finds the same
/// transaction.
#[test]
fn debugsolver_writes_a_testcase_testsolv_reads() {
    let h = host();
    let dir = h.dir().join("debugdata");
    let arg = format!("--debugsolver={}", dir.display());
    h.run(&[
        "--assumeno",
        &arg,
        "install",
        "broadcom-bnxt-en-alt",
        "kmod-zfs",
    ])
    .code(0);
    let t = dir.join("testcase.t");
    let text = std::fs::read_to_string(&t).unwrap();
    assert!(text.contains("repo @System "), "{text}");
    assert!(
        text.contains("#>=Pkg: vendor-drivers 1.0.2 1.xcpng8.3 "),
        "{text}"
    );
    assert!(
        text.contains("job install oneof kmod-zfs-2.1.7-1.xcpng8.3."),
        "{text}"
    );
    assert!(text.contains("#>install zfs-helper-1-1."), "{text}");
    let ours = run_raw(&["debug-solver", t.to_str().unwrap()], h.dir());
    assert_eq!(ours.code, 0, "{}{}", ours.stdout, ours.stderr);
    // An unsolvable request is written too, with a problem as its result.
    let dir2 = h.dir().join("debugdata2");
    let arg2 = format!("--debugsolver={}", dir2.display());
    h.run(&["--assumeno", &arg2, "install", "zfs-next"]).code(1);
    let t2 = dir2.join("testcase.t");
    let text2 = std::fs::read_to_string(&t2).unwrap();
    assert!(text2.contains("#>problem "), "{text2}");
    let ours2 = run_raw(&["debug-solver", t2.to_str().unwrap()], h.dir());
    assert_eq!(ours2.code, 0, "{}{}", ours2.stdout, ours2.stderr);
    if std::process::Command::new("testsolv")
        .arg("-h")
        .output()
        .is_err()
    {
        eprintln!("testsolv not installed (Debian: libsolv-tools): skipped");
        return;
    }
    let ts = std::process::Command::new("testsolv")
        .arg("-r")
        .arg(&t)
        .output()
        .unwrap();
    let got = String::from_utf8_lossy(&ts.stdout);
    let mut theirs: Vec<String> = got
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    theirs.sort();
    let mut recorded: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("#>"))
        .filter(|l| !l.starts_with('='))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    recorded.sort();
    assert!(!recorded.is_empty());
    assert_eq!(
        theirs,
        recorded,
        "testsolv:\n{got}{}",
        String::from_utf8_lossy(&ts.stderr)
    );
    let ts2 = std::process::Command::new("testsolv")
        .arg("-r")
        .arg(&t2)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ts2.stdout).contains("problem "),
        "{}",
        String::from_utf8_lossy(&ts2.stdout)
    );
}

/// Repo priority as dnf applies it (the best-priority repo's versions only) and yum/dnf
/// versionlock lists under the root hold back versions, and explanations name the cause.
#[test]
fn repo_priority_and_versionlock_hold_back_versions() {
    let h = host();
    let upgrades = |h: &TestHost| {
        h.run(&["--assumeno", "--json", "update"]).json()["plan"]["upgrade"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(upgrades(&h), 1);
    // A locked version: the newer one in xcp-ng-updates is no candidate.
    h.write(
        "/etc/yum/pluginconf.d/versionlock.list",
        "# locked by the admin\n0:broadcom-bnxt-en-1.10.0-1.xcpng8.3.*\n",
    );
    assert_eq!(upgrades(&h), 0);
    h.run(&["--assumeno", "install", "broadcom-bnxt-en-1.10.1"])
        .code(1)
        .stderr_has("versionlock.list");
    // An exclusion entry (dnf's list) does the same for that version only.
    h.write("/etc/yum/pluginconf.d/versionlock.list", "");
    h.write(
        "/etc/dnf/plugins/versionlock.list",
        "!broadcom-bnxt-en-1.10.1-1.xcpng8.3.*\n",
    );
    assert_eq!(upgrades(&h), 0);
    h.write("/etc/dnf/plugins/versionlock.list", "");
    assert_eq!(upgrades(&h), 1);
    // xcp-ng-base at a better priority than xcp-ng-updates: its version is the only one.
    let repo = h.host_path("/etc/yum.repos.d/xcp-ng-base.repo");
    let text = std::fs::read_to_string(&repo).unwrap();
    std::fs::write(&repo, format!("{text}priority=10\n")).unwrap();
    assert_eq!(upgrades(&h), 0);
    h.run(&["--assumeno", "install", "broadcom-bnxt-en-1.10.1"])
        .code(1)
        .stderr_has("priority 10");
}

/// The solver's cache of a repo (`primary.solver`) is checked before use: a damaged or
/// truncated one is rebuilt from the metadata, and the plan is the same.
#[test]
fn a_damaged_solver_cache_is_rebuilt() {
    let h = host();
    let plan = |h: &TestHost| {
        let out = h.run(&["--assumeno", "--json", "install", "kmod-zfs"]);
        out.ok();
        let doc = out.json();
        let mut v: Vec<String> = doc["plan"]["install"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}-{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
            .collect();
        v.sort();
        v
    };
    let want = plan(&h);
    assert_eq!(want.len(), 2, "{want:?}");
    let solver_cache = h.host_path("/var/cache/xcpng-mod/xcp-ng-base/repodata/primary.solver");
    let good = std::fs::read(&solver_cache).unwrap();
    for damaged in [good[..good.len() / 2].to_vec(), vec![0u8; good.len()]] {
        std::fs::write(&solver_cache, &damaged).unwrap();
        assert_eq!(plan(&h), want);
        assert_eq!(
            std::fs::read(&solver_cache).unwrap(),
            good,
            "rewritten whole"
        );
    }
}

/// The parsed caches were once named `primary.xcpc` and `primary.xcps`: files of those names
/// left by an earlier version are removed, not read, once the current caches are written.
#[test]
fn caches_under_their_old_names_are_removed() {
    let h = host();
    h.run(&["--assumeno", "install", "kmod-zfs"]).ok();
    let repodata = h.host_path("/var/cache/xcpng-mod/xcp-ng-base/repodata");
    for new in ["primary.listing", "primary.solver"] {
        assert!(repodata.join(new).is_file(), "{new} written");
    }
    // An upgrade from an earlier version: only the old names are there, with junk in them.
    for (new, old) in [
        ("primary.listing", "primary.xcpc"),
        ("primary.solver", "primary.xcps"),
    ] {
        std::fs::remove_file(repodata.join(new)).unwrap();
        std::fs::write(repodata.join(old), b"junk of an older format").unwrap();
    }
    h.run(&["--assumeno", "install", "kmod-zfs"]).ok();
    h.run(&["list"]).ok();
    for old in ["primary.xcpc", "primary.xcps"] {
        assert!(!repodata.join(old).exists(), "{old} is removed");
    }
    for new in ["primary.listing", "primary.solver"] {
        assert!(repodata.join(new).is_file(), "{new} written again");
    }
}

/// `downgrade NAME` goes to the newest older version; `downgrade NAME-VERSION[-RELEASE]`
/// to the version named, as yum does; a version that is not older is refused.
#[test]
fn downgrade_goes_to_the_version_named_or_else_the_newest_older() {
    let h = TestHost::new();
    h.add_repo(
        "base",
        true,
        &[
            pkg("foo", "1.0", "1"),
            pkg("foo", "2.0", "1"),
            pkg("foo", "3.0", "1"),
        ],
    );
    h.install(&[pkg("foo", "3.0", "1")]);
    let to = |spec: &str| -> String {
        let doc = h
            .run(&["--json", "--assumeno", "downgrade", spec])
            .ok()
            .json();
        let d = &doc["plan"]["downgrade"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{doc}");
        assert_eq!(d[0]["from"]["version"], "3.0", "{doc}");
        d[0]["to"]["version"].as_str().unwrap().to_string()
    };
    assert_eq!(to("foo"), "2.0");
    assert_eq!(to("foo-1.0"), "1.0");
    assert_eq!(to("foo-1.0-1"), "1.0");
    assert_eq!(to("foo-1.0-1.x86_64"), "1.0");
    let out = h.run(&["--assumeno", "downgrade", "foo-9.9"]);
    assert_ne!(out.code, 0);
    out.stderr_has("`foo-9.9` is not installed");
    h.run(&["-y", "downgrade", "foo-1.0"]).ok();
    assert_eq!(h.rpm_qa(), vec!["foo-1.0-1".to_string()]);
}
