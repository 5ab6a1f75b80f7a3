//! RPM packaging (`packaging/xcpng-mod.spec`, `packaging/build-rpm.sh`).
//!
//! Always: the spec parses with the real `rpmspec` and follows XCP-ng's conventions, and
//! `build-rpm.sh --srpm-only` makes an SRPM whose vendored tarball builds offline (every crate
//! of Cargo.lock under vendor/, a .cargo/config.toml that replaces crates.io with it).
//!
//! With `XCPNG_MOD_TEST_RPMBUILD=1` only (a full release build inside rpmbuild, minutes): the
//! binary RPMs are built (`--zig` for glibc 2.17 when cargo-zigbuild is installed, else
//! `--native`), and their file lists, modes, config flags, requirements and payload are checked,
//! and they are installed into a temp root with the real `rpm` and the binary run from there.
//!
//! A test binary of its own, not a module of `tests/it`: the rpmbuild run is minutes of a
//! release build, which should not share the cores with the other tests and their timeouts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn spec() -> PathBuf {
    repo().join("packaging/xcpng-mod.spec")
}

const DIST: &str = ".xcpng8.3";

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Run a command, panicking with its output when it fails; stdout.
#[track_caller]
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The man pages and completions the package must carry, from the repository.
fn man_pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(repo().join("man"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".1"))
        .collect();
    pages.sort();
    assert!(pages.contains(&"xcpng-mod.1".to_string()), "{pages:?}");
    pages
}

/// `name-version` of every crates.io package in Cargo.lock.
fn locked_crates() -> Vec<String> {
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let mut crates = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|l| {
                l.strip_prefix(&format!("{key} = \""))
                    .and_then(|r| r.strip_suffix('"'))
                    .map(String::from)
            })
        };
        if field("source").is_some_and(|s| s.starts_with("registry+")) {
            crates.push(format!(
                "{}-{}",
                field("name").unwrap(),
                field("version").unwrap()
            ));
        }
    }
    assert!(crates.len() > 100, "{crates:?}");
    crates
}

#[test]
fn spec_parses_and_follows_xcpng_conventions() {
    let text = std::fs::read_to_string(spec()).unwrap();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(&format!("{name}:"))
                    .map(|v| v.trim().to_string())
            })
            .unwrap_or_else(|| panic!("no {name}: in the spec"))
    };
    assert_eq!(field("Name"), "xcpng-mod");
    assert_eq!(
        field("Version"),
        version(),
        "the spec's Version must be Cargo.toml's"
    );
    assert_eq!(
        field("Release"),
        "1%{?dist}",
        "XCP-ng release tags are N%{{?dist}}"
    );
    assert_eq!(field("Source0"), "%{name}-%{version}-vendored.tar.gz");
    // Offline build from vendor/, with the lock file.
    assert!(text.contains("cargo build --release --offline --locked"));
    assert!(text.contains("cargo zigbuild --release --offline --locked"));
    // The newest changelog entry is this version-release.
    let head = text
        .lines()
        .skip_while(|l| *l != "%changelog")
        .nth(1)
        .unwrap();
    assert!(
        head.starts_with("* ") && head.ends_with(&format!(" - {}-1", version())),
        "{head}"
    );

    // The real rpmspec agrees on names, and the dist tag is XCP-ng 8.3's.
    let names = run(Command::new("rpmspec")
        .args(["-q", "--define", &format!("dist {DIST}")])
        .args(["--qf", "%{name}-%{version}-%{release}.%{arch}\\n"])
        .arg(spec()));
    assert_eq!(
        lines(&names),
        [
            format!("xcpng-mod-{}-1{DIST}.x86_64", version()),
            format!("xcpng-mod-depmod-override-{}-1{DIST}.noarch", version()),
        ]
    );

    // What %install and %files say, macros expanded as rpmbuild would.
    let parsed = run(Command::new("rpmspec")
        .args(["-P", "--define", &format!("dist {DIST}")])
        .arg(spec()));
    for want in [
        "/usr/bin/xcpng-mod",
        "/usr/share/man/man1/xcpng-mod.1*",
        "/usr/share/bash-completion/completions/xcpng-mod",
        "/usr/share/zsh/site-functions/_xcpng-mod",
        "%config(noreplace) /etc/depmod.d/00-xcpng-override.conf",
        "/etc/xapi.d/plugins/xcpng-mod",
        "/usr/libexec/xcpng-mod/driver-tool",
        "%config(noreplace) /etc/xapi.conf.d/xcpng-mod-driver-tool.conf",
        "%dir /var/lib/xcpng-mod",
        "%dir /var/cache/xcpng-mod",
        "sed -i '1s|^#!.*|#!/usr/bin/python3|'",
    ] {
        assert!(
            parsed.contains(want),
            "the parsed spec lacks {want:?}:\n{parsed}"
        );
    }
    // 8.2's dom0 runs the plugin with python 2.7.
    let parsed82 = run(Command::new("rpmspec")
        .args(["-P", "--define", "dist .xcpng8.2"])
        .arg(spec()));
    assert!(parsed82.contains("sed -i '1s|^#!.*|#!/usr/bin/python|'"));
}

#[test]
fn srpm_carries_a_vendored_tarball_that_builds_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let start = Instant::now();
    let printed = run(Command::new(repo().join("packaging/build-rpm.sh"))
        .arg("--srpm-only")
        .arg(&out)
        .env("DIST", DIST));
    eprintln!("build-rpm.sh --srpm-only took {:.1?}", start.elapsed());
    let srpm = out.join(format!("xcpng-mod-{}-1{DIST}.src.rpm", version()));
    assert_eq!(lines(&printed), [srpm.to_string_lossy().to_string()]);

    let nevr = run(Command::new("rpm")
        .args(["-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE}"])
        .arg(&srpm));
    assert_eq!(nevr, format!("xcpng-mod {} 1{DIST}", version()));
    let tarball = format!("xcpng-mod-{}-vendored.tar.gz", version());
    assert_eq!(
        lines(&run(Command::new("rpm").arg("-qpl").arg(&srpm))),
        [tarball.clone(), "xcpng-mod.spec".to_string()]
    );
    let build_requires = lines(&run(Command::new("rpm").arg("-qpR").arg(&srpm)));
    assert!(
        build_requires.contains(&"cargo >= 1.88".to_string()),
        "{build_requires:?}"
    );

    // Unpack the SRPM and look inside the tarball.
    let unpack = tmp.path().join("unpack");
    std::fs::create_dir(&unpack).unwrap();
    run(Command::new("sh")
        .current_dir(&unpack)
        .arg("-c")
        .arg(format!("rpm2cpio '{}' | cpio -idm --quiet", srpm.display())));
    run(Command::new("tar")
        .current_dir(&unpack)
        .args(["-xzf", &tarball]));
    let top = unpack.join(format!("xcpng-mod-{}", version()));
    for f in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "CHANGELOG.md",
        "src/main.rs",
        "src/lib.rs",
        "completions/xcpng-mod.bash",
        "completions/_xcpng-mod",
        "depmod.d/00-xcpng-override.conf",
        "packaging/xapi-plugin/xcpng-mod",
        "packaging/xcpng-mod.spec",
    ] {
        assert!(top.join(f).is_file(), "the tarball lacks {f}");
    }
    for page in man_pages() {
        assert!(
            top.join("man").join(&page).is_file(),
            "the tarball lacks man/{page}"
        );
    }
    assert!(
        !top.join("tests").exists(),
        "tests/ does not belong in the tarball"
    );
    assert!(
        !top.join("target").exists(),
        "target/ does not belong in the tarball"
    );
    // The same sources as the repository.
    for f in [
        "Cargo.lock",
        "src/main.rs",
        "depmod.d/00-xcpng-override.conf",
    ] {
        assert_eq!(
            std::fs::read(top.join(f)).unwrap(),
            std::fs::read(repo().join(f)).unwrap(),
            "{f} differs from the repository's"
        );
    }
    // Every locked crate is vendored, and cargo is told to use vendor/ and never the network.
    let vendored: BTreeSet<String> = std::fs::read_dir(top.join("vendor"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for krate in locked_crates() {
        assert!(vendored.contains(&krate), "vendor/ lacks {krate}");
        assert!(
            top.join("vendor")
                .join(&krate)
                .join(".cargo-checksum.json")
                .is_file(),
            "vendor/{krate} has no .cargo-checksum.json"
        );
    }
    let config = std::fs::read_to_string(top.join(".cargo/config.toml")).unwrap();
    assert!(config.contains("[source.crates-io]\nreplace-with = \"vendored-sources\""));
    assert!(config.contains("[source.vendored-sources]\ndirectory = \"vendor\""));
    assert!(config.contains("offline = true"));

    // cargo resolves the whole graph from the tarball alone: no registry, no network.
    let empty_home = tmp.path().join("cargo-home");
    std::fs::create_dir(&empty_home).unwrap();
    run(Command::new(env!("CARGO"))
        .current_dir(&top)
        .env("CARGO_HOME", &empty_home)
        .args(["metadata", "--offline", "--locked", "--format-version", "1"]));
}

/// The binary RPMs: only with XCPNG_MOD_TEST_RPMBUILD=1 (a full release build).
#[test]
fn binary_rpms_have_the_right_files_and_requirements() {
    if std::env::var("XCPNG_MOD_TEST_RPMBUILD").as_deref() != Ok("1") {
        eprintln!("skipped: set XCPNG_MOD_TEST_RPMBUILD=1 to build the binary RPMs");
        return;
    }
    let zig = Command::new("cargo-zigbuild")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let start = Instant::now();
    run(Command::new(repo().join("packaging/build-rpm.sh"))
        .arg(if zig { "--zig" } else { "--native" })
        .arg(&out)
        .env("DIST", DIST));
    eprintln!(
        "build-rpm.sh ({}) took {:.1?}",
        if zig { "zig, glibc 2.17" } else { "native" },
        start.elapsed()
    );
    let v = version();
    let main = out.join(format!("xcpng-mod-{v}-1{DIST}.x86_64.rpm"));
    let conf = out.join(format!("xcpng-mod-depmod-override-{v}-1{DIST}.noarch.rpm"));
    assert!(
        main.is_file() && conf.is_file(),
        "{:?}",
        std::fs::read_dir(&out).unwrap().collect::<Vec<_>>()
    );

    // File lists (man pages may be compressed by the builder's brp-compress).
    let files = lines(&run(Command::new("rpm").arg("-qpl").arg(&main)));
    let mut want: Vec<String> = vec![
        "/etc/xapi.conf.d/xcpng-mod-driver-tool.conf".into(),
        "/etc/xapi.d/plugins/xcpng-mod".into(),
        "/usr/bin/xcpng-mod".into(),
        "/usr/libexec/xcpng-mod".into(),
        "/usr/libexec/xcpng-mod/driver-tool".into(),
        "/usr/share/bash-completion".into(),
        "/usr/share/bash-completion/completions".into(),
        "/usr/share/bash-completion/completions/xcpng-mod".into(),
        format!("/usr/share/doc/xcpng-mod-{v}"),
        format!("/usr/share/doc/xcpng-mod-{v}/CHANGELOG.md"),
        format!("/usr/share/doc/xcpng-mod-{v}/README.md"),
        "/usr/share/zsh".into(),
        "/usr/share/zsh/site-functions".into(),
        "/usr/share/zsh/site-functions/_xcpng-mod".into(),
        "/var/cache/xcpng-mod".into(),
        "/var/lib/xcpng-mod".into(),
    ];
    let compressed = files.iter().any(|f| f.ends_with(".1.gz"));
    for page in man_pages() {
        want.push(format!(
            "/usr/share/man/man1/{page}{}",
            if compressed { ".gz" } else { "" }
        ));
    }
    want.sort();
    let mut got = files.clone();
    got.sort();
    // Some rpm versions put %doc under /usr/share/doc/NAME (no version): accept either.
    let got: Vec<String> = got
        .into_iter()
        .map(|f| {
            f.replace(
                "/usr/share/doc/xcpng-mod/",
                &format!("/usr/share/doc/xcpng-mod-{v}/"),
            )
        })
        .map(|f| {
            if f == "/usr/share/doc/xcpng-mod" {
                format!("/usr/share/doc/xcpng-mod-{v}")
            } else {
                f
            }
        })
        .collect();
    let want_set: BTreeSet<_> = want.iter().cloned().collect();
    let got_set: BTreeSet<_> = got.iter().cloned().collect();
    let doc_dir = format!("/usr/share/doc/xcpng-mod-{v}");
    let missing: Vec<_> = want_set
        .difference(&got_set)
        .filter(|f| **f != doc_dir)
        .collect();
    let extra: Vec<_> = got_set.difference(&want_set).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}\n{files:#?}"
    );
    eprintln!("{} files:\n{}", main.display(), files.join("\n"));

    assert_eq!(
        lines(&run(Command::new("rpm").arg("-qpl").arg(&conf))),
        ["/etc/depmod.d/00-xcpng-override.conf"]
    );
    // %config(noreplace): the file flags hold c and n.
    let flags = run(Command::new("rpm")
        .args(["-qp", "--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\n]"])
        .arg(&conf));
    let flag = flags.split_whitespace().next().unwrap();
    assert!(flag.contains('c') && flag.contains('n'), "{flags}");

    // Modes.
    let modes = run(Command::new("rpm")
        .args([
            "-qp",
            "--qf",
            "[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]",
        ])
        .arg(&main));
    for (path, perms) in [
        ("/usr/bin/xcpng-mod", "-rwxr-xr-x"),
        ("/etc/xapi.d/plugins/xcpng-mod", "-rwxr-xr-x"),
        ("/usr/libexec/xcpng-mod/driver-tool", "-rwxr-xr-x"),
        ("/etc/xapi.conf.d/xcpng-mod-driver-tool.conf", "-rw-r--r--"),
        ("/var/lib/xcpng-mod", "drwxr-xr-x"),
        ("/var/cache/xcpng-mod", "drwxr-xr-x"),
        ("/usr/share/zsh/site-functions/_xcpng-mod", "-rw-r--r--"),
    ] {
        assert!(
            modes
                .lines()
                .any(|l| l == format!("{perms} root:root {path}")),
            "{path} is not {perms} root:root:\n{modes}"
        );
    }

    // Requirements: the host's rpm and kmod, the plugin's python3, glibc and libgcc_s only,
    // and nothing rpm 4.11 (XCP-ng 8.x) cannot read.
    let requires = lines(&run(Command::new("rpm").arg("-qpR").arg(&main)));
    eprintln!("rpm -qpR:\n{}", requires.join("\n"));
    for r in &requires {
        // /bin/sh: driver-tool is a shell script; config(): the xapi.conf.d fragment is
        // %config, which rpm marks so.
        let ok = ["rpm", "kmod", "/usr/bin/python3", "/bin/sh"].contains(&r.as_str())
            || *r == format!("config(xcpng-mod) = {v}-1{DIST}")
            || r.starts_with("libc.so.6")
            || r.starts_with("libm.so.6")
            || r.starts_with("libdl.so.2")
            || r.starts_with("libpthread.so.0")
            || r.starts_with("librt.so.1")
            || r.starts_with("libgcc_s.so.1")
            || r.starts_with("ld-linux-x86-64.so.2")
            || r.starts_with("rtld(GNU_HASH)")
            || r.starts_with("rpmlib(");
        assert!(ok, "unexpected requirement {r:?} in {requires:?}");
        assert!(
            !r.contains("Zstd"),
            "rpm 4.11 cannot read zstd payloads: {r}"
        );
    }
    assert!(requires.contains(&"rpm".to_string()) && requires.contains(&"kmod".to_string()));
    if zig {
        for r in requires.iter().filter(|r| r.contains("(GLIBC_")) {
            let ver = r
                .split("(GLIBC_")
                .nth(1)
                .unwrap()
                .split(')')
                .next()
                .unwrap();
            let parts: Vec<u32> = ver.split('.').map(|p| p.parse().unwrap()).collect();
            assert!(
                parts[0] == 2 && parts[1] <= 17,
                "{r} needs more than glibc 2.17"
            );
        }
    }
    let payload = run(Command::new("rpm")
        .args(["-qp", "--qf", "%{PAYLOADCOMPRESSOR}"])
        .arg(&main));
    assert_eq!(payload, "xz");
    let conf_requires = lines(&run(Command::new("rpm").arg("-qpR").arg(&conf)));
    assert!(
        conf_requires.iter().any(|r| r == "kmod"),
        "{conf_requires:?}"
    );

    // Install both into a temp root with the real rpm, then use what was installed.
    let root = tmp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    run(Command::new("rpm")
        .arg("--root")
        .arg(&root)
        .args(["--initdb"]));
    run(Command::new("rpm")
        .arg("--root")
        .arg(&root)
        .args(["-i", "--nodeps", "--noscripts"])
        .arg(&main)
        .arg(&conf));
    run(Command::new("rpm").arg("--root").arg(&root).args([
        "-V",
        "--nodeps",
        "xcpng-mod",
        "xcpng-mod-depmod-override",
    ]));
    let version_out = run(Command::new(root.join("usr/bin/xcpng-mod")).arg("--version"));
    assert_eq!(version_out.trim(), format!("xcpng-mod {v}"));
    let plugin = std::fs::read_to_string(root.join("etc/xapi.d/plugins/xcpng-mod")).unwrap();
    assert!(
        plugin.starts_with("#!/usr/bin/python3\n"),
        "{}",
        plugin.lines().next().unwrap()
    );
    assert_eq!(
        std::fs::read(root.join("etc/depmod.d/00-xcpng-override.conf")).unwrap(),
        std::fs::read(repo().join("depmod.d/00-xcpng-override.conf")).unwrap()
    );
    // The xapi.conf.d fragment, read as xapi reads its configuration (xcp_service.ml:
    // comments cut at `#`, `key = value`, quotes stripped; fragments after xapi.conf), names
    // the installed driver-tool, which reaches the installed binary's `driver-tool` (a bad
    // argument: refused with exit 2 before anything is read, so this machine's / is untouched).
    let fragment =
        std::fs::read_to_string(root.join("etc/xapi.conf.d/xcpng-mod-driver-tool.conf")).unwrap();
    let keys: Vec<(String, String)> = fragment
        .lines()
        .map(|l| l.split('#').next().unwrap().trim_end())
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            let k = k.trim();
            (!k.is_empty() && !k.contains([' ', '\t'])).then(|| {
                (
                    k.to_string(),
                    v.trim().trim_matches(['"', '\'']).to_string(),
                )
            })
        })
        .collect();
    assert_eq!(
        keys,
        [(
            "drivertool".to_string(),
            "/usr/libexec/xcpng-mod/driver-tool".to_string()
        )]
    );
    let tool = root.join(keys[0].1.trim_start_matches('/'));
    let out = Command::new(&tool).arg("no-such-call").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("driver-tool: cannot read `no-such-call`"),
        "{out:?}"
    );
}
