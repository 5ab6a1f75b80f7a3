//! The command line: clap definitions, settings resolution, rendering (tables and `--json`),
//! talk on stderr, and exit codes. It holds no business logic: each command calls an
//! operation in `ops` and renders the value it returns.

pub mod args;
pub mod docs;
pub mod exit;
pub mod render;
pub mod render_modules;
pub mod render_plan;
pub mod render_reload;
pub mod render_rollback;
pub mod render_trust;
pub mod render_tx;

use crate::config::Overrides;
use crate::error::{Error, Result};
use crate::modules::ModuleClass;
use crate::ops::host;
use crate::ops::query::{self, ListQuery, Scope};
use crate::ops::{Context, Reporter, Settings};
use crate::repo::CachePolicy;
use crate::solve::Goal;
use crate::sysroot::Sysroot;
use args::{Cli, Command, GlobalArgs};
use clap::Parser;
use exit::ExitStatus;
use std::io::Write;

/// Talk on stderr: warnings always (unless `-q`), information with `-v`, and a progress bar
/// for long steps when stderr is a terminal.
pub struct StderrReporter {
    pub quiet: bool,
    pub verbose: u8,
    pub bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
}

impl StderrReporter {
    pub fn new(quiet: bool, verbose: u8) -> StderrReporter {
        StderrReporter {
            quiet,
            verbose,
            bar: std::sync::Mutex::new(None),
        }
    }
}

impl Reporter for StderrReporter {
    fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("warning: {msg}");
        }
    }
    fn info(&self, msg: &str) {
        if !self.quiet && self.verbose > 0 {
            match self.bar.lock().expect("not poisoned").as_ref() {
                Some(b) => b.println(msg),
                None => eprintln!("{msg}"),
            }
        }
    }
    fn progress_start(&self, label: &str, total: u64) {
        use std::io::IsTerminal;
        if self.quiet || !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        *self.bar.lock().expect("not poisoned") = Some(bar);
    }
    fn progress_inc(&self, n: u64) {
        if let Some(b) = self.bar.lock().expect("not poisoned").as_ref() {
            b.inc(n);
        }
    }
    fn progress_finish(&self) {
        if let Some(b) = self.bar.lock().expect("not poisoned").take() {
            b.finish_and_clear();
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
        downloadonly: g.downloadonly,
        debugsolver: g.debugsolver.clone(),
    }
}

/// What a command produced: text for stdout and the exit code.
pub struct Output {
    pub stdout: String,
    pub code: ExitStatus,
}

impl Output {
    fn ok(stdout: String) -> Output {
        Output {
            stdout,
            code: ExitStatus::Success,
        }
    }
}

/// Run the command line; returns the process exit code.
pub fn run<I, T>(argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let argv: Vec<std::ffi::OsString> = argv.into_iter().map(Into::into).collect();
    let mut cli = match Cli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
            let _ = e.print();
            return code.code();
        }
    };
    let reporter = StderrReporter::new(cli.global.quiet, cli.global.verbose);
    let json = cli.global.json;
    // The root is made absolute before anything uses it (rpm refuses a relative --root, and
    // only after planning and downloading), and every write is confined to it.
    match std::path::absolute(&cli.global.root) {
        Ok(r) if r.is_dir() => cli.global.root = r,
        _ => {
            let e = Error::Usage(format!(
                "--root `{}` is not a directory",
                cli.global.root.display()
            ));
            report_error(&e, json);
            return ExitStatus::of(&e).code();
        }
    }
    crate::hostfs::confine_to(&cli.global.root);
    let result = dispatch(&cli, &reporter, &command_line(&argv));
    for n in crate::notices::drain() {
        match n {
            crate::notices::Notice::Warn(m) => reporter.warn(&m),
            crate::notices::Notice::Info(m) => reporter.info(&m),
        }
    }
    match result {
        Ok(out) => {
            let mut so = std::io::stdout().lock();
            let _ = so.write_all(out.stdout.as_bytes());
            let _ = so.flush();
            out.code.code()
        }
        Err(e) => {
            report_error(&e, json);
            ExitStatus::of(&e).code()
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

fn dispatch(cli: &Cli, reporter: &StderrReporter, command: &[String]) -> Result<Output> {
    let g = &cli.global;
    let json = g.json;
    // Commands that need no configuration.
    match &cli.command {
        Command::Vercmp { evr1, evr2 } => return Ok(vercmp(evr1, evr2, json)),
        Command::Demo { dir } => return demo(dir.clone(), json, reporter),
        Command::DebugSolver { file } => return debug_solver(file),
        Command::Modules { modules } => {
            let inv = host::modules(&Sysroot::new(&g.root), g.kernel.as_deref(), modules)?;
            return Ok(Output::ok(if json {
                render_modules::modules_json(&inv)
            } else {
                render_modules::modules(&inv)
            }));
        }
        Command::Module(args::ModuleCommand::Show { module }) => {
            let inv = host::modules(
                &Sysroot::new(&g.root),
                g.kernel.as_deref(),
                std::slice::from_ref(module),
            )?;
            return Ok(Output::ok(if json {
                render_modules::modules_json(&inv)
            } else {
                render_modules::show(&inv)
            }));
        }
        Command::Verify { files } => {
            let reports = host::verify(&Sysroot::new(&g.root), files)?;
            let code = ExitStatus::failed_if(!reports.iter().all(|r| r.ok));
            return Ok(Output {
                stdout: if json {
                    render_trust::verify_json(&reports)
                } else {
                    render_trust::verify(&reports, g.verbose > 0)
                },
                code,
            });
        }
        Command::Depmod => {
            let run = host::depmod(&Sysroot::new(&g.root), g.kernel.as_deref())?;
            let code = ExitStatus::failed_if(!run.disagreements.is_empty());
            return Ok(Output {
                stdout: if json {
                    render_modules::depmod_json(&run)
                } else {
                    render_modules::depmod(&run)
                },
                code,
            });
        }
        Command::Reload {
            module,
            dry_run,
            force,
        } => return reload(g, module, *dry_run, *force, command),
        Command::Doctor { fix } => {
            let r = host::doctor(&Sysroot::new(&g.root), g.kernel.as_deref(), *fix)?;
            let code = ExitStatus::failed_if(r.problems_left != 0);
            return Ok(Output {
                stdout: if json {
                    render_modules::doctor_json(&r)
                } else {
                    render_modules::doctor(&r)
                },
                code,
            });
        }
        _ => {}
    }
    let ctx = Context::new(settings(g), reporter)?;
    Ok(match &cli.command {
        Command::Repolist { all } => {
            let rows = query::repolist(&ctx, *all);
            Output::ok(if json {
                render::repolist_json(&rows)
            } else {
                render::repolist(&rows, *all)
            })
        }
        Command::Makecache => {
            let rows = query::makecache(&ctx)?;
            Output::ok(if json {
                render::makecache_json(&rows)
            } else {
                render::makecache(&rows)
            })
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
            Output::ok(if json {
                render::list_json(&r)
            } else if class.is_some() {
                render_modules::driver_list(&r, class == Some(ModuleClass::Alternate))
            } else {
                render::list(&r, false)
            })
        }
        Command::Info { packages } => {
            let items = query::info(&ctx, packages)?;
            Output::ok(if json {
                render::info_json(&items)
            } else {
                render::info(&items)
            })
        }
        Command::Search { terms } => {
            let items = query::search(&ctx, terms)?;
            Output::ok(if json {
                render::updates_json(&items)
            } else {
                render::search(&items)
            })
        }
        Command::CheckUpdate { packages } => {
            let items = query::check_update(&ctx, packages)?;
            let code = if items.is_empty() {
                ExitStatus::Success
            } else {
                ExitStatus::UpdatesAvailable
            };
            Output {
                stdout: if json {
                    render::updates_json(&items)
                } else {
                    render::updates(&items)
                },
                code,
            }
        }
        Command::Keys { accept } => {
            let keys = host::keys(&ctx, accept)?;
            Output::ok(if json {
                render_trust::keys_json(&keys)
            } else {
                render_trust::keys(&keys)
            })
        }
        Command::Install(a) => transaction(&ctx, Goal::Install(a.packages.clone()), command, json)?,
        Command::Update(a) => transaction(&ctx, Goal::Update(a.packages.clone()), command, json)?,
        Command::Downgrade(a) => {
            transaction(&ctx, Goal::Downgrade(a.packages.clone()), command, json)?
        }
        Command::Remove(a) => transaction(&ctx, Goal::Remove(a.packages.clone()), command, json)?,
        Command::Reinstall(a) => {
            transaction(&ctx, Goal::Reinstall(a.packages.clone()), command, json)?
        }
        Command::History { command: sub } => history(&ctx, sub.as_ref(), command, json)?,
        Command::Rollback { target, dry_run } => rollback(&ctx, target, *dry_run, command, json)?,
        Command::Candidates => {
            let c = crate::ops::transaction::candidates(&ctx)?;
            Output::ok(if json {
                render_tx::candidates_json(&c)
            } else {
                render_tx::candidates(&c)
            })
        }
        Command::NeedsReboot => {
            let r = crate::ops::transaction::needs_reboot(&ctx)?;
            Output {
                stdout: if json {
                    render_tx::needs_reboot_json(&r)
                } else {
                    render_tx::needs_reboot(&r)
                },
                code: ExitStatus::failed_if(!r.is_empty()),
            }
        }
        Command::DebugSolver { .. } => unreachable!("handled above"),
        Command::Vercmp { .. }
        | Command::Verify { .. }
        | Command::Demo { .. }
        | Command::Modules { .. }
        | Command::Module(_)
        | Command::Depmod
        | Command::Doctor { .. }
        | Command::Reload { .. } => unreachable!("handled above"),
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
        Ordering::Equal => (ExitStatus::Success, "=="),
        Ordering::Greater => (ExitStatus::FirstNewer, ">"),
        Ordering::Less => (ExitStatus::SecondNewer, "<"),
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
    let mut stdout = if json {
        render::list_json(&r)
    } else {
        render_modules::driver_list(&r, true)
    };
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

/// `reload MODULE`: refused, failed and rolled-back reloads exit 1 with the report on stdout
/// and the reason on stderr.
fn reload(
    g: &GlobalArgs,
    module: &str,
    dry_run: bool,
    force: bool,
    command: &[String],
) -> Result<Output> {
    let r = host::reload(
        &Sysroot::new(&g.root),
        g.kernel.as_deref(),
        module,
        dry_run,
        force,
        command,
    )?;
    if let Some(e) = &r.record_error {
        eprintln!(
            "warning: the reload is not recorded in the history: {}",
            e.chain()
        );
    }
    if let Some(e) = &r.failure {
        eprintln!("error: {}", e.chain());
        if let Some(h) = e.hint() {
            eprintln!("hint: {h}");
        }
    }
    Ok(Output {
        stdout: if g.json {
            render_reload::reload_json(&r.report, r.failure.as_ref())
        } else {
            render_reload::reload(&r.report)
        },
        code: ExitStatus::failed_if(r.failure.is_some()),
    })
}

/// `debug-solver FILE.t`: solve a libsolv testcase, print our result, exit 0 when it matches.
fn debug_solver(file: &std::path::Path) -> Result<Output> {
    let text = std::fs::read_to_string(file).map_err(Error::io(file))?;
    let (stdout, ok) = crate::solve::testcase::run_text(&text);
    Ok(Output {
        stdout,
        code: ExitStatus::failed_if(!ok),
    })
}

/// A transaction command: plan it and print the plan; with --assumeno that is all. Otherwise
/// ask (on a terminal, unless -y), then download, verify and run it (see `ops::transaction`).
fn transaction(ctx: &Context<'_>, goal: Goal, command: &[String], json: bool) -> Result<Output> {
    let confirm = |plan: &crate::solve::Plan, download: u64| confirm(ctx, plan, download, json);
    let r = crate::ops::transaction::run_goal(ctx, &goal, command, &confirm)?;
    Ok(tx_output(ctx, &r, json))
}

/// The command line as history records it: the arguments `run` was given, the first one (the
/// program's name, whatever the caller put there) as `xcpng-mod`.
fn command_line(argv: &[std::ffi::OsString]) -> Vec<String> {
    std::iter::once("xcpng-mod".to_string())
        .chain(
            argv.iter()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect()
}

/// Print the plan (text mode) and ask. No terminal and no -y: refuse.
fn confirm(
    ctx: &Context<'_>,
    plan: &crate::solve::Plan,
    download: u64,
    json: bool,
) -> Result<bool> {
    if !json {
        let mut so = std::io::stdout().lock();
        let _ = so.write_all(render_plan::plan(plan).as_bytes());
        let _ = so.flush();
    }
    if download > 0 {
        ctx.reporter
            .info(&format!("To download: {}", render_plan::size(download)));
    }
    if ctx.settings.assumeyes {
        return Ok(true);
    }
    // SAFETY: isatty only inspects the descriptor.
    if unsafe { libc::isatty(0) } != 1 {
        return Err(Error::Failed {
            what: "refusing to change the host without confirmation: standard input is not a terminal; nothing was changed".into(),
            hint: Some("pass -y (--assumeyes) to go ahead, or --assumeno to only see the plan".into()),
        });
    }
    eprint!("Is this ok [y/N]: ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(Error::io("<stdin>"))?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Render a transaction's result: the plan was printed before asking (text mode); here the
/// end of the run, or the plan alone for --assumeno and empty plans.
fn tx_output(ctx: &Context<'_>, r: &crate::ops::transaction::TxResult, json: bool) -> Output {
    if json {
        return Output::ok(if r.transaction.is_some() {
            render_tx::result_json(r)
        } else {
            render_plan::plan_json(&r.plan)
        });
    }
    match &r.transaction {
        Some(o) => Output::ok(render_tx::outcome(o)),
        None => {
            if !r.plan.is_empty() {
                ctx.reporter.info("--assumeno: nothing was changed");
            }
            Output::ok(render_plan::plan(&r.plan))
        }
    }
}

/// `history [list|info|undo|rollback|recover]`.
fn history(
    ctx: &Context<'_>,
    cmd: Option<&args::HistoryCommand>,
    command: &[String],
    json: bool,
) -> Result<Output> {
    use crate::ops::transaction as tx;
    use args::HistoryCommand as H;
    Ok(match cmd.unwrap_or(&H::List) {
        H::List => {
            let r = tx::history_list(ctx)?;
            Output::ok(if json {
                render_tx::history_list_json(&r)
            } else {
                render_tx::history_list(&r, tx::pending(ctx)?.as_deref())
            })
        }
        H::Info { id } => {
            let r = tx::history_info(ctx, *id)?;
            Output::ok(if json {
                render_tx::history_info_json(&r)
            } else {
                render_tx::history_info(&r)
            })
        }
        H::Undo { id } | H::Rollback { id } => {
            let rollback = matches!(cmd, Some(H::Rollback { .. }));
            let confirm =
                |plan: &crate::solve::Plan, download: u64| confirm(ctx, plan, download, json);
            let r = tx::history_undo(ctx, *id, rollback, command, &confirm)?;
            tx_output(ctx, &r, json)
        }
        H::Recover => {
            let r = tx::history_recover(ctx)?;
            Output::ok(if json {
                render_tx::recovery_json(r.as_ref())
            } else {
                render_tx::recovery(r.as_ref())
            })
        }
    })
}

/// `rollback MODULE|PACKAGE [--dry-run]`: exit 1 when the expected copy does not win or a
/// reload failed (the report is on stdout all the same).
fn rollback(
    ctx: &Context<'_>,
    target: &str,
    dry_run: bool,
    command: &[String],
    json: bool,
) -> Result<Output> {
    let confirm = |plan: &crate::solve::Plan, download: u64| confirm(ctx, plan, download, json);
    let r = crate::ops::rollback::rollback(ctx, target, dry_run, command, &confirm)?;
    let ok = r.success();
    if !ok {
        eprintln!(
            "error: the rollback of {} did not end as expected (see the report)",
            r.package
        );
    }
    Ok(Output {
        stdout: if json {
            render_rollback::rollback_json(&r)
        } else {
            render_rollback::rollback(&r)
        },
        code: ExitStatus::failed_if(!ok),
    })
}
