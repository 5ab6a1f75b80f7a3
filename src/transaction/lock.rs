//! The exclusive lock of a root (`/run/xcpng-mod.lock`, `flock`), and yum's: `/var/run/yum.pid`
//! is taken the way yum takes it (created exclusively, holding our pid; a stale one, whose
//! process is gone, is taken over), so that a yum or updater.py started meanwhile waits or
//! refuses, and removed at the end only while it still holds our pid.

use super::{io_err, Paths, TxError};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;

/// Held while a transaction runs; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
    /// yum's pid file, while it holds our pid.
    yum_pid: Option<std::path::PathBuf>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(p) = &self.yum_pid {
            let ours = std::fs::read_to_string(p)
                .is_ok_and(|t| t.trim() == std::process::id().to_string());
            if ours {
                let _ = crate::hostfs::remove_file(p);
            }
        }
    }
}

/// Take the lock without waiting; refuse when another process holds it or yum runs.
pub fn acquire(paths: &Paths) -> Result<Lock, TxError> {
    paths.check_no_links()?;
    let dir = paths.lock.parent().expect("lock path has a parent");
    crate::hostfs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut f = crate::hostfs::open(
        &paths.lock,
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
    .map_err(io_err(&paths.lock))?;
    // SAFETY: flock on a file descriptor we own.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            return Err(TxError::Locked {
                path: paths.lock.clone(),
                pid: s.trim().parse().ok(),
            });
        }
        return Err(io_err(&paths.lock)(err));
    }
    let _ = f.set_len(0);
    let _ = f.rewind();
    let _ = writeln!(f, "{}", std::process::id());
    take_yum_pid(paths)?;
    Ok(Lock {
        _file: f,
        yum_pid: Some(paths.yum_pid.clone()),
    })
}

/// Take yum's pid file as yum does: create it exclusively with our pid; when it exists and
/// names a live process, yum (or another tool) runs: refuse; when its process is gone, it is
/// stale: remove it and take it.
fn take_yum_pid(paths: &Paths) -> Result<(), TxError> {
    let path = &paths.yum_pid;
    if let Some(dir) = path.parent() {
        crate::hostfs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    for _ in 0..3 {
        match crate::hostfs::open(
            path,
            std::fs::OpenOptions::new().write(true).create_new(true),
        ) {
            Ok(mut f) => {
                writeln!(f, "{}", std::process::id()).map_err(io_err(path))?;
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if let Some(pid) = yum_pid(paths) {
                    if pid != std::process::id() {
                        return Err(TxError::YumRunning {
                            path: path.clone(),
                            pid,
                        });
                    }
                }
                let _ = crate::hostfs::remove_file(path);
            }
            Err(e) => return Err(io_err(path)(e)),
        }
    }
    Err(TxError::YumRunning {
        path: path.clone(),
        pid: yum_pid(paths).unwrap_or(0),
    })
}

/// The pid in yum's pid file when that process is alive.
fn yum_pid(paths: &Paths) -> Option<u32> {
    let text = std::fs::read_to_string(&paths.yum_pid).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    crate::process::alive(pid).then_some(pid as u32)
}
