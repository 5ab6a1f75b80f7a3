//! Test support: a `TestHost` is a temp host tree (`--root`) with yum configuration, repos of
//! real RPMs (built with the `rpm` crate, indexed by the real `createrepo_c`) and an rpmdb filled
//! by the real `rpm`, and it runs the real `xcpng-mod` binary on it with a clean environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use xcpng_mod::demo::PkgSpec;

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_xcpng-mod")
}

/// A project fixture path (`tests/fixtures/...`).
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Assert the exit code, showing both streams when it is wrong.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code {} (want {want})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Exit 0.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.code(0)
    }

    /// Parse stdout as the one JSON document of `--json`, checking `"version": 1`.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        });
        assert_eq!(v["version"], 1, "no \"version\": 1 in {v}");
        v
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}\n--- stdout\n{}",
            self.stderr,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Run the binary with exactly `args` and a clean environment (only PATH, so it finds `rpm`).
pub fn run_raw(args: &[&str], cwd: &Path) -> Out {
    run_raw_path(args, cwd, None)
}

/// [`run_raw`] with `first` put in front of PATH (wrappers of `rpm` and the like).
pub fn run_raw_path(args: &[&str], cwd: &Path, first: Option<&Path>) -> Out {
    run_raw_with(args, cwd, first, &[])
}

/// [`run_raw`] with these environment variables set too (`COLUMNS`, …).
pub fn run_raw_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Out {
    run_raw_with(args, cwd, None, env)
}

fn run_raw_with(args: &[&str], cwd: &Path, first: Option<&Path>, env: &[(&str, &str)]) -> Out {
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(first) = first {
        let mut p = first.as_os_str().to_os_string();
        p.push(":");
        p.push(&path);
        path = p;
    }
    let mut c = Command::new(bin());
    c.args(args)
        .env_clear()
        .env("PATH", path)
        .env("LC_ALL", "C")
        .env("HOME", cwd)
        .env("TMPDIR", cwd)
        .envs(env.iter().copied())
        .current_dir(cwd);
    let o = c.output().expect("run xcpng-mod");
    Out {
        // Killed by a signal: the shell's 128 + N.
        code: o.status.code().unwrap_or_else(|| {
            128 + std::os::unix::process::ExitStatusExt::signal(&o.status).unwrap_or(0)
        }),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    }
}

/// A temp host tree and the repos it points to.
pub struct TestHost {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHost {
    /// An empty host: `<tmp>/root` with `etc/yum.conf` holding an empty `[main]`.
    pub fn new() -> TestHost {
        let dir = tempfile::Builder::new()
            .prefix("xcpng-mod-test")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("etc/yum.repos.d")).unwrap();
        let h = TestHost { dir, root };
        h.yum_conf("[main]\n");
        h
    }

    /// The temp directory holding `root/`, `repos/`, `rpms/`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The host tree (`--root`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path under the host tree (`/etc/yum.conf` → `<root>/etc/yum.conf`).
    pub fn host_path(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }

    /// Write a file under the host tree.
    pub fn write(&self, host_path: &str, content: &str) -> &Self {
        let p = self.host_path(host_path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        self
    }

    pub fn yum_conf(&self, text: &str) -> &Self {
        self.write("/etc/yum.conf", text)
    }

    /// Write `etc/yum.repos.d/<name>` (name includes `.repo`).
    pub fn repo_file(&self, name: &str, text: &str) -> &Self {
        self.write(&format!("/etc/yum.repos.d/{name}"), text)
    }

    /// Build RPMs into `<tmp>/repos/<id>/Packages` and index `<tmp>/repos/<id>` with
    /// `createrepo_c`; returns the repo directory.
    pub fn build_repo(&self, id: &str, pkgs: &[PkgSpec]) -> PathBuf {
        let dir = self.dir().join("repos").join(id);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for p in pkgs {
            xcpng_mod::demo::build_rpm(p, &dir.join("Packages")).expect("build rpm");
        }
        xcpng_mod::demo::createrepo(&dir).expect("createrepo_c");
        dir
    }

    /// Build a repo and configure it as `[id]` with a `file://` baseurl, gpgcheck off.
    pub fn add_repo(&self, id: &str, enabled: bool, pkgs: &[PkgSpec]) -> PathBuf {
        let dir = self.build_repo(id, pkgs);
        self.repo_file(
            &format!("{id}.repo"),
            &format!(
                "[{id}]\nname=Test repo {id}\nbaseurl=file://{}/\nenabled={}\ngpgcheck=0\n",
                dir.display(),
                u8::from(enabled)
            ),
        );
        dir
    }

    /// Install packages into the host's rpmdb with the real `rpm --root`.
    pub fn install(&self, pkgs: &[PkgSpec]) -> &Self {
        let dir = self.dir().join("rpms");
        let files: Vec<PathBuf> = pkgs
            .iter()
            .map(|p| xcpng_mod::demo::build_rpm(p, &dir).expect("build rpm"))
            .collect();
        xcpng_mod::demo::rpm_install(&self.root, &files).expect("rpm -i");
        self
    }

    /// Run `xcpng-mod --root <root> ARGS…`.
    pub fn run(&self, args: &[&str]) -> Out {
        let root = self.root.to_str().unwrap();
        let mut all = vec!["--root", root];
        all.extend_from_slice(args);
        run_raw(&all, self.dir())
    }

    /// [`TestHost::run`] with `dir` first in PATH.
    pub fn run_with_path(&self, dir: &Path, args: &[&str]) -> Out {
        let root = self.root.to_str().unwrap();
        let mut all = vec!["--root", root];
        all.extend_from_slice(args);
        run_raw_path(&all, self.dir(), Some(dir))
    }

    /// Replace the temp paths in `s` by stable names, for snapshots.
    pub fn redact(&self, s: &str) -> String {
        let dir = self.dir().to_str().unwrap();
        s.replace(self.root.to_str().unwrap(), "[ROOT]")
            .replace(dir, "[TMP]")
    }

    /// Every file under the cache dir of repo `id`, path → bytes.
    pub fn cache_files(&self, id: &str) -> BTreeMap<String, Vec<u8>> {
        let base = self.host_path(&format!("/var/cache/xcpng-mod/{id}"));
        let mut out = BTreeMap::new();
        walk(&base, &base, &mut out);
        out
    }
}

fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(base, &p, out);
        } else {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

/// A small driver-like package.
pub fn pkg(name: &str, version: &str, release: &str) -> PkgSpec {
    PkgSpec::new(name, version, release)
}

/// Names of the packages in a `--json` list document, as `name-version-release`, sorted.
pub fn nvrs(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["packages"]
        .as_array()
        .expect("packages array")
        .iter()
        .map(|p| {
            format!(
                "{}-{}-{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap(),
                p["release"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

impl TestHost {
    /// What the real rpm says is installed, as `%{NAME}-%{VERSION}-%{RELEASE}`, sorted (for
    /// "nothing changed" checks).
    pub fn rpm_qa(&self) -> Vec<String> {
        self.rpm_qa_fmt("%{NAME}-%{VERSION}-%{RELEASE}\n")
    }

    /// `rpm -qa` with a query format, sorted.
    pub fn rpm_qa_fmt(&self, qf: &str) -> Vec<String> {
        let o = Command::new("rpm")
            .arg("--root")
            .arg(self.root())
            .args(["--dbpath", "/var/lib/rpm", "-qa", "--qf", qf])
            .output()
            .expect("run rpm -qa");
        let mut v: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }
}

/// The extracted kernel package, or None (skip) outside CI; in CI a missing tree fails.
pub fn kernel_tree() -> Option<(PathBuf, String)> {
    let found = std::env::var_os("XCPNG_MOD_KERNEL_DIR")
        .map(PathBuf::from)
        .and_then(|d| {
            let kver = std::fs::read_dir(d.join("lib/modules"))
                .ok()?
                .flatten()
                .find(|e| e.path().join("kernel").is_dir())?
                .file_name()
                .to_string_lossy()
                .into_owned();
            Some((d, kver))
        });
    if found.is_none() {
        let msg = "XCPNG_MOD_KERNEL_DIR is not set to an extracted kernel package \
                   (export XCPNG_MOD_KERNEL_DIR=\"$(scripts/fetch-kernel.sh)\")";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg}");
        }
        eprintln!("skipping: {msg}");
    }
    found
}

/// The kernel release of the XCP-ng-like test hosts' module trees.
pub const KVER: &str = "4.19.0+1";

/// `/lib/modules/KVER/<rel>`.
pub fn kpath(rel: &str) -> String {
    format!("/lib/modules/{KVER}/{rel}")
}

/// The srcversion `demo::module_bytes` writes for (module, version).
pub fn module_srcversion(module: &str, version: &str) -> String {
    use sha1::Digest;
    let id = sha1::Sha1::digest(format!("{module}-{version}").as_bytes());
    hex::encode_upper(&id[..12])
}

/// Pretend `module` is loaded on the running kernel `KVER`, built from `version` (under the
/// root's `proc` and `sys`: nothing is loaded into this machine's kernel).
pub fn fake_loaded(h: &TestHost, module: &str, version: &str) {
    h.write("/proc/sys/kernel/osrelease", &format!("{KVER}\n"));
    h.write(
        "/proc/modules",
        &format!("{module} 16384 0 - Live 0xffffffffc0000000\n"),
    );
    h.write(
        &format!("/sys/module/{module}/srcversion"),
        &format!("{}\n", module_srcversion(module, version)),
    );
    h.write(
        &format!("/sys/module/{module}/version"),
        &format!("{version}\n"),
    );
}
