//! `reload MODULE`: the preflight (what is at risk, the verdict, the plan), the steps run and
//! the checks, as text and as the versioned JSON document. It decides nothing: whether the
//! report ends the run in an error is `ops::host::reload_failure`'s.

use super::exit::ExitStatus;
use super::render::{ErrorBody, Width};
use super::{Env, View};
use crate::error::Result;
use crate::modules::reload::{Preflight, ReloadOutcome, ReloadReport, VermagicStatus};
use crate::ops::host;
use crate::wire;
use serde::Serialize;

/// A reload's report: refused, failed and rolled-back reloads exit 1 with the report on stdout
/// and the reason on stderr.
pub(super) struct Reload(host::Reload);

pub(super) fn reload(env: &Env<'_>, module: &str, dry_run: bool, force: bool) -> Result<Reload> {
    let r = host::reload(
        &env.root(),
        env.kernel(),
        module,
        dry_run,
        force,
        &env.command,
    )?;
    Ok(Reload(r))
}

impl View for Reload {
    fn text(&self, _: Width) -> String {
        text(&self.0.report)
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            reload: wire::reload::Report<'a>,
            #[serde(skip_serializing_if = "Option::is_none")]
            error: Option<ErrorBody>,
        }
        wire::document(B {
            reload: (&self.0.report).into(),
            error: self.0.failure.as_ref().map(ErrorBody::of),
        })
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(self.0.failure.is_some())
    }
    fn stderr(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.0.record_error {
            s.push_str(&format!(
                "warning: the reload is not recorded in the history: {}\n",
                e.chain()
            ));
        }
        if let Some(e) = &self.0.failure {
            s.push_str(&format!("error: {}\n", e.chain()));
            if let Some(h) = e.hint() {
                s.push_str(&format!("hint: {h}\n"));
            }
        }
        s
    }
}

fn preflight(p: &Preflight, s: &mut String) {
    s.push_str(&format!(
        "module:      {} (kernel {})\n",
        p.module, p.kernel
    ));
    match &p.loaded {
        None => s.push_str("loaded:      no\n"),
        Some(l) => s.push_str(&format!(
            "loaded:      {} (refcnt {})\n",
            l.path
                .as_deref()
                .unwrap_or("yes, but no file on disk matches its build-id"),
            l.refcnt
                .map(|r| r.to_string())
                .unwrap_or_else(|| "?".into())
        )),
    }
    if let Some(w) = &p.winner {
        let mut extra = Vec::new();
        if let Some(v) = &w.version {
            extra.push(v.clone());
        }
        if let Some(pk) = &w.package {
            extra.push(pk.clone());
        }
        extra.push(w.class.as_str().to_string());
        s.push_str(&format!("will load:   {} ({})\n", w.path, extra.join(", ")));
    }
    let vm = match p.vermagic.status {
        VermagicStatus::Match => "matches the kernel".to_string(),
        VermagicStatus::OtherRelease => format!(
            "built for another release ({})",
            p.vermagic.module.as_deref().unwrap_or("?")
        ),
        VermagicStatus::Refused => format!(
            "REFUSED by the kernel: `{}`, kernel expects `{}`",
            p.vermagic.module.as_deref().unwrap_or("?"),
            p.vermagic.kernel.as_deref().unwrap_or(&p.kernel)
        ),
        VermagicStatus::Unknown => "unknown".into(),
    };
    s.push_str(&format!("vermagic:    {vm}\n"));
    if let Some(i) = p.in_initrd {
        s.push_str(&format!("in initrd:   {}\n", if i { "yes" } else { "no" }));
    }
    let holders: Vec<&str> = p.holders.iter().map(|h| h.name.as_str()).collect();
    s.push_str(&format!(
        "holders:     {}\n",
        if holders.is_empty() {
            "none".into()
        } else {
            holders.join(", ")
        }
    ));
    if !p.interfaces.is_empty() {
        let v: Vec<String> = p
            .interfaces
            .iter()
            .map(|i| {
                if i.management {
                    format!("{} (management)", i.name)
                } else if i.pifs.iter().any(|p| p.in_use()) {
                    format!("{} (in use by XAPI)", i.name)
                } else {
                    i.name.clone()
                }
            })
            .collect();
        s.push_str(&format!("interfaces:  {}\n", v.join(", ")));
    }
    if !p.block_devices.is_empty() {
        let v: Vec<&str> = p.block_devices.iter().map(|b| b.name.as_str()).collect();
        s.push_str(&format!("block devs:  {}\n", v.join(", ")));
    }
    s.push_str(&format!("verdict:     {}\n", p.verdict.as_str()));
    for r in &p.reasons {
        s.push_str(&format!("  - {r}\n"));
    }
    for n in &p.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s.push_str("plan:\n");
    s.push_str(&format!(
        "  unload:    {}\n",
        if p.plan.unload.is_empty() {
            "nothing".into()
        } else {
            p.plan.unload.join(", ")
        }
    ));
    let loads: Vec<String> = p.plan.load.iter().map(|l| l.command.join(" ")).collect();
    s.push_str(&format!("  load:      {}\n", loads.join("; ")));
    for o in &p.plan.options {
        s.push_str(&format!(
            "  options:   {} {} ({})\n",
            o.module,
            o.options.join(" "),
            o.file
        ));
    }
}

fn text(r: &ReloadReport) -> String {
    let mut s = String::new();
    preflight(&r.preflight, &mut s);
    if !r.steps.is_empty() {
        s.push_str("steps:\n");
        for st in &r.steps {
            s.push_str(&format!(
                "  {} {}{}{}\n",
                if st.ok { "ok  " } else { "FAIL" },
                st.command.join(" "),
                if st.fallback { " (fallback)" } else { "" },
                st.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
        }
    }
    if !r.checks.is_empty() {
        s.push_str("checks:\n");
        for c in &r.checks {
            s.push_str(&format!(
                "  {} {}: {}\n",
                if c.ok { "ok  " } else { "FAIL" },
                c.name,
                c.detail
            ));
        }
    }
    s.push_str(&format!(
        "result:      {}: {}\n",
        r.result.as_str(),
        r.summary
    ));
    if matches!(
        r.result,
        ReloadOutcome::Refused | ReloadOutcome::Failed | ReloadOutcome::FellBack
    ) || (r.result == ReloadOutcome::DryRun && !r.preflight.ways_forward.is_empty())
    {
        for w in &r.preflight.ways_forward {
            s.push_str(&format!("  way forward: {w}\n"));
        }
    }
    s
}
