//! Every write the tool makes to the host tree: creating directories and files, appending to
//! state files, renaming, copying, removing. Nothing else in the crate writes to the file
//! system (a test checks the sources for it), so these rules hold everywhere:
//!
//! - Under a root that is not `/` (`--root DIR`), every symbolic link on the way to a file
//!   that is written must lead to a place inside the root; one that leads out is refused, and
//!   the error names it. (XCP-ng's kernel, 4.19, has no `openat2(RESOLVE_BENEATH)`, so the walk
//!   is done here, component by component, as the kernel follows the links. Links are
//!   followed, not re-rooted, so that what is read later is what was written.)
//! - On every root, the last component of a file that is opened for writing is never followed
//!   when it is a symbolic link (`O_NOFOLLOW`): the error names the link.
//!
//! The root is set once, when the command line is resolved ([`confine_to`]); until then (unit
//! tests working in temp directories) only the second rule applies. This module knows nothing
//! of what the files mean.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;

static ROOT: RwLock<Option<PathBuf>> = RwLock::new(None);

/// How many symbolic links one path may pass through (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Confine every later write to `root` (no confinement when it is `/`).
pub fn confine_to(root: &Path) {
    let root = (root != Path::new("/")).then(|| root.to_path_buf());
    *ROOT.write().unwrap_or_else(|e| e.into_inner()) = root;
}

fn confinement() -> Option<PathBuf> {
    ROOT.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn other(msg: String) -> io::Error {
    io::Error::other(msg)
}

/// Check that a write to `path` stays inside `root`: every symbolic link met on the way (as
/// the kernel follows it) must lead to a place inside the root, or the write is refused with
/// an error naming the link. A path that is not below `root` is not checked. With
/// `keep_last`, the last component is not followed (the caller opens it with `O_NOFOLLOW`, or
/// renames over it). Reads and writes then agree on where a file is, and both stay inside.
pub fn check_inside(root: &Path, path: &Path, keep_last: bool) -> io::Result<()> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut todo: VecDeque<OsString> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    if keep_last {
        todo.pop_back();
    }
    let outside = |link: &Path, target: &Path| {
        other(format!(
            "{} is a symbolic link to {}, outside the root {}: xcpng-mod never writes outside \
             --root; remove the link or point it inside the root",
            link.display(),
            target.display(),
            root.display()
        ))
    };
    let mut at = root.to_path_buf();
    let mut links = 0;
    while let Some(name) = todo.pop_front() {
        if name == ".." {
            at.pop();
            continue;
        }
        let next = at.join(&name);
        match std::fs::symlink_metadata(&next) {
            Ok(m) if m.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(other(format!(
                        "{}: too many levels of symbolic links",
                        path.display()
                    )));
                }
                let target = std::fs::read_link(&next)?;
                let mut resolved = if target.is_absolute() {
                    PathBuf::from("/")
                } else {
                    at.clone()
                };
                for c in target.components() {
                    match c {
                        Component::Normal(n) => resolved.push(n),
                        Component::ParentDir => {
                            resolved.pop();
                        }
                        _ => {}
                    }
                }
                if !resolved.starts_with(root) {
                    return Err(outside(&next, &target));
                }
                // Go on from the root with what the link names, then the rest.
                let rest: Vec<OsString> = resolved
                    .strip_prefix(root)
                    .expect("checked above")
                    .components()
                    .map(|c| c.as_os_str().to_os_string())
                    .collect();
                for c in rest.into_iter().rev() {
                    todo.push_front(c);
                }
                at = root.to_path_buf();
            }
            Ok(_) => at = next,
            // The rest does not exist yet: nothing there can be a link.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
        if !at.starts_with(root) {
            return Err(other(format!(
                "{} leads outside the root {}",
                path.display(),
                root.display()
            )));
        }
    }
    Ok(())
}

/// Where a write to `path` goes: `path` itself, once checked to stay inside the root.
pub fn resolve(path: &Path, keep_last: bool) -> io::Result<PathBuf> {
    if let Some(root) = confinement() {
        check_inside(&root, path, keep_last)?;
    }
    Ok(path.to_path_buf())
}

/// An error of an open that refused a symbolic link, naming it.
fn named(path: &Path, e: io::Error) -> io::Error {
    if e.raw_os_error() == Some(libc::ELOOP) {
        return other(format!(
            "{} is a symbolic link: xcpng-mod does not write through links; remove it",
            path.display()
        ));
    }
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Open a file for writing, never through a link in its last component.
pub fn open(path: &Path, opts: &mut OpenOptions) -> io::Result<File> {
    let real = resolve(path, true)?;
    opts.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&real)
        .map_err(|e| named(path, e))
}

/// Open for appending (created when missing, mode 0644).
pub fn open_append(path: &Path) -> io::Result<File> {
    open(
        path,
        OpenOptions::new().append(true).create(true).read(true),
    )
}

/// Create or truncate a file.
pub fn create(path: &Path) -> io::Result<File> {
    open(
        path,
        OpenOptions::new().write(true).create(true).truncate(true),
    )
}

/// Create a directory and its parents.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let real = resolve(path, false)?;
    std::fs::create_dir_all(&real).map_err(|e| named(path, e))
}

/// Create a directory and its parents, the last one private to root (mode 0700).
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let real = resolve(path, false)?;
    if let Some(parent) = real.parent() {
        std::fs::create_dir_all(parent).map_err(|e| named(path, e))?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(&real) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let m = std::fs::symlink_metadata(&real)?;
            if !m.is_dir() {
                return Err(other(format!("{} is not a directory", path.display())));
            }
            std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o700))
        }
        Err(e) => Err(named(path, e)),
    }
}

/// Write a file whole: a temporary file beside it, synced, renamed over it. Readers see the
/// old content or the new, never a mix.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    write_file(path, data, true)
}

/// [`write_atomic`], with the fsync only when `durable` (files that can be derived again skip
/// it: a torn one fails its checks and is rebuilt).
pub fn write_file(path: &Path, data: &[u8], durable: bool) -> io::Result<()> {
    let real = resolve(path, true)?;
    let dir = real
        .parent()
        .ok_or_else(|| other(format!("{}: no parent directory", path.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| named(dir, e))?;
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)?;
        f.write_all(data)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &real)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| named(path, e))
}

/// Rename `from` to `to` (both under the root; a link at `to` is replaced, not followed).
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    let (f, t) = (resolve(from, true)?, resolve(to, true)?);
    std::fs::rename(&f, &t).map_err(|e| named(to, e))
}

/// Swap two directories (or files) in one step (`renameat2(RENAME_EXCHANGE)`), so that a
/// reader, or a kill in between, never finds neither. Where the file system cannot exchange,
/// falls back to two renames through `spare`.
pub fn exchange(a: &Path, b: &Path, spare: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let (ra, rb) = (resolve(a, true)?, resolve(b, true)?);
    let ca = std::ffi::CString::new(ra.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let cb = std::ffi::CString::new(rb.as_os_str().as_bytes()).map_err(io::Error::other)?;
    const RENAME_EXCHANGE: libc::c_uint = 1 << 1;
    // SAFETY: two NUL-terminated paths that live across the call. The raw syscall, not
    // glibc's wrapper: XCP-ng 8.x has glibc 2.17, which has none.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
        return Err(named(b, e));
    }
    rename(b, spare)?;
    rename(a, b)?;
    rename(spare, a)
}

/// Remove a file (a link is removed itself, never its target).
pub fn remove_file(path: &Path) -> io::Result<()> {
    std::fs::remove_file(resolve(path, true)?)
}

/// Remove a directory tree (links in it are removed, not followed).
pub fn remove_dir_all(path: &Path) -> io::Result<()> {
    std::fs::remove_dir_all(resolve(path, true)?)
}

/// Copy a file to `to` (created anew, never through a link).
pub fn copy(from: &Path, to: &Path) -> io::Result<u64> {
    let mut src = File::open(from).map_err(|e| named(from, e))?;
    let mut dst = create(to)?;
    let n = io::copy(&mut src, &mut dst)?;
    dst.sync_all()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_that_leave_the_root_are_refused() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("var/lib")).unwrap();
        std::fs::create_dir_all(root.join("run")).unwrap();
        symlink("/outside", root.join("var/lib/abs")).unwrap();
        symlink("../../../outside2", root.join("var/lib/rel")).unwrap();
        symlink("../../run", root.join("var/lib/inside")).unwrap();
        symlink(root.join("run"), root.join("var/lib/abs-inside")).unwrap();
        symlink("loop", root.join("var/lib/loop")).unwrap();
        let c = |p: &str, keep| check_inside(&root, &root.join(p), keep);
        let e = c("var/lib/abs/x", false).unwrap_err().to_string();
        assert!(
            e.contains("var/lib/abs is a symbolic link to /outside"),
            "{e}"
        );
        assert!(c("var/lib/rel/x", false).is_err());
        assert!(c("var/lib/inside/x", false).is_ok());
        assert!(c("var/lib/abs-inside/x", false).is_ok());
        assert!(
            c("var/lib/abs", true).is_ok(),
            "the last component is not followed"
        );
        assert!(c("var/lib/loop/x", false).is_err());
        assert!(c("var/new/deeper/x", false).is_ok());
        // Not below the root: not checked.
        assert!(check_inside(&root, &t.path().join("elsewhere/x"), false).is_ok());
    }

    #[test]
    fn a_link_as_last_component_is_never_written_through() {
        let t = tempfile::tempdir().unwrap();
        let target = t.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = t.path().join("log");
        symlink(&target, &link).unwrap();
        let e = open_append(&link).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        assert!(create(&link).is_err());
        write_atomic(&link, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }
}
