//! Security boundaries of a root, through the real binary and the real `rpm --root`: symbolic
//! links inside the root never lead a write out of it (state files, the cache, the keep
//! directory), names that would be paths are refused, and a parsed cache edited by hand is
//! rebuilt from verified data rather than believed.

use crate::common;
use crate::common::{pkg, TestHost};
use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// Every file below `dir` with its content (links as `-> target`).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                todo.push(p.clone());
                out.insert(p, b"<dir>".to_vec());
            } else if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.insert(p, format!("-> {}", t.display()).into_bytes());
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A host whose repo holds a driver package (kept for offline rollback) and its dependency.
fn driver_host() -> TestHost {
    let h = TestHost::new();
    h.install(&[pkg("filesystem", "3.2", "1")]);
    h.add_repo(
        "base",
        true,
        &[
            pkg("intel-igb-alt", "5.17.5", "1")
                .requires("libfoo")
                .file("/lib/modules/4.19.0+1/override/igb.ko", b"module"),
            pkg("libfoo", "2.0", "1").file("/usr/lib/libfoo.so", b"lib"),
        ],
    );
    h
}

/// Make `host_path` inside the root a symbolic link to `target`.
fn link(h: &TestHost, host_path: &str, target: &Path) {
    let p = h.host_path(host_path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&p);
    let _ = std::fs::remove_file(&p);
    symlink(target, &p).unwrap();
}

/// Links to a directory outside the root, absolute or relative, for each directory the tool
/// writes into: refused before anything changes, naming the link, and nothing outside changes.
/// Links that stay inside the root (absolute or relative) are followed as usual.
#[test]
fn directory_links_out_of_the_root_are_refused_and_links_inside_it_work() {
    let cases = [
        "/var/cache/xcpng-mod",
        "/var/cache/xcpng-mod/base",
        "/var/cache/xcpng-mod/keep",
        "/var/lib/xcpng-mod",
        "/var/log",
        "/run",
        "/var/cache",
    ];
    for case in cases {
        for relative in [false, true] {
            let h = driver_host();
            let outside = h.dir().join("outside");
            std::fs::create_dir_all(&outside).unwrap();
            let target = if relative {
                // From the link's directory up past the root.
                let depth = case.matches('/').count() - 1;
                PathBuf::from(format!("{}outside", "../".repeat(depth + 1)))
            } else {
                outside.clone()
            };
            link(&h, case, &target);
            let before = tree(&outside);
            let installed = h.rpm_qa();
            h.run(&["-y", "install", "intel-igb-alt"])
                .code(1)
                .stderr_has(&format!(
                    "{} is a symbolic link",
                    h.host_path(case).display()
                ))
                .stderr_has("outside the root");
            assert_eq!(tree(&outside), before, "{case} (relative: {relative})");
            assert_eq!(h.rpm_qa(), installed, "{case}: nothing may be installed");
        }
    }
    // Inside the root: /var/lib/xcpng-mod -> /data (absolute, the root's own /data would be
    // the host's; so the link names the root's path) and /var/cache -> ../data2 (relative).
    let h = driver_host();
    std::fs::create_dir_all(h.host_path("/data")).unwrap();
    std::fs::create_dir_all(h.host_path("/data2")).unwrap();
    link(&h, "/var/lib/xcpng-mod", &h.host_path("/data"));
    link(&h, "/var/cache", Path::new("../data2"));
    h.run(&["-y", "install", "intel-igb-alt"]).ok();
    assert!(h.host_path("/data/history").is_file());
    assert!(h
        .host_path("/data2/xcpng-mod/base/repodata/repomd.xml")
        .is_file());
}

/// A state file that is a link to a file outside: refused before anything changes, naming the
/// link; the outside file is untouched. On every root, also `/`: the same open flags are used.
#[test]
fn a_state_file_that_is_a_link_is_refused_before_anything_changes() {
    for case in [
        "/var/log/xcpng-mod.log",
        "/var/lib/xcpng-mod/history",
        "/var/lib/xcpng-mod/journal",
        "/run/xcpng-mod.lock",
        "/var/cache/xcpng-mod/keep/manifest",
    ] {
        let h = driver_host();
        let victim = h.dir().join("victim");
        std::fs::write(&victim, b"precious\n").unwrap();
        link(&h, case, &victim);
        let before = h.rpm_qa();
        h.run(&["-y", "install", "intel-igb-alt"])
            .code(1)
            .stderr_has(case.rsplit('/').next().unwrap())
            .stderr_has("symbolic link");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious\n", "{case}");
        assert_eq!(h.rpm_qa(), before, "{case}: nothing may be installed");
    }
}

/// A relative `--root` is made absolute before anything runs (rpm refuses relative roots,
/// only after planning and downloading); a root that is not a directory is a usage error.
#[test]
fn a_relative_root_works_and_a_missing_one_is_a_usage_error() {
    let h = driver_host();
    let out = common::run_raw(
        &["--root", "root", "-y", "install", "intel-igb-alt"],
        h.dir(),
    );
    out.ok();
    assert!(h
        .rpm_qa_fmt("%{NAME}\\n")
        .contains(&"intel-igb-alt".to_string()));
    common::run_raw(&["--root", "nowhere", "repolist"], h.dir())
        .code(2)
        .stderr_has("--root `nowhere` is not a directory");
}

/// Repo ids and kernel releases are single path components: `..`, `a/../../x`, hidden names
/// and control characters are refused with exit 2 naming the value and where it came from,
/// and nothing is written outside the cache.
#[test]
fn names_that_would_be_paths_are_refused() {
    let h = TestHost::new();
    let repo = h.build_repo("r", &[pkg("zfs", "2.1.7", "1")]);
    let url = format!("file://{}", repo.display());
    for id in ["..", ".", ".hidden", "a\u{1}b"] {
        h.repo_file(
            "bad.repo",
            &format!("[main]\n\n[{id}]\nname=x\nbaseurl={url}\nenabled=1\ngpgcheck=0\n"),
        );
        let out = h.run(&["makecache"]);
        out.code(2).stderr_has("bad.repo:3").stderr_has("repo id");
    }
    std::fs::remove_file(h.host_path("/etc/yum.repos.d/bad.repo")).unwrap();
    for id in ["..", "a/../../x", "../x", ".x"] {
        let spec = format!("{id},{url}");
        h.run(&["--repofrompath", &spec, "makecache"])
            .code(2)
            .stderr_has("--repofrompath")
            .stderr_has("repo id");
    }
    assert!(!h.dir().join("x").exists() && !h.root().join("var/cache/x").exists());
    for k in ["../..", "a/b", "..", "-x", "/abs"] {
        let arg = format!("--kernel={k}");
        h.run(&[&arg, "modules"])
            .code(2)
            .stderr_has("kernel release");
    }
    for m in ["../../etc", "a/b", ".."] {
        h.run(&["modules", m]).code(2).stderr_has("module name");
        h.run(&["reload", "--dry-run", m])
            .code(2)
            .stderr_has("module name");
        h.run(&["--assumeno", "rollback", m])
            .code(2)
            .stderr_has("module name");
    }
}

/// With repo_gpgcheck=1, the parsed caches are bound to the verified repomd by digests kept in
/// the state directory: an edited listing cache, solver store or raw primary is not believed.
#[test]
fn an_edited_parsed_cache_is_rebuilt_from_verified_data() {
    use crate::trust_support::{gen_key, now, primary_xml, public_asc, write_repo};
    let h = TestHost::new();
    let served = h.dir().join("served");
    let key = gen_key("K <k@example.org>");
    write_repo(
        &served,
        1,
        now(),
        &primary_xml(&[("zfs", "2.1.7"), ("igb", "5.3")]),
        Some(&key),
    );
    let kp = h.host_path("/etc/pki/rpm-gpg/RPM-GPG-KEY-test");
    std::fs::create_dir_all(kp.parent().unwrap()).unwrap();
    std::fs::write(&kp, public_asc(&key)).unwrap();
    h.repo_file(
        "s.repo",
        &format!(
            "[s]\nname=s\nbaseurl=file://{}/\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\n\
             gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-test\nmetadata_max_age=never\n",
            served.display()
        ),
    );
    h.run(&["makecache"]).ok();
    let names = |h: &TestHost| -> Vec<String> {
        let doc = h.run(&["-C", "--json", "list", "--available"]).ok().json();
        let mut v: Vec<String> = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&h), vec!["igb", "zfs"]);
    let rd = h.host_path("/var/cache/xcpng-mod/s/repodata");
    // Edit the listing and the store: flip a name inside each, keeping the length.
    for f in ["primary.listing", "primary.solver"] {
        let mut data = std::fs::read(rd.join(f)).unwrap();
        let at = data
            .windows(3)
            .rposition(|w| w == b"zfs")
            .expect("name in cache");
        data[at..at + 3].copy_from_slice(b"evl");
        std::fs::write(rd.join(f), data).unwrap();
    }
    let v = h.run(&["-C", "-v", "--json", "list", "--available"]);
    v.ok().stderr_has("not the file recorded");
    assert_eq!(
        names(&h),
        vec!["igb", "zfs"],
        "the edit must not be believed"
    );
    // The solver store too: a plan names the real package.
    let plan = h
        .run(&["-C", "--json", "--assumeno", "install", "zfs"])
        .json();
    assert!(plan.to_string().contains("\"zfs\""), "{plan}");

    // The raw primary edited (and the parsed caches removed): refused, not parsed.
    for f in ["primary.listing", "primary.solver"] {
        std::fs::remove_file(rd.join(f)).unwrap();
    }
    let raw = std::fs::read_dir(&rd)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("primary.xml"))
        .unwrap();
    let text = std::fs::read_to_string(&raw).unwrap();
    std::fs::write(&raw, text.replace("zfs", "evl")).unwrap();
    h.run(&["-C", "list", "--available"])
        .code(1)
        .stderr_has("not the file repomd.xml names");
    h.run(&["--refresh", "list", "--available"])
        .ok()
        .stdout_has("zfs");
}

/// Every write goes through `hostfs` (which keeps writes inside the root and never writes
/// through a link): no other module of the tool calls a writing file-system function. The
/// demo builds its own tree and is left out; test modules are too.
#[test]
fn only_hostfs_writes_to_the_file_system() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden = [
        "fs::write(",
        "File::create(",
        "create_dir_all(",
        "create_dir(",
        "fs::rename(",
        "remove_file(",
        "remove_dir_all(",
        "fs::copy(",
        "NamedTempFile",
        "tempfile::Builder",
        "hard_link(",
        "fs::symlink(",
        "set_permissions(",
    ];
    let mut found = Vec::new();
    let mut todo = vec![src.clone()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            // Test modules in their own file (`tests.rs`) write fixtures, as `#[cfg(test)]`
            // blocks do.
            if !name.ends_with(".rs")
                || name == "hostfs.rs"
                || name == "demo.rs"
                || name == "tests.rs"
            {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for stmt in code.split(';') {
                let flat: String = stmt.split_whitespace().collect::<Vec<_>>().join(" ");
                let writes_open = ["write(true)", "append(true)", "create(true)"]
                    .iter()
                    .any(|w| flat.contains(w));
                if writes_open && !flat.contains("hostfs::open(") {
                    found.push(format!("{}: {flat}", p.display()));
                }
                for f in forbidden {
                    for (at, _) in flat.match_indices(f) {
                        let before = &flat[..at];
                        if !before.ends_with("hostfs::") && !before.ends_with("host") {
                            found.push(format!("{}: `{f}` in {flat}", p.display()));
                        }
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "writes outside hostfs:\n{}",
        found.join("\n")
    );
}

/// `reload` takes the transaction lock before its preflight (and holds it to the history
/// record): while another run holds it, a reload is refused before anything is read or done;
/// a dry run changes nothing and needs no lock.
#[test]
fn reload_takes_the_lock_before_its_preflight() {
    use std::os::fd::AsRawFd;
    let h = TestHost::new();
    let lock = h.host_path("/run/xcpng-mod.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&lock).unwrap();
    // SAFETY: flock on a file we own.
    assert_eq!(
        unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    h.run(&["--kernel", "4.19.0+1", "reload", "dummy"])
        .code(1)
        .stderr_has("another xcpng-mod is running");
    drop(f);
    // Without the lock held, the same call gets to the preflight (no such module here).
    let out = h.run(&["--kernel", "4.19.0+1", "reload", "dummy"]);
    assert!(!out.stderr.contains("another xcpng-mod"), "{}", out.stderr);
}

/// The staging directories of a makecache killed midway (named after its pid, now gone) are
/// removed by the next fetch; those of a live process are left alone; the swap of the new
/// metadata in is one exchange, so `repodata` is always there and whole.
#[test]
fn a_killed_makecache_leaves_nothing_behind() {
    let h = TestHost::new();
    h.add_repo("base", true, &[pkg("a", "1", "1")]);
    h.run(&["makecache"]).ok();
    let dir = h.host_path("/var/cache/xcpng-mod/base");
    let dead = [
        dir.join("repodata.new-999999999"),
        dir.join("repodata.old-999999998"),
    ];
    let live = dir.join(format!("repodata.new-{}", std::process::id()));
    for d in dead.iter().chain([&live]) {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("repomd.xml"), b"half").unwrap();
    }
    h.run(&["--refresh", "makecache"]).ok();
    for d in &dead {
        assert!(!d.exists(), "{} is left over", d.display());
    }
    assert!(
        live.exists(),
        "a live process's staging directory is not ours to remove"
    );
    assert!(dir.join("repodata/repomd.xml").is_file());
    h.run(&["-C", "list", "--available"]).ok().stdout_has("a");
}
