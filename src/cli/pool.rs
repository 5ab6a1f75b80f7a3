//! `pool status`: the pool's hosts and their drivers as text, or the `--json` document.

use super::args::XapiArgs;
use super::exit::ExitStatus;
use super::render::Width;
use super::View;
use crate::error::Result;
use crate::pool::{self, Compliance, PoolStatus};
use crate::wire;

pub(super) struct Status(PoolStatus);

pub(super) fn status(c: &XapiArgs, baseline: Option<&std::path::Path>) -> Result<Status> {
    let baseline = baseline.map(pool::read_baseline).transpose()?;
    let mut x = pool::connect(&pool::Connect {
        xapi: c.xapi.clone(),
        certificate: c.xapi_cert.clone(),
        fingerprint: c.xapi_fingerprint.clone(),
        credentials: c.credentials.clone(),
    })?;
    let st = pool::status(&mut x, baseline.as_ref());
    x.logout();
    Ok(Status(st?))
}

impl View for Status {
    fn text(&self, _: Width) -> String {
        text(&self.0)
    }
    fn json(&self) -> String {
        wire::document(&self.0)
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.0.ok())
    }
}

fn text(st: &PoolStatus) -> String {
    let mut s = format!("pool {}: {} host(s)\n", st.pool, st.hosts.len());
    for (i, h) in st.hosts.iter().enumerate() {
        s.push_str(&format!(
            "\n{}{}  XCP-ng {}  {}{}\n",
            h.name,
            if h.master { " (master)" } else { "" },
            h.version.as_deref().unwrap_or("?"),
            if h.enabled { "enabled" } else { "disabled" },
            match &h.unreachable {
                Some(why) => format!("  UNREACHABLE: {why}"),
                None => format!(
                    "  guidance pending: {}",
                    if h.guidance.is_empty() {
                        "none".to_string()
                    } else {
                        h.guidance.join(", ")
                    }
                ),
            }
        ));
        for d in &h.drivers {
            let hw: Vec<&str> = d
                .variants
                .iter()
                .filter(|v| v.hardware_present)
                .map(|v| v.name.as_str())
                .collect();
            s.push_str(&format!(
                "  {:<20} selected {:<12} loaded {:<12} hardware for: {}\n",
                d.name,
                d.selected.as_deref().unwrap_or("-"),
                d.active.as_deref().unwrap_or("-"),
                if hw.is_empty() {
                    "none".to_string()
                } else {
                    hw.join(", ")
                }
            ));
        }
        if !h.packages.is_empty() {
            let p: Vec<String> = h.packages.iter().map(|(n, v)| format!("{n} {v}")).collect();
            s.push_str(&format!("  packages: {}\n", p.join(", ")));
        }
        if let Some(c) = st.compliance.as_ref().and_then(|c| c.get(i)) {
            s.push_str(&match c {
                Compliance::Compliant => "  compliant\n".to_string(),
                Compliance::NonCompliant(w) => format!("  NON-COMPLIANT: {}\n", w.join("; ")),
                Compliance::Incompatible(w) => format!("  INCOMPATIBLE: {}\n", w.join("; ")),
                Compliance::Unknown(w) => format!("  UNKNOWN (unreachable): {w}\n"),
            });
        }
    }
    if st.compliance.is_none() {
        if st.differences.is_empty() {
            s.push_str("\nthe hosts read agree on every driver and driver package\n");
        } else {
            s.push_str("\ndifferences between hosts:\n");
            for d in &st.differences {
                let v: Vec<String> = d
                    .values
                    .iter()
                    .map(|(val, hosts)| format!("{val} on {}", hosts.join(", ")))
                    .collect();
                s.push_str(&format!("  {}: {}\n", d.what, v.join("; ")));
            }
        }
    }
    s
}
