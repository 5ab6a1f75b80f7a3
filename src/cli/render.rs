//! What the command files render with: the versioned JSON document and its error object,
//! tables, and the formats (dates, sizes) more than one command shows.

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
pub(super) fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(Cell::new));
    t
}

/// A comfy-table as text, without the padding it leaves at the ends of lines.
pub(super) fn finish(t: Table) -> String {
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

/// The `"error"` object of a JSON document: `{"kind", "message", "hint"}`.
#[derive(Serialize)]
pub(super) struct ErrorBody {
    kind: &'static str,
    message: String,
    hint: Option<String>,
}

impl ErrorBody {
    pub(super) fn of(e: &crate::Error) -> ErrorBody {
        ErrorBody {
            kind: e.kind(),
            message: e.chain(),
            hint: e.hint(),
        }
    }
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

    #[test]
    fn dates_and_sizes() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(2048), "2.0 k");
    }
}
