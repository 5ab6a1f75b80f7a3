//! `vercmp`, `debug-solver` and `demo`: the commands that need no host of their own.

use super::exit::ExitStatus;
use super::query::{self, List};
use super::render::Width;
use super::{Env, View};
use crate::error::Result;
use crate::modules::ModuleClass;
use crate::ops::query::ListQuery;
use crate::ops::tools::{self, Testcase};
use crate::ops::{Context, Settings};
use crate::repo::CachePolicy;
use crate::wire;
use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// `vercmp EVR1 EVR2`: exit 0 equal, 11 the first is newer, 12 the second.
pub(super) struct Vercmp {
    a: String,
    b: String,
    ord: Ordering,
}

pub(super) fn vercmp(a: &str, b: &str) -> Vercmp {
    Vercmp {
        a: a.to_string(),
        b: b.to_string(),
        ord: tools::vercmp(a, b),
    }
}

impl View for Vercmp {
    fn text(&self, _: Width) -> String {
        let sym = match self.ord {
            Ordering::Equal => "==",
            Ordering::Greater => ">",
            Ordering::Less => "<",
        };
        format!("{} {sym} {}\n", self.a, self.b)
    }
    fn json(&self) -> String {
        #[derive(serde::Serialize)]
        struct B<'a> {
            a: &'a str,
            b: &'a str,
            result: i32,
        }
        wire::document(B {
            a: &self.a,
            b: &self.b,
            result: match self.ord {
                Ordering::Equal => 0,
                Ordering::Greater => 1,
                Ordering::Less => -1,
            },
        })
    }
    fn status(&self) -> ExitStatus {
        match self.ord {
            Ordering::Equal => ExitStatus::Success,
            Ordering::Greater => ExitStatus::FirstNewer,
            Ordering::Less => ExitStatus::SecondNewer,
        }
    }
}

/// `debug-solver FILE.t`: our result in the testcase's syntax; exit 0 when it matches.
pub(super) struct DebugSolver(Testcase);

pub(super) fn debug_solver(file: &Path) -> Result<DebugSolver> {
    Ok(DebugSolver(tools::debug_solver(file)?))
}

impl View for DebugSolver {
    fn text(&self, _: Width) -> String {
        self.0.output.clone()
    }
    /// The testcase's syntax is the output of this command in both modes (it has no JSON
    /// document).
    fn json(&self) -> String {
        self.0.output.clone()
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(!self.0.matches)
    }
}

/// `demo [DIR]`: the demo host built, and its alternate drivers.
pub(super) struct Demo {
    list: List,
    root: PathBuf,
}

pub(super) fn demo(env: &Env<'_>, dir: Option<&Path>) -> Result<Demo> {
    let dir = dir.map_or_else(
        || std::env::temp_dir().join("xcpng-mod-demo"),
        Path::to_path_buf,
    );
    env.reporter
        .say(&format!("building the demo host in {} …", dir.display()));
    let host = crate::demo::build(&dir)?;
    let mut settings = Settings::new(&host.root);
    settings.cache = CachePolicy::default();
    let ctx = Context::new(settings, env.reporter)?;
    let q = ListQuery {
        class: Some(ModuleClass::Alternate),
        ..Default::default()
    };
    Ok(Demo {
        list: query::list_of(&ctx, &q)?,
        root: host.root,
    })
}

impl View for Demo {
    fn text(&self, width: Width) -> String {
        let mut s = self.list.text(width);
        s.push_str(&format!(
            "\nDemo host ready at {root}. Try:\n  xcpng-mod --root {root} repolist --all\n  xcpng-mod --root {root} list --additional\n  xcpng-mod --root {root} --enablerepo xcp-ng-testing check-update\n  xcpng-mod --root {root} info broadcom-bnxt-en-alt\n",
            root = self.root.display()
        ));
        s
    }
    fn json(&self) -> String {
        self.list.json()
    }
}
