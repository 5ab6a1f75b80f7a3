//! Shell-style globs, as yum matches repo ids and package specs (fnmatch). A leaf.

/// Shell-style glob match (`*`, `?`, `[...]`), as yum uses fnmatch for repo ids and packages.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn rec(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|i| rec(&p[1..], &t[i..])),
            Some('?') => !t.is_empty() && rec(&p[1..], &t[1..]),
            Some('[') => {
                let Some(end) = p.iter().skip(1).position(|&c| c == ']').map(|e| e + 1) else {
                    return !t.is_empty() && t[0] == '[' && rec(&p[1..], &t[1..]);
                };
                if t.is_empty() {
                    return false;
                }
                let class = &p[1..end];
                let (neg, class) = match class.first() {
                    Some('!') | Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        if class[i] <= t[0] && t[0] <= class[i + 2] {
                            hit = true;
                        }
                        i += 3;
                    } else {
                        if class[i] == t[0] {
                            hit = true;
                        }
                        i += 1;
                    }
                }
                hit != neg && rec(&p[end + 1..], &t[1..])
            }
            Some(c) => !t.is_empty() && t[0] == *c && rec(&p[1..], &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    rec(&p, &t)
}

/// True when the string has glob characters.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}
