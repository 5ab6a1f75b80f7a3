//! Shell-style globs, as yum matches repo ids and package specs and as kmod matches module
//! aliases against a device's modalias (fnmatch without flags). A leaf.

/// Shell-style glob match (`*`, `?`, `[...]` with `!`/`^` negation and ranges), as fnmatch
/// with no flags. Linear backtracking: only the last `*` is ever retried, which is exact for
/// patterns without path semantics and never blows up on many stars (`pci:v*d*sv*sd*bc*…`).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where the last star was, and the text position it now stands for the end of.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => {
                pi += 1;
                ti += 1;
                continue;
            }
            Some('[') => {
                if let Some((hit, len)) = class_match(&p[pi..], t[ti]) {
                    if hit {
                        pi += len;
                        ti += 1;
                        continue;
                    }
                } else if t[ti] == '[' {
                    // No closing bracket: a literal `[`.
                    pi += 1;
                    ti += 1;
                    continue;
                }
            }
            Some(&c) if c == t[ti] => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        // Mismatch: let the last star swallow one more character, or fail.
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A bracket class at the start of `p` against `c`: (matched, length of the class in `p`);
/// None when the bracket is not closed (then it is a literal `[`). As fnmatch, a `]` right
/// after the opening bracket (or its negation) belongs to the class.
fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let neg = matches!(p.get(i), Some('!') | Some('^'));
    if neg {
        i += 1;
    }
    let first = i;
    let mut hit = false;
    loop {
        let &x = p.get(i)?;
        if x == ']' && i > first {
            return Some((hit != neg, i + 1));
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            if x <= c && c <= p[i + 2] {
                hit = true;
            }
            i += 3;
        } else {
            if x == c {
                hit = true;
            }
            i += 1;
        }
    }
}

/// True when the string has glob characters.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_as_fnmatch() {
        for (p, t, want) in [
            ("*", "", true),
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("[ab]x", "bx", true),
            ("[!ab]x", "bx", false),
            ("[^ab]x", "cx", true),
            ("[a-c]", "b", true),
            ("[a-c]", "d", false),
            ("[]]", "]", true),
            ("[a-]", "-", true),
            ("[ab", "[ab", true),
            ("xcp-ng-*", "xcp-ng-updates", true),
            ("xcp-ng-*", "epel", false),
            (
                "*a*a*a*a*a*a*a*a*b",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
            (
                "pci:v00008086d000010FBsv*sd*bc*sc*i*",
                "pci:v00008086d000010FBsv00008086sd00000006bc02sc00i00",
                true,
            ),
            (
                "pci:v00008086d000010FBsv*sd*bc*sc*i*",
                "pci:v00008086d000010FCsv00008086sd00000006bc02sc00i00",
                false,
            ),
            (
                "pci:v*d*sv*sd*bc01sc08i02*",
                "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02",
                true,
            ),
        ] {
            assert_eq!(glob_match(p, t), want, "{p} ~ {t}");
        }
    }
}
