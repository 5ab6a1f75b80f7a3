//! `verify` (one line per file, like `rpmkeys --checksig`) and `keys` (the trusted keys), as
//! text and as the versioned JSON documents.

use super::exit::ExitStatus;
use super::render::{date, Width};
use super::{Env, View};
use crate::error::Result;
use crate::ops::{host, Context};
use crate::trust::package::{Range, Report, TAG_PAYLOADDIGEST};
use crate::trust::KeysReport;
use crate::wire;

/// `verify FILE.rpm…`: exit 1 when any file fails (unsigned fails too).
pub(super) struct Verify {
    reports: Vec<Report>,
    verbose: bool,
}

pub(super) fn verify(env: &Env<'_>, files: &[std::path::PathBuf]) -> Result<Verify> {
    Ok(Verify {
        reports: host::verify(&env.root(), files)?,
        verbose: env.global.verbose > 0,
    })
}

impl View for Verify {
    fn text(&self, _: Width) -> String {
        verify_lines(&self.reports, self.verbose)
    }
    fn json(&self) -> String {
        #[derive(serde::Serialize)]
        struct B<'a> {
            files: &'a [Report],
        }
        wire::document(B {
            files: &self.reports,
        })
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.reports.iter().all(|r| r.ok))
    }
}

/// `keys [--accept REPO…]`.
pub(super) struct Keys(KeysReport);

pub(super) fn keys(ctx: &Context<'_>, accept: &[String]) -> Result<Keys> {
    Ok(Keys(host::keys(ctx, accept)?))
}

impl View for Keys {
    fn text(&self, _: Width) -> String {
        keys_text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(&self.0)
    }
}

/// `FILE: digests signatures OK`, with rpm's words; `-v` adds one line per digest and
/// signature. When the payload has no digest in the header (rpm 4.11 builds), the line says
/// what covered it.
fn verify_lines(reports: &[Report], verbose: bool) -> String {
    let mut s = String::new();
    for r in reports {
        if let Some(e) = &r.error {
            s.push_str(&format!("{}: NOT OK ({e})\n", r.path));
            continue;
        }
        s.push_str(&format!("{}: {}", r.path, r.summary));
        let has_payload_digest = r.items.iter().any(|i| i.tag == TAG_PAYLOADDIGEST);
        if !has_payload_digest && r.items.iter().any(|i| i.range == Range::HeaderAndPayload) {
            match &r.payload_covered_by {
                Some(by) => s.push_str(&format!(
                    " (no payload digest; payload covered by the {by})"
                )),
                None => s.push_str(" (no payload digest; nothing covers the payload)"),
            }
        }
        s.push('\n');
        if verbose {
            for i in &r.items {
                s.push_str(&format!("    {}: {}", i.description, i.outcome.word()));
                if let Some(d) = &i.detail {
                    s.push_str(&format!(" ({d})"));
                }
                if let Some(fp) = &i.fingerprint {
                    s.push_str(&format!(" [key {fp}]"));
                }
                s.push('\n');
            }
        }
    }
    s
}

/// One block per key: fingerprint, user ids, algorithm, dates, status and where it came from.
fn keys_text(r: &KeysReport) -> String {
    if r.keys.is_empty() {
        return "No trusted keys.\n".into();
    }
    let mut s = String::new();
    for k in &r.keys {
        s.push_str(&format!(
            "{}  {}  {}\n",
            k.fingerprint, k.algorithm, k.status
        ));
        for u in &k.user_ids {
            s.push_str(&format!("    uid      {u}\n"));
        }
        s.push_str(&format!(
            "    created  {}   expires {}\n",
            date(k.created),
            k.expires.map(date).unwrap_or_else(|| "never".into())
        ));
        for o in &k.origins {
            s.push_str(&format!("    from     {o}\n"));
        }
    }
    s
}
