//! Loading: yum.conf, the repo files and the variables under the root, then the
//! command-line overrides, in yum's and dnf's order.

use super::*;
use crate::sysroot::Sysroot;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(super) fn read_opt(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Parse `--setopt` values into (repo glob or None for main, key, value).
pub(super) fn parse_setopts(setopt: &[String]) -> Result<Vec<(Option<String>, String, String)>> {
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
    let vars = load_vars(root, ov);
    read_yum_conf(root, &vars, &mut main, &mut warnings)?;
    let reposdir_on_host = apply_main_setopts(&setopts, &mut main, &mut warnings)?;
    if ov.nogpgcheck {
        main.gpgcheck = false;
        main.repo_gpgcheck = false;
    }

    let mut repos = read_repo_files(root, &main, &vars, reposdir_on_host)?;
    add_repos_from_path(&ov.repofrompath, &main, &mut repos)?;
    select_repos(ov, &mut repos)?;
    apply_repo_setopts(&setopts, &mut repos)?;
    apply_gpg_overrides(ov, &mut repos, &mut warnings);
    Ok(Config {
        main,
        repos: repos.into_values().collect(),
        vars,
        warnings,
    })
}

/// The substitution variables: the built-in `$arch`/`$basearch`, the variable files under
/// `root`, then `$releasever` (from the override or the installed release).
fn load_vars(root: &Sysroot, ov: &Overrides) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let arch = host_arch();
    vars.insert("arch".to_string(), arch.clone());
    vars.insert("basearch".to_string(), basearch(&arch));
    // Variable files override the built-in `$arch`/`$basearch` (as in yum and dnf); a name in
    // both dirs takes the yum one.
    vars.extend(read_var_files(root));
    if let Some(rv) = ov.releasever.clone().or_else(|| detect_releasever(root)) {
        vars.insert("releasever".to_string(), rv);
    }
    vars
}

/// The variables in /etc/yum/vars and /etc/dnf/vars (first line of each file, trimmed); a name
/// in both dirs takes the yum one.
fn read_var_files(root: &Sysroot) -> BTreeMap<String, String> {
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
    file_vars
}

/// Apply the `[main]` section of the first yum.conf found under `root` to `main`, warning on
/// unknown keys.
fn read_yum_conf(
    root: &Sysroot,
    vars: &BTreeMap<String, String>,
    main: &mut MainConfig,
    warnings: &mut Vec<String>,
) -> Result<()> {
    for conf in ["/etc/yum.conf", "/etc/yum/yum.conf"] {
        let path = root.join(conf);
        if let Some(text) = read_opt(&path)? {
            for sec in parse_ini(&text, &path)? {
                if sec.name == "main" {
                    for (k, (v, line)) in &sec.values {
                        let origin = origin_of(&path, root, *line);
                        if !main.apply(k, &substitute(v, vars), &origin)? {
                            warnings.push(unknown_key(k, &origin));
                        }
                    }
                }
            }
            break;
        }
    }
    Ok(())
}

/// Apply the `--setopt`s without a repo part to `main`; says whether one set `reposdir`.
fn apply_main_setopts(
    setopts: &[(Option<String>, String, String)],
    main: &mut MainConfig,
    warnings: &mut Vec<String>,
) -> Result<bool> {
    // A `reposdir` given on the command line is a path on this machine, not under the root
    // (as dnf documents for `--installroot`).
    let mut reposdir_on_host = false;
    for (repo, k, v) in setopts {
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
    Ok(reposdir_on_host)
}

/// Read the `.repo` files in each `reposdir` (under `root` unless `reposdir_on_host`), in name
/// order, into repos keyed by id.
fn read_repo_files(
    root: &Sysroot,
    main: &MainConfig,
    vars: &BTreeMap<String, String>,
    reposdir_on_host: bool,
) -> Result<BTreeMap<String, RepoConfig>> {
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
            read_repo_file(root, &path, main, vars, &mut repos)?;
        }
    }
    Ok(repos)
}

/// Add the repo sections of one `.repo` file to `repos`; a bad or duplicate id is an error.
fn read_repo_file(
    root: &Sysroot,
    path: &Path,
    main: &MainConfig,
    vars: &BTreeMap<String, String>,
    repos: &mut BTreeMap<String, RepoConfig>,
) -> Result<()> {
    let text = read_opt(path)?.unwrap_or_default();
    for sec in parse_ini(&text, path)? {
        let origin = origin_of(path, root, sec.line);
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
        let mut repo = RepoConfig::new(&sec.name, main, origin);
        for (k, (v, line)) in &sec.values {
            repo.apply(k, &substitute(v, vars), &origin_of(path, root, *line))?;
        }
        repo.validate()?;
        repos.insert(repo.id.clone(), repo);
    }
    Ok(())
}

/// Add a repo for each `--repofrompath ID,URL` (a bare path becomes a `file://` URL).
fn add_repos_from_path(
    specs: &[String],
    main: &MainConfig,
    repos: &mut BTreeMap<String, RepoConfig>,
) -> Result<()> {
    for spec in specs {
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
        let mut repo = RepoConfig::new(id.trim(), main, "--repofrompath".into());
        repo.baseurls = vec![url];
        repo.name = id.trim().to_string();
        repos.insert(repo.id.clone(), repo);
    }
    Ok(())
}

/// The ids in `repos` matching the glob `pat`.
fn matching(repos: &BTreeMap<String, RepoConfig>, pat: &str) -> Vec<String> {
    repos
        .keys()
        .filter(|id| crate::glob::glob_match(pat, id))
        .cloned()
        .collect()
}

/// The ids in `repos` matching `pat`; none is an error.
fn matching_some(repos: &BTreeMap<String, RepoConfig>, pat: &str) -> Result<Vec<String>> {
    let hit = matching(repos, pat);
    if hit.is_empty() {
        return Err(ConfigError::NoSuchRepo(pat.to_string()));
    }
    Ok(hit)
}

/// Record what the files enabled, then apply `--disablerepo`, `--enablerepo` and `--repo`.
fn select_repos(ov: &Overrides, repos: &mut BTreeMap<String, RepoConfig>) -> Result<()> {
    for r in repos.values_mut() {
        r.enabled_in_files = r.enabled;
    }
    // Enable/disable in command-line order semantics of dnf: disables first, then enables.
    for pat in &ov.disablerepo {
        for id in matching(repos, pat) {
            repos.get_mut(&id).expect("id from map").enabled = false;
        }
    }
    for pat in &ov.enablerepo {
        for id in matching_some(repos, pat)? {
            repos.get_mut(&id).expect("id from map").enabled = true;
        }
    }
    if !ov.only_repos.is_empty() {
        let mut keep = std::collections::BTreeSet::new();
        for pat in &ov.only_repos {
            keep.extend(matching_some(repos, pat)?);
        }
        for (id, r) in repos.iter_mut() {
            r.enabled = keep.contains(id);
        }
    }
    Ok(())
}

/// Apply the `--setopt REPO.KEY=VALUE`s to the repos their glob matches.
fn apply_repo_setopts(
    setopts: &[(Option<String>, String, String)],
    repos: &mut BTreeMap<String, RepoConfig>,
) -> Result<()> {
    for (repo_pat, k, v) in setopts {
        let Some(pat) = repo_pat else { continue };
        for id in matching_some(repos, pat)? {
            repos
                .get_mut(&id)
                .expect("id from map")
                .apply(k, v, "--setopt")?;
        }
    }
    Ok(())
}

/// Apply `--nogpgcheck` to the repos, and warn about it or about enabled repos with
/// `gpgcheck=0`.
fn apply_gpg_overrides(
    ov: &Overrides,
    repos: &mut BTreeMap<String, RepoConfig>,
    warnings: &mut Vec<String>,
) {
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
}
