//! Yum variables (`$releasever`, `$basearch`, `$arch`, `/etc/yum/vars/*`) and their
//! substitution.

use super::*;
use crate::sysroot::Sysroot;
use std::collections::BTreeMap;

/// Replace `$var` and `${var}` with known variables; unknown ones stay as written (as yum).
pub fn substitute(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (name, end) = if b.get(i + 1) == Some(&b'{') {
                match s[i + 2..].find('}') {
                    Some(e) => (&s[i + 2..i + 2 + e], i + 3 + e),
                    None => ("", i + 1),
                }
            } else {
                let n = s[i + 1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                (&s[i + 1..i + 1 + n], i + 1 + n)
            };
            if let Some(v) = vars.get(name).filter(|_| !name.is_empty()) {
                out.push_str(v);
                i = end;
                continue;
            }
        }
        let ch = s[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

pub(super) fn host_arch() -> String {
    std::env::consts::ARCH.to_string()
}

/// `$basearch` from `$arch` (i686 → i386, as yum).
pub fn basearch(arch: &str) -> String {
    match arch {
        "i386" | "i486" | "i586" | "i686" | "athlon" => "i386".into(),
        "amd64" | "ia32e" => "x86_64".into(),
        other => other.into(),
    }
}

/// The `releasever` of the root when none is given: yum vars, then `/etc/os-release`.
pub(super) fn detect_releasever(root: &Sysroot) -> Option<String> {
    for dir in ["/etc/yum/vars", "/etc/dnf/vars"] {
        if let Ok(Some(v)) = read_opt(&root.join(dir).join("releasever")) {
            return Some(v.trim().to_string());
        }
    }
    let os = read_opt(&root.join("/etc/os-release")).ok()??;
    os.lines()
        .find_map(|l| l.strip_prefix("VERSION_ID="))
        .map(|v| v.trim_matches('"').to_string())
}
