//! Configuration: `yum.conf`, the `*.repo` files, yum variables, and the command-line overrides
//! (`--enablerepo`, `--disablerepo`, `--repo`, `--repofrompath`, `--setopt`, `--releasever`).
//!
//! It parses and resolves; it never touches the network. Files are read the way yum reads them
//! (Python's ConfigParser dialect): `key=value` or `key: value`, continuation lines start with
//! whitespace, `#`/`;` comments, lists split on whitespace and commas. A malformed file is an
//! error that names `file:line` and what was expected.

use crate::sysroot::Sysroot;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A rate as yum writes it: bytes per second, with an optional `k`/`M`/`G` suffix.
/// Parse `123`, `10k`, `5M`, `2G`, `1T` into bytes (sizes and rates alike).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (
            &s[..i],
            match c.to_ascii_lowercase() {
                'k' => 1u64 << 10,
                'm' => 1 << 20,
                'g' => 1 << 30,
                't' => 1 << 40,
                _ => return None,
            },
        ),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

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

/// One `[section]` of an INI file, with where each key came from.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub name: String,
    pub line: usize,
    /// key → (value, line). Later keys replace earlier ones, as in ConfigParser.
    pub values: BTreeMap<String, (String, usize)>,
}

/// Parse an INI file the way yum's ConfigParser does.
pub fn parse_ini(text: &str, file: &Path) -> Result<Vec<Section>> {
    let mut sections: Vec<Section> = Vec::new();
    let mut last_key: Option<String> = None;
    let err = |line: usize, what: &str| ConfigError::Syntax {
        file: file.to_path_buf(),
        line,
        what: what.to_string(),
    };
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            // A blank line ends nothing in ConfigParser's yum dialect, but a comment or blank
            // between a key and an indented line is not a continuation in practice.
            if trimmed.is_empty() {
                last_key = None;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // Continuation of the previous value.
            let Some(key) = &last_key else {
                return Err(err(lineno, "indented line continues no `key=value`"));
            };
            let sec = sections.last_mut().expect("a key implies a section");
            let entry = sec.values.get_mut(key).expect("last key exists");
            if !entry.0.is_empty() {
                entry.0.push('\n');
            }
            entry.0.push_str(trimmed);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(err(lineno, "expected `]` at the end of a section header"));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(err(lineno, "empty section name `[]`"));
            }
            if name.chars().any(|c| c.is_whitespace() || c == '/') {
                return Err(err(lineno, "a section name cannot hold spaces or `/`"));
            }
            sections.push(Section {
                name: name.to_string(),
                line: lineno,
                values: BTreeMap::new(),
            });
            last_key = None;
            continue;
        }
        let pos = match (line.find('='), line.find(':')) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => {
                return Err(err(
                    lineno,
                    "expected `key=value`, `[section]` or a comment",
                ));
            }
        };
        let key = line[..pos].trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(err(lineno, "missing key before `=`"));
        }
        if key.contains(char::is_whitespace) {
            return Err(err(lineno, "expected `key=value` (is the `=` missing?)"));
        }
        let value = line[pos + 1..].trim().to_string();
        let Some(sec) = sections.last_mut() else {
            return Err(err(lineno, "`key=value` before any `[section]` header"));
        };
        sec.values.insert(key.clone(), (value, lineno));
        last_key = Some(key);
    }
    Ok(sections)
}

/// Split a list value (baseurl, gpgkey, exclude) on whitespace and commas.
pub fn split_list(v: &str) -> Vec<String> {
    v.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// yum's boolean values.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// `metadata_expire`: seconds, or with a unit (`90m`, `6h`, `2d`), or `never`/`-1`.
/// `None` means never expires.
pub fn parse_expire(v: &str) -> Option<Option<u64>> {
    let v = v.trim().to_ascii_lowercase();
    if v == "never" || v == "-1" {
        return Some(None);
    }
    let (num, mult) = match v.chars().last()? {
        's' => (&v[..v.len() - 1], 1),
        'm' => (&v[..v.len() - 1], 60),
        'h' => (&v[..v.len() - 1], 3600),
        'd' => (&v[..v.len() - 1], 86400),
        _ => (v.as_str(), 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    if n < 0.0 {
        return None;
    }
    Some(Some((n * mult as f64) as u64))
}

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

/// Shell-style glob match (`*`, `?`, `[...]`), as yum uses fnmatch for repo ids and packages.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn rec(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|i| rec(&p[1..], &t[i..])),
            Some('?') => !t.is_empty() && rec(&p[1..], &t[1..]),
            Some('[') => {
                let Some(end) = p.iter().skip(1).position(|&c| c == ']').map(|e| e + 1) else {
                    return !t.is_empty() && t[0] == '[' && rec(&p[1..], &t[1..]);
                };
                if t.is_empty() {
                    return false;
                }
                let class = &p[1..end];
                let (neg, class) = match class.first() {
                    Some('!') | Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        if class[i] <= t[0] && t[0] <= class[i + 2] {
                            hit = true;
                        }
                        i += 3;
                    } else {
                        if class[i] == t[0] {
                            hit = true;
                        }
                        i += 1;
                    }
                }
                hit != neg && rec(&p[end + 1..], &t[1..])
            }
            Some(c) => !t.is_empty() && t[0] == *c && rec(&p[1..], &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    rec(&p, &t)
}

/// True when the string has glob characters.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Replace `$var` and `${var}` with known variables; unknown ones stay as written (as yum).
pub fn substitute(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (name, end) = if b.get(i + 1) == Some(&b'{') {
                match s[i + 2..].find('}') {
                    Some(e) => (&s[i + 2..i + 2 + e], i + 3 + e),
                    None => ("", i + 1),
                }
            } else {
                let n = s[i + 1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                (&s[i + 1..i + 1 + n], i + 1 + n)
            };
            if let Some(v) = vars.get(name).filter(|_| !name.is_empty()) {
                out.push_str(v);
                i = end;
                continue;
            }
        }
        let ch = s[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn read_opt(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

fn host_arch() -> String {
    std::env::consts::ARCH.to_string()
}

/// `$basearch` from `$arch` (i686 → i386, as yum).
pub fn basearch(arch: &str) -> String {
    match arch {
        "i386" | "i486" | "i586" | "i686" | "athlon" => "i386".into(),
        "amd64" | "ia32e" => "x86_64".into(),
        other => other.into(),
    }
}

/// The `releasever` of the root when none is given: yum vars, then `/etc/os-release`.
fn detect_releasever(root: &Sysroot) -> Option<String> {
    for dir in ["/etc/yum/vars", "/etc/dnf/vars"] {
        if let Ok(Some(v)) = read_opt(&root.join(dir).join("releasever")) {
            return Some(v.trim().to_string());
        }
    }
    let os = read_opt(&root.join("/etc/os-release")).ok()??;
    os.lines()
        .find_map(|l| l.strip_prefix("VERSION_ID="))
        .map(|v| v.trim_matches('"').to_string())
}

fn unknown_key(key: &str, origin: &str) -> String {
    format!("{origin}: `{key}` in [main] is not a setting xcpng-mod knows; it is ignored")
}

fn origin_of(file: &Path, root: &Sysroot, line: usize) -> String {
    format!(
        "{}:{}",
        Path::new("/").join(root.host_path(file)).display(),
        line
    )
}

impl MainConfig {
    /// Apply one `[main]` key; Ok(false) when it is not one this tool knows.
    fn apply(&mut self, key: &str, value: &str, origin: &str) -> Result<bool> {
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
const YUM_KEYS_WITHOUT_EFFECT: &[&str] = &[
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

impl RepoConfig {
    fn new(id: &str, main: &MainConfig, origin: String) -> RepoConfig {
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
    fn apply(&mut self, key: &str, value: &str, origin: &str) -> Result<()> {
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
    fn validate(&self) -> Result<()> {
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

/// Parse `--setopt` values into (repo glob or None for main, key, value).
fn parse_setopts(setopt: &[String]) -> Result<Vec<(Option<String>, String, String)>> {
    setopt
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| ConfigError::BadSetopt(s.clone()))?;
            let k = k.trim();
            if k.is_empty() {
                return Err(ConfigError::BadSetopt(s.clone()));
            }
            Ok(match k.rsplit_once('.') {
                Some((repo, key)) => (
                    Some(repo.to_string()),
                    key.to_ascii_lowercase(),
                    v.to_string(),
                ),
                None => (None, k.to_ascii_lowercase(), v.to_string()),
            })
        })
        .collect()
}

/// Load yum.conf, the repo files and the variables under `root`, then apply the overrides.
pub fn load(root: &Sysroot, ov: &Overrides) -> Result<Config> {
    let mut main = MainConfig::default();
    let mut warnings = Vec::new();
    let setopts = parse_setopts(&ov.setopt)?;

    // Variables first: yum substitutes them in repo files (and in reposdir).
    let mut vars = BTreeMap::new();
    let arch = host_arch();
    vars.insert("arch".to_string(), arch.clone());
    vars.insert("basearch".to_string(), basearch(&arch));
    // Variable files override the built-in `$arch`/`$basearch` (as in yum and dnf); a name in
    // both dirs takes the yum one.
    let mut file_vars = BTreeMap::new();
    for dir in ["/etc/yum/vars", "/etc/dnf/vars"] {
        let dir = root.join(dir);
        if let Ok(rd) = std::fs::read_dir(&dir) {
            let mut names: Vec<_> = rd.flatten().map(|e| e.path()).collect();
            names.sort();
            for p in names {
                if let (Some(name), Ok(v)) = (
                    p.file_name().and_then(|n| n.to_str()),
                    std::fs::read_to_string(&p),
                ) {
                    let v = v.lines().next().unwrap_or("").trim().to_string();
                    file_vars.entry(name.to_string()).or_insert(v);
                }
            }
        }
    }
    vars.extend(file_vars);
    if let Some(rv) = ov.releasever.clone().or_else(|| detect_releasever(root)) {
        vars.insert("releasever".to_string(), rv);
    }

    for conf in ["/etc/yum.conf", "/etc/yum/yum.conf"] {
        let path = root.join(conf);
        if let Some(text) = read_opt(&path)? {
            for sec in parse_ini(&text, &path)? {
                if sec.name == "main" {
                    for (k, (v, line)) in &sec.values {
                        let origin = origin_of(&path, root, *line);
                        if !main.apply(k, &substitute(v, &vars), &origin)? {
                            warnings.push(unknown_key(k, &origin));
                        }
                    }
                }
            }
            break;
        }
    }
    // A `reposdir` given on the command line is a path on this machine, not under the root
    // (as dnf documents for `--installroot`).
    let mut reposdir_on_host = false;
    for (repo, k, v) in &setopts {
        if repo.is_none() {
            if k == "cachedir" {
                main.cachedir = PathBuf::from(v);
            } else {
                if !main.apply(k, v, "--setopt")? {
                    warnings.push(unknown_key(k, "--setopt"));
                }
                reposdir_on_host |= k == "reposdir";
            }
        }
    }
    if ov.nogpgcheck {
        main.gpgcheck = false;
        main.repo_gpgcheck = false;
    }

    let mut repos: BTreeMap<String, RepoConfig> = BTreeMap::new();
    for dir in &main.reposdir {
        let dir = if reposdir_on_host {
            dir.clone()
        } else {
            root.join(dir)
        };
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "repo"))
            .collect();
        files.sort();
        for path in files {
            let text = read_opt(&path)?.unwrap_or_default();
            for sec in parse_ini(&text, &path)? {
                let origin = origin_of(&path, root, sec.line);
                if sec.name == "main" {
                    continue;
                }
                crate::names::repo_id(&sec.name).map_err(|source| ConfigError::BadName {
                    origin: origin.clone(),
                    source,
                })?;
                if let Some(prev) = repos.get(&sec.name) {
                    return Err(ConfigError::Duplicate {
                        id: sec.name.clone(),
                        first: prev.origin.clone(),
                        second: origin,
                    });
                }
                let mut repo = RepoConfig::new(&sec.name, &main, origin);
                for (k, (v, line)) in &sec.values {
                    repo.apply(k, &substitute(v, &vars), &origin_of(&path, root, *line))?;
                }
                repo.validate()?;
                repos.insert(repo.id.clone(), repo);
            }
        }
    }

    for spec in &ov.repofrompath {
        let (id, url) = spec
            .split_once(',')
            .filter(|(i, u)| !i.trim().is_empty() && !u.trim().is_empty())
            .ok_or_else(|| ConfigError::BadRepoFromPath(spec.clone()))?;
        let mut url = url.trim().to_string();
        if url.starts_with('/') {
            url = format!("file://{url}");
        }
        crate::names::repo_id(id.trim()).map_err(|source| ConfigError::BadName {
            origin: format!("--repofrompath `{spec}`"),
            source,
        })?;
        let mut repo = RepoConfig::new(id.trim(), &main, "--repofrompath".into());
        repo.baseurls = vec![url];
        repo.name = id.trim().to_string();
        repos.insert(repo.id.clone(), repo);
    }

    for r in repos.values_mut() {
        r.enabled_in_files = r.enabled;
    }
    // Enable/disable in command-line order semantics of dnf: disables first, then enables.
    let ids: Vec<String> = repos.keys().cloned().collect();
    let matching = |pat: &str| -> Vec<String> {
        ids.iter()
            .filter(|id| glob_match(pat, id))
            .cloned()
            .collect()
    };
    for pat in &ov.disablerepo {
        for id in matching(pat) {
            repos.get_mut(&id).expect("id from map").enabled = false;
        }
    }
    for pat in &ov.enablerepo {
        let hit = matching(pat);
        if hit.is_empty() {
            return Err(ConfigError::NoSuchRepo(pat.clone()));
        }
        for id in hit {
            repos.get_mut(&id).expect("id from map").enabled = true;
        }
    }
    if !ov.only_repos.is_empty() {
        let mut keep = std::collections::BTreeSet::new();
        for pat in &ov.only_repos {
            let hit = matching(pat);
            if hit.is_empty() {
                return Err(ConfigError::NoSuchRepo(pat.clone()));
            }
            keep.extend(hit);
        }
        for (id, r) in repos.iter_mut() {
            r.enabled = keep.contains(id);
        }
    }
    for (repo_pat, k, v) in &setopts {
        let Some(pat) = repo_pat else { continue };
        let hit = matching(pat);
        if hit.is_empty() {
            return Err(ConfigError::NoSuchRepo(pat.clone()));
        }
        for id in hit {
            repos
                .get_mut(&id)
                .expect("id from map")
                .apply(k, v, "--setopt")?;
        }
    }
    if ov.nogpgcheck {
        for r in repos.values_mut() {
            r.gpgcheck = false;
            r.repo_gpgcheck = false;
        }
        warnings.push("--nogpgcheck: signatures are not checked (checksums still are)".into());
    }
    for r in repos.values().filter(|r| r.enabled && !ov.nogpgcheck) {
        if !r.gpgcheck {
            warnings.push(format!(
                "repo `{}`: gpgcheck=0, package signatures are not checked",
                r.id
            ));
        }
    }
    Ok(Config {
        main,
        repos: repos.into_values().collect(),
        vars,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_continuations_and_errors() {
        let t = "[a]\nbaseurl=http://x/\n  http://y/\n\tfile:///z\nenabled : 0\n";
        let s = parse_ini(t, Path::new("f.repo")).unwrap();
        assert_eq!(s[0].values["baseurl"].0, "http://x/\nhttp://y/\nfile:///z");
        assert_eq!(split_list(&s[0].values["baseurl"].0).len(), 3);
        assert_eq!(s[0].values["enabled"].0, "0");

        let e = parse_ini("key=1\n", Path::new("f.repo")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.repo:1: `key=value` before any `[section]` header"
        );
        let e = parse_ini("[a]\nbaseurl http://x\n", Path::new("f.repo")).unwrap_err();
        assert!(
            e.to_string().starts_with("f.repo:2: expected `key=value`"),
            "{e}"
        );
        let e = parse_ini("[a\n", Path::new("f.repo")).unwrap_err();
        assert!(e.to_string().contains("f.repo:1"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("xcp-ng-test*", "xcp-ng-testing"));
        assert!(!glob_match("xcp-ng-test*", "xcp-ng-base"));
        assert!(glob_match("*-alt", "broadcom-bnxt-en-alt"));
        assert!(glob_match("kmod-zfs-4.19.0+?", "kmod-zfs-4.19.0+1"));
        assert!(glob_match("[ab]*", "bnx"));
        assert!(!glob_match("[!ab]*", "bnx"));
    }

    #[test]
    fn variables() {
        let mut v = BTreeMap::new();
        v.insert("releasever".to_string(), "8.3".to_string());
        v.insert("basearch".to_string(), "x86_64".to_string());
        assert_eq!(
            substitute("http://x/$releasever/${basearch}/$unknown", &v),
            "http://x/8.3/x86_64/$unknown"
        );
    }

    #[test]
    fn expire_values() {
        assert_eq!(parse_expire("90m"), Some(Some(5400)));
        assert_eq!(parse_expire("6h"), Some(Some(21600)));
        assert_eq!(parse_expire("never"), Some(None));
        assert_eq!(parse_expire("-1"), Some(None));
        assert_eq!(parse_expire("1d"), Some(Some(86400)));
        assert_eq!(parse_expire("x"), None);
    }
}
