//! Exit statuses: every code the binary ends with and what it means. The "Exit status:" table
//! of `--help` and the EXIT STATUS section of the man page are both generated from
//! [`ExitStatus::ALL`], so they cannot drift apart. Commands say which status they end with;
//! an error's status comes from [`crate::Error::exit_code`].

use crate::error::Error;

/// How a run ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the command did what was asked (or the answer is yes / nothing to report).
    Success,
    /// 1: the request failed, or a check answers no.
    Failed,
    /// 2: a bad command line or configuration file.
    Usage,
    /// 100: `check-update` found updates (yum's convention).
    UpdatesAvailable,
    /// 11: `vercmp`: the first version is newer.
    FirstNewer,
    /// 12: `vercmp`: the second version is newer.
    SecondNewer,
}

impl ExitStatus {
    /// Every status, in the order the documentation lists them.
    pub const ALL: [ExitStatus; 6] = [
        ExitStatus::Success,
        ExitStatus::Failed,
        ExitStatus::Usage,
        ExitStatus::UpdatesAvailable,
        ExitStatus::FirstNewer,
        ExitStatus::SecondNewer,
    ];

    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failed => 1,
            ExitStatus::Usage => 2,
            ExitStatus::UpdatesAvailable => 100,
            ExitStatus::FirstNewer => 11,
            ExitStatus::SecondNewer => 12,
        }
    }

    /// What the status means, as `--help` and the man page say it.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "success",
            ExitStatus::Failed => {
                "the request failed (nothing matched, a repo could not be fetched or its metadata \
                 is bad, a signature was refused, unsolvable, refused as unsafe), or a check \
                 answers no (doctor: problems remain; verify: a file failed; needs-reboot: a \
                 reboot is needed)"
            }
            ExitStatus::Usage => {
                "usage error (bad flag, malformed configuration file: the message names FILE:LINE)"
            }
            ExitStatus::UpdatesAvailable => {
                "check-update: updates are available (yum's convention)"
            }
            ExitStatus::FirstNewer => "vercmp: the first version is newer",
            ExitStatus::SecondNewer => "vercmp: the second version is newer",
        }
    }

    /// The status an error ends the run with.
    pub fn of(e: &Error) -> ExitStatus {
        match e.exit_code() {
            2 => ExitStatus::Usage,
            _ => ExitStatus::Failed,
        }
    }

    /// Success, or `Failed` when `failed`: the status of a command whose report says no.
    pub fn failed_if(failed: bool) -> ExitStatus {
        if failed {
            ExitStatus::Failed
        } else {
            ExitStatus::Success
        }
    }
}

/// Words of `text` on lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The "Exit status:" table of `--help`: `  CODE meaning`, continuation lines indented.
pub fn help_table() -> String {
    let mut s = String::from("Exit status:\n");
    for st in ExitStatus::ALL {
        for (i, line) in wrap(st.meaning(), 86).iter().enumerate() {
            if i == 0 {
                s.push_str(&format!("  {:<4} {line}\n", st.code()));
            } else {
                s.push_str(&format!("       {line}\n"));
            }
        }
    }
    s
}

/// Text as a roff line: backslashes and dashes escaped, no leading control character.
fn roff(text: &str) -> String {
    let s = text.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// The EXIT STATUS section of the man page, one tagged paragraph per status: the meaning as a
/// sentence, a leading `command:` in bold.
pub fn man_section() -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    for st in ExitStatus::ALL {
        let m = st.meaning();
        let text = match m.split_once(": ") {
            Some((cmd, rest)) if !cmd.contains(' ') => {
                format!("\\fB{}\\fR: {}.", roff(cmd), roff(rest))
            }
            _ => format!("{}{}.", m[..1].to_uppercase(), roff(&m[1..])),
        };
        s.push_str(&format!(".TP\n\\fB{}\\fR\n{text}\n", st.code()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented() {
        let mut codes: Vec<i32> = ExitStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, [0, 1, 2, 11, 12, 100]);
        let help = help_table();
        let man = man_section();
        for st in ExitStatus::ALL {
            assert!(help.contains(&format!("\n  {:<4} ", st.code())), "{help}");
            assert!(
                man.contains(&format!(".TP\n\\fB{}\\fR\n", st.code())),
                "{man}"
            );
        }
        assert!(help.contains("  100  check-update: updates are available"));
        assert!(help.lines().all(|l| l.len() <= 93), "{help}");
        assert!(
            man.contains("\n\\fBcheck\\-update\\fR: updates are available (yum's convention).\n")
        );
        assert!(man.contains("\nSuccess.\n"));
    }

    #[test]
    fn errors_map_to_usage_or_failed() {
        assert_eq!(ExitStatus::of(&Error::Usage("x".into())), ExitStatus::Usage);
        let e = Error::Failed {
            what: "x".into(),
            hint: None,
        };
        assert_eq!(ExitStatus::of(&e), ExitStatus::Failed);
    }
}
