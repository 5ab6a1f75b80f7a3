//! The command line: clap definitions, settings resolution, rendering (tables and `--json`),
//! talk on stderr, and exit codes. It holds no business logic: each command calls an
//! operation in `ops` and renders the value it returns.

pub mod args;
pub mod render;
pub mod render_modules;

use crate::config::Overrides;
use crate::error::{Error, Result};
use crate::modules::ModuleClass;
use crate::ops::query::{self, ListQuery, Scope};
use crate::ops::{Context, Reporter, Settings};
use crate::repo::CachePolicy;
use crate::sysroot::Sysroot;
use args::{Cli, Command, GlobalArgs};
use clap::Parser;
use std::io::Write;

/// Talk on stderr: warnings always (unless `-q`), information with `-v`.
pub struct StderrReporter {
    pub quiet: bool,
    pub verbose: u8,
}

impl Reporter for StderrReporter {
    fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("warning: {msg}");
        }
    }
    fn info(&self, msg: &str) {
        if !self.quiet && self.verbose > 0 {
            eprintln!("{msg}");
        }
    }
}

/// Resolve the global options into `Settings`.
pub fn settings(g: &GlobalArgs) -> Settings {
    Settings {
        root: Sysroot::new(&g.root),
        overrides: Overrides {
            enablerepo: g.enablerepo.clone(),
            disablerepo: g.disablerepo.clone(),
            only_repos: g.repo.clone(),
            repofrompath: g.repofrompath.clone(),
            releasever: g.releasever.clone(),
            setopt: g.setopt.clone(),
            nogpgcheck: g.nogpgcheck,
        },
        cache: CachePolicy {
            cacheonly: g.cacheonly,
            refresh: g.refresh,
        },
        kernel: g.kernel.clone(),
        assumeyes: g.assumeyes,
        assumeno: g.assumeno,
        downloadonly: false,
    }
}

/// What a command produced: text for stdout and the exit code.
pub struct Output {
    pub stdout: String,
    pub code: i32,
}

impl Output {
    fn ok(stdout: String) -> Output {
        Output { stdout, code: 0 }
    }
}

/// Run the command line; returns the process exit code.
pub fn run<I, T>(argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let reporter = StderrReporter {
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
    };
    let json = cli.global.json;
    match dispatch(&cli, &reporter) {
        Ok(out) => {
            let mut so = std::io::stdout().lock();
            let _ = so.write_all(out.stdout.as_bytes());
            let _ = so.flush();
            out.code
        }
        Err(e) => {
            report_error(&e, json);
            e.exit_code()
        }
    }
}

/// Print an error: the chain and a hint on stderr; with `--json`, the error document on stdout.
pub fn report_error(e: &Error, json: bool) {
    let hint = e.hint();
    eprintln!("error: {}", e.chain());
    if let Some(h) = &hint {
        eprintln!("hint: {h}");
    }
    if json {
        #[derive(serde::Serialize)]
        struct E<'a> {
            kind: &'a str,
            message: String,
            hint: Option<String>,
        }
        #[derive(serde::Serialize)]
        struct B<'a> {
            error: E<'a>,
        }
        print!(
            "{}",
            render::json_doc(B {
                error: E {
                    kind: e.kind(),
                    message: e.chain(),
                    hint,
                }
            })
        );
    }
}

fn dispatch(cli: &Cli, reporter: &StderrReporter) -> Result<Output> {
    let g = &cli.global;
    let json = g.json;
    // Commands that need no configuration.
    match &cli.command {
        Command::Vercmp { evr1, evr2 } => return Ok(vercmp(evr1, evr2, json)),
        Command::Demo { dir } => return demo(dir.clone(), json, reporter),
        Command::Modules { modules } => {
            let inv = crate::modules::inventory::inventory(&Sysroot::new(&g.root), g.kernel.as_deref(), modules)?;
            return Ok(Output::ok(if json { render_modules::modules_json(&inv) } else { render_modules::modules(&inv) }));
        }
        Command::Module(args::ModuleCommand::Show { module }) => {
            let inv = crate::modules::inventory::inventory(
                &Sysroot::new(&g.root),
                g.kernel.as_deref(),
                std::slice::from_ref(module),
            )?;
            return Ok(Output::ok(if json { render_modules::modules_json(&inv) } else { render_modules::show(&inv) }));
        }
        Command::Depmod => {
            let run = crate::modules::inventory::run_depmod(&Sysroot::new(&g.root), g.kernel.as_deref())?;
            let code = if run.disagreements.is_empty() { 0 } else { 1 };
            return Ok(Output {
                stdout: if json { render_modules::depmod_json(&run) } else { render_modules::depmod(&run) },
                code,
            });
        }
        _ => {}
    }
    let ctx = Context::new(settings(g), reporter)?;
    Ok(match &cli.command {
        Command::Repolist { all } => {
            let rows = query::repolist(&ctx, *all);
            Output::ok(if json { render::repolist_json(&rows) } else { render::repolist(&rows, *all) })
        }
        Command::Makecache => {
            let rows = query::makecache(&ctx)?;
            Output::ok(if json { render::makecache_json(&rows) } else { render::makecache(&rows) })
        }
        Command::List(a) => {
            let scope = if a.installed {
                Scope::Installed
            } else if a.available {
                Scope::Available
            } else if a.updates {
                Scope::Updates
            } else {
                Scope::All
            };
            let class = if a.alternate {
                Some(ModuleClass::Alternate)
            } else if a.additional {
                Some(ModuleClass::Additional)
            } else if a.supported {
                Some(ModuleClass::Supported)
            } else {
                None
            };
            let q = ListQuery {
                scope,
                class,
                patterns: a.patterns.clone(),
                showduplicates: a.showduplicates,
            };
            let r = query::list(&ctx, &q)?;
            Output::ok(if json { render::list_json(&r) } else { render::list(&r, class.is_some()) })
        }
        Command::Info { packages } => {
            let items = query::info(&ctx, packages)?;
            Output::ok(if json { render::info_json(&items) } else { render::info(&items) })
        }
        Command::Search { terms } => {
            let items = query::search(&ctx, terms)?;
            Output::ok(if json { render::updates_json(&items) } else { render::search(&items) })
        }
        Command::CheckUpdate { packages } => {
            let items = query::check_update(&ctx, packages)?;
            let code = if items.is_empty() { 0 } else { 100 };
            Output {
                stdout: if json { render::updates_json(&items) } else { render::updates(&items) },
                code,
            }
        }
        Command::Vercmp { .. }
        | Command::Demo { .. }
        | Command::Modules { .. }
        | Command::Module(_)
        | Command::Depmod => unreachable!("handled above"),
    })
}

fn vercmp(a: &str, b: &str, json: bool) -> Output {
    use crate::rpm::Evr;
    use std::cmp::Ordering;
    let (ea, eb) = (Evr::parse(a), Evr::parse(b));
    // rpmdev-vercmp compares full labels: a missing release is older than any release.
    let ord = ea
        .epoch_or_zero()
        .cmp(&eb.epoch_or_zero())
        .then_with(|| crate::rpm::vercmp(&ea.version, &eb.version))
        .then_with(|| crate::rpm::vercmp(&ea.release, &eb.release));
    let (code, sym) = match ord {
        Ordering::Equal => (0, "=="),
        Ordering::Greater => (11, ">"),
        Ordering::Less => (12, "<"),
    };
    let stdout = if json {
        #[derive(serde::Serialize)]
        struct B<'a> {
            a: &'a str,
            b: &'a str,
            result: i32,
        }
        render::json_doc(B {
            a,
            b,
            result: match ord {
                Ordering::Equal => 0,
                Ordering::Greater => 1,
                Ordering::Less => -1,
            },
        })
    } else {
        format!("{a} {sym} {b}\n")
    };
    Output { stdout, code }
}

fn demo(dir: Option<std::path::PathBuf>, json: bool, reporter: &StderrReporter) -> Result<Output> {
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("xcpng-mod-demo"));
    reporter.warn_or_info(&format!("building the demo host in {} …", dir.display()));
    let host = crate::demo::build(&dir)?;
    let mut settings = Settings::new(&host.root);
    settings.cache = CachePolicy::default();
    let ctx = Context::new(settings, reporter)?;
    let q = ListQuery {
        class: Some(ModuleClass::Alternate),
        ..Default::default()
    };
    let r = query::list(&ctx, &q)?;
    let mut stdout = if json { render::list_json(&r) } else { render::list(&r, true) };
    if !json {
        stdout.push_str(&format!(
            "\nDemo host ready at {root}. Try:\n  xcpng-mod --root {root} repolist --all\n  xcpng-mod --root {root} list --additional\n  xcpng-mod --root {root} --enablerepo xcp-ng-testing check-update\n  xcpng-mod --root {root} info broadcom-bnxt-en-alt\n",
            root = host.root.display()
        ));
    }
    Ok(Output::ok(stdout))
}

impl StderrReporter {
    fn warn_or_info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
}
