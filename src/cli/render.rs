//! Rendering of operation results: tables (comfy-table) and the versioned JSON documents.

use crate::ops::query::{CacheRow, Info, ListResult, Listed, RepoRow};
use comfy_table::{presets, Cell, ContentArrangement, Table};
use serde::Serialize;

/// The JSON document of every command: `{"version": 1, ...}`.
pub fn json_doc<T: Serialize>(body: T) -> String {
    #[derive(Serialize)]
    struct Doc<T> {
        version: u32,
        #[serde(flatten)]
        body: T,
    }
    let mut s = serde_json::to_string_pretty(&Doc { version: 1, body }).expect("serializable");
    s.push('\n');
    s
}

/// A plain aligned table for listings that can hold tens of thousands of rows (comfy-table
/// measures every cell's Unicode width and is too slow there). Rows are single-line cells.
pub struct Columns {
    rows: Vec<Vec<String>>,
}

impl Columns {
    pub fn new(header: &[&str]) -> Columns {
        Columns {
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    pub fn add_row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn render(&self) -> String {
        let width = |c: &str| {
            if c.is_ascii() {
                c.len()
            } else {
                c.chars().count()
            }
        };
        let n = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut w = vec![0usize; n];
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(width(c));
            }
        }
        let mut out = String::with_capacity(self.rows.len() * 80);
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                out.push_str(c);
                if i + 1 < r.len() {
                    let pad = w[i] + 2 - width(c);
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push('\n');
        }
        out
    }
}

/// A borderless comfy-table with a header row, for small tables with multi-line cells.
pub(crate) fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    t
}

/// A comfy-table as text, without the padding it leaves at the ends of lines.
pub(crate) fn finish(t: Table) -> String {
    // comfy-table pads every line to the column width; trailing blanks are noise in a terminal
    // and in snapshots.
    let mut s: String = t
        .to_string()
        .lines()
        .map(|l| {
            l.trim_end()
                .strip_prefix(' ')
                .unwrap_or(l.trim_end())
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    s.push('\n');
    s
}

pub fn repolist(rows: &[RepoRow], all: bool) -> String {
    let mut t = table(&["repo id", "repo name", "status", "packages", "baseurl"]);
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
    finish(t)
}

pub fn repolist_json(rows: &[RepoRow]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        repos: &'a [RepoRow],
    }
    json_doc(B { repos: rows })
}

pub fn makecache(rows: &[CacheRow]) -> String {
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

pub fn makecache_json(rows: &[CacheRow]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        repos: &'a [CacheRow],
    }
    json_doc(B { repos: rows })
}

fn listed_rows(t: &mut Columns, items: &[Listed], with_class: bool, with_installed: bool) {
    for l in items {
        let evr = if l.pkg.epoch != 0 {
            format!("{}:{}-{}", l.pkg.epoch, l.pkg.version, l.pkg.release)
        } else if l.pkg.release.is_empty() {
            l.pkg.version.clone()
        } else {
            format!("{}-{}", l.pkg.version, l.pkg.release)
        };
        let mut row = vec![
            format!("{}.{}", l.pkg.name, l.pkg.arch),
            evr,
            l.pkg.repo.clone(),
        ];
        if with_class {
            row.push(l.class.map(|c| c.as_str()).unwrap_or("-").to_string());
        }
        if with_installed {
            row.push(l.installed_version.clone().unwrap_or_else(|| "-".into()));
        }
        t.add_row(row);
    }
}

pub fn list(r: &ListResult, with_class: bool) -> String {
    let mut out = String::new();
    let sections = [
        ("Installed Packages", &r.installed, false),
        ("Available Packages", &r.available, with_class),
        ("Available Upgrades", &r.updates, true),
    ];
    for (title, items, with_inst) in sections {
        if items.is_empty() {
            continue;
        }
        let mut header = vec!["package", "version", "repo"];
        if with_class {
            header.push("class");
        }
        if with_inst {
            header.push("installed");
        }
        let mut t = Columns::new(&header);
        listed_rows(&mut t, items, with_class, with_inst);
        out.push_str(title);
        out.push('\n');
        out.push_str(&t.render());
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

pub fn list_json(r: &ListResult) -> String {
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
    json_doc(B { packages })
}

pub fn updates(items: &[Listed]) -> String {
    if items.is_empty() {
        return "no updates\n".into();
    }
    let mut t = Columns::new(&["package", "version", "repo", "installed"]);
    listed_rows(&mut t, items, false, true);
    t.render()
}

pub fn updates_json(items: &[Listed]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        packages: &'a [Listed],
    }
    json_doc(B { packages: items })
}

pub fn search(items: &[Listed]) -> String {
    let mut s = String::new();
    for l in items {
        s.push_str(&format!("{}.{} : {}\n", l.pkg.name, l.pkg.arch, l.summary));
    }
    s
}

fn human_size(n: u64) -> String {
    const U: [&str; 5] = ["B", "k", "M", "G", "T"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

pub(crate) fn date(ts: u64) -> String {
    // Civil date from days since the epoch (Howard Hinnant's algorithm), UTC.
    let days = (ts / 86400) as i64;
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn info(items: &[Info]) -> String {
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

pub fn info_json(items: &[Info]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        packages: &'a [Info],
    }
    json_doc(B { packages: items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sizes() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(2048), "2.0 k");
    }
}
