//! The impact of a plan, in plans and results: `"modules": [{"module", "kernel", "before":
//! {"path", "version", …} | null, "after": … | null, "loaded", "action", "verdict",
//! "reason"}]`, `"guidance": ["RebootHost", …]` (XAPI's names; `[]`: nothing to restart) and
//! `"guidance_reasons": [{"guidance", "why"}]`.

use crate::modules::impact::{CopyRef, ModuleImpact};
use crate::transaction::guidance::Guidance;
use serde::Serialize;

#[derive(Serialize)]
pub struct Copy<'a> {
    pub path: &'a str,
    pub version: Option<&'a str>,
    pub package: Option<&'a str>,
    /// `supported`, `alternate`, `additional`, `built-in`, `unpackaged`.
    pub class: &'static str,
}

fn copy(c: &CopyRef) -> Copy<'_> {
    Copy {
        path: &c.path,
        version: c.version.as_deref(),
        package: c.package.as_deref(),
        class: c.class.as_str(),
    }
}

#[derive(Serialize)]
pub struct Module<'a> {
    pub module: &'a str,
    pub kernel: &'a str,
    pub before: Option<Copy<'a>>,
    pub after: Option<Copy<'a>>,
    pub loaded: bool,
    /// `none`, `reload`, `reboot`.
    pub action: &'static str,
    /// The reload preflight's verdict now: `safe`, `needs-force`, `impossible` (null when
    /// no reload is in question).
    pub verdict: Option<&'static str>,
    pub reason: &'a str,
}

#[derive(Serialize)]
pub struct Why<'a> {
    pub guidance: &'static str,
    pub why: &'a str,
}

#[derive(Serialize)]
pub struct Impact<'a> {
    pub modules: Vec<Module<'a>>,
    pub guidance: Vec<&'static str>,
    pub guidance_reasons: Vec<Why<'a>>,
}

impl<'a> Impact<'a> {
    pub fn of(
        modules: &'a [ModuleImpact],
        guidance: &[Guidance],
        why: &'a [(Guidance, String)],
    ) -> Impact<'a> {
        Impact {
            modules: modules
                .iter()
                .map(|m| Module {
                    module: &m.module,
                    kernel: &m.kernel,
                    before: m.before.as_ref().map(copy),
                    after: m.after.as_ref().map(copy),
                    loaded: m.loaded,
                    action: m.action.as_str(),
                    verdict: m.verdict.map(super::reload::verdict),
                    reason: &m.reason,
                })
                .collect(),
            guidance: guidance.iter().map(|g| g.as_str()).collect(),
            guidance_reasons: why
                .iter()
                .map(|(g, w)| Why {
                    guidance: g.as_str(),
                    why: w,
                })
                .collect(),
        }
    }
}
