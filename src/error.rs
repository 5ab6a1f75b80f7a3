//! The crate's top-level error: every module's error, with the exit code, the `kind` of the
//! JSON contract and the hint the binary prints.

use crate::config::ConfigError;
use crate::repo::RepoError;
use crate::rpm::installed::InstalledError;
use crate::transaction::TxError;
use crate::trust::TrustError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Installed(#[from] InstalledError),
    /// A signature, key or metadata freshness refused.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// A request that names nothing that exists.
    #[error("{what}")]
    NotFound { what: String, hint: Option<String> },
    /// Bad command-line usage detected after parsing.
    #[error("{0}")]
    Usage(String),
    /// Anything else that failed, with a hint.
    #[error("{what}")]
    Failed { what: String, hint: Option<String> },
    /// The solver found no way to do what was asked; `reasons` say why in an admin's words.
    #[error("{what}")]
    Unsolvable {
        what: String,
        reasons: Vec<String>,
        hint: Option<String>,
    },
    /// A transaction refused or failed (lock, journal, space, download, verify, rpm).
    #[error(transparent)]
    Transaction(TxError),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Exit code of the command-line contract: 2 for usage and configuration, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// The `kind` of the JSON error object.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::Repo(_) => "repo",
            Error::Installed(_) => "rpmdb",
            Error::Trust(_) => "trust",
            Error::NotFound { .. } => "not-found",
            Error::Usage(_) => "usage",
            Error::Failed { .. } => "failed",
            Error::Io { .. } => "io",
            Error::Unsolvable { .. } => "unsolvable",
            Error::Transaction(_) => "transaction",
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Config(e) => e.hint(),
            Error::Repo(e) => e.hint(),
            Error::Installed(e) => e.hint(),
            Error::Trust(e) => e.hint(),
            Error::NotFound { hint, .. } | Error::Failed { hint, .. } => hint.clone(),
            Error::Usage(_) => Some("see `xcpng-mod --help`".into()),
            Error::Io { .. } => None,
            Error::Transaction(e) => e.hint(),
            Error::Unsolvable { hint, .. } => hint.clone(),
        }
    }

    /// The message with its causes, `a: b: c`, without repeating a cause already in the text.
    pub fn chain(&self) -> String {
        crate::errchain::chain_of(self)
    }

    pub fn io(path: impl Into<std::path::PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::modules::inventory::ModulesError> for Error {
    fn from(e: crate::modules::inventory::ModulesError) -> Error {
        let hint = e.hint();
        match e {
            crate::modules::inventory::ModulesError::BadKernel(_)
            | crate::modules::inventory::ModulesError::NotHere(_) => Error::Usage(e.to_string()),
            crate::modules::inventory::ModulesError::UnknownModule { .. }
            | crate::modules::inventory::ModulesError::NoKernel { .. } => Error::NotFound {
                what: e.to_string(),
                hint,
            },
            _ => Error::Failed {
                what: e.to_string(),
                hint,
            },
        }
    }
}

impl From<TxError> for Error {
    fn from(e: TxError) -> Error {
        match e {
            TxError::Installed(e) => Error::Installed(e),
            e => Error::Transaction(e),
        }
    }
}
