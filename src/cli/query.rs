//! `repolist`, `makecache`, `list`, `info`, `search` and `check-update`: the commands that
//! read repos and the rpmdb and change nothing, and their tables and JSON documents.

use super::args::ListArgs;
use super::exit::ExitStatus;
use super::render::{date, human_size, Col, Table, Width};
use super::View;
use crate::error::Result;
use crate::modules::ModuleClass;
use crate::ops::query::{self as q, CacheRow, Info, ListQuery, ListResult, Listed, RepoRow, Scope};
use crate::ops::Context;
use crate::wire;
use serde::Serialize;

/// `repolist [--all]`.
pub(super) struct Repolist {
    rows: Vec<RepoRow>,
    all: bool,
}

pub(super) fn repolist(ctx: &Context<'_>, all: bool) -> Repolist {
    Repolist {
        rows: q::repolist(ctx, all),
        all,
    }
}

impl View for Repolist {
    fn text(&self, width: Width) -> String {
        repolist_table(&self.rows, self.all, width)
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            repos: &'a [RepoRow],
        }
        wire::document(B { repos: &self.rows })
    }
}

/// `makecache`.
pub(super) struct Makecache(Vec<CacheRow>);

pub(super) fn makecache(ctx: &Context<'_>) -> Result<Makecache> {
    Ok(Makecache(q::makecache(ctx)?))
}

impl View for Makecache {
    fn text(&self, _: Width) -> String {
        let rows = &self.0;
        let mut s = String::new();
        for r in rows {
            s.push_str(&format!(
                "{}: {} ({} packages)\n",
                r.id,
                if r.refreshed {
                    "metadata fetched and checked"
                } else {
                    "cache is fresh"
                },
                r.packages
            ));
        }
        s
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            repos: &'a [CacheRow],
        }
        wire::document(B { repos: &self.0 })
    }
}

/// `list`: a plain listing, or with a class flag the driver listing (modules, and what an
/// alternate overrides).
pub(super) struct List {
    r: ListResult,
    class: Option<ModuleClass>,
}

/// The list query the flags of `list` ask for.
fn list_query(a: &ListArgs) -> ListQuery {
    let scope = if a.installed {
        Scope::Installed
    } else if a.available {
        Scope::Available
    } else if a.updates {
        Scope::Updates
    } else {
        Scope::All
    };
    let class = if a.alternate {
        Some(ModuleClass::Alternate)
    } else if a.additional {
        Some(ModuleClass::Additional)
    } else if a.supported {
        Some(ModuleClass::Supported)
    } else {
        None
    };
    ListQuery {
        scope,
        class,
        patterns: a.patterns.clone(),
        showduplicates: a.showduplicates,
    }
}

pub(super) fn list(ctx: &Context<'_>, a: &ListArgs) -> Result<List> {
    list_of(ctx, &list_query(a))
}

/// The listing of `query` (also the demo's).
pub(super) fn list_of(ctx: &Context<'_>, query: &ListQuery) -> Result<List> {
    Ok(List {
        r: q::list(ctx, query)?,
        class: query.class,
    })
}

impl View for List {
    fn text(&self, width: Width) -> String {
        match self.class {
            Some(c) => driver_list(&self.r, c == ModuleClass::Alternate, width),
            None => list_table(&self.r, width),
        }
    }
    fn json(&self) -> String {
        list_json(&self.r)
    }
}

/// `info PKG…`.
pub(super) struct InfoView(Vec<Info>);

pub(super) fn info(ctx: &Context<'_>, packages: &[String]) -> Result<InfoView> {
    Ok(InfoView(q::info(ctx, packages)?))
}

impl View for InfoView {
    fn text(&self, _: Width) -> String {
        info_text(&self.0)
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            packages: &'a [Info],
        }
        wire::document(B { packages: &self.0 })
    }
}

/// `search TERM…`.
pub(super) struct Search(Vec<Listed>);

pub(super) fn search(ctx: &Context<'_>, terms: &[String]) -> Result<Search> {
    Ok(Search(q::search(ctx, terms)?))
}

impl View for Search {
    fn text(&self, _: Width) -> String {
        search_lines(&self.0)
    }
    fn json(&self) -> String {
        packages_json(&self.0)
    }
}

/// `check-update [PKG…]`: exit 100 when there are updates.
pub(super) struct CheckUpdate(Vec<Listed>);

pub(super) fn check_update(ctx: &Context<'_>, packages: &[String]) -> Result<CheckUpdate> {
    Ok(CheckUpdate(q::check_update(ctx, packages)?))
}

impl View for CheckUpdate {
    fn text(&self, width: Width) -> String {
        updates_table(&self.0, width)
    }
    fn json(&self) -> String {
        packages_json(&self.0)
    }
    fn status(&self) -> ExitStatus {
        if self.0.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::UpdatesAvailable
        }
    }
}

/// `repolist`: what goes first on a narrow terminal is the base URLs, then the package
/// counts; the names wrap.
fn repolist_table(rows: &[RepoRow], all: bool, width: Width) -> String {
    let mut t = Table::new(vec![
        Col::new("repo id"),
        Col::new("repo name").drop(2).wrap(),
        Col::new("status").drop(1),
        Col::new("packages").drop(3),
        Col::new("baseurl").drop(4),
    ]);
    for r in rows {
        let mut urls = r.baseurls.clone();
        if let Some(m) = &r.mirrorlist {
            urls.push(format!("mirrorlist={m}"));
        }
        if let Some(m) = &r.metalink {
            urls.push(format!("metalink={m}"));
        }
        t.add_row(vec![
            r.id.clone(),
            r.name.clone(),
            if r.enabled { "enabled" } else { "disabled" }.to_string(),
            r.packages
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            urls.join("\n"),
        ]);
    }
    if rows.is_empty() {
        return if all {
            "no repos configured\n".into()
        } else {
            "no enabled repos\n".into()
        };
    }
    t.render(width)
}

fn listed_rows(t: &mut Table, items: &[Listed], with_installed: bool) {
    for l in items {
        let p = &l.pkg;
        t.cell_of(&[&p.name, ".", &p.arch]);
        if p.epoch != 0 {
            t.cell(format_args!("{}:{}-{}", p.epoch, p.version, p.release));
        } else if p.release.is_empty() {
            t.cell_of(&[&p.version]);
        } else {
            t.cell_of(&[&p.version, "-", &p.release]);
        }
        t.cell_of(&[&p.repo]);
        if with_installed {
            t.cell_of(&[l.installed_version.as_deref().unwrap_or("-")]);
        }
        t.end_row();
    }
}

/// The columns of a plain listing: on a narrow terminal the installed version goes first,
/// then the repo.
fn listed_cols(with_installed: bool) -> Vec<Col> {
    let mut cols = vec![
        Col::new("package"),
        Col::new("version"),
        Col::new("repo").drop(1),
    ];
    if with_installed {
        cols.push(Col::new("installed").drop(2));
    }
    cols
}

fn list_table(r: &ListResult, width: Width) -> String {
    let mut out = String::new();
    let sections = [
        ("Installed Packages", &r.installed, false),
        ("Available Packages", &r.available, false),
        ("Available Upgrades", &r.updates, true),
    ];
    for (title, items, with_inst) in sections {
        if items.is_empty() {
            continue;
        }
        let mut t = Table::new(listed_cols(with_inst));
        listed_rows(&mut t, items, with_inst);
        out.push_str(title);
        out.push('\n');
        out.push_str(&t.render(width));
    }
    if out.is_empty() {
        out.push_str("no packages\n");
    }
    out
}

#[derive(Serialize)]
struct JsonListed<'a> {
    #[serde(flatten)]
    l: &'a Listed,
    status: &'static str,
}

fn list_json(r: &ListResult) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        packages: Vec<JsonListed<'a>>,
    }
    let mut packages = Vec::new();
    for (items, status) in [
        (&r.installed, "installed"),
        (&r.available, "available"),
        (&r.updates, "update"),
    ] {
        packages.extend(items.iter().map(|l| JsonListed { l, status }));
    }
    wire::document(B { packages })
}

fn updates_table(items: &[Listed], width: Width) -> String {
    if items.is_empty() {
        return "no updates\n".into();
    }
    let mut t = Table::new(listed_cols(true));
    listed_rows(&mut t, items, true);
    t.render(width)
}

fn packages_json(items: &[Listed]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        packages: &'a [Listed],
    }
    wire::document(B { packages: items })
}

fn search_lines(items: &[Listed]) -> String {
    let mut s = String::new();
    for l in items {
        s.push_str(&format!("{}.{} : {}\n", l.pkg.name, l.pkg.arch, l.summary));
    }
    s
}

fn info_text(items: &[Info]) -> String {
    let mut s = String::new();
    for (n, i) in items.iter().enumerate() {
        if n > 0 {
            s.push('\n');
        }
        let line = |s: &mut String, k: &str, v: &str| {
            if !v.is_empty() {
                s.push_str(&format!("{k:<14}: {v}\n"));
            }
        };
        s.push_str(if i.installed {
            "Installed Package\n"
        } else {
            "Available Package\n"
        });
        line(&mut s, "Name", &i.pkg.name);
        if i.pkg.epoch != 0 {
            line(&mut s, "Epoch", &i.pkg.epoch.to_string());
        }
        line(&mut s, "Version", &i.pkg.version);
        line(&mut s, "Release", &i.pkg.release);
        line(&mut s, "Architecture", &i.pkg.arch);
        if i.size > 0 {
            line(&mut s, "Size", &human_size(i.size));
        }
        line(&mut s, "Installed size", &human_size(i.installed_size));
        line(&mut s, "Source", &i.sourcerpm);
        line(&mut s, "Repository", &i.pkg.repo);
        if let Some(c) = i.class {
            line(&mut s, "Driver class", c.as_str());
        }
        line(&mut s, "Summary", &i.summary);
        line(&mut s, "URL", &i.url);
        line(&mut s, "License", &i.license);
        let mut desc = i.description.lines();
        if let Some(first) = desc.next() {
            line(&mut s, "Description", first);
            for l in desc {
                s.push_str(&format!("{:<14}: {l}\n", ""));
            }
        }
        if !i.changelog.is_empty() {
            s.push_str("Changelog     :\n");
            for c in &i.changelog {
                s.push_str(&format!("  * {} {}\n", date(c.date), c.author));
                for l in c.text.lines() {
                    s.push_str(&format!("    {l}\n"));
                }
            }
        }
    }
    s
}

/// `list --alternate|--additional|--supported`: the packages with their modules, installed
/// and available versions, and for alternates the driver they override. On a narrow
/// terminal the class goes first (the flag asked for one), then what an alternate overrides,
/// the repo, the other version, the note (the warning says it on stderr too); the modules
/// stay.
fn driver_list(r: &ListResult, alternates: bool, width: Width) -> String {
    let mut out = String::new();
    let sections: [(&str, &Vec<Listed>, &str); 3] = [
        ("Installed Packages", &r.installed, "available"),
        ("Available Packages", &r.available, "installed"),
        ("Available Upgrades", &r.updates, "installed"),
    ];
    for (title, items, other) in sections {
        if items.is_empty() {
            continue;
        }
        let mut cols = vec![
            Col::new("package"),
            Col::new("version"),
            Col::new("repo").drop(5),
            Col::new("class").drop(7),
            Col::new(other).drop(4),
            Col::new("modules").drop(1),
        ];
        if alternates {
            cols.extend([
                Col::new("overrides").drop(6).wrap(),
                Col::new("note").drop(2).wrap(),
            ]);
        }
        let mut t = Table::new(cols);
        for l in items.iter() {
            let d = l.driver.clone().unwrap_or_default();
            let evr = if l.pkg.epoch != 0 {
                format!("{}:{}-{}", l.pkg.epoch, l.pkg.version, l.pkg.release)
            } else {
                format!("{}-{}", l.pkg.version, l.pkg.release)
            };
            let other_v = if other == "available" {
                d.available_version.clone().filter(|v| *v != evr)
            } else {
                l.installed_version.clone()
            };
            let mut mods = d.modules.join(",");
            if d.modules_from == "name" && !mods.is_empty() {
                mods.push_str(" (by name)");
            }
            let mut row = vec![
                format!("{}.{}", l.pkg.name, l.pkg.arch),
                evr,
                l.pkg.repo.clone(),
                l.class.map(|c| c.as_str()).unwrap_or("-").to_string(),
                other_v.unwrap_or_else(|| "-".into()),
                if mods.is_empty() { "-".into() } else { mods },
            ];
            if alternates {
                row.push(
                    d.overrides
                        .as_ref()
                        .map(|o| {
                            format!(
                                "{} {}{}",
                                o.name,
                                o.version,
                                if o.installed { " (installed)" } else { "" }
                            )
                        })
                        .unwrap_or_else(|| "-".into()),
                );
                let mut note = Vec::new();
                if d.older_than_supported == Some(true) {
                    note.push("OLDER than the driver it overrides".to_string());
                }
                note.extend(super::modules::hardware_words(d.devices.as_deref()));
                row.push(note.join("; "));
            }
            t.add_row(row);
        }
        out.push_str(title);
        out.push('\n');
        out.push_str(&t.render(width));
    }
    if out.is_empty() {
        out.push_str("no packages\n");
    }
    out
}
