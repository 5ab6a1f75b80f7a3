//! Facts about processes of this machine that the tool's files name (pid files, leftovers
//! named after the pid that made them). It only asks the kernel; it changes nothing.

/// Is a process with this pid alive (a process we may not signal counts as alive)?
pub fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
