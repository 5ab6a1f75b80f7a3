//! What the command files render with: the JSON error object,
//! tables, and the formats (dates, sizes) more than one command shows.

use serde::Serialize;

/// How wide the text on stdout may be: `COLUMNS` when it is set, else the terminal's width
/// when stdout is a terminal, else no limit (a pipe or a file gets every column, whole).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Width(pub(super) Option<usize>);

impl Width {
    pub(super) fn of_stdout() -> Width {
        let columns = std::env::var("COLUMNS").ok();
        Width::from(columns.as_deref(), || {
            use std::io::IsTerminal;
            if !std::io::stdout().is_terminal() {
                return None;
            }
            // SAFETY: TIOCGWINSZ only fills the winsize it is given.
            let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
            let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
            Some(if ok && ws.ws_col > 0 {
                usize::from(ws.ws_col)
            } else {
                80
            })
        })
    }

    /// The rule: a positive `COLUMNS`, else what `terminal` says.
    fn from(columns: Option<&str>, terminal: impl FnOnce() -> Option<usize>) -> Width {
        match columns.and_then(|c| c.trim().parse::<usize>().ok()) {
            Some(n) if n > 0 => Width(Some(n)),
            _ => Width(terminal()),
        }
    }
}

/// `text` as lines of at most `width` (wrapped at spaces; a longer word stays whole), each
/// after `indent`, the lines after the first after `indent` and two more spaces.
pub(super) fn wrapped(text: &str, indent: &str, width: Width) -> String {
    let Width(Some(w)) = width else {
        return format!("{indent}{text}\n");
    };
    let cont = format!("{indent}  ");
    let mut out = String::new();
    let mut line = indent.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && self::width(&line) + 1 + self::width(word) > w {
            out.push_str(&line);
            out.push('\n');
            line = cont.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// How a column of a [`Table`] gives way when the table is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shrink {
    /// Kept whole (or dropped).
    No,
    /// Its lines wrapped at spaces, down to the longest word.
    Wrap,
    /// Its lines cut, ending in `...`.
    Truncate,
}

/// The shortest a truncated column gets.
const TRUNCATED_MIN: usize = 12;

/// A column of a [`Table`]: its title, the rank at which it is dropped when the table does not
/// fit (0: never; otherwise the highest rank goes first), and how it shrinks before that.
#[derive(Debug, Clone)]
pub(super) struct Col {
    title: String,
    drop: u8,
    shrink: Shrink,
}

impl Col {
    pub(super) fn new(title: impl Into<String>) -> Col {
        Col {
            title: title.into(),
            drop: 0,
            shrink: Shrink::No,
        }
    }

    /// Dropped when the table does not fit, the highest rank first.
    pub(super) fn drop(mut self, rank: u8) -> Col {
        self.drop = rank;
        self
    }

    /// Wrapped at spaces when the table does not fit.
    pub(super) fn wrap(mut self) -> Col {
        self.shrink = Shrink::Wrap;
        self
    }

    /// Cut when the table does not fit.
    pub(super) fn truncate(mut self) -> Col {
        self.shrink = Shrink::Truncate;
        self
    }
}

/// Display width of a cell line (one column per character).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// A borderless aligned table: a title row, then rows whose cells may hold several lines;
/// columns two spaces apart, no blanks at the ends of lines. A row may have fewer cells than
/// there are columns (a section title in a plan). Given a width, it drops and shrinks
/// columns as [`Col`] says until it fits; without one, every column is shown whole. Fast
/// enough for listings of tens of thousands of rows.
pub(super) struct Table {
    cols: Vec<Col>,
    /// Every cell's text, one after the other (a listing of 60,000 rows is three
    /// allocations, not 180,000).
    text: String,
    /// Where each cell ends in `text`.
    cell_ends: Vec<usize>,
    /// Where each row ends in `cell_ends`.
    row_ends: Vec<usize>,
}

impl Table {
    pub(super) fn new(cols: Vec<Col>) -> Table {
        Table {
            cols,
            text: String::new(),
            cell_ends: Vec::new(),
            row_ends: Vec::new(),
        }
    }

    /// A table whose columns are never dropped or shrunk.
    pub(super) fn plain(titles: &[&str]) -> Table {
        Table::new(titles.iter().map(|t| Col::new(*t)).collect())
    }

    pub(super) fn add_row(&mut self, row: Vec<String>) {
        for c in &row {
            self.cell_of(&[c]);
        }
        self.end_row();
    }

    /// Adds a cell to the row being built, formatted in place.
    pub(super) fn cell(&mut self, text: std::fmt::Arguments<'_>) -> &mut Table {
        use std::fmt::Write;
        match text.as_str() {
            Some(s) => self.text.push_str(s),
            None => self.text.write_fmt(text).expect("writing to a String"),
        }
        self.cell_ends.push(self.text.len());
        self
    }

    /// Adds a cell made of `parts` joined, to the row being built (cheaper than formatting).
    pub(super) fn cell_of(&mut self, parts: &[&str]) -> &mut Table {
        for s in parts {
            self.text.push_str(s);
        }
        self.cell_ends.push(self.text.len());
        self
    }

    /// Ends the row being built.
    pub(super) fn end_row(&mut self) {
        self.row_ends.push(self.cell_ends.len());
    }

    fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        let mut first = 0;
        self.row_ends.iter().map(move |&end| {
            let cells = first..end;
            first = end;
            Row { table: self, cells }
        })
    }

    /// The widest line of column `i`'s cells (title included), and its longest word.
    fn measure(&self, i: usize) -> (usize, usize) {
        let title = width(&self.cols[i].title);
        let (mut widest, mut word) = (title, title);
        let wrap = self.cols[i].shrink == Shrink::Wrap;
        for c in self.rows().filter_map(|r| r.get(i)) {
            if !wrap && !c.contains('\n') {
                widest = widest.max(width(c));
                continue;
            }
            for l in c.split('\n') {
                widest = widest.max(width(l));
                if wrap {
                    word = word.max(l.split(' ').map(width).max().unwrap_or(0));
                }
            }
        }
        (widest, word)
    }

    /// Which columns are shown and how wide each is (None: not shown).
    fn layout(&self, limit: Width) -> Vec<Option<usize>> {
        let n = self.cols.len();
        let measured: Vec<(usize, usize)> = (0..n).map(|i| self.measure(i)).collect();
        let natural: Vec<usize> = measured.iter().map(|m| m.0).collect();
        let Width(Some(limit)) = limit else {
            return natural.into_iter().map(Some).collect();
        };
        let least: Vec<usize> = (0..n)
            .map(|i| match self.cols[i].shrink {
                Shrink::No => natural[i],
                Shrink::Wrap => measured[i].1,
                Shrink::Truncate => natural[i]
                    .min(TRUNCATED_MIN)
                    .max(width(&self.cols[i].title)),
            })
            .collect();
        let need = |shown: &[bool], w: &[usize]| {
            let k = shown.iter().filter(|s| **s).count();
            (0..n).filter(|&i| shown[i]).map(|i| w[i]).sum::<usize>() + 2 * k.saturating_sub(1)
        };
        // Drop columns, the highest rank first, until the narrowest form fits; then take back
        // the dropped ones that fit after all, the most important first.
        let mut shown = vec![true; n];
        let mut dropped = Vec::new();
        while need(&shown, &least) > limit {
            let Some(i) = (0..n)
                .filter(|&i| shown[i] && self.cols[i].drop > 0)
                .max_by_key(|&i| (self.cols[i].drop, i))
            else {
                break;
            };
            shown[i] = false;
            dropped.push(i);
        }
        dropped.sort_by_key(|&i| (self.cols[i].drop, i));
        for i in dropped {
            shown[i] = true;
            if need(&shown, &least) > limit {
                shown[i] = false;
            }
        }
        // Shrink the widest shrinkable column, one character at a time, until it fits.
        let mut w = natural;
        while need(&shown, &w) > limit {
            let Some(i) = (0..n)
                .filter(|&i| shown[i] && w[i] > least[i])
                .max_by_key(|&i| (w[i] - least[i], i))
            else {
                break;
            };
            w[i] -= 1;
        }
        (0..n).map(|i| shown[i].then_some(w[i])).collect()
    }

    pub(super) fn render(&self, limit: Width) -> String {
        let layout = self.layout(limit);
        let mut out = String::with_capacity(self.text.len() + (self.row_ends.len() + 1) * 24);
        let mut row: Vec<&str> = self.cols.iter().map(|c| c.title.as_str()).collect();
        let mut cells = Vec::with_capacity(self.cols.len());
        self.render_row(&layout, &row, &mut cells, &mut out);
        for r in self.rows() {
            row.clear();
            row.extend(r.cells());
            self.render_row(&layout, &row, &mut cells, &mut out);
        }
        out
    }

    /// One row: one line when every cell fits as it is, else the cells wrapped or cut to
    /// their width, side by side over as many lines as the deepest needs.
    fn render_row<'a>(
        &self,
        layout: &[Option<usize>],
        row: &[&'a str],
        cells: &mut Vec<(usize, &'a str)>,
        out: &mut String,
    ) {
        cells.clear();
        cells.extend(
            row.iter()
                .enumerate()
                .filter_map(|(i, c)| layout.get(i).copied().flatten().map(|w| (w, *c))),
        );
        if cells
            .iter()
            .all(|(w, c)| !c.contains('\n') && width(c) <= *w)
        {
            line(out, cells.iter().copied());
            return;
        }
        let lines: Vec<(usize, Vec<String>)> = row
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let w = layout.get(i).copied().flatten()?;
                Some((w, fit(c, w, self.cols[i].shrink)))
            })
            .collect();
        let depth = lines.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
        for k in 0..depth {
            line(
                out,
                lines
                    .iter()
                    .map(|(w, l)| (*w, l.get(k).map_or("", String::as_str))),
            );
        }
    }
}

/// One row's cells, as slices of the table's text.
struct Row<'t> {
    table: &'t Table,
    cells: std::ops::Range<usize>,
}

impl<'t> Row<'t> {
    fn get(&self, i: usize) -> Option<&'t str> {
        let k = self.cells.start + i;
        if k >= self.cells.end {
            return None;
        }
        let start = if k == 0 {
            0
        } else {
            self.table.cell_ends[k - 1]
        };
        Some(&self.table.text[start..self.table.cell_ends[k]])
    }

    fn cells(&self) -> impl Iterator<Item = &'t str> + '_ {
        (0..self.cells.len()).filter_map(|i| self.get(i))
    }
}

/// One output line: each cell padded to its column's width, two spaces between columns.
fn line<'a>(out: &mut String, cells: impl Iterator<Item = (usize, &'a str)>) {
    const SPACES: &str = "                                                                ";
    let start = out.len();
    for (w, c) in cells {
        out.push_str(c);
        let mut pad = (w + 2).saturating_sub(width(c));
        while pad > 0 {
            let n = pad.min(SPACES.len());
            out.push_str(&SPACES[..n]);
            pad -= n;
        }
    }
    out.truncate(out[start..].trim_end().len() + start);
    out.push('\n');
}

/// A cell's lines at most `w` wide, as its column shrinks.
fn fit(cell: &str, w: usize, shrink: Shrink) -> Vec<String> {
    let mut out = Vec::new();
    for l in cell.split('\n') {
        if width(l) <= w || shrink == Shrink::No {
            out.push(l.to_string());
        } else if shrink == Shrink::Truncate {
            let keep = w.saturating_sub(3);
            out.push(l.chars().take(keep).collect::<String>() + "...");
        } else {
            let mut cur = String::new();
            for word in l.split(' ') {
                if !cur.is_empty() && width(&cur) + 1 + width(word) > w {
                    out.push(std::mem::take(&mut cur));
                }
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(word);
            }
            out.push(cur);
        }
    }
    out
}

/// The `"error"` object of a JSON document: `{"kind", "message", "hint"}`, and for an
/// unsolvable request `"reasons"`, one sentence each (the message holds them as lines too).
#[derive(Serialize)]
pub(super) struct ErrorBody {
    kind: &'static str,
    message: String,
    hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasons: Option<Vec<String>>,
}

impl ErrorBody {
    pub(super) fn of(e: &crate::Error) -> ErrorBody {
        ErrorBody {
            kind: e.kind(),
            message: e.chain(),
            hint: e.hint(),
            reasons: match e {
                crate::Error::Unsolvable { reasons, .. } => Some(reasons.clone()),
                _ => None,
            },
        }
    }
}

/// Changelog entries as rpm prints them (`* DATE AUTHOR`, then the text indented), each
/// line after `indent`.
pub(super) fn changelog(entries: &[crate::repo::primary::ChangelogEntry], indent: &str) -> String {
    let mut s = String::new();
    for e in entries {
        let day = crate::time::utc(e.date);
        s.push_str(&format!(
            "{indent}* {} {}\n",
            day.split(' ').next().unwrap_or(""),
            e.author
        ));
        for l in e.text.lines() {
            s.push_str(&format!("{indent}  {l}\n"));
        }
    }
    s
}

pub(super) fn human_size(n: u64) -> String {
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

pub(super) fn date(ts: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new(vec![
            Col::new("package"),
            Col::new("version"),
            Col::new("repo").drop(2),
            Col::new("note").drop(1).wrap(),
            Col::new("copies").drop(3),
        ]);
        t.add_row(vec![
            "broadcom-bnxt-en-alt".into(),
            "1.10.3-1".into(),
            "xcp-ng-base".into(),
            "OLDER than the driver it overrides".into(),
            "a/bnxt_en.ko\nb/bnxt_en.ko".into(),
        ]);
        t.add_row(vec![
            "igb".into(),
            "5.3".into(),
            "updates".into(),
            "".into(),
            "-".into(),
        ]);
        t
    }

    #[test]
    fn tables_without_a_limit_show_every_column_whole() {
        let want = [
            format!(
                "{:<22}{:<10}{:<13}{:<36}copies",
                "package", "version", "repo", "note"
            ),
            format!(
                "{:<22}{:<10}{:<13}{:<36}a/bnxt_en.ko",
                "broadcom-bnxt-en-alt",
                "1.10.3-1",
                "xcp-ng-base",
                "OLDER than the driver it overrides"
            ),
            format!("{:<81}b/bnxt_en.ko", ""),
            format!("{:<22}{:<10}{:<13}{:<36}-", "igb", "5.3", "updates", ""),
        ];
        assert_eq!(table().render(Width(None)), want.join("\n") + "\n");
        // A limit the table fits in changes nothing.
        assert_eq!(table().render(Width(Some(93))), want.join("\n") + "\n");
    }

    #[test]
    fn tables_shrink_wrappable_columns_then_drop_the_highest_rank_first() {
        for limit in [20, 40, 60, 80, 100] {
            let text = table().render(Width(Some(limit)));
            let widest = text.lines().map(width).max().unwrap();
            // "broadcom-bnxt-en-alt  1.10.3-1" cannot get narrower.
            assert!(widest <= limit.max(30), "{limit}: {widest}\n{text}");
            assert!(text.starts_with("package "), "{text}");
        }
        // 80: the note wraps (to 21), nothing is dropped.
        let want = [
            format!(
                "{:<22}{:<10}{:<13}{:<23}copies",
                "package", "version", "repo", "note"
            ),
            format!(
                "{:<22}{:<10}{:<13}{:<23}a/bnxt_en.ko",
                "broadcom-bnxt-en-alt", "1.10.3-1", "xcp-ng-base", "OLDER than the driver"
            ),
            format!("{:<45}{:<23}b/bnxt_en.ko", "", "it overrides"),
            format!("{:<22}{:<10}{:<13}{:<23}-", "igb", "5.3", "updates", ""),
        ];
        assert_eq!(table().render(Width(Some(80))), want.join("\n") + "\n");
        // 60: the copies (rank 3) go first; the note wraps into what is left.
        let want = [
            format!("{:<22}{:<10}{:<13}note", "package", "version", "repo"),
            format!(
                "{:<22}{:<10}{:<13}OLDER than the",
                "broadcom-bnxt-en-alt", "1.10.3-1", "xcp-ng-base"
            ),
            format!("{:<45}driver it", ""),
            format!("{:<45}overrides", ""),
            format!("{:<22}{:<10}updates", "igb", "5.3"),
        ];
        assert_eq!(table().render(Width(Some(60))), want.join("\n") + "\n");
        // 40: then the repo (2) and the note (1).
        assert_eq!(
            table().render(Width(Some(40))),
            "package               version\nbroadcom-bnxt-en-alt  1.10.3-1\nigb                   5.3\n"
        );
    }

    #[test]
    fn a_dropped_column_comes_back_when_it_fits_after_a_wider_one_went() {
        let mut t = Table::new(vec![
            Col::new("a"),
            Col::new("b").drop(2),
            Col::new("c").drop(1),
        ]);
        t.add_row(vec!["x".repeat(10), "y".repeat(5), "z".repeat(30)]);
        assert_eq!(
            t.render(Width(Some(20))),
            format!("a           b\n{}  yyyyy\n", "x".repeat(10))
        );
    }

    #[test]
    fn truncated_columns_end_in_dots() {
        let mut t = Table::new(vec![Col::new("ID"), Col::new("Command line").truncate()]);
        t.add_row(vec![
            "1".into(),
            "xcpng-mod --root /tmp/x install foo".into(),
        ]);
        assert_eq!(
            t.render(Width(Some(20))),
            "ID  Command line\n1   xcpng-mod --r...\n"
        );
    }

    #[test]
    fn the_width_is_columns_else_the_terminal_else_none() {
        assert_eq!(Width::from(Some("80"), || None), Width(Some(80)));
        assert_eq!(Width::from(Some("80"), || Some(200)), Width(Some(80)));
        assert_eq!(Width::from(Some("0"), || Some(120)), Width(Some(120)));
        assert_eq!(Width::from(Some("wide"), || None), Width(None));
        assert_eq!(Width::from(None, || Some(132)), Width(Some(132)));
        assert_eq!(Width::from(None, || None), Width(None));
    }

    #[test]
    fn dates_and_sizes() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(2048), "2.0 k");
    }
}
