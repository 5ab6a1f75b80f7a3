//! Rendering of what transactions did: the end of a run (result, advice, the commands that
//! take it back), `history` (list and info), `history recover`, `candidates` and
//! `needs-reboot`, as tables and as versioned JSON documents.

use super::render::{json_doc, Columns};
use crate::ops::transaction::{Candidate, Outcome, Recovery, TxResult};
use crate::transaction::history::Record;
use crate::transaction::reboot::Reason;
use crate::transaction::{utc, Action};
use serde::Serialize;

/// The end of a run, after the plan.
pub fn outcome(o: &Outcome) -> String {
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

/// `{"version":1,"plan":…,"transaction":{…}}`
pub fn result_json(r: &TxResult) -> String {
    json_doc(r)
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

/// `history list`, like yum's.
pub fn history_list(records: &[Record], pending: Option<&str>) -> String {
    let mut t = Columns::new(&[
        "ID",
        "Command line",
        "Date and time",
        "Action(s)",
        "Altered",
        "Result",
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
        t.render()
    };
    if let Some(p) = pending {
        s.push_str(&format!(
            "\nAn interrupted transaction is pending (run `xcpng-mod history recover`):\n{p}\n"
        ));
    }
    s
}

pub fn history_list_json(records: &[Record]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        transactions: &'a [Record],
    }
    json_doc(B {
        transactions: records,
    })
}

/// `history info N`
pub fn history_info(r: &Record) -> String {
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

pub fn history_info_json(r: &Record) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        transaction: &'a Record,
    }
    json_doc(B { transaction: r })
}

pub fn recovery(r: Option<&Recovery>) -> String {
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

pub fn recovery_json(r: Option<&Recovery>) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        recovered: Option<&'a Recovery>,
    }
    json_doc(B { recovered: r })
}

fn evr(p: &crate::rpm::package::PackageRef) -> String {
    if p.epoch != 0 {
        format!("{}:{}-{}", p.epoch, p.version, p.release)
    } else {
        format!("{}-{}", p.version, p.release)
    }
}

pub fn candidates(c: &[Candidate]) -> String {
    if c.is_empty() {
        return "No update candidates.\n".into();
    }
    let mut t = Columns::new(&["Package", "Installed", "Candidate", "Repository", "Reboot"]);
    for x in c {
        t.add_row(vec![
            format!("{}.{}", x.candidate.name, x.candidate.arch),
            evr(&x.installed),
            evr(&x.candidate),
            x.candidate.repo.clone(),
            x.reboot.to_string(),
        ]);
    }
    let mut s = t.render();
    for x in c.iter().filter(|x| !x.changelog.is_empty()) {
        s.push_str(&format!("\n{} {}:\n", x.candidate.name, evr(&x.candidate)));
        for e in &x.changelog {
            s.push_str(&format!(
                "* {} {}\n",
                utc(e.date).split(' ').next().unwrap_or(""),
                e.author
            ));
            for l in e.text.lines() {
                s.push_str(&format!("  {l}\n"));
            }
        }
    }
    s
}

pub fn candidates_json(c: &[Candidate]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        candidates: &'a [Candidate],
    }
    json_doc(B { candidates: c })
}

pub fn needs_reboot(r: &[Reason]) -> String {
    if r.is_empty() {
        return "No reboot needed.\n".into();
    }
    let mut s = String::from("Reboot needed:\n");
    for x in r {
        s.push_str(&format!("  - {}\n", x.message));
    }
    s
}

pub fn needs_reboot_json(r: &[Reason]) -> String {
    #[derive(Serialize)]
    struct B<'a> {
        reboot_needed: bool,
        reasons: &'a [Reason],
    }
    json_doc(B {
        reboot_needed: !r.is_empty(),
        reasons: r,
    })
}
