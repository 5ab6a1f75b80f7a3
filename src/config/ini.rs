//! The INI dialect of yum's files (Python's ConfigParser): sections, `key=value` or
//! `key: value`, continuation lines, comments; and the value forms yum reads (lists, truth
//! values, expiry times, sizes).

use super::*;
use std::collections::BTreeMap;
use std::path::Path;

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
