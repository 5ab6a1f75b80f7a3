//! One `[repo]` section of a `.repo` file.

use super::*;
use std::collections::BTreeMap;

/// Everything a repo section says, resolved (variables substituted, defaults applied).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepoConfig {
    pub id: String,
    pub name: String,
    pub baseurls: Vec<String>,
    pub mirrorlist: Option<String>,
    pub metalink: Option<String>,
    pub enabled: bool,
    pub gpgcheck: bool,
    pub repo_gpgcheck: bool,
    pub gpgkeys: Vec<String>,
    pub includepkgs: Vec<String>,
    pub exclude: Vec<String>,
    pub skip_if_unavailable: bool,
    /// Seconds; `None` = never expires.
    pub metadata_expire: Option<u64>,
    pub priority: u32,
    pub cost: u32,
    /// Where the section was defined (`file:line`, or `--repofrompath`).
    pub origin: String,
    /// Whether the repo files enable it, before `--enablerepo`, `--disablerepo`, `--repo` and
    /// `--setopt=ID.enabled` (a repo "disabled by default", such as testing).
    #[serde(skip)]
    pub enabled_in_files: bool,
    /// Keys this tool does not use, kept for `--setopt` and display.
    #[serde(skip)]
    pub other: BTreeMap<String, String>,
}

impl RepoConfig {
    pub(super) fn new(id: &str, main: &MainConfig, origin: String) -> RepoConfig {
        RepoConfig {
            id: id.to_string(),
            name: id.to_string(),
            baseurls: Vec::new(),
            mirrorlist: None,
            metalink: None,
            enabled: true,
            gpgcheck: main.gpgcheck,
            repo_gpgcheck: main.repo_gpgcheck,
            gpgkeys: Vec::new(),
            includepkgs: Vec::new(),
            exclude: Vec::new(),
            skip_if_unavailable: main.skip_if_unavailable,
            metadata_expire: main.metadata_expire,
            priority: 99,
            cost: 1000,
            origin,
            enabled_in_files: true,
            other: BTreeMap::new(),
        }
    }

    /// Apply one `key=value` (already substituted).
    pub(super) fn apply(&mut self, key: &str, value: &str, origin: &str) -> Result<()> {
        let bad = |what: &str| ConfigError::BadValue {
            origin: origin.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            what: what.to_string(),
        };
        let boolean = || parse_bool(value).ok_or_else(|| bad("expected 1/0, yes/no, true/false"));
        let number = || {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| bad("expected a whole number"))
        };
        match key {
            "name" => self.name = value.replace('\n', " "),
            "baseurl" => self.baseurls = split_list(value),
            "mirrorlist" => {
                self.mirrorlist = Some(value.trim().to_string()).filter(|s| !s.is_empty())
            }
            "metalink" => self.metalink = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
            "enabled" => self.enabled = boolean()?,
            "gpgcheck" => self.gpgcheck = boolean()?,
            "repo_gpgcheck" => self.repo_gpgcheck = boolean()?,
            "gpgkey" => self.gpgkeys = split_list(value),
            "includepkgs" => self.includepkgs = split_list(value),
            "exclude" | "excludepkgs" => self.exclude = split_list(value),
            "skip_if_unavailable" => self.skip_if_unavailable = boolean()?,
            "metadata_expire" => {
                self.metadata_expire = parse_expire(value)
                    .ok_or_else(|| bad("expected seconds, 90m, 6h, 2d or never"))?
            }
            "priority" => self.priority = number()?,
            "cost" => self.cost = number()?,
            _ => {
                self.other.insert(key.to_string(), value.to_string());
            }
        }
        Ok(())
    }

    /// Check that the repo can be used: it needs somewhere to fetch from.
    pub(super) fn validate(&self) -> Result<()> {
        if self.baseurls.is_empty() && self.mirrorlist.is_none() && self.metalink.is_none() {
            return Err(ConfigError::BadValue {
                origin: self.origin.clone(),
                key: "baseurl".into(),
                value: String::new(),
                what: format!("repo `{}` has no baseurl, mirrorlist or metalink", self.id),
            });
        }
        Ok(())
    }
}
