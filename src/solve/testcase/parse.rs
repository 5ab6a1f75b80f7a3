//! Reading a `.t` file: repos (`testtags` blocks), the system, solver flags and job sections.

use super::*;
use crate::rpm::{Evr, Package};
use crate::solve::WeakDeps;

impl Testcase {
    /// Parse the text of a `.t` file.
    pub fn parse(text: &str) -> Testcase {
        let mut tc = Testcase {
            system_arch: "*".into(),
            ..Default::default()
        };
        let mut sec = Section::default();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let line = line.trim_end();
            if line.is_empty() || (line.starts_with('#') && !line.starts_with("#>")) {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[0] {
                "repo" => {
                    let name = words.get(1).copied().unwrap_or("repo").to_string();
                    let prio = words
                        .get(2)
                        .and_then(|p| p.split('.').next())
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(0);
                    let ri = tc.repos.len();
                    tc.repos.push(TRepo {
                        name,
                        priority: prio,
                    });
                    match (words.get(3), words.get(4)) {
                        (Some(&"testtags"), Some(&"<inline>")) => {
                            let mut block = Vec::new();
                            while let Some(l) = lines.peek() {
                                if let Some(rest) = l.strip_prefix("#>") {
                                    block.push(rest.to_string());
                                    lines.next();
                                } else {
                                    break;
                                }
                            }
                            tc.read_repo(ri, &block);
                        }
                        (Some(&"empty"), _) => {}
                        _ => note(
                            &mut tc.unsupported,
                            format!(
                                "repo format `{}`",
                                words.get(3..).unwrap_or_default().join(" ")
                            ),
                        ),
                    }
                }
                "system" => {
                    tc.system_arch = words.get(1).copied().unwrap_or("*").to_string();
                    if tc.system_arch == "unset" {
                        tc.system_arch = "*".into();
                    }
                    tc.system_repo = words.get(3).map(|s| s.to_string());
                }
                "job" => sec.jobs.push(words[1..].join(" ")),
                "solverflags" => sec
                    .solverflags
                    .extend(words[1..].iter().map(|s| s.to_string())),
                "poolflags" => sec
                    .poolflags
                    .extend(words[1..].iter().map(|s| s.to_string())),
                "result" => {
                    sec.result_kind = Some(words.get(1).copied().unwrap_or("").to_string());
                    if words.get(2) == Some(&"<inline>") {
                        while let Some(l) = lines.peek() {
                            if let Some(rest) = l.strip_prefix("#>") {
                                sec.expected.push(rest.trim().to_string());
                                lines.next();
                            } else {
                                break;
                            }
                        }
                    } else {
                        note(&mut tc.unsupported, "result in an external file");
                    }
                }
                "nextjob" => {
                    let mut next = Section::default();
                    // Flags carry over in testsolv only through explicit lines: start fresh.
                    std::mem::swap(&mut sec, &mut next);
                    tc.sections.push(next);
                }
                other => sec.other.push(format!("{other} {}", words[1..].join(" "))),
            }
        }
        tc.sections.push(sec);
        tc
    }

    pub(super) fn read_repo(&mut self, repo: usize, block: &[String]) {
        let mut cur: Option<Package> = None;
        let repo_name = self.repos[repo].name.clone();
        let mut weak = WeakDeps::default();
        let mut vendor = String::new();
        let flush = |cur: &mut Option<Package>,
                     weak: &mut WeakDeps,
                     vendor: &mut String,
                     pkgs: &mut Vec<TPkg>| {
            let w = std::mem::take(weak);
            let v = std::mem::take(vendor);
            if let Some(p) = cur.take() {
                pkgs.push(TPkg {
                    pkg: p,
                    repo,
                    weak: w,
                    vendor: v,
                });
            }
        };
        for l in block {
            let Some((tag, rest)) = l.split_once(':') else {
                continue;
            };
            let rest = rest.trim();
            match tag {
                "=Pkg" => {
                    flush(&mut cur, &mut weak, &mut vendor, &mut self.pkgs);
                    let f: Vec<&str> = rest.split_whitespace().collect();
                    if f.len() < 4 {
                        note(&mut self.unsupported, format!("bad package line `{rest}`"));
                        continue;
                    }
                    // `[E:]V`: the version is everything after the epoch (a `-` in it is
                    // kept, as libsolv keeps it).
                    let (epoch, version) = match f[1].split_once(':') {
                        Some((e, v)) if e.chars().all(|c| c.is_ascii_digit()) => {
                            (e.parse().ok(), v)
                        }
                        _ => (None, f[1]),
                    };
                    cur = Some(Package {
                        name: f[0].into(),
                        evr: Evr::new(epoch, version, f[2]),
                        arch: f[3].into(),
                        repo: repo_name.clone(),
                        ..Default::default()
                    });
                }
                "=Req" | "=Prv" | "=Con" | "=Obs" | "=Prq" => {
                    let Some(p) = cur.as_mut() else { continue };
                    let Some(d) = testcase_dep(rest, &mut self.unsupported) else {
                        continue;
                    };
                    match tag {
                        "=Req" | "=Prq" => p.requires.push(d),
                        "=Prv" => p.provides.push(d),
                        "=Con" => p.conflicts.push(d),
                        _ => p.obsoletes.push(d),
                    }
                }
                "=Fls" => {
                    if let Some(p) = cur.as_mut() {
                        p.files.push(rest.to_string());
                    }
                }
                "=Rec" | "=Sup" | "=Sug" | "=Enh" => {
                    if cur.is_none() {
                        continue;
                    }
                    let Some(d) = testcase_dep(rest, &mut self.unsupported) else {
                        continue;
                    };
                    match tag {
                        "=Rec" => weak.recommends.push(d),
                        "=Sup" => weak.supplements.push(d),
                        "=Sug" => weak.suggests.push(d),
                        _ => weak.enhances.push(d),
                    }
                }
                "=Vnd" => vendor = rest.to_string(),
                "=Ver" | "=Tim" | "=Sum" | "=Dsc" => {}
                other => note(&mut self.unsupported, format!("package tag `{other}`")),
            }
        }
        flush(&mut cur, &mut weak, &mut vendor, &mut self.pkgs);
    }

    pub(super) fn arch_ok(&self, arch: &str) -> bool {
        let sys = self.system_arch.as_str();
        if sys == "*" || arch == "noarch" || arch == sys {
            return true;
        }
        let x86 = ["i686", "i586", "i486", "i386"];
        match sys {
            "x86_64" => x86.contains(&arch),
            "i686" => x86[1..].contains(&arch),
            "i586" => x86[2..].contains(&arch),
            _ => false,
        }
    }
}
