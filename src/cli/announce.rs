//! `candidates --announce`: the text XCP-ng posts for each update candidate in testing, with
//! the same checklist (why, the updated RPMs, how to install, how to downgrade, what to test,
//! whether a reboot is required), from what `candidates` found and the impact of installing it.

use crate::modules::impact::Action;
use crate::ops::transaction::Candidates;
use crate::rpm::package::PackageRef;
use crate::transaction::guidance::Guidance;
use serde::Serialize;

/// The announcement: the text, and its parts for scripts.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Announcement {
    pub text: String,
    /// The updated RPMs, `name-[epoch:]version-release.arch`.
    pub packages: Vec<String>,
    pub install: Vec<String>,
    pub downgrade: Vec<String>,
    pub reboot_required: bool,
    pub guidance: Vec<Guidance>,
}

fn nevra(p: &PackageRef) -> String {
    let e = if p.epoch != 0 {
        format!("{}:", p.epoch)
    } else {
        String::new()
    };
    format!("{}-{e}{}-{}.{}", p.name, p.version, p.release, p.arch)
}

fn nvr(p: &PackageRef) -> String {
    let e = if p.epoch != 0 {
        format!("{}:", p.epoch)
    } else {
        String::new()
    };
    format!("{}-{e}{}-{}", p.name, p.version, p.release)
}

pub(super) fn announcement(c: &Candidates) -> Announcement {
    let list = &c.candidates;
    if list.is_empty() {
        return Announcement {
            text: "No update candidates: nothing to announce.\n".into(),
            packages: Vec::new(),
            install: Vec::new(),
            downgrade: Vec::new(),
            reboot_required: false,
            guidance: Vec::new(),
        };
    }
    let mut repos: Vec<&str> = list.iter().map(|x| x.candidate.repo.as_str()).collect();
    repos.sort();
    repos.dedup();
    let names: Vec<&str> = list.iter().map(|x| x.candidate.name.as_str()).collect();
    let (install, downgrade) = commands(c, &repos, &names);
    let packages: Vec<String> = list.iter().map(|x| nevra(&x.candidate)).collect();
    let guidance = c.impact.guidance();
    let reboot_required = guidance.contains(&Guidance::RebootHost);
    let mut t = format!(
        "Update candidate{} in {}: {}\n",
        if list.len() > 1 { "s" } else { "" },
        repos.join(", "),
        names.join(", ")
    );
    t.push_str(&why(c));
    t.push_str(&section("Updated RPMs", &packages));
    t.push_str(&section("To install", &install));
    t.push_str(&section("To downgrade in case of issues", &downgrade));
    t.push_str(&what_to_test(c));
    t.push_str(&reboot(c, reboot_required));
    Announcement {
        text: t,
        packages,
        install,
        downgrade,
        reboot_required,
        guidance,
    }
}

/// `## TITLE` and each line indented.
fn section(title: &str, lines: &[String]) -> String {
    let mut t = format!("\n## {title}\n");
    for l in lines {
        t.push_str(&format!("  {l}\n"));
    }
    t
}

/// The install and the downgrade commands, yum's and ours.
fn commands(c: &Candidates, repos: &[&str], names: &[&str]) -> (Vec<String>, Vec<String>) {
    let yum_repos: String = repos.iter().map(|r| format!(" --enablerepo={r}")).collect();
    let our_repos: String = repos.iter().map(|r| format!(" --enablerepo {r}")).collect();
    let install = vec![
        format!("yum update{yum_repos} {}", names.join(" ")),
        format!("xcpng-mod{our_repos} update {}", names.join(" ")),
    ];
    let olds: Vec<String> = c.candidates.iter().map(|x| nvr(&x.installed)).collect();
    let downgrade = vec![
        format!("yum downgrade {}", olds.join(" ")),
        format!("xcpng-mod downgrade {}", olds.join(" ")),
    ];
    (install, downgrade)
}

/// `## Why`: the changelog entries since the installed version.
fn why(c: &Candidates) -> String {
    let mut t = String::from("\n## Why\n");
    for x in &c.candidates {
        t.push_str(&format!(
            "\n{} {} (installed: {}-{}):\n",
            x.candidate.name, x.candidate.version, x.installed.version, x.installed.release
        ));
        if x.changelog.is_empty() {
            t.push_str("  (no changelog entry since the installed version)\n");
        }
        t.push_str(&super::render::changelog(&x.changelog, "  "));
    }
    t
}

/// `## What to test`: each module whose copy changes, then the other packages.
fn what_to_test(c: &Candidates) -> String {
    let impact = &c.impact;
    let mut t = String::from("\n## What to test\n");
    for m in &impact.modules {
        t.push_str(&format!(
            "  - {}: the devices it drives work with the new copy ({}), after {}\n",
            m.module,
            m.after
                .as_ref()
                .map_or("none left".to_string(), |a| a.path.clone()),
            match m.action {
                Action::Reload => format!("`xcpng-mod reload {}` or a reboot", m.module),
                Action::Reboot => "a reboot".to_string(),
                Action::None => format!("it is next loaded (`modprobe {}`) or a reboot", m.module),
            }
        ));
    }
    let drivers: Vec<&str> = impact
        .modules
        .iter()
        .filter_map(|m| m.after.as_ref()?.package.as_deref())
        .collect();
    for x in c
        .candidates
        .iter()
        .filter(|x| !drivers.contains(&x.candidate.name.as_str()))
    {
        t.push_str(&format!(
            "  - {}: what uses it still works after the update\n",
            x.candidate.name
        ));
    }
    t
}

/// `## Reboot required`: yes, no (and the reloads), and the other guidance with why.
fn reboot(c: &Candidates, required: bool) -> String {
    let impact = &c.impact;
    let mut t = String::from("\n## Reboot required\n");
    if required {
        t.push_str("  Yes.\n");
    } else if !impact.reloads().is_empty() {
        t.push_str(&format!(
            "  No: reload {} (its preflight says safe), or reboot.\n",
            impact.reloads().join(", ")
        ));
    } else {
        t.push_str("  No.\n");
    }
    for g in impact
        .guidance()
        .iter()
        .filter(|g| **g != Guidance::RebootHost)
    {
        t.push_str(&format!("  {}: {}.\n", g.as_str(), g.advice()));
    }
    for (_, why) in &impact.why {
        t.push_str(&format!("  ({why})\n"));
    }
    t
}
