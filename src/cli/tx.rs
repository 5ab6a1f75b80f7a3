//! The transaction commands (`install`, `update`, `downgrade`, `remove`, `reinstall`,
//! `history`) with their question, and `candidates` and `needs-reboot`: the plan, the end of
//! a run (result, advice, the commands that take it back), the history, as tables and as
//! versioned JSON documents.

use super::args::HistoryCommand;
use super::exit::ExitStatus;
use super::plan::{self, Preview};
use super::render::{Col, Table, Width};
use super::{Env, View};
use crate::error::{Error, Result};
use crate::ops::transaction::{self as tx, Candidate, Impact, Recovery, TxOutcome, TxResult};
use crate::ops::Context;
use crate::solve::{Goal, Plan};
use crate::transaction::history::Record;
use crate::transaction::reboot::{self, RebootReason};
use crate::transaction::{utc, Action};
use crate::wire;
use serde::Serialize;

/// A transaction's result: the plan (--assumeno, or nothing to do), or the end of the run
/// (its plan was shown before the question).
pub(super) struct Transaction(TxResult);

impl View for Transaction {
    fn text(&self, width: Width) -> String {
        match &self.0.transaction {
            Some(o) => outcome(o),
            None => plan::with_impact(&self.0.plan, &self.0.impact, width),
        }
    }
    fn json(&self) -> String {
        match &self.0.transaction {
            Some(_) => wire::document(&self.0),
            None => plan::plan_json(&self.0.plan, &self.0.impact),
        }
    }
}

/// A transaction command: plan it and print the plan; with --assumeno that is all. Otherwise
/// ask (on a terminal, unless -y), then download, verify and run it (see `ops::transaction`).
pub(super) fn transaction(env: &Env<'_>, goal: Goal) -> Result<Transaction> {
    let ctx = env.context()?;
    let confirm =
        |plan: &Plan, impact: &Impact, download: u64| confirm(env, &ctx, plan, impact, download);
    let r = tx::run_goal(&ctx, &goal, &env.command, &confirm)?;
    Ok(ended(&ctx, r))
}

/// The result of a transaction that may have changed nothing.
fn ended(ctx: &Context<'_>, r: TxResult) -> Transaction {
    if r.transaction.is_none() && !r.plan.is_empty() {
        ctx.reporter.info("--assumeno: nothing was changed");
    }
    Transaction(r)
}

/// Show the plan (in text) and ask. No terminal and no -y: refuse.
pub(super) fn confirm(
    env: &Env<'_>,
    ctx: &Context<'_>,
    plan: &Plan,
    impact: &Impact,
    download: u64,
) -> Result<bool> {
    env.show_now(&Preview(plan, impact));
    ask(ctx, download)
}

/// Say the download size (-v) and get the answer to "Is this ok": yes with -y; no terminal:
/// refused; else the user's.
pub(super) fn ask(ctx: &Context<'_>, download: u64) -> Result<bool> {
    if download > 0 {
        ctx.reporter
            .info(&format!("To download: {}", plan::size(download)));
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

/// `history [list|info|undo|rollback|recover]`.
pub(super) fn history(env: &Env<'_>, cmd: Option<&HistoryCommand>) -> Result<Box<dyn View>> {
    use HistoryCommand as H;
    let ctx = env.context()?;
    Ok(match cmd.unwrap_or(&H::List) {
        H::List => Box::new(HistoryList {
            records: tx::history_list(&ctx)?,
            pending: tx::pending(&ctx)?,
        }),
        H::Info { id } => Box::new(HistoryInfo(tx::history_info(&ctx, *id)?)),
        H::Undo { id } | H::Rollback { id } => {
            let rollback = matches!(cmd, Some(H::Rollback { .. }));
            let confirm = |plan: &Plan, impact: &Impact, download: u64| {
                confirm(env, &ctx, plan, impact, download)
            };
            let r = tx::history_undo(&ctx, *id, rollback, &env.command, &confirm)?;
            Box::new(ended(&ctx, r))
        }
        H::Recover => Box::new(HistoryRecover(tx::history_recover(&ctx)?)),
    })
}

/// `history list`.
struct HistoryList {
    records: Vec<Record>,
    pending: Option<String>,
}

impl View for HistoryList {
    fn text(&self, width: Width) -> String {
        history_list(&self.records, self.pending.as_deref(), width)
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            transactions: &'a [Record],
        }
        wire::document(B {
            transactions: &self.records,
        })
    }
}

/// `history info N`.
struct HistoryInfo(Record);

impl View for HistoryInfo {
    fn text(&self, _: Width) -> String {
        history_info(&self.0)
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            transaction: &'a Record,
        }
        wire::document(B {
            transaction: &self.0,
        })
    }
}

/// `history recover`.
struct HistoryRecover(Option<Recovery>);

impl View for HistoryRecover {
    fn text(&self, _: Width) -> String {
        recovery(self.0.as_ref())
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            recovered: Option<&'a Recovery>,
        }
        wire::document(B {
            recovered: self.0.as_ref(),
        })
    }
}

/// `candidates`.
pub(super) struct Candidates {
    found: tx::Candidates,
    announce: bool,
}

pub(super) fn candidates(ctx: &Context<'_>, announce: bool) -> Result<Candidates> {
    Ok(Candidates {
        found: tx::candidates(ctx)?,
        announce,
    })
}

impl View for Candidates {
    fn text(&self, width: Width) -> String {
        if self.announce {
            return super::announce::announcement(&self.found).text;
        }
        let mut s = candidates_table(&self.found.candidates, width);
        if !self.found.candidates.is_empty() {
            s.push_str(&plan::impact(&self.found.impact, width));
        }
        s
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            #[serde(flatten)]
            found: &'a tx::Candidates,
            #[serde(skip_serializing_if = "Option::is_none")]
            announcement: Option<super::announce::Announcement>,
        }
        wire::document(B {
            found: &self.found,
            announcement: self
                .announce
                .then(|| super::announce::announcement(&self.found)),
        })
    }
}

/// `needs-reboot`: exit 1 when a reboot is needed.
pub(super) struct NeedsReboot(Vec<RebootReason>);

pub(super) fn needs_reboot(ctx: &Context<'_>) -> Result<NeedsReboot> {
    Ok(NeedsReboot(tx::needs_reboot(ctx)?))
}

impl View for NeedsReboot {
    fn text(&self, _: Width) -> String {
        needs_reboot_text(&self.0)
    }
    fn json(&self) -> String {
        #[derive(Serialize)]
        struct B<'a> {
            reboot_needed: bool,
            reasons: &'a [RebootReason],
            guidance: Vec<crate::transaction::guidance::Guidance>,
        }
        wire::document(B {
            reboot_needed: reboot::reboot_needed(&self.0),
            reasons: &self.0,
            guidance: reboot::pending_guidance(&self.0),
        })
    }
    fn status(&self) -> ExitStatus {
        ExitStatus::failed_if(reboot::reboot_needed(&self.0))
    }
}

/// The end of a run, after the plan.
pub(super) fn outcome(o: &TxOutcome) -> String {
    let mut s = String::new();
    if o.result == crate::transaction::history::TxStatus::Downloaded {
        s.push_str(&format!(
            "\n{} package(s) downloaded and verified (--downloadonly: nothing installed):\n",
            o.files.len()
        ));
        for f in &o.files {
            s.push_str(&format!("  {}\n", f.display()));
        }
        return s;
    }
    let id = o.id.unwrap_or(0);
    s.push('\n');
    for st in &o.steps {
        s.push_str(&format!(
            "  {:<10} {}\n",
            if st.done { "done" } else { "NOT DONE" },
            st.change.describe()
        ));
    }
    s.push_str(&format!("\nTransaction {id}: {}\n", o.result));
    for a in &o.advice {
        s.push_str(&format!("{a}\n"));
    }
    if !o.undo.is_empty() {
        s.push_str(&format!(
            "\nThis came from a repo that is disabled by default. To take it back:\n  {}\n",
            o.undo[0]
        ));
        if o.undo.len() > 1 {
            s.push_str("or:\n");
            for u in &o.undo[1..] {
                s.push_str(&format!("  {u}\n"));
            }
        }
    }
    s
}

fn actions(r: &Record) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for s in &r.steps {
        let w = match s.change.action {
            Action::Install => "Install",
            Action::Upgrade => "Upgrade",
            Action::Downgrade => "Downgrade",
            Action::Reinstall => "Reinstall",
            Action::Remove => "Erase",
            Action::Obsoleted => "Obsoleted",
        };
        if !kinds.contains(&w) {
            kinds.push(w);
        }
    }
    kinds.join(", ")
}

/// `history list`, like yum's; on a narrow terminal the command line is cut, then the
/// altered count, the actions and the date go.
fn history_list(records: &[Record], pending: Option<&str>, width: Width) -> String {
    let mut t = Table::new(vec![
        Col::new("ID"),
        Col::new("Command line").truncate(),
        Col::new("Date and time").drop(1),
        Col::new("Action(s)").drop(2),
        Col::new("Altered").drop(3),
        Col::new("Result"),
    ]);
    for r in records {
        let mut cmd = r.command_line();
        if cmd.chars().count() > 40 {
            cmd = cmd.chars().take(37).collect::<String>() + "...";
        }
        t.add_row(vec![
            r.id.to_string(),
            cmd,
            utc(r.time).trim_end_matches(" UTC").to_string(),
            actions(r),
            r.steps.iter().filter(|s| s.done).count().to_string(),
            r.result.to_string(),
        ]);
    }
    let mut s = if records.is_empty() {
        "No transactions.\n".to_string()
    } else {
        t.render(width)
    };
    if let Some(p) = pending {
        s.push_str(&format!(
            "\nAn interrupted transaction is pending (run `xcpng-mod history recover`):\n{p}\n"
        ));
    }
    s
}

/// `history info N`
fn history_info(r: &Record) -> String {
    let mut s = format!(
        "Transaction ID : {}\nBegin time     : {}\nUser           : {}\nCommand line   : {}\nResult         : {}\n",
        r.id,
        utc(r.time),
        r.user,
        r.command_line(),
        r.result
    );
    s.push_str("Packages altered:\n");
    for st in &r.steps {
        let repo = st
            .change
            .after
            .as_ref()
            .or(st.change.before.as_ref())
            .map(|v| v.repo.clone())
            .unwrap_or_default();
        s.push_str(&format!(
            "  {:<9} {}  @{}\n",
            if st.done { "done" } else { "NOT DONE" },
            st.change.describe(),
            repo
        ));
    }
    if let Some(e) = &r.error {
        s.push_str(&format!("Error          : {e}\n"));
    }
    for a in &r.advice {
        s.push_str(&format!("Advice         : {a}\n"));
    }
    s
}

fn recovery(r: Option<&Recovery>) -> String {
    let Some(r) = r else {
        return "No interrupted transaction.\n".into();
    };
    let mut s = format!(
        "Transaction {} (`{}`) was interrupted. The rpmdb shows:\n",
        r.id,
        r.command.join(" ")
    );
    for (c, st) in &r.steps {
        s.push_str(&format!("  - {}: {}\n", c.describe(), st.word()));
    }
    for c in &r.completed {
        s.push_str(&format!("Finished the upgrade: erased {c}\n"));
    }
    if let Some(p) = &r.put_back {
        s.push_str(&format!(
            "The run died after erasing, before installing: {p}\n"
        ));
    }
    if let Some(e) = &r.error {
        s.push_str(&format!("Could not finish the half-done upgrades: {e}\n"));
    }
    s.push_str(&format!(
        "Recorded as transaction {} (interrupted); the journal is cleared.\nTo complete it, run the command again; to take back what happened: xcpng-mod history undo {}\n",
        r.id, r.id
    ));
    s
}

fn evr(p: &crate::rpm::package::PackageRef) -> String {
    if p.epoch != 0 {
        format!("{}:{}-{}", p.epoch, p.version, p.release)
    } else {
        format!("{}-{}", p.version, p.release)
    }
}

/// `candidates`: on a narrow terminal the repository goes first, then the installed version,
/// then whether a reboot is needed.
fn candidates_table(c: &[Candidate], width: Width) -> String {
    if c.is_empty() {
        return "No update candidates.\n".into();
    }
    let mut t = Table::new(vec![
        Col::new("Package"),
        Col::new("Installed").drop(2),
        Col::new("Candidate"),
        Col::new("Repository").drop(3),
        Col::new("Reboot").drop(1),
    ]);
    for x in c {
        t.add_row(vec![
            format!("{}.{}", x.candidate.name, x.candidate.arch),
            evr(&x.installed),
            evr(&x.candidate),
            x.candidate.repo.clone(),
            x.reboot.to_string(),
        ]);
    }
    let mut s = t.render(width);
    for x in c.iter().filter(|x| !x.changelog.is_empty()) {
        s.push_str(&format!("\n{} {}:\n", x.candidate.name, evr(&x.candidate)));
        s.push_str(&super::render::changelog(&x.changelog, ""));
    }
    s
}

fn needs_reboot_text(r: &[RebootReason]) -> String {
    if r.is_empty() {
        return "No reboot needed.\n".into();
    }
    let mut s = String::from(if reboot::reboot_needed(r) {
        "Reboot needed:\n"
    } else {
        "No reboot needed, but:\n"
    });
    for x in r {
        s.push_str(&format!("  - {}\n", x.message));
    }
    let pending: Vec<&str> = reboot::pending_guidance(r)
        .iter()
        .map(|g| g.as_str())
        .collect();
    s.push_str(&format!("Pending: {}\n", pending.join(", ")));
    s
}
