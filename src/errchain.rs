//! An error with its causes as one line, for messages and records. A leaf.

/// Any error with its causes, `a: b: c`, without repeating a cause already in the text.
pub fn chain_of(e: &(dyn std::error::Error + '_)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}
