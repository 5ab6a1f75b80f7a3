//! The command line: clap definitions, settings resolution, rendering (tables and `--json`),
//! talk on stderr, and exit statuses. It holds no business logic: each command calls an
//! operation in `ops` and returns a value that renders itself ([`View`]), as text or as the
//! JSON document; [`run`] shows it and ends with its status.
//!
//! This file holds `run`, the reporter, the error report, settings resolution and the one
//! dispatch. Each command group has its file, the command next to its rendering: `query`
//! (repolist, makecache, list, info, search, check-update), `tx` (install … reinstall,
//! history, candidates, needs-reboot), `plan` (the plan table), `rollback`, `modules`
//! (modules, module show, depmod, doctor), `reload`, `trust` (verify, keys) and `tools`
//! (vercmp, debug-solver, demo); `render` holds what they share.

mod announce;
pub mod args;
pub mod docs;
mod drivers;
pub mod exit;
mod modules;
mod plan;
mod pool;
mod query;
mod reload;
mod render;
mod rollback;
mod tools;
mod trust;
mod tx;

use crate::config::Overrides;
use crate::error::{Error, Result};
use crate::ops::{Context, Reporter, Settings};
use crate::repo::CachePolicy;
use crate::solve::Goal;
use crate::sysroot::Sysroot;
use crate::wire;
use args::{Cli, Command, GlobalArgs};
use clap::Parser;
use exit::ExitStatus;
use render::Width;
use std::ffi::OsString;
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

impl StderrReporter {
    /// Talk that `-q` hides but that needs no `-v` (the demo's progress).
    fn say(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
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

/// Resolve the global options into `Settings`; `cacheonly_flag` is how `-C` was spelled.
pub fn settings(g: &GlobalArgs, cacheonly_flag: &'static str) -> Settings {
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
            flag: cacheonly_flag,
        },
        kernel: g.kernel.clone(),
        assumeyes: g.assumeyes,
        assumeno: g.assumeno,
        downloadonly: g.downloadonly,
        debugsolver: g.debugsolver.clone(),
    }
}

/// A command's result: shown as text or as the `--json` document, and the status the run
/// ends with.
trait View {
    /// The text for stdout, its tables fitted to `width`.
    fn text(&self, width: Width) -> String;
    /// The versioned JSON document (`{"version": 1, …}`) for stdout.
    fn json(&self) -> String;
    fn status(&self) -> ExitStatus {
        ExitStatus::Success
    }
    /// Talk for stderr that goes with the result: the `error:` and `hint:` of a report that
    /// ends the run with a failure, printed in both modes.
    fn stderr(&self) -> String {
        String::new()
    }
}

/// How results are shown on stdout.
#[derive(Debug, Clone, Copy)]
enum Format {
    /// Text, its tables fitted to a width.
    Text(Width),
    /// One JSON document.
    Json,
}

impl Format {
    fn of(g: &GlobalArgs) -> Format {
        if g.json {
            Format::Json
        } else {
            Format::Text(Width::of_stdout())
        }
    }

    fn render(self, v: &dyn View) -> String {
        match self {
            Format::Text(width) => v.text(width),
            Format::Json => v.json(),
        }
    }
}

/// What every command may use: the global options, the talk on stderr, the output format and
/// the command line that history records.
struct Env<'a> {
    global: &'a GlobalArgs,
    reporter: &'a StderrReporter,
    format: Format,
    command: Vec<String>,
    /// How `-C` was spelled on the command line.
    cacheonly_flag: &'static str,
}

impl<'a> Env<'a> {
    /// Configuration and a fetcher: only the commands that read repos build one.
    fn context(&self) -> Result<Context<'a>> {
        Context::new(settings(self.global, self.cacheonly_flag), self.reporter)
    }

    fn root(&self) -> Sysroot {
        Sysroot::new(&self.global.root)
    }

    fn kernel(&self) -> Option<&str> {
        self.global.kernel.as_deref()
    }

    /// Print `v` now, while the command goes on (the plan before its question).
    fn show_now(&self, v: &dyn View) {
        print_out(&self.format.render(v));
    }
}

fn print_out(s: &str) {
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(s.as_bytes());
    let _ = so.flush();
}

/// Run the command line; returns the process exit code.
pub fn run<I, T>(argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_then(argv, Then::Return)
}

/// Run the command line and end the process with its exit code, without freeing the result
/// first: the process ends anyway, and freeing a 60,000-package listing one string at a time
/// costs a sixth of the listing's time (benches/list.sh).
pub fn run_and_exit<I, T>(argv: I) -> !
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    std::process::exit(run_then(argv, Then::Exit))
}

/// What [`run_then`] does once the result is shown.
#[derive(PartialEq)]
enum Then {
    Return,
    Exit,
}

fn run_then<I, T>(argv: I, then: Then) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    let mut cli = match Cli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => {
            let status = if e.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Success
            };
            let _ = e.print();
            return status.code();
        }
    };
    let reporter = StderrReporter::new(cli.global.quiet, cli.global.verbose);
    let format = Format::of(&cli.global);
    // The root is made absolute before anything uses it (rpm refuses a relative --root, and
    // only after planning and downloading), and every write is confined to it.
    match std::path::absolute(&cli.global.root) {
        Ok(r) if r.is_dir() => cli.global.root = r,
        _ => {
            let e = Error::Usage(format!(
                "{} `{}` is not a directory",
                root_flag(&argv),
                cli.global.root.display()
            ));
            return report_error(&e, format).code();
        }
    }
    crate::hostfs::confine_to(&cli.global.root);
    let env = Env {
        global: &cli.global,
        reporter: &reporter,
        format,
        command: command_line(&argv),
        cacheonly_flag: cacheonly_flag(&argv),
    };
    let result = dispatch(&cli.command, &env);
    if let Ok(v) = &result {
        eprint!("{}", v.stderr());
    }
    for n in crate::notices::drain() {
        match n {
            crate::notices::Notice::Warn(m) => reporter.warn(&m),
            crate::notices::Notice::Info(m) => reporter.info(&m),
        }
    }
    match result {
        Ok(v) => {
            print_out(&format.render(v.as_ref()));
            let code = v.status().code();
            if then == Then::Exit {
                std::process::exit(code);
            }
            code
        }
        Err(e) => report_error(&e, format).code(),
    }
}

/// An error that ends the run: nothing on stdout in text (the `--json` document has it).
struct ErrorDoc<'a>(&'a Error);

impl View for ErrorDoc<'_> {
    fn text(&self, _: Width) -> String {
        String::new()
    }
    fn json(&self) -> String {
        #[derive(serde::Serialize)]
        struct B {
            error: render::ErrorBody,
        }
        wire::document(B {
            error: render::ErrorBody::of(self.0),
        })
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::of(self.0)
    }
}

/// Print an error: the chain and a hint on stderr; with `--json`, the error document on
/// stdout. Returns the status it ends the run with.
fn report_error(e: &Error, format: Format) -> ExitStatus {
    eprintln!("error: {}", e.chain());
    if let Some(h) = e.hint() {
        eprintln!("hint: {h}");
    }
    let doc = ErrorDoc(e);
    print!("{}", format.render(&doc));
    doc.status()
}

/// How the user spelled a flag, for messages: the last of `spellings` given before `--`
/// (long ones with or without `=VALUE`, a one-letter one also among other short flags,
/// `-yC`), else the first spelling.
fn spelled(argv: &[OsString], spellings: &[&'static str]) -> &'static str {
    let mut flag = spellings[0];
    for a in argv.iter().skip(1).map(|a| a.to_string_lossy()) {
        if a == "--" {
            break;
        }
        let name = a.split_once('=').map_or(&*a, |(n, _)| n);
        for s in spellings {
            let short_among = s.len() == 2
                && !name.starts_with("--")
                && name.starts_with('-')
                && name[1..].contains(&s[1..]);
            if name == *s || short_among {
                flag = s;
            }
        }
    }
    flag
}

/// `-C` or `--cacheonly`, as given.
fn cacheonly_flag(argv: &[OsString]) -> &'static str {
    spelled(argv, &["-C", "--cacheonly"])
}

/// `--root` or its alias `--installroot`, as given (the last one wins, as in clap).
fn root_flag(argv: &[OsString]) -> &'static str {
    spelled(argv, &["--root", "--installroot"])
}

/// The command line as history records it: the arguments `run` was given, the first one (the
/// program's name, whatever the caller put there) as `xcpng-mod`.
fn command_line(argv: &[OsString]) -> Vec<String> {
    std::iter::once("xcpng-mod".to_string())
        .chain(
            argv.iter()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect()
}

/// Each command: the operation it calls, and the value that shows its result. Only the
/// commands that read repos or yum's configuration build a [`Context`].
fn dispatch(command: &Command, env: &Env<'_>) -> Result<Box<dyn View>> {
    use args::ModuleCommand;
    use Command as C;
    let view: Box<dyn View> = match command {
        C::Repolist { all } => Box::new(query::repolist(&env.context()?, *all)),
        C::Makecache => Box::new(query::makecache(&env.context()?)?),
        C::List(a) => Box::new(query::list(&env.context()?, a)?),
        C::Info { packages } => Box::new(query::info(&env.context()?, packages)?),
        C::Search { terms } => Box::new(query::search(&env.context()?, terms)?),
        C::CheckUpdate { packages } => Box::new(query::check_update(&env.context()?, packages)?),
        C::Vercmp { evr1, evr2 } => Box::new(tools::vercmp(evr1, evr2)),
        C::Modules { modules } => Box::new(modules::modules(env, modules)?),
        C::Module(ModuleCommand::Show { module }) => Box::new(modules::show(env, module)?),
        C::Reload {
            module,
            dry_run,
            force,
        } => Box::new(reload::reload(env, module, *dry_run, *force)?),
        C::Depmod => Box::new(modules::depmod(env)?),
        C::Verify { files } => Box::new(trust::verify(env, files)?),
        C::Keys { accept } => Box::new(trust::keys(&env.context()?, accept)?),
        C::Doctor { fix } => Box::new(modules::doctor(env, *fix)?),
        C::Install(a) => Box::new(tx::transaction(env, Goal::Install(a.packages.clone()))?),
        C::Update(a) => Box::new(tx::transaction(env, Goal::Update(a.packages.clone()))?),
        C::Downgrade(a) => Box::new(tx::transaction(env, Goal::Downgrade(a.packages.clone()))?),
        C::Remove(a) => Box::new(tx::transaction(env, Goal::Remove(a.packages.clone()))?),
        C::Reinstall(a) => Box::new(tx::transaction(env, Goal::Reinstall(a.packages.clone()))?),
        C::History { command } => tx::history(env, command.as_ref())?,
        C::Rollback { target, dry_run } => Box::new(rollback::rollback(env, target, *dry_run)?),
        C::Candidates { announce } => Box::new(tx::candidates(&env.context()?, *announce)?),
        C::NeedsReboot => Box::new(tx::needs_reboot(&env.context()?)?),
        C::DriverTool { args } => drivers::driver_tool(env, args)?,
        C::Hardware { fetch } => Box::new(drivers::hardware(&env.context()?, *fetch)?),
        C::Pool(args::PoolCommand::Status { baseline, connect }) => {
            Box::new(pool::status(connect, baseline.as_deref())?)
        }
        C::Pool(p) => Box::new(pool::rollout(
            p,
            env.global.assumeyes,
            &env.global.enablerepo,
        )?),
        C::DebugSolver { file } => Box::new(tools::debug_solver(file)?),
        C::Demo { dir } => Box::new(tools::demo(env, dir.as_deref())?),
    };
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::spelled;

    fn argv(a: &[&str]) -> Vec<std::ffi::OsString> {
        std::iter::once("xcpng-mod")
            .chain(a.iter().copied())
            .map(Into::into)
            .collect()
    }

    #[test]
    fn flags_are_named_as_they_were_given() {
        let c = ["-C", "--cacheonly"];
        assert_eq!(spelled(&argv(&["list"]), &c), "-C");
        assert_eq!(spelled(&argv(&["--cacheonly", "list"]), &c), "--cacheonly");
        assert_eq!(spelled(&argv(&["--cacheonly", "-yC", "list"]), &c), "-C");
        assert_eq!(spelled(&argv(&["-y", "--cacheonly"]), &c), "--cacheonly");
        // Not an option after `--`, and a long option holding the letter is not `-C`.
        assert_eq!(
            spelled(&argv(&["--cacheonly", "--", "-C"]), &c),
            "--cacheonly"
        );
        assert_eq!(
            spelled(&argv(&["--cacheonly", "--Config"]), &c),
            "--cacheonly"
        );
        let r = ["--root", "--installroot"];
        assert_eq!(
            spelled(&argv(&["--installroot=/x", "list"]), &r),
            "--installroot"
        );
        assert_eq!(
            spelled(&argv(&["--installroot", "/x", "--root=/y"]), &r),
            "--root"
        );
    }
}
