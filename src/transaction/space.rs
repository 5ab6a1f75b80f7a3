//! Free-space checks (`statvfs`) before downloading into the cache and before installing into
//! the root, with an optional reserve (`--setopt=diskspace_reserve=SIZE`) and a way out
//! (`--setopt=diskspacecheck=0`, as in yum).

use super::TxError;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Free bytes for an unprivileged writer and the device of the filesystem holding `path` (or
/// its nearest existing ancestor).
pub fn free_space(path: &Path) -> Option<(u64, u64)> {
    let mut p = path.to_path_buf();
    while !p.exists() {
        p = p.parent()?.to_path_buf();
    }
    let c = CString::new(p.as_os_str().as_bytes()).ok()?;
    // SAFETY: an all-zero statvfs is a valid value of this plain C struct.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: statvfs writes into the struct we pass; c is NUL-terminated.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if rc != 0 {
        return None;
    }
    use std::os::unix::fs::MetadataExt;
    let dev = std::fs::metadata(&p).ok()?.dev();
    Some((st.f_bavail as u64 * st.f_frsize as u64, dev))
}

/// Check that each (path, bytes needed) fits, adding `reserve` to every filesystem; needs on
/// the same filesystem add up.
pub fn check(needs: &[(PathBuf, u64)], reserve: u64) -> Result<(), TxError> {
    let mut by_dev: Vec<(u64, PathBuf, u64, u64)> = Vec::new();
    for (path, need) in needs {
        let Some((free, dev)) = free_space(path) else {
            continue;
        };
        match by_dev.iter_mut().find(|d| d.0 == dev) {
            Some(d) => d.2 += need,
            None => by_dev.push((dev, path.clone(), *need, free)),
        }
    }
    for (_, path, need, free) in by_dev {
        let need = need.saturating_add(reserve);
        if need > free {
            return Err(TxError::Space {
                path,
                need: human(need),
                free: human(free),
            });
        }
    }
    Ok(())
}

/// `1.5 MiB`
pub fn human(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(crate::config::parse_size("10"), Some(10));
        assert_eq!(crate::config::parse_size("2k"), Some(2048));
        assert_eq!(crate::config::parse_size("1T"), Some(1 << 40));
        assert_eq!(crate::config::parse_size("x"), None);
    }

    #[test]
    fn free_space_of_a_missing_path_is_its_parent() {
        let d = tempfile::tempdir().unwrap();
        assert!(free_space(&d.path().join("a/b/c")).is_some());
        assert!(check(&[(d.path().to_path_buf(), 1)], 0).is_ok());
        assert!(matches!(
            check(&[(d.path().to_path_buf(), 1)], u64::MAX / 2),
            Err(TxError::Space { .. })
        ));
    }
}
