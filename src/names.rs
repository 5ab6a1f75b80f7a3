//! Names that end up as one component of a path: repo ids (cache directories), kernel releases
//! (`/lib/modules/<kver>`), module names (`/sys/module/<name>`, fallback copies). A name is
//! checked once, where it enters (a `.repo` file, a command-line argument, package metadata),
//! so that no later `join` can leave the directory it is joined to.
//!
//! This module only judges strings; it reads and writes nothing.

/// Why a name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{value}` {why}")]
pub struct BadName {
    /// What the name is (`repo id`, `kernel release`, `module name`).
    pub what: &'static str,
    /// The value as given, with control characters escaped.
    pub value: String,
    pub why: &'static str,
}

/// A name that must be exactly one path component: not empty, not `.` or `..`, no `/`, no NUL
/// or other control character.
fn component(what: &'static str, value: &str) -> Result<(), BadName> {
    let bad = |why| BadName {
        what,
        value: value.escape_debug().to_string(),
        why,
    };
    if value.is_empty() {
        return Err(bad("is empty"));
    }
    if value == "." || value == ".." {
        return Err(bad("is not a name (`.` and `..` name directories)"));
    }
    if value.contains('/') {
        return Err(bad("holds `/`: it must be a single path component"));
    }
    if value.chars().any(char::is_control) {
        return Err(bad("holds a NUL or control character"));
    }
    if value.len() > 255 {
        return Err(bad("is longer than a file name can be (255 bytes)"));
    }
    Ok(())
}

/// A repo id: one path component (it names the cache directory), not starting with `.`
/// (hidden and relative names), no white space (yum refuses those too).
pub fn repo_id(value: &str) -> Result<(), BadName> {
    const WHAT: &str = "repo id";
    component(WHAT, value)?;
    let bad = |why| BadName {
        what: WHAT,
        value: value.escape_debug().to_string(),
        why,
    };
    if value.starts_with('.') {
        return Err(bad("starts with `.`"));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(bad("holds white space"));
    }
    Ok(())
}

/// One path component that is not an option and holds no white space.
fn word(what: &'static str, value: &str, why: &'static str) -> Result<(), BadName> {
    component(what, value)?;
    if value.starts_with('-') || value.chars().any(char::is_whitespace) {
        return Err(BadName {
            what,
            value: value.escape_debug().to_string(),
            why,
        });
    }
    Ok(())
}

/// A kernel release (`uname -r`): one path component, not an option.
pub fn kernel_release(value: &str) -> Result<(), BadName> {
    word(
        "kernel release",
        value,
        "is not a kernel release (like `4.19.0+1`)",
    )
}

/// A module or package name given as an argument: one path component, not an option.
pub fn module_or_package(value: &str) -> Result<(), BadName> {
    word("module name", value, "is not a module or package name")
}

/// clap value parser for `--kernel`.
pub fn parse_kernel_release(value: &str) -> Result<String, String> {
    kernel_release(value)
        .map(|()| value.to_string())
        .map_err(|e| e.to_string())
}

/// clap value parser for MODULE arguments.
pub fn parse_module(value: &str) -> Result<String, String> {
    module_or_package(value)
        .map(|()| value.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids() {
        for ok in [
            "xcp-ng-base",
            "xcp-ng-updates_testing",
            "epel7",
            "a.b",
            "a..b",
        ] {
            assert_eq!(repo_id(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/../../x",
            "a/b",
            "../x",
            "a\0b",
            "a\nb",
            "a b",
            "a\tb",
        ] {
            assert!(repo_id(bad).is_err(), "{bad:?} must be refused");
        }
        let e = repo_id("..").unwrap_err();
        assert!(e.to_string().starts_with("repo id `..`"), "{e}");
        assert!(repo_id("a\nb").unwrap_err().value.contains("\\n"));
    }

    #[test]
    fn kernel_releases() {
        for ok in ["4.19.0+1", "6.1.0-27-cloud-amd64", "5.10.0~rc1"] {
            assert_eq!(kernel_release(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "..", "../..", "a/b", "/abs", "-x", "a b", "x\0"] {
            assert!(kernel_release(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn module_names() {
        for ok in ["igb", "bnxt_en", "broadcom-bnxt-en-alt", "r8125-module"] {
            assert_eq!(module_or_package(ok), Ok(()), "{ok}");
        }
        for bad in ["", "..", "../../etc", "-r", "a/b", "a\nb"] {
            assert!(module_or_package(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
