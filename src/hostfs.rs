//! Every write the tool makes to the host tree: creating directories and files, appending to
//! state files, renaming, copying, removing. Nothing else in the crate writes to the file
//! system (a test checks the sources for it), so these rules hold everywhere:
//!
//! - Under a root that is not `/` (`--root DIR`), a path is resolved inside the root the way
//!   `openat2(RESOLVE_IN_ROOT)` (or a chroot) resolves it: a symbolic link's absolute target
//!   starts again at the root, and `..` stops at the root. A link inside the root can
//!   therefore never lead a write out of it. XCP-ng's kernel (4.19) has no `openat2`, so the
//!   walk is done here, component by component.
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

/// `path` with every symbolic link in it resolved inside `root`, as `RESOLVE_IN_ROOT` does.
/// A path that is not below `root` is returned unchanged. Components that do not exist (yet)
/// are kept as they are. With `keep_last`, the last component is not resolved (the caller
/// opens it with `O_NOFOLLOW`, or renames over it).
pub fn resolve_in_root(root: &Path, path: &Path, keep_last: bool) -> io::Result<PathBuf> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(path.to_path_buf());
    };
    let mut todo: VecDeque<OsString> = VecDeque::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => todo.push_back(n.to_os_string()),
            Component::ParentDir => todo.push_back("..".into()),
            _ => {}
        }
    }
    let last = if keep_last { todo.pop_back() } else { None };
    let mut resolved = root.to_path_buf();
    let mut links = 0;
    let mut missing = false;
    while let Some(name) = todo.pop_front() {
        if name == ".." {
            if resolved != root {
                resolved.pop();
            }
            continue;
        }
        let next = resolved.join(&name);
        if missing {
            resolved = next;
            continue;
        }
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
                if target.is_absolute() {
                    resolved = root.to_path_buf();
                }
                for c in target.components().rev() {
                    match c {
                        Component::Normal(n) => todo.push_front(n.to_os_string()),
                        Component::ParentDir => todo.push_front("..".into()),
                        _ => {}
                    }
                }
            }
            Ok(_) => resolved = next,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                missing = true;
                resolved = next;
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(last) = last {
        resolved.push(last);
    }
    Ok(resolved)
}

/// Where a write to `path` really goes: resolved inside the root when one is set.
pub fn resolve(path: &Path, keep_last: bool) -> io::Result<PathBuf> {
    match confinement() {
        Some(root) => resolve_in_root(&root, path, keep_last),
        None => Ok(path.to_path_buf()),
    }
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
    fn links_resolve_inside_the_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("var/lib")).unwrap();
        symlink("/outside", root.join("var/lib/abs")).unwrap();
        symlink("../../../../../../outside2", root.join("var/lib/rel")).unwrap();
        symlink("loop", root.join("var/lib/loop")).unwrap();
        let r = |p: &str, keep| resolve_in_root(&root, &root.join(p), keep);
        assert_eq!(r("var/lib/abs/x", false).unwrap(), root.join("outside/x"));
        assert_eq!(r("var/lib/rel/x", false).unwrap(), root.join("outside2/x"));
        assert_eq!(r("var/lib/abs", true).unwrap(), root.join("var/lib/abs"));
        assert_eq!(r("var/lib/../../..//x", false).unwrap(), root.join("x"));
        assert!(r("var/lib/loop/x", false).is_err());
        // Not below the root: unchanged.
        let elsewhere = t.path().join("elsewhere/x");
        assert_eq!(
            resolve_in_root(&root, &elsewhere, false).unwrap(),
            elsewhere
        );
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
