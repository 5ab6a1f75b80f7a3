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
            .filter(|id| crate::glob::glob_match(pat, id))
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
