//! Running verified package files through the root's own `rpm`: new versions of install-only
//! packages (the kernel) with `rpm -i`, every other install, upgrade, downgrade (`--oldpackage`)
//! and reinstall (`--replacepkgs`) in one `rpm -U` transaction, removals with `rpm -e`. rpm
//! checks each transaction's dependencies and file conflicts before it changes anything, so
//! every step leaves a consistent rpmdb; removals go first only when the install step would
//! conflict with a package being removed (found with `--test`); when the installs then fail,
//! the caller puts the erased packages back from the journal's kept files
//! ([`super::journal::put_back`]). rpm's output (scriptlets
//! included) goes to stderr, through a file that outlives xcpng-mod. While rpm runs, SIGINT and SIGQUIT are ignored by xcpng-mod so that
//! an interrupt never leaves rpm's work unrecorded.

use crate::sysroot::Sysroot;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What to hand to rpm.
#[derive(Debug, Clone, Default)]
pub struct RpmPlan {
    /// New versions of install-only packages, installed beside the old ones.
    pub install_only: Vec<PathBuf>,
    /// Installs, upgrades, downgrades and reinstalls: one `rpm -U`.
    pub upgrade: Vec<PathBuf>,
    pub oldpackage: bool,
    pub replacepkgs: bool,
    /// `name-version-release.arch` to erase.
    pub erase: Vec<String>,
}

/// The root's `rpm` ([`crate::rpm::command`]).
pub fn rpm(root: &Sysroot) -> Command {
    crate::rpm::command(root)
}

/// Ignore SIGINT/SIGQUIT while alive (rpm, in the same process group, gets them and finishes
/// the package in hand; we wait for it).
struct IgnoreInterrupts {
    old: [(libc::c_int, libc::sighandler_t); 2],
}

impl IgnoreInterrupts {
    fn new() -> IgnoreInterrupts {
        // SAFETY: installing SIG_IGN; the previous handlers are restored on drop.
        let old = unsafe {
            [
                (libc::SIGINT, libc::signal(libc::SIGINT, libc::SIG_IGN)),
                (libc::SIGQUIT, libc::signal(libc::SIGQUIT, libc::SIG_IGN)),
            ]
        };
        IgnoreInterrupts { old }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        for (sig, h) in self.old {
            // SAFETY: restoring the handler that was there before.
            unsafe {
                libc::signal(sig, h);
            }
        }
    }
}

/// Run one rpm command; its stdout and stderr are shown on our stderr (when `show`) and
/// returned. Ok(()) on exit 0.
///
/// rpm writes into an unnamed file, not into a pipe to us: if xcpng-mod is killed while rpm
/// runs (the OOM killer, a `kill -9` of its pid), rpm and its scriptlets go on writing and
/// finish their work instead of dying of SIGPIPE midway; the journal and the rpmdb then tell
/// the next run what was done. We read the file as it grows.
fn run(mut cmd: Command, show: bool) -> Result<String, String> {
    use std::os::unix::fs::FileExt;
    let out = tempfile::tempfile().map_err(|e| format!("cannot make rpm's output file: {e}"))?;
    let dup = |f: &std::fs::File| f.try_clone().map_err(|e| format!("rpm's output file: {e}"));
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(dup(&out)?))
        .stderr(Stdio::from(dup(&out)?));
    let _guard = IgnoreInterrupts::new();
    let mut child = cmd.spawn().map_err(|e| format!("cannot run rpm: {e}"))?;
    drop(cmd);
    let mut all: Vec<u8> = Vec::new();
    let mut shown = 0;
    let mut buf = vec![0u8; 1 << 16];
    let status = loop {
        let exited = child.try_wait();
        // Read whatever rpm wrote since the last look.
        loop {
            match out.read_at(&mut buf, all.len() as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
        if show {
            if let Some(end) = all[shown..].iter().rposition(|&b| b == b'\n') {
                eprint!("{}", String::from_utf8_lossy(&all[shown..shown + end + 1]));
                shown += end + 1;
            }
        }
        match exited {
            Ok(Some(s)) => break Ok(s),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => break Err(e),
        }
    };
    if show && shown < all.len() {
        eprintln!("{}", String::from_utf8_lossy(&all[shown..]));
    }
    let captured = String::from_utf8_lossy(&all).into_owned();
    match status {
        Ok(s) if s.success() => Ok(captured),
        Ok(s) => Err(format!(
            "{} ({})",
            captured.trim(),
            s.code()
                .map(|c| format!("rpm exited with {c}"))
                .unwrap_or_else(|| "rpm was killed".into())
        )),
        Err(e) => Err(format!("waiting for rpm: {e}")),
    }
}

fn upgrade_cmd(root: &Sysroot, p: &RpmPlan, test: bool) -> Command {
    let mut c = rpm(root);
    c.arg("-U");
    if p.oldpackage {
        c.arg("--oldpackage");
    }
    if p.replacepkgs {
        c.arg("--replacepkgs");
    }
    if test {
        c.arg("--test");
    }
    c.args(&p.upgrade);
    c
}

fn install_cmd(root: &Sysroot, files: &[PathBuf], test: bool) -> Command {
    let mut c = rpm(root);
    c.arg("-i");
    if test {
        c.arg("--test");
    }
    c.args(files);
    c
}

fn erase_cmd(root: &Sysroot, names: &[String], test: bool) -> Command {
    let mut c = rpm(root);
    c.arg("-e");
    if test {
        c.arg("--test");
    }
    c.args(names);
    c
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    InstallOnly,
    Upgrade,
    Erase,
}

/// Run the plan. Err holds rpm's complaint; what happened is then read from the rpmdb.
pub fn execute(root: &Sysroot, p: &RpmPlan) -> Result<(), String> {
    let mut order = vec![Part::InstallOnly, Part::Upgrade, Part::Erase];
    let installs = !p.install_only.is_empty() || !p.upgrade.is_empty();
    if installs && !p.erase.is_empty() {
        // Would the installs go through with the packages to remove still there?
        let mut probe = p.clone();
        probe.upgrade.extend(p.install_only.iter().cloned());
        if let Err(e) = run(upgrade_cmd(root, &probe, true), false) {
            let names_removed = p.erase.iter().any(|n| {
                let name = n.rsplitn(3, '-').nth(2).unwrap_or(n);
                e.contains(n.as_str()) || e.contains(&format!(" {name}"))
            });
            if !names_removed {
                return Err(e);
            }
            run(erase_cmd(root, &p.erase, true), false)?;
            order = vec![Part::Erase, Part::InstallOnly, Part::Upgrade];
        }
    }
    for part in order {
        match part {
            Part::InstallOnly if !p.install_only.is_empty() => {
                run(install_cmd(root, &p.install_only, false), true)?;
            }
            Part::Upgrade if !p.upgrade.is_empty() => {
                run(upgrade_cmd(root, p, false), true)?;
            }
            Part::Erase if !p.erase.is_empty() => {
                run(erase_cmd(root, &p.erase, false), true)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Install package files with `rpm -i` (used to put back what a failed run erased).
pub fn install(root: &Sysroot, files: &[PathBuf]) -> Result<(), String> {
    run(install_cmd(root, files, false), true).map(|_| ())
}

/// Erase packages (used by `history recover` to finish half-done upgrades).
pub fn erase(root: &Sysroot, names: &[String]) -> Result<(), String> {
    run(erase_cmd(root, names, false), true).map(|_| ())
}
