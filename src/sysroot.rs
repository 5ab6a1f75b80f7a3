//! The host tree every command works on.
//!
//! `Sysroot` owns the one path that all host paths hang from (`/` on a real host, a temp tree in
//! tests, `--root DIR` for an admin working on a mounted image). Every other module reaches the
//! host through it, so nothing can touch this machine's own `/` by accident. It also checks
//! paths that come from untrusted metadata (`location href`, file names in packages) before they
//! are joined to anything.

use std::path::{Component, Path, PathBuf};

/// The root of the host tree that xcpng-mod operates on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sysroot {
    root: PathBuf,
}

/// A path from metadata that would leave the directory it is joined to.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unsafe path `{path}`: {why}")]
pub struct UnsafePath {
    pub path: String,
    pub why: &'static str,
}

impl Sysroot {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Sysroot { root: root.into() }
    }

    /// The root directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// True when this is the real `/` of the machine.
    pub fn is_host_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// A host path (absolute, as on the host: `/etc/yum.conf`) under this root.
    pub fn join(&self, host_path: impl AsRef<Path>) -> PathBuf {
        let p = host_path.as_ref();
        let rel = p.strip_prefix("/").unwrap_or(p);
        self.root.join(rel)
    }

    /// The path as the host sees it, given a path under this root (for messages and JSON).
    pub fn host_path<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// Check a relative path taken from untrusted metadata: no `..`, no absolute path, no empty
/// path. Returns the path unchanged when it is safe to join below a directory.
pub fn checked_relative(path: &str) -> Result<&Path, UnsafePath> {
    let bad = |why| UnsafePath {
        path: path.to_string(),
        why,
    };
    if path.is_empty() {
        return Err(bad("empty path"));
    }
    if path.contains('\0') {
        return Err(bad("contains a NUL byte"));
    }
    let p = Path::new(path);
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(bad("contains `..`")),
            Component::RootDir | Component::Prefix(_) => return Err(bad("is absolute")),
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_strips_leading_slash() {
        let r = Sysroot::new("/tmp/x");
        assert_eq!(
            r.join("/etc/yum.conf"),
            PathBuf::from("/tmp/x/etc/yum.conf")
        );
        assert_eq!(r.join("etc"), PathBuf::from("/tmp/x/etc"));
        assert!(!r.is_host_root());
        assert!(Sysroot::new("/").is_host_root());
    }

    #[test]
    fn relative_paths_are_checked() {
        assert!(checked_relative("Packages/a.rpm").is_ok());
        assert!(checked_relative("./repodata/x.xml.gz").is_ok());
        assert_eq!(checked_relative("../x").unwrap_err().why, "contains `..`");
        assert_eq!(
            checked_relative("a/../../x").unwrap_err().why,
            "contains `..`"
        );
        assert_eq!(
            checked_relative("/etc/passwd").unwrap_err().why,
            "is absolute"
        );
        assert!(checked_relative("").is_err());
    }
}
