//! The exclusive lock of a root (`/run/xcpng-mod.lock`, `flock`), and the refusal to run while
//! yum holds `/var/run/yum.pid`.

use super::{io_err, Paths, TxError};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;

/// Held while a transaction runs; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
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
    if let Some(pid) = yum_pid(paths) {
        return Err(TxError::YumRunning {
            path: paths.yum_pid.clone(),
            pid,
        });
    }
    Ok(Lock { _file: f })
}

/// The pid in yum's pid file when that process is alive.
fn yum_pid(paths: &Paths) -> Option<u32> {
    let text = std::fs::read_to_string(&paths.yum_pid).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    if pid <= 0 {
        return None;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    let alive = rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    alive.then_some(pid as u32)
}
