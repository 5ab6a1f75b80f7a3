//! Configuration: `yum.conf`, the `*.repo` files, yum variables, and the command-line overrides
//! (`--enablerepo`, `--disablerepo`, `--repo`, `--repofrompath`, `--setopt`, `--releasever`).
//!
//! It parses and resolves; it never touches the network. Files are read the way yum reads them
//! (Python's ConfigParser dialect): `key=value` or `key: value`, continuation lines start with
//! whitespace, `#`/`;` comments, lists split on whitespace and commas. A malformed file is an
//! error that names `file:line` and what was expected.

use std::collections::BTreeMap;
use std::path::PathBuf;

mod ini;
mod load;
mod main;
mod repos;
#[cfg(test)]
mod tests;
mod vars;

pub use ini::*;
pub use load::*;
pub use main::*;
pub use repos::*;
pub use vars::*;

/// Errors of configuration. All are usage errors (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}: {what}")]
    Syntax {
        file: PathBuf,
        line: usize,
        what: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("repo `{id}` is defined twice: {first} and {second}")]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
    #[error("bad --setopt `{0}`: expected KEY=VALUE or REPO.KEY=VALUE")]
    BadSetopt(String),
    #[error("bad --repofrompath `{0}`: expected ID,URL")]
    BadRepoFromPath(String),
    #[error("{origin}: {source}")]
    BadName {
        origin: String,
        #[source]
        source: crate::names::BadName,
    },
    #[error("no repo matches `{0}`")]
    NoSuchRepo(String),
    #[error("{origin}: `{key}={value}`: {what}")]
    BadValue {
        origin: String,
        key: String,
        value: String,
        what: String,
    },
}

impl ConfigError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ConfigError::Syntax { .. } => Some(
                "each line must be `[section]`, `key=value`, a comment (#) or an indented continuation"
                    .into(),
            ),
            ConfigError::NoSuchRepo(_) => Some("`xcpng-mod repolist --all` lists every repo id".into()),
            ConfigError::Duplicate { .. } => Some("remove or rename one of the two sections".into()),
            ConfigError::BadName { .. } => Some(
                "a repo id names its cache directory: use letters, digits, `-`, `_`, `.` or `:`, not starting with `.`"
                    .into(),
            ),
            _ => None,
        }
    }
}

type Result<T> = std::result::Result<T, ConfigError>;

/// What the command line asks of configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub enablerepo: Vec<String>,
    pub disablerepo: Vec<String>,
    pub only_repos: Vec<String>,
    pub repofrompath: Vec<String>,
    pub releasever: Option<String>,
    pub setopt: Vec<String>,
    pub nogpgcheck: bool,
}

/// The whole resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub main: MainConfig,
    /// All repos, enabled or not, sorted by id.
    pub repos: Vec<RepoConfig>,
    pub vars: BTreeMap<String, String>,
    /// Warnings to show the admin (e.g. gpg checks turned off).
    pub warnings: Vec<String>,
}

impl Config {
    pub fn enabled_repos(&self) -> impl Iterator<Item = &RepoConfig> {
        self.repos.iter().filter(|r| r.enabled)
    }

    pub fn repo(&self, id: &str) -> Option<&RepoConfig> {
        self.repos.iter().find(|r| r.id == id)
    }
}
