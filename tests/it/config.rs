//! Configuration through the real binary: XCP-ng's own repo files (copies in
//! `tests/fixtures/xcpng/`), CentOS and EPEL files with variables, mirrorlist and metalink,
//! malformed files (exit 2 naming `file:line`), and the command-line overrides.

use crate::common;

use crate::common::{fixture, pkg, TestHost};
use serde_json::Value;

fn with_fixture(name: &str, as_name: &str) -> TestHost {
    let h = TestHost::new();
    let text = std::fs::read_to_string(fixture(&format!("xcpng/{name}"))).unwrap();
    h.repo_file(as_name, &text);
    h
}

fn repolist(h: &TestHost, args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--json", "repolist", "--all"]);
    let out = h.run(&all);
    out.ok();
    out.json()["repos"].as_array().unwrap().clone()
}

fn enabled_ids(repos: &[Value]) -> Vec<String> {
    repos
        .iter()
        .filter(|r| r["enabled"] == true)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn ids(repos: &[Value]) -> Vec<String> {
    repos
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn xcpng_8_3_repo_file_parses_exactly() {
    let h = with_fixture("xcp-ng.repo.8.3", "xcp-ng.repo");
    let repos = repolist(&h, &[]);
    assert_eq!(
        ids(&repos),
        [
            "xcp-ng-base",
            "xcp-ng-candidates",
            "xcp-ng-ci",
            "xcp-ng-incoming",
            "xcp-ng-lab",
            "xcp-ng-testing",
            "xcp-ng-updates"
        ]
    );
    for r in &repos {
        let id = r["id"].as_str().unwrap();
        let tail = id.strip_prefix("xcp-ng-").unwrap();
        assert_eq!(
            r["baseurls"],
            serde_json::json!([
                format!("http://mirrors.xcp-ng.org/8/8.3/{tail}/x86_64/"),
                format!("http://updates.xcp-ng.org/8/8.3/{tail}/x86_64/")
            ]),
            "{id}"
        );
        assert_eq!(r["gpgcheck"], true, "{id}");
        assert_eq!(r["repo_gpgcheck"], true, "{id}");
        assert_eq!(
            r["gpgkeys"],
            serde_json::json!(["file:///etc/pki/rpm-gpg/RPM-GPG-KEY-xcpng"])
        );
        assert_eq!(r["packages"], Value::Null, "{id}: nothing cached");
        assert!(r["name"].as_str().unwrap().starts_with("XCP-ng "), "{id}");
        assert!(
            r["origin"]
                .as_str()
                .unwrap()
                .starts_with("/etc/yum.repos.d/xcp-ng.repo:"),
            "{r}"
        );
    }
    assert_eq!(repos[0]["name"], "XCP-ng Base Repository");
    assert_eq!(repos[0]["origin"], "/etc/yum.repos.d/xcp-ng.repo:2");
    assert_eq!(enabled_ids(&repos), ["xcp-ng-base", "xcp-ng-updates"]);
    // Without --all, only the enabled ones; and no warning (gpgcheck is on).
    let out = h.run(&["--json", "repolist"]);
    out.ok();
    assert_eq!(
        ids(out.json()["repos"].as_array().unwrap()),
        ["xcp-ng-base", "xcp-ng-updates"]
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn xcpng_8_2_and_linstor_files() {
    let h = with_fixture("xcp-ng.repo.8.2", "xcp-ng.repo");
    let linstor = std::fs::read_to_string(fixture("xcpng/xcp-ng-linstor.repo.8.3")).unwrap();
    h.repo_file("xcp-ng-linstor.repo", &linstor);
    let repos = repolist(&h, &[]);
    assert_eq!(repos.len(), 9);
    assert_eq!(
        enabled_ids(&repos),
        ["xcp-ng-base", "xcp-ng-linstor", "xcp-ng-updates"]
    );
    for r in repos
        .iter()
        .filter(|r| !r["id"].as_str().unwrap().contains("linstor"))
    {
        let urls = r["baseurls"].as_array().unwrap();
        assert_eq!(urls.len(), 2, "{r}");
        assert!(
            urls.iter().all(|u| u.as_str().unwrap().contains("/8/8.2/")),
            "{r}"
        );
    }
    let l = repos.iter().find(|r| r["id"] == "xcp-ng-linstor").unwrap();
    assert_eq!(
        l["baseurls"],
        serde_json::json!(["https://repo.vates.tech/xcp-ng/8/8.3/linstor/x86_64/"])
    );
}

#[test]
fn xcpng_7_6_legacy_file() {
    let h = with_fixture("xcp-ng.repo.7.6-legacy", "xcp-ng.repo");
    let repos = repolist(&h, &[]);
    assert_eq!(
        ids(&repos),
        [
            "xcp-ng-base",
            "xcp-ng-extras",
            "xcp-ng-extras_testing",
            "xcp-ng-updates",
            "xcp-ng-updates_testing"
        ]
    );
    assert_eq!(enabled_ids(&repos), ["xcp-ng-base", "xcp-ng-updates"]);
    assert_eq!(
        repos[4]["baseurls"],
        serde_json::json!(["https://updates.xcp-ng.org/7/7.6/updates_testing/x86_64/"])
    );
}

#[test]
fn centos_base_with_releasever_and_vars() {
    let h = with_fixture("CentOS-Base.repo.8.3", "CentOS-Base.repo");
    h.write("/etc/yum/vars/basearch", "x86_64\n");
    // --releasever
    let repos = repolist(&h, &["--releasever", "7.9.2009"]);
    assert_eq!(ids(&repos), ["base", "extras", "updates"]);
    assert_eq!(enabled_ids(&repos), Vec::<String>::new());
    assert_eq!(repos[0]["name"], "CentOS-7.9.2009 - Base (EOL)");
    assert_eq!(
        repos[0]["baseurls"],
        serde_json::json!(["https://repo.vates.tech/centos/7.9.2009/os/x86_64/"])
    );
    assert_eq!(
        repos[0]["gpgkeys"],
        serde_json::json!(["file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7"])
    );
    // From etc/yum/vars/releasever; --releasever wins over it.
    h.write("/etc/yum/vars/releasever", "7\n");
    let repos = repolist(&h, &[]);
    assert_eq!(
        repos[2]["baseurls"],
        serde_json::json!(["https://repo.vates.tech/centos/7/updates/x86_64/"])
    );
    let repos = repolist(&h, &["--releasever=8"]);
    assert_eq!(
        repos[1]["baseurls"],
        serde_json::json!(["https://repo.vates.tech/centos/8/extras/x86_64/"])
    );
    // --enablerepo with a comma-free list of ids, as the file's warning suggests.
    let repos = repolist(&h, &["--enablerepo", "base", "--enablerepo", "updates"]);
    assert_eq!(enabled_ids(&repos), ["base", "updates"]);
}

#[test]
fn stock_centos_mirrorlist_with_variables() {
    let h = TestHost::new();
    h.write("/etc/yum/vars/infra", "stock\n")
        .write("/etc/yum/vars/releasever", "7\n")
        .write("/etc/yum/vars/basearch", "x86_64\n")
        .repo_file(
            "CentOS-Base.repo",
            "[base]\nname=CentOS-$releasever - Base\n\
             mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os&infra=$infra\n\
             #baseurl=http://mirror.centos.org/centos/$releasever/os/$basearch/\n\
             gpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-$releasever\n",
        );
    let repos = repolist(&h, &[]);
    assert_eq!(repos.len(), 1);
    assert_eq!(repos[0]["name"], "CentOS-7 - Base");
    assert_eq!(
        repos[0]["mirrorlist"],
        "http://mirrorlist.centos.org/?release=7&arch=x86_64&repo=os&infra=stock"
    );
    assert_eq!(repos[0]["baseurls"], serde_json::json!([]));
    assert_eq!(
        repos[0]["gpgkeys"],
        serde_json::json!(["file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7"])
    );
    assert_eq!(repos[0]["enabled"], true, "enabled defaults to 1");
    // The table shows the mirrorlist in the baseurl column.
    let out = h.run(&["repolist"]);
    out.ok().stdout_has(
        "mirrorlist=http://mirrorlist.centos.org/?release=7&arch=x86_64&repo=os&infra=stock",
    );
}

#[test]
fn mirrorlist_and_metalink_resolve_to_baseurls() {
    let h = TestHost::new();
    let repo = h.build_repo("r", &[pkg("zfs", "2.1.7", "1"), pkg("fio", "3.7", "1")]);
    let list = h.dir().join("mirrors.txt");
    std::fs::write(
        &list,
        format!(
            "# mirrors\nfile:///nonexistent/mirror/\nfile://{}/\n",
            repo.display()
        ),
    )
    .unwrap();
    let metalink = h.dir().join("metalink.xml");
    std::fs::write(
        &metalink,
        format!(
            "<?xml version=\"1.0\"?><metalink><files><file name=\"repomd.xml\"><resources>\
             <url protocol=\"file\" preference=\"100\">file://{}/repodata/repomd.xml</url>\
             </resources></file></files></metalink>",
            repo.display()
        ),
    )
    .unwrap();
    h.repo_file(
        "m.repo",
        &format!(
            "[ml]\nmirrorlist=file://{}\ngpgcheck=0\n\n[mk]\nmetalink=file://{}\ngpgcheck=0\n",
            list.display(),
            metalink.display()
        ),
    );
    for id in ["ml", "mk"] {
        let out = h.run(&["--repo", id, "--json", "list", "--available"]);
        out.ok();
        let doc = out.json();
        assert_eq!(common::nvrs(&doc), ["fio-3.7-1", "zfs-2.1.7-1"]);
        assert!(
            doc["packages"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["repo"] == id),
            "{doc}"
        );
    }
    // A mirrorlist that lists no mirror is an error naming the repo.
    std::fs::write(&list, "# nothing\n").unwrap();
    h.run(&["--refresh", "--repo", "ml", "list"])
        .code(1)
        .stderr_has("repo `ml`: cannot resolve mirrors")
        .stderr_has("lists no mirror");
}

#[test]
fn epel_file_with_metalink() {
    let h = with_fixture("epel.repo.8.3", "epel.repo");
    h.write("/etc/yum/vars/basearch", "x86_64\n");
    let repos = repolist(&h, &[]);
    assert_eq!(ids(&repos), ["epel", "epel-debuginfo", "epel-source"]);
    assert_eq!(enabled_ids(&repos), Vec::<String>::new());
    assert_eq!(
        repos[0]["name"],
        "Extra Packages for Enterprise Linux 7 - x86_64 (EOL)"
    );
    assert_eq!(
        repos[0]["metalink"],
        "https://mirrors.fedoraproject.org/metalink?repo=epel-7&arch=x86_64"
    );
    assert_eq!(
        repos[0]["baseurls"],
        serde_json::json!([]),
        "the commented baseurl is ignored"
    );
    assert_eq!(repos[1]["gpgcheck"], true);
    // A variable file overrides the built-in $basearch, as in yum and dnf.
    h.write("/etc/yum/vars/basearch", "aarch64\n");
    let repos = repolist(&h, &[]);
    assert_eq!(
        repos[0]["metalink"],
        "https://mirrors.fedoraproject.org/metalink?repo=epel-7&arch=aarch64"
    );
}

#[test]
fn all_real_files_together() {
    let h = TestHost::new();
    for (f, as_name) in [
        ("xcp-ng.repo.8.3", "xcp-ng.repo"),
        ("xcp-ng-linstor.repo.8.3", "xcp-ng-linstor.repo"),
        ("CentOS-Base.repo.8.3", "CentOS-Base.repo"),
        ("epel.repo.8.3", "epel.repo"),
    ] {
        h.repo_file(
            as_name,
            &std::fs::read_to_string(fixture(&format!("xcpng/{f}"))).unwrap(),
        );
    }
    // A file that is not `*.repo` is not read.
    h.repo_file("xcp-ng.repo.rpmnew", "garbage\n");
    let repos = repolist(&h, &["--releasever", "8.3"]);
    assert_eq!(repos.len(), 7 + 2 + 3 + 3);
    assert_eq!(
        enabled_ids(&repos),
        ["xcp-ng-base", "xcp-ng-linstor", "xcp-ng-updates"]
    );
}

/// Runs `repolist` on a host with `file` (named `bad.repo`) and checks exit 2 and the message.
fn malformed(text: &str, want: &str) {
    let h = TestHost::new();
    h.repo_file("bad.repo", text);
    let out = h.run(&["repolist"]);
    out.code(2).stderr_has(want);
    assert_eq!(out.stdout, "");
    let out = h.run(&["--json", "repolist"]);
    out.code(2);
    let doc = out.json();
    assert_eq!(doc["error"]["kind"], "config");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains(want),
        "{doc}"
    );
}

#[test]
fn malformed_files_are_usage_errors_naming_file_and_line() {
    malformed(
        "# no section\nbaseurl=http://x/\n",
        "bad.repo:2: `key=value` before any `[section]` header",
    );
    malformed(
        "[a]\nbaseurl=file:///x/\nthis is not a key\n",
        "bad.repo:3: expected `key=value`",
    );
    malformed("[a\nbaseurl=file:///x/\n", "bad.repo:1: expected `]`");
    malformed(
        "\n\n  indented=1\n",
        "bad.repo:3: indented line continues no `key=value`",
    );
    malformed(
        "[a]\nbaseurl=file:///x/\nenabled=maybe\n",
        "/etc/yum.repos.d/bad.repo:3: `enabled=maybe`: expected 1/0, yes/no, true/false",
    );
    malformed(
        "[a]\nbaseurl=file:///x/\ngpgcheck=2\n",
        "/etc/yum.repos.d/bad.repo:3: `gpgcheck=2`",
    );
    malformed(
        "[a]\nname=no url\n",
        "repo `a` has no baseurl, mirrorlist or metalink",
    );
    malformed(
        "[a]\nbaseurl=file:///x/\npriority=high\n",
        "bad.repo:3: `priority=high`: expected a whole number",
    );
}

#[test]
fn malformed_file_has_a_hint() {
    let h = TestHost::new();
    h.repo_file("bad.repo", "[a]\nbaseurl file:///x/\nnot a key\n");
    let out = h.run(&["--json", "list"]);
    out.code(2).stderr_has("hint: each line must be");
    assert!(out.json()["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("[section]"));
}

#[test]
fn malformed_yum_conf() {
    let h = TestHost::new();
    h.yum_conf("[main]\nmetadata_expire=soon\n");
    h.run(&["repolist"])
        .code(2)
        .stderr_has("/etc/yum.conf:2: `metadata_expire=soon`");
}

#[test]
fn unknown_main_keys_are_warned_about_with_file_and_line() {
    let h = TestHost::new();
    h.yum_conf("[main]\nkeepcache=0\nproxy=http://proxy:3128\ngpgcheck=1\n");
    let out = h.run(&["repolist"]);
    out.ok()
        .stderr_has("/etc/yum.conf:3: `proxy` in [main] is not a setting xcpng-mod knows");
    // yum keys that change nothing here are accepted without a word.
    assert!(!out.stderr.contains("keepcache"), "{}", out.stderr);
    h.run(&["--setopt=colour=always", "repolist"])
        .ok()
        .stderr_has("--setopt: `colour` in [main] is not a setting xcpng-mod knows");
}

#[test]
fn duplicate_repo_id_across_files() {
    let h = TestHost::new();
    h.repo_file("a.repo", "[dup]\nbaseurl=file:///a/\n");
    h.repo_file("b.repo", "# second\n[dup]\nbaseurl=file:///b/\n");
    let out = h.run(&["repolist", "--all"]);
    out.code(2)
        .stderr_has(
            "repo `dup` is defined twice: /etc/yum.repos.d/a.repo:1 and /etc/yum.repos.d/b.repo:2",
        )
        .stderr_has("hint: remove or rename");
}

#[test]
fn continuation_lines_and_list_values() {
    let h = TestHost::new();
    h.repo_file(
        "c.repo",
        "[c]\nname = Multi\n  line name\nbaseurl = http://a.example/x/,http://b.example/x/\n\thttp://c.example/x/\n\
         enabled: no\ngpgkey=file:///k1\n file:///k2\nmetadata_expire=90m\nskip_if_unavailable=True\n",
    );
    let r = &repolist(&h, &[])[0];
    assert_eq!(r["name"], "Multi line name");
    assert_eq!(
        r["baseurls"],
        serde_json::json!([
            "http://a.example/x/",
            "http://b.example/x/",
            "http://c.example/x/"
        ])
    );
    assert_eq!(r["enabled"], false);
    assert_eq!(
        r["gpgkeys"],
        serde_json::json!(["file:///k1", "file:///k2"])
    );
}

#[test]
fn enable_disable_globs_repo_and_setopt() {
    let h = with_fixture("xcp-ng.repo.8.3", "xcp-ng.repo");
    let en = |args: &[&str]| enabled_ids(&repolist(&h, args));
    assert_eq!(
        en(&["--enablerepo", "xcp-ng-test*"]),
        ["xcp-ng-base", "xcp-ng-testing", "xcp-ng-updates"]
    );
    assert_eq!(
        en(&["--enablerepo=xcp-ng-[cl]*"]),
        [
            "xcp-ng-base",
            "xcp-ng-candidates",
            "xcp-ng-ci",
            "xcp-ng-lab",
            "xcp-ng-updates"
        ]
    );
    assert_eq!(
        en(&["--disablerepo", "*", "--enablerepo", "xcp-ng-lab"]),
        ["xcp-ng-lab"]
    );
    assert_eq!(en(&["--disablerepo", "*updates"]), ["xcp-ng-base"]);
    assert_eq!(en(&["--repo", "xcp-ng-ci"]), ["xcp-ng-ci"]);
    assert_eq!(
        en(&["--repo", "xcp-ng-ci", "--repo", "xcp-ng-in*"]),
        ["xcp-ng-ci", "xcp-ng-incoming"]
    );
    assert_eq!(
        en(&["--setopt=xcp-ng-testing.enabled=1"]),
        ["xcp-ng-base", "xcp-ng-testing", "xcp-ng-updates"]
    );
    assert_eq!(en(&["--setopt", "*.enabled=0"]), Vec::<String>::new());
    // Options may come after the command too.
    let out = h.run(&["--json", "repolist", "--enablerepo", "xcp-ng-lab"]);
    assert_eq!(
        ids(out.json()["repos"].as_array().unwrap()),
        ["xcp-ng-base", "xcp-ng-lab", "xcp-ng-updates"]
    );
    // --nogpgcheck turns the checks off, with a warning.
    let out = h.run(&["--nogpgcheck", "--json", "repolist"]);
    out.ok().stderr_has("warning: --nogpgcheck");
    assert_eq!(out.json()["repos"][0]["gpgcheck"], false);
}

#[test]
fn unknown_repo_ids_are_usage_errors() {
    let h = with_fixture("xcp-ng.repo.8.3", "xcp-ng.repo");
    for args in [
        &["--enablerepo", "nope", "repolist"][..],
        &["--enablerepo", "nope*", "repolist"],
        &["--repo", "nope", "repolist"],
        &["--setopt=nope.enabled=1", "repolist"],
    ] {
        let out = h.run(args);
        out.code(2)
            .stderr_has("no repo matches `nope")
            .stderr_has("hint: `xcpng-mod repolist --all`");
    }
    h.run(&["--setopt=justakey", "repolist"])
        .code(2)
        .stderr_has("bad --setopt `justakey`");
    h.run(&["--repofrompath=noturl", "repolist"])
        .code(2)
        .stderr_has("bad --repofrompath `noturl`");
    // --disablerepo of an unknown id is not an error (as in yum).
    h.run(&["--disablerepo", "nope", "repolist"]).ok();
}

#[test]
fn setopt_reposdir_reads_another_directory() {
    let h = with_fixture("xcp-ng.repo.8.3", "xcp-ng.repo");
    let other = h.dir().join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("x.repo"), "[only-here]\nbaseurl=file:///x/\n").unwrap();
    let arg = format!("--setopt=reposdir={}", other.display());
    assert_eq!(ids(&repolist(&h, &[&arg])), ["only-here"]);
    // reposdir in the root's yum.conf is under the root.
    h.write(
        "/etc/my.repos.d/y.repo",
        "[from-conf]\nbaseurl=file:///y/\n",
    );
    h.yum_conf("[main]\nreposdir=/etc/my.repos.d\n");
    assert_eq!(ids(&repolist(&h, &[])), ["from-conf"]);
}

#[test]
fn repofrompath_adds_a_repo_for_this_run() {
    let h = with_fixture("xcp-ng.repo.8.3", "xcp-ng.repo");
    let dir = h.build_repo("local", &[pkg("r8125-module", "9.013.02", "1.xcpng8.3")]);
    let spec = format!("local,file://{}/", dir.display());
    let repos = repolist(&h, &["--repofrompath", &spec, "--repo", "local"]);
    let l = repos.iter().find(|r| r["id"] == "local").unwrap();
    assert_eq!(
        l["baseurls"],
        serde_json::json!([format!("file://{}/", dir.display())])
    );
    assert_eq!(enabled_ids(&repos), ["local"]);
    let out = h.run(&[
        "--repofrompath",
        &spec,
        "--repo",
        "local",
        "--json",
        "list",
        "--available",
    ]);
    out.ok();
    assert_eq!(
        common::nvrs(&out.json()),
        ["r8125-module-9.013.02-1.xcpng8.3"]
    );
    // A plain path works too.
    let spec = format!("p,{}", dir.display());
    let out = h.run(&[
        "--repofrompath",
        &spec,
        "--repo",
        "p",
        "--json",
        "list",
        "--available",
    ]);
    out.ok();
    assert_eq!(out.json()["packages"][0]["repo"], "p");
}

#[test]
fn includepkgs_and_exclude() {
    let h = TestHost::new();
    let dir = h.build_repo(
        "r",
        &[
            pkg("kernel", "4.19.19", "1"),
            pkg("intel-igb", "5.11.4", "1"),
            pkg("intel-ixgbe", "5.9.4", "1"),
        ],
    );
    h.repo_file(
        "r.repo",
        &format!(
            "[r]\nbaseurl=file://{}/\ngpgcheck=0\nexclude=kernel*\n",
            dir.display()
        ),
    );
    let list = |h: &TestHost| {
        let out = h.run(&["--json", "list", "--available"]);
        out.ok();
        common::nvrs(&out.json())
    };
    assert_eq!(list(&h), ["intel-igb-5.11.4-1", "intel-ixgbe-5.9.4-1"]);
    // Plans see the same candidates as listings.
    h.run(&["--assumeno", "install", "intel-igb"]).ok();
    h.run(&["--assumeno", "install", "kernel"])
        .code(1)
        .stderr_has("kernel");
    h.repo_file(
        "r.repo",
        &format!(
            "[r]\nbaseurl=file://{}/\ngpgcheck=0\nincludepkgs=intel-igb kernel\n",
            dir.display()
        ),
    );
    h.yum_conf("[main]\nexclude=kernel\n");
    assert_eq!(list(&h), ["intel-igb-5.11.4-1"]);
    h.run(&["--assumeno", "install", "intel-igb"]).ok();
    for excluded in ["intel-ixgbe", "kernel"] {
        h.run(&["--assumeno", "install", excluded]).code(1);
    }
}
