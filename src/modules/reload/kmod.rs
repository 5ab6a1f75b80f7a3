//! The real kernel behind [`KernelOps`]: the root's own kmod tools (`modprobe`, `rmmod`),
//! `/proc/modules` and the kernel log.

use super::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::modules::inventory::ModulesError;
use crate::modules::loaded::{self, Loaded};
use crate::sysroot::Sysroot;

/// The real kernel: the root's kmod tools, `/proc/modules`, `/sys`, `/dev/kmsg`.
pub struct HostKernel {
    root: Sysroot,
    kmsg: Option<std::fs::File>,
}

impl HostKernel {
    pub fn new(root: Sysroot) -> HostKernel {
        HostKernel { root, kmsg: None }
    }

    fn tool(&self, name: &str) -> PathBuf {
        for d in ["/sbin", "/usr/sbin", "/bin", "/usr/bin"] {
            let p = self.root.join(d).join(name);
            if p.exists() {
                return p;
            }
        }
        PathBuf::from(name)
    }
}

impl KernelOps for HostKernel {
    fn run(&mut self, command: &[String]) -> Result<(), String> {
        let (prog, args) = command.split_first().ok_or("empty command")?;
        let out = Command::new(self.tool(prog))
            .args(args)
            .env("LC_ALL", "C")
            .output()
            .map_err(|e| format!("cannot run {prog}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let mut s = String::from_utf8_lossy(&out.stderr).trim().to_string();
            if s.is_empty() {
                s = format!("{prog} exited with {}", out.status);
            }
            Err(s)
        }
    }

    fn loaded(&mut self) -> BTreeMap<String, Loaded> {
        loaded::read_loaded(&self.root)
    }

    fn interfaces(&mut self) -> Vec<String> {
        crate::modules::list_dir(&self.root.join("/sys/class/net"))
    }

    fn log_mark(&mut self) {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::io::AsRawFd;
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(self.root.join("/dev/kmsg"));
        if let Ok(f) = f {
            // SAFETY: lseek on a file descriptor we own; on /dev/kmsg SEEK_END skips the
            // records logged so far.
            unsafe {
                libc::lseek(f.as_raw_fd(), 0, libc::SEEK_END);
            }
            self.kmsg = Some(f);
        }
    }

    fn log_errors(&mut self) -> Vec<String> {
        use std::io::Read;
        let Some(f) = self.kmsg.as_mut() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut buf = vec![0u8; 8192];
        loop {
            match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some(l) = parse_kmsg_error(&String::from_utf8_lossy(&buf[..n])) {
                        out.push(l);
                    }
                }
                // Records overwritten before we read them: go on with the next.
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                Err(_) => break,
            }
        }
        out
    }

    fn settle(&mut self) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A `/dev/kmsg` record (`prio,seq,ts,flags;message`) at level err or worse: its message.
pub fn parse_kmsg_error(record: &str) -> Option<String> {
    let (head, msg) = record.split_once(';')?;
    let prio: u32 = head.split(',').next()?.parse().ok()?;
    let msg = msg.lines().next().unwrap_or("").trim();
    (prio & 7 <= 3 && !msg.is_empty()).then(|| msg.to_string())
}

/// `reload MODULE`: preflight, then (unless refused or `dry_run`) execute on the running
/// kernel. Acting needs the real `/`: under `--root DIR` only `dry_run` is possible.
pub fn reload(
    root: &Sysroot,
    kernel: Option<&str>,
    module: &str,
    dry_run: bool,
    force: bool,
) -> Result<ReloadReport, ModulesError> {
    let pre = preflight(root, kernel, module)?;
    if dry_run {
        return Ok(ReloadReport::not_run(pre, ReloadOutcome::DryRun));
    }
    if !pre.allowed(force) {
        return Ok(ReloadReport::not_run(pre, ReloadOutcome::Refused));
    }
    if !root.is_host_root() {
        return Err(ModulesError::NotHere(format!(
            "reload changes the running kernel: it cannot act on --root {} (add --dry-run to see the plan)",
            root.root().display()
        )));
    }
    if let Some(k) = kernel {
        let running = loaded::running_kernel(root).unwrap_or_default();
        if running != k {
            return Err(ModulesError::NotHere(format!(
                "reload acts on the running kernel ({running}), not on --kernel {k} (add --dry-run to see the plan)",
            )));
        }
    }
    let mut host = HostKernel::new(root.clone());
    Ok(execute(&pre, &mut host))
}
