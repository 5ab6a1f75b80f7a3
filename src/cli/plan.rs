//! Transaction plans: yum's table (Installing / Upgrading / Downgrading / Removing / … for
//! dependencies, then the summary) and the versioned JSON document; and the plan shown
//! before the question of a transaction.

use super::render::{wrapped, Table, Width};
use super::View;
use crate::modules::impact::CopyRef;
use crate::ops::impact::Impact;
use crate::rpm::package::PackageRef;
use crate::solve::{Plan, PlanChange, PlanPackage, Reason};
use crate::transaction::guidance::Guidance;
use crate::wire;
use serde::Serialize;

fn evr(p: &PackageRef) -> String {
    let mut s = String::new();
    if p.epoch != 0 {
        s.push_str(&format!("{}:", p.epoch));
    }
    s.push_str(&p.version);
    if !p.release.is_empty() {
        s.push('-');
        s.push_str(&p.release);
    }
    s
}

/// Sizes as yum prints them (`12 k`, `3.4 M`).
pub(super) fn size(n: u64) -> String {
    if n < 1024 {
        return format!("{n}");
    }
    let units = ["k", "M", "G", "T"];
    let mut v = n as f64 / 1024.0;
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if v >= 100.0 || i == 0 {
        format!("{:.0} {}", v, units[i])
    } else {
        format!("{:.1} {}", v, units[i])
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "Package"
    } else {
        "Packages"
    }
}

/// The plan as yum shows it. Empty plan: "Nothing to do."
pub(super) fn plan(p: &Plan) -> String {
    if p.is_empty() {
        return "Nothing to do.\n".into();
    }
    let mut rows: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    let pkg_row = |x: &PlanPackage, repo: &str| {
        let mut name = format!(" {}", x.pkg.name);
        if let Some(o) = &x.obsoleted_by {
            name.push_str(&format!(" (replaced by {})", o.name));
        }
        vec![
            name,
            x.pkg.arch.clone(),
            evr(&x.pkg),
            repo.to_string(),
            if x.size > 0 {
                size(x.size)
            } else {
                String::new()
            },
        ]
    };
    let change_row = |c: &PlanChange| {
        vec![
            format!(" {}", c.to.name),
            c.to.arch.clone(),
            evr(&c.to),
            c.to.repo.clone(),
            size(c.size),
        ]
    };
    let section = |rows: &mut Vec<(String, Vec<Vec<String>>)>, title: &str, r: Vec<Vec<String>>| {
        if !r.is_empty() {
            rows.push((title.to_string(), r));
        }
    };
    let inst = |want: bool| -> Vec<Vec<String>> {
        p.install
            .iter()
            .filter(|x| (x.reason == Reason::Requested) == want)
            .map(|x| pkg_row(x, &x.pkg.repo))
            .collect()
    };
    section(&mut rows, "Installing:", inst(true));
    section(
        &mut rows,
        "Upgrading:",
        p.upgrade
            .iter()
            .filter(|c| c.reason == Reason::Requested)
            .map(change_row)
            .collect(),
    );
    section(
        &mut rows,
        "Reinstalling:",
        p.reinstall.iter().map(change_row).collect(),
    );
    section(
        &mut rows,
        "Downgrading:",
        p.downgrade
            .iter()
            .filter(|c| c.reason == Reason::Requested)
            .map(change_row)
            .collect(),
    );
    section(&mut rows, "Installing for dependencies:", inst(false));
    section(
        &mut rows,
        "Upgrading for dependencies:",
        p.upgrade
            .iter()
            .filter(|c| c.reason != Reason::Requested)
            .map(change_row)
            .collect(),
    );
    section(
        &mut rows,
        "Downgrading for dependencies:",
        p.downgrade
            .iter()
            .filter(|c| c.reason != Reason::Requested)
            .map(change_row)
            .collect(),
    );
    let rem = |r: Reason| -> Vec<Vec<String>> {
        p.remove
            .iter()
            .filter(|x| x.reason == r)
            .map(|x| pkg_row(x, &x.pkg.repo))
            .collect()
    };
    section(&mut rows, "Removing:", rem(Reason::Requested));
    section(
        &mut rows,
        "Removing dependent packages:",
        rem(Reason::Dependent),
    );
    section(
        &mut rows,
        "Removing obsoleted packages:",
        rem(Reason::Obsoleted),
    );
    section(
        &mut rows,
        "Removing for dependencies:",
        rem(Reason::Dependency),
    );

    // One table so that the columns line up across sections; titles are rows of their own.
    let mut t = Table::plain(&[" Package", "Arch", "Version", "Repository", "Size"]);
    for (title, r) in &rows {
        t.add_row(vec![title.clone()]);
        for row in r {
            t.add_row(row.clone());
        }
    }
    let table = t.render(Width(None));
    let width = table
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(40)
        .max(40);
    let rule = "=".repeat(width);
    let mut lines = table.lines();
    let mut out = String::new();
    out.push_str(&rule);
    out.push('\n');
    if let Some(h) = lines.next() {
        out.push_str(h.trim_end());
        out.push('\n');
    }
    out.push_str(&rule);
    out.push('\n');
    for l in lines {
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out.push_str("\nTransaction Summary\n");
    out.push_str(&rule);
    out.push('\n');
    let counts = [
        ("Install", p.install.len()),
        ("Upgrade", p.upgrade.len()),
        ("Reinstall", p.reinstall.len()),
        ("Downgrade", p.downgrade.len()),
        ("Remove", p.remove.len()),
    ];
    for (what, n) in counts {
        if n > 0 {
            out.push_str(&format!("{what:<10} {n:>3} {}\n", plural(n)));
        }
    }
    let dl = p.download_size();
    if dl > 0 {
        out.push_str(&format!("\nTotal download size: {}\n", size(dl)));
    }
    out
}

/// `{"version":1,"plan":{"install":[…],"upgrade":[{"from","to"}…],"downgrade":[…],"remove":[…]},
/// "modules":[…],"guidance":[…],"guidance_reasons":[…]}`
pub(super) fn plan_json(p: &Plan, impact: &Impact) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        plan: wire::plan::Plan<'a>,
        #[serde(flatten)]
        impact: &'a Impact,
    }
    wire::document(B {
        plan: p.into(),
        impact,
    })
}

/// The plan table, then (when there is something to do) its impact.
pub(super) fn with_impact(p: &Plan, i: &Impact, width: Width) -> String {
    if p.is_empty() {
        return plan(p);
    }
    plan(p) + &impact(i, width)
}

/// The plan's impact in text: the "Kernel modules" section (a module per line: the copy that
/// wins now → the copy that will win, and what it takes) and the "After this:" line (the
/// guidance in XAPI's names with what to do, and the reloads).
pub(super) fn impact(i: &Impact, width: Width) -> String {
    let mut s = String::new();
    if !i.modules.is_empty() {
        s.push_str("\nKernel modules\n");
        for m in &i.modules {
            let side = |c: &Option<CopyRef>| match c {
                None => "(no copy)".to_string(),
                Some(c) => {
                    let short = c
                        .path
                        .strip_prefix(&format!("/lib/modules/{}/", m.kernel))
                        .unwrap_or(&c.path);
                    let v = c
                        .version
                        .as_deref()
                        .map_or(String::new(), |v| format!(" {v}"));
                    format!("{short}{v} ({})", c.class.as_str())
                }
            };
            s.push_str(&wrapped(
                &format!(
                    "{} ({}): {} -> {}",
                    m.module,
                    m.kernel,
                    side(&m.before),
                    side(&m.after)
                ),
                " ",
                width,
            ));
            s.push_str(&wrapped(
                &format!("{}: {}", m.action.as_str(), m.reason),
                "   ",
                width,
            ));
        }
    }
    let guidance = i.guidance();
    let mut after: Vec<String> = guidance
        .iter()
        .map(|g| format!("{} ({})", g.as_str(), g.advice()))
        .collect();
    let reloads = i.reloads();
    if !reloads.is_empty() && !guidance.contains(&Guidance::RebootHost) {
        after.push(format!("reload {}", reloads.join(", ")));
    }
    if after.is_empty() {
        after.push("nothing to restart".into());
    }
    s.push('\n');
    s.push_str(&wrapped(
        &format!("After this: {}", after.join("; ")),
        "",
        width,
    ));
    for (_, why) in &i.why {
        s.push_str(&wrapped(&format!("because {why}"), "  ", width));
    }
    s
}

/// The plan as shown before a transaction asks: the table in text; nothing in JSON, where
/// stdout holds one document, printed when the command ends, and the plan is part of it.
pub(super) struct Preview<'a>(pub &'a Plan, pub &'a Impact);

impl View for Preview<'_> {
    fn text(&self, width: Width) -> String {
        with_impact(self.0, self.1, width)
    }
    fn json(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_yum() {
        assert_eq!(size(512), "512");
        assert_eq!(size(12 * 1024), "12 k");
        assert_eq!(size(3 * 1024 * 1024 + 400 * 1024), "3.4 M");
    }
}
