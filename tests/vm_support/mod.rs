//! Real-kernel harness: boots Debian's cloud kernel (fetched by `scripts/fetch-kernel.sh`,
//! found through `XCPNG_MOD_KERNEL_DIR`) under `qemu-system-x86_64 -accel tcg` with an
//! initramfs built here — a static busybox, kmod's tools, the `xcpng-mod` binary under test
//! with the shared libraries `ldd` names, a small module tree and the scenario scripts — and
//! reads the verdict lines the guest prints on its serial console. Modules are only ever
//! loaded inside the guest, never on this machine.
//!
//! The guest's `/init` runs `/scenarios/<name>.sh` (`xcpng.scenario=<name>` on the kernel
//! command line); scenarios print `XCPNG-VERDICT name=<check> ok|fail <detail>` lines and
//! `/init` prints `XCPNG-DONE` before `poweroff -f`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Modules copied from the kernel package into the guest's tree.
const MODULES: &[&str] = &[
    "kernel/drivers/net/dummy.ko",
    "kernel/net/802/stp.ko",
    "kernel/net/llc/llc.ko",
    "kernel/net/bridge/bridge.ko",
    "kernel/drivers/block/loop.ko",
    // The driver of the VMware VMXNET3 card qemu emulates (15ad:07b0): a real PCI device.
    "kernel/drivers/net/vmxnet3/vmxnet3.ko",
];

/// The shared shell functions of every scenario.
const LIB_SH: &str = r#"
verdict() { echo "XCPNG-VERDICT name=$1 $2 $3"; }
# check NAME COMMAND...: a verdict from a command's success.
check() { n=$1; shift; if "$@"; then verdict "$n" ok; else verdict "$n" fail "$*"; fi; }
# xm ARGS...: run xcpng-mod, show its output on the console, keep it in /tmp/out and the
# exit code in $rc.
xm() {
    echo "+ xcpng-mod $*"
    xcpng-mod "$@" >/tmp/out 2>/tmp/err; rc=$?
    cat /tmp/out /tmp/err
    echo "+ exit $rc"
}
out_has() { grep -qF -- "$1" /tmp/out /tmp/err; }
loaded() { grep -q "^$1 " /proc/modules; }
# build_id MODULE: the loaded module's GNU build-id, hex (the note's descriptor).
build_id() { od -An -tx1 -v -j16 "/sys/module/$1/notes/.note.gnu.build-id" | tr -d ' \n'; }
has_iface() { [ -e "/sys/class/net/$1" ]; }
"#;

const INIT: &str = r#"#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /etc/depmod.d /etc/modprobe.d
/bin/busybox --install -s /bin
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
# busybox-static's shell prefers its own applets to PATH: call kmod's tools by path.
for t in modprobe insmod rmmod depmod lsmod modinfo; do eval "$t() { /sbin/$t \"\$@\"; }"; done
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
scenario=$(sed -n 's/.*xcpng\.scenario=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "XCPNG-BOOTED kernel=$(uname -r) scenario=$scenario"
depmod
. /scenarios/lib.sh
. /fixtures/build-ids
K=/lib/modules/$(uname -r)
if [ -f "/scenarios/$scenario.sh" ]; then
    . "/scenarios/$scenario.sh"
else
    verdict scenario fail "no scenario $scenario"
fi
echo XCPNG-DONE
poweroff -f
"#;

/// What the harness needs from this machine, or why it cannot run (None: skip outside CI).
pub struct Env {
    pub kernel_dir: PathBuf,
    pub kver: String,
    pub vmlinuz: PathBuf,
    pub busybox: PathBuf,
    pub kmod: PathBuf,
    pub qemu: PathBuf,
}

fn find_tool(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
}

/// The harness's inputs; skips (None) outside CI when something is missing, fails in CI.
pub fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Result<Env, String>> = OnceLock::new();
    let r = ENV.get_or_init(|| {
        let kernel_dir = std::env::var_os("XCPNG_MOD_KERNEL_DIR")
            .map(PathBuf::from)
            .ok_or("XCPNG_MOD_KERNEL_DIR is not set (export XCPNG_MOD_KERNEL_DIR=\"$(scripts/fetch-kernel.sh)\")")?;
        let kver = std::fs::read_dir(kernel_dir.join("lib/modules"))
            .map_err(|e| format!("{}/lib/modules: {e}", kernel_dir.display()))?
            .flatten()
            .find(|e| e.path().join("kernel").is_dir())
            .ok_or("no lib/modules/<kver>/kernel in XCPNG_MOD_KERNEL_DIR")?
            .file_name()
            .to_string_lossy()
            .into_owned();
        let vmlinuz = kernel_dir.join(format!("boot/vmlinuz-{kver}"));
        if !vmlinuz.exists() {
            return Err(format!("{} is missing", vmlinuz.display()));
        }
        let busybox = find_tool("busybox").ok_or("busybox not found: apt-get install busybox-static")?;
        let kmod = find_tool("kmod").ok_or("kmod not found: apt-get install kmod")?;
        let qemu = find_tool("qemu-system-x86_64")
            .ok_or("qemu-system-x86_64 not found: apt-get install qemu-system-x86")?;
        Ok(Env {
            kernel_dir,
            kver,
            vmlinuz,
            busybox,
            kmod,
            qemu,
        })
    });
    match r {
        Ok(e) => Some(e),
        Err(msg) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("VM tests cannot run: {msg}");
            }
            eprintln!("skipping VM test: {msg}");
            None
        }
    }
}

/// One file of the initramfs.
enum Entry {
    Dir,
    File { data: Vec<u8>, mode: u32 },
    Symlink(String),
}

/// A `newc` cpio archive, as the kernel unpacks it into its root file system.
#[derive(Default)]
pub struct Cpio {
    entries: BTreeMap<String, Entry>,
}

impl Cpio {
    fn parents(&mut self, path: &str) {
        let mut p = String::new();
        for part in path.split('/').filter(|s| !s.is_empty()) {
            if !p.is_empty() {
                self.entries.entry(p.clone()).or_insert(Entry::Dir);
                p.push('/');
            }
            p.push_str(part);
        }
    }

    pub fn dir(&mut self, path: &str) {
        let path = path.trim_start_matches('/').to_string();
        self.parents(&path);
        self.entries.insert(path, Entry::Dir);
    }

    pub fn file(&mut self, path: &str, data: Vec<u8>, mode: u32) {
        let path = path.trim_start_matches('/').to_string();
        self.parents(&path);
        self.entries.insert(path, Entry::File { data, mode });
    }

    pub fn symlink(&mut self, path: &str, target: &str) {
        let path = path.trim_start_matches('/').to_string();
        self.parents(&path);
        self.entries.insert(path, Entry::Symlink(target.into()));
    }

    /// A host file (symlinks followed), keeping its executable bit.
    pub fn copy(&mut self, path: &str, from: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let data = std::fs::read(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let mode = std::fs::metadata(from).unwrap().permissions().mode() & 0o777;
        self.file(path, data, mode);
    }

    /// A host binary and the shared libraries (and loader) `ldd` says it needs.
    pub fn binary(&mut self, path: &str, from: &Path) {
        self.copy(path, from);
        let out = Command::new("ldd").arg(from).output().expect("run ldd");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux… (0x…)"
            let lib = match line.split_once("=>") {
                Some((_, r)) => r.split_whitespace().next(),
                None => line.split_whitespace().next(),
            };
            if let Some(lib) = lib.filter(|l| l.starts_with('/')) {
                if !self.entries.contains_key(lib.trim_start_matches('/')) {
                    self.copy(lib, Path::new(lib));
                }
            }
        }
    }

    pub fn write(&self) -> Vec<u8> {
        fn header(out: &mut Vec<u8>, ino: u32, mode: u32, size: usize, name: &str) {
            let fields = [
                ino,
                mode,
                0,
                0,
                1,
                0,
                size as u32,
                0,
                0,
                0,
                0,
                name.len() as u32 + 1,
                0,
            ];
            out.extend_from_slice(b"070701");
            for f in fields {
                out.extend_from_slice(format!("{f:08X}").as_bytes());
            }
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        let mut out = Vec::new();
        for (i, (name, e)) in self.entries.iter().enumerate() {
            let ino = i as u32 + 1;
            let (mode, data): (u32, &[u8]) = match e {
                Entry::Dir => (0o040755, &[]),
                Entry::File { data, mode } => (0o100000 | mode, data),
                Entry::Symlink(t) => (0o120777, t.as_bytes()),
            };
            header(&mut out, ino, mode, data.len(), name);
            out.extend_from_slice(data);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        header(&mut out, 0, 0, 0, "TRAILER!!!");
        out
    }
}

/// A copy of a signed module changed as a driver vendor's rebuild would be: the appended
/// signature removed (a changed file with the old signature is refused outright), the
/// build-id changed, and the vermagic replaced when given (padded with NULs: the kernel skips
/// empty `.modinfo` strings).
pub fn variant(module: &[u8], build_id_xor: u8, vermagic: Option<&str>) -> Vec<u8> {
    let mut m = module.to_vec();
    const MARKER: &[u8] = b"~Module signature appended~\n";
    if m.ends_with(MARKER) {
        let end = m.len() - MARKER.len();
        // struct module_signature: 12 bytes, sig_len big-endian at offset 8.
        let sig_len = u32::from_be_bytes(m[end - 4..end].try_into().unwrap()) as usize;
        m.truncate(end - 12 - sig_len);
    }
    let info = xcpng_mod::modules::modinfo::parse_elf(&m).expect("a module");
    let id = hex::decode(info.build_id.expect("a build-id")).unwrap();
    let at = find(&m, &id).expect("build-id bytes in the file");
    m[at + id.len() - 1] ^= build_id_xor;
    if let Some(vm) = vermagic {
        let old = info.vermagic.expect("a vermagic");
        let needle = format!("vermagic={old}\0");
        let at = find(&m, needle.as_bytes()).expect("vermagic string");
        let new = format!("vermagic={vm}\0");
        assert!(
            new.len() <= needle.len(),
            "the new vermagic must not be longer"
        );
        let mut bytes = new.into_bytes();
        bytes.resize(needle.len(), 0);
        m[at..at + needle.len()].copy_from_slice(&bytes);
    }
    m
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The GNU build-id of module bytes, hex.
pub fn build_id(module: &[u8]) -> String {
    xcpng_mod::modules::modinfo::parse_elf(module)
        .expect("a module")
        .build_id
        .expect("a build-id")
}

/// The initramfs with every scenario, built once per test process.
pub fn initramfs(env: &Env, scenarios: &[(&str, &str)]) -> &'static Path {
    static IMAGE: OnceLock<PathBuf> = OnceLock::new();
    IMAGE.get_or_init(|| build_initramfs(env, scenarios))
}

fn build_initramfs(env: &Env, scenarios: &[(&str, &str)]) -> PathBuf {
    let mut c = Cpio::default();
    for d in [
        "proc",
        "sys",
        "dev",
        "tmp",
        "run",
        "etc/depmod.d",
        "etc/modprobe.d",
        "usr",
    ] {
        c.dir(d);
    }
    c.file("init", INIT.as_bytes().to_vec(), 0o755);
    c.binary("/bin/busybox", &env.busybox);
    c.binary("/bin/kmod", &env.kmod);
    for t in ["modprobe", "insmod", "rmmod", "depmod", "lsmod", "modinfo"] {
        c.symlink(&format!("/sbin/{t}"), "/bin/kmod");
    }
    // The binary under test, without its debug sections when `strip` is there (a fifth of
    // the size: the guest unpacks it at boot).
    let bin = Path::new(env!("CARGO_BIN_EXE_xcpng-mod"));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vm");
    std::fs::create_dir_all(&tmp).unwrap();
    let stripped = tmp.join("xcpng-mod");
    let ok = Command::new("strip")
        .arg("--strip-debug")
        .arg("-o")
        .arg(&stripped)
        .arg(bin)
        .status()
        .is_ok_and(|s| s.success());
    c.binary("/usr/bin/xcpng-mod", if ok { &stripped } else { bin });

    let kdir = env.kernel_dir.join("lib/modules").join(&env.kver);
    let gk = format!("/lib/modules/{}", env.kver);
    for f in [
        "modules.builtin",
        "modules.builtin.modinfo",
        "modules.order",
    ] {
        if kdir.join(f).exists() {
            c.copy(&format!("{gk}/{f}"), &kdir.join(f));
        }
    }
    for m in MODULES {
        c.copy(&format!("{gk}/{m}"), &kdir.join(m));
    }
    // Fixtures: the dummy driver as a vendor update would ship it (another build-id), and a
    // faulty alternate built for another kernel (vermagic the kernel refuses).
    let dummy = std::fs::read(kdir.join("kernel/drivers/net/dummy.ko")).unwrap();
    let update = variant(&dummy, 0x5a, None);
    let faulty = variant(&dummy, 0xa5, Some("4.19.0+1 SMP mod_unload modversions "));
    let mut ids = String::new();
    for (name, bytes) in [
        ("kernel_dummy", &dummy),
        ("update_dummy", &update),
        ("faulty_dummy", &faulty),
    ] {
        ids.push_str(&format!("{name}={}\n", build_id(bytes)));
    }
    add_rpm(&mut c, &env.kver, &update, &kdir);
    c.file("/fixtures/update/dummy.ko", update, 0o644);
    c.file("/fixtures/faulty/dummy.ko", faulty, 0o644);
    c.file("/fixtures/build-ids", ids.into_bytes(), 0o644);
    c.file("/scenarios/lib.sh", LIB_SH.as_bytes().to_vec(), 0o644);
    for (name, script) in scenarios {
        c.file(
            &format!("/scenarios/{name}.sh"),
            script.as_bytes().to_vec(),
            0o644,
        );
    }
    let path = tmp.join("initramfs.cpio");
    std::fs::write(&path, c.write()).unwrap();
    path
}

/// The root's package tools for the rollback scenario: the host's `rpm` with the libraries
/// `ldd` names and its configuration (the rpmdb in `/var/lib/rpm`, created by the first
/// install), the CA bundle, yum configuration, and a repo (`xcp-ng-candidates`, disabled, at
/// `file:///repo/`) holding `dummy-alt`, an alternate package whose `override/dummy.ko` is
/// `alt` (built with the rpm crate, indexed by the real `createrepo_c`). Without `rpm` here
/// nothing is added and the scenario's `setup-rpm` check fails.
fn add_rpm(c: &mut Cpio, kver: &str, alt: &[u8], kdir: &Path) {
    let Some(rpm) = find_tool("rpm") else {
        return;
    };
    // In /bin, so that busybox's own `rpm` applet does not take its place in PATH.
    c.binary("/bin/rpm", &rpm);
    // reqwest (rustls with the system's roots) refuses to build a client with no CA
    // certificate at all, and every command that reads the configuration builds one.
    let ca = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if ca.exists() {
        c.copy("/etc/ssl/certs/ca-certificates.crt", ca);
    }
    let conf = Path::new("/usr/lib/rpm");
    for f in ["rpmrc", "macros"] {
        if conf.join(f).exists() {
            c.copy(&format!("/usr/lib/rpm/{f}"), &conf.join(f));
        }
    }
    let plat = conf.join("platform/x86_64-linux/macros");
    if plat.exists() {
        c.copy("/usr/lib/rpm/platform/x86_64-linux/macros", &plat);
    }
    c.dir("/usr/lib/rpm/macros.d");
    // Debian's rpm keeps its database in ~/.rpmdb; an XCP-ng host in /var/lib/rpm.
    c.file(
        "/etc/rpm/macros",
        b"%_dbpath /var/lib/rpm\n%__plugindir /nonexistent\n".to_vec(),
        0o644,
    );
    c.file(
        "/etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\n".to_vec(),
        0o644,
    );
    c.file("/etc/group", b"root:x:0:\n".to_vec(), 0o644);
    c.dir("/var/lib/rpm");
    c.dir("/root");
    c.file("/etc/yum.conf", b"[main]\n".to_vec(), 0o644);
    c.file(
        "/etc/yum.repos.d/xcp-ng.repo",
        b"[xcp-ng-candidates]\nname=candidates\nbaseurl=file:///repo/\nenabled=0\ngpgcheck=0\nrepo_gpgcheck=0\n"
            .to_vec(),
        0o644,
    );
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vm-repo");
    let _ = std::fs::remove_dir_all(&tmp);
    let spec = xcpng_mod::demo::PkgSpec::new("dummy-alt", "1.0", "1.xcpng8.3")
        .summary("dummy driver, alternate build")
        .provides("vendor-driver")
        .file(&format!("/lib/modules/{kver}/override/dummy.ko"), alt);
    xcpng_mod::demo::build_rpm(&spec, &tmp.join("Packages")).expect("build dummy-alt");
    add_vmxnet3_packages(c, kver, kdir, &tmp);
    xcpng_mod::demo::createrepo(&tmp).expect("createrepo_c");
    add_tree(c, &tmp, "/repo");
}

/// For the driver-tool scenario: `/fixtures/kernel-vmxnet3.rpm`, a `kernel` package that owns
/// the kernel's vmxnet3.ko (the guest's rpmdb then knows it as the kernel's copy), and in
/// `repo` (`xcp-ng-candidates`) `vmxnet3-alt`, an alternate whose `override/vmxnet3.ko` is the
/// same driver with another build-id.
fn add_vmxnet3_packages(c: &mut Cpio, kver: &str, kdir: &Path, repo: &Path) {
    let rel = "kernel/drivers/net/vmxnet3/vmxnet3.ko";
    let real = std::fs::read(kdir.join(rel)).unwrap();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vm-vmxnet3");
    let _ = std::fs::remove_dir_all(&tmp);
    let kernel = xcpng_mod::demo::PkgSpec::new("kernel", "6.1.0", "57")
        .summary("the kernel's vmxnet3 driver")
        .file(&format!("/lib/modules/{kver}/{rel}"), &real);
    let rpm = xcpng_mod::demo::build_rpm(&kernel, &tmp).expect("build kernel rpm");
    c.copy("/fixtures/kernel-vmxnet3.rpm", &rpm);
    let alt = xcpng_mod::demo::PkgSpec::new("vmxnet3-alt", "1.7.0.0", "1.xcpng8.3")
        .summary("vmxnet3 driver, alternate build")
        .file(
            &format!("/lib/modules/{kver}/override/vmxnet3.ko"),
            &variant(&real, 0x3c, None),
        );
    xcpng_mod::demo::build_rpm(&alt, &repo.join("Packages")).expect("build vmxnet3-alt");
}

/// Every file under `dir`, at `at` in the image.
fn add_tree(c: &mut Cpio, dir: &Path, at: &str) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = format!("{at}/{}", e.file_name().to_string_lossy());
        if p.is_dir() {
            c.dir(&name);
            add_tree(c, &p, &name);
        } else {
            c.copy(&name, &p);
        }
    }
}

/// What one boot printed.
pub struct Boot {
    pub console: String,
    pub verdicts: Vec<(String, bool, String)>,
    pub done: bool,
}

impl Boot {
    /// Assert the scenario ran to the end, printed every `expected` verdict, and none failed.
    #[track_caller]
    pub fn assert_ok(&self, expected: &[&str]) {
        let show = || format!("--- serial console\n{}\n---", self.console);
        assert!(
            self.done,
            "the guest did not finish its scenario\n{}",
            show()
        );
        let failed: Vec<String> = self
            .verdicts
            .iter()
            .filter(|v| !v.1)
            .map(|v| format!("{} {}", v.0, v.2))
            .collect();
        assert!(failed.is_empty(), "failed checks: {failed:#?}\n{}", show());
        for e in expected {
            assert!(
                self.verdicts.iter().any(|v| v.0 == *e),
                "no verdict `{e}` was printed\n{}",
                show()
            );
        }
    }
}

/// Parse the console: `XCPNG-VERDICT name=N ok|fail DETAIL` lines and `XCPNG-DONE`.
pub fn parse_console(console: &str) -> Boot {
    let mut verdicts = Vec::new();
    let mut done = false;
    for l in console.lines() {
        let l = l.trim_end_matches('\r');
        if let Some(rest) = l.find("XCPNG-VERDICT name=").map(|i| &l[i + 19..]) {
            let mut w = rest.splitn(3, ' ');
            let name = w.next().unwrap_or("").to_string();
            let ok = w.next() == Some("ok");
            verdicts.push((name, ok, w.next().unwrap_or("").to_string()));
        }
        if l.trim() == "XCPNG-DONE" {
            done = true;
        }
    }
    Boot {
        console: console.to_string(),
        verdicts,
        done,
    }
}

/// Boot the kernel with the initramfs and run one scenario; the guest powers off at the end.
/// A hard timeout kills qemu (a safety net: a hung guest fails the test, it never hangs it).
pub fn boot(env: &Env, initrd: &Path, scenario: &str) -> Boot {
    let mut child = Command::new(&env.qemu)
        .args([
            "-accel",
            "tcg",
            "-m",
            "512",
            "-nographic",
            "-no-reboot",
            "-nic",
            "none",
            // A real PCI NIC with no network behind it (no netdev: the guest sends nothing).
            "-device",
            "vmxnet3",
        ])
        .arg("-kernel")
        .arg(&env.vmlinuz)
        .arg("-initrd")
        .arg(initrd)
        .arg("-append")
        .arg(format!(
            "console=ttyS0 panic=-1 quiet xcpng.scenario={scenario}"
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qemu-system-x86_64");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut timed_out = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let console = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let mut b = parse_console(&console);
    if timed_out {
        b.console
            .push_str("\n[harness: qemu killed after the 180 s safety timeout]\n");
        b.done = false;
    }
    if !err.trim().is_empty() {
        b.console.push_str(&format!("\n[qemu stderr]\n{err}"));
    }
    b
}
