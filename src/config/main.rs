//! `[main]`: the keys of yum.conf (and `--setopt=KEY=VALUE`) this tool honours, and those of
//! yum that change nothing here.

use super::*;
use crate::sysroot::Sysroot;
use std::path::{Path, PathBuf};

/// `[main]` of yum.conf, with the defaults yum uses.
#[derive(Debug, Clone, PartialEq)]
pub struct MainConfig {
    pub reposdir: Vec<PathBuf>,
    /// yum's own cache dir, recorded for information: xcpng-mod keeps its own layout under
    /// `/var/cache/xcpng-mod` unless `--setopt=cachedir=DIR` says otherwise.
    pub yum_cachedir: Option<String>,
    pub cachedir: PathBuf,
    pub metadata_expire: Option<u64>,
    pub exclude: Vec<String>,
    pub gpgcheck: bool,
    pub repo_gpgcheck: bool,
    pub skip_if_unavailable: bool,
    pub installonlypkgs: Vec<String>,
    pub installonly_limit: u32,
    pub timeout: u64,
    /// The slowest average rate a transfer may keep over `timeout` (bytes/s; 0: no floor).
    pub minrate: u64,
    pub retries: u32,
    /// How many repos' metadata are fetched at once (dnf's `max_parallel_downloads`).
    pub max_parallel_downloads: u32,
    /// Check free space before a transaction (yum's `diskspacecheck`).
    pub diskspacecheck: bool,
    /// Bytes to leave free on every filesystem a transaction writes to (`diskspace_reserve`,
    /// ours: 123, 10k, 5M, 2G).
    pub diskspace_reserve: u64,
}

impl Default for MainConfig {
    fn default() -> Self {
        MainConfig {
            reposdir: vec![
                PathBuf::from("/etc/yum.repos.d"),
                PathBuf::from("/etc/yum/repos.d"),
            ],
            yum_cachedir: None,
            cachedir: PathBuf::from("/var/cache/xcpng-mod"),
            metadata_expire: Some(6 * 3600),
            exclude: Vec::new(),
            gpgcheck: true,
            repo_gpgcheck: false,
            skip_if_unavailable: false,
            installonlypkgs: [
                "kernel",
                "kernel-devel",
                "installonlypkg(kernel)",
                "installonlypkg(kernel-module)",
            ]
            .map(String::from)
            .to_vec(),
            installonly_limit: 3,
            timeout: 30,
            minrate: 1000,
            retries: 3,
            max_parallel_downloads: 4,
            diskspacecheck: true,
            diskspace_reserve: 0,
        }
    }
}

pub(super) fn unknown_key(key: &str, origin: &str) -> String {
    format!("{origin}: `{key}` in [main] is not a setting xcpng-mod knows; it is ignored")
}

pub(super) fn origin_of(file: &Path, root: &Sysroot, line: usize) -> String {
    format!(
        "{}:{}",
        Path::new("/").join(root.host_path(file)).display(),
        line
    )
}

impl MainConfig {
    /// Apply one `[main]` key; Ok(false) when it is not one this tool knows.
    pub(super) fn apply(&mut self, key: &str, value: &str, origin: &str) -> Result<bool> {
        let bad = |what: &str| ConfigError::BadValue {
            origin: origin.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            what: what.to_string(),
        };
        let boolean = || parse_bool(value).ok_or_else(|| bad("expected 1/0, yes/no, true/false"));
        match key {
            "reposdir" => {
                self.reposdir = split_list(value).into_iter().map(PathBuf::from).collect()
            }
            "cachedir" => self.yum_cachedir = Some(value.to_string()),
            "metadata_expire" => {
                self.metadata_expire = parse_expire(value)
                    .ok_or_else(|| bad("expected seconds, 90m, 6h, 2d or never"))?
            }
            "exclude" | "excludepkgs" => self.exclude = split_list(value),
            "gpgcheck" => self.gpgcheck = boolean()?,
            "repo_gpgcheck" => self.repo_gpgcheck = boolean()?,
            "skip_if_unavailable" => self.skip_if_unavailable = boolean()?,
            "installonlypkgs" => self.installonlypkgs = split_list(value),
            "installonly_limit" => {
                self.installonly_limit =
                    value.trim().parse().map_err(|_| bad("expected a number"))?
            }
            "timeout" => {
                self.timeout = value.trim().parse().map_err(|_| bad("expected seconds"))?
            }
            "minrate" => {
                self.minrate = parse_size(value)
                    .ok_or_else(|| bad("expected bytes per second (k, M suffixes allowed)"))?
            }
            "max_parallel_downloads" => {
                self.max_parallel_downloads = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| bad("expected a number of at least 1"))?
            }
            "retries" => {
                self.retries = value.trim().parse().map_err(|_| bad("expected a number"))?
            }
            "diskspacecheck" => self.diskspacecheck = boolean()?,
            "diskspace_reserve" => {
                self.diskspace_reserve =
                    parse_size(value).ok_or_else(|| bad("expected a size (123, 10k, 5M, 2G)"))?
            }
            k if YUM_KEYS_WITHOUT_EFFECT.contains(&k) => {}
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// `[main]` keys of yum that change nothing here (logging, plugins, yum's own behaviour that
/// xcpng-mod has by design): accepted without a word. Any other key not honoured is warned
/// about, with where it was set.
pub(super) const YUM_KEYS_WITHOUT_EFFECT: &[&str] = &[
    "keepcache",
    "debuglevel",
    "errorlevel",
    "logfile",
    "exactarch",
    "obsoletes",
    "plugins",
    "pluginpath",
    "pluginconfpath",
    "bugtracker_url",
    "distroverpkg",
    "tolerant",
    "color",
    "history_record",
    "history_list_view",
    "group_package_types",
    "mdpolicy",
    "multilib_policy",
    "keepalive",
    "http_caching",
    "protected_multilib",
    "alwaysprompt",
    "recent",
    "rpmverbosity",
    "persistdir",
    "syslog_ident",
    "syslog_facility",
    "installroot",
    "assumeyes",
];
