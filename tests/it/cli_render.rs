//! The output layer of the command line through the real binary: the exit status table that
//! `--help` and the man page share, the global options under their own heading, tables
//! fitted to `COLUMNS`, messages that name the flag the user gave, and the command line that
//! history records (from the arguments `cli::run` is given, whoever calls it).

use crate::common::{pkg, run_raw, run_raw_env, TestHost};
use std::collections::BTreeMap;

/// `code → meaning` of the "Exit status:" table of `--help` (continuation lines joined).
fn help_exit_table(help: &str) -> BTreeMap<String, String> {
    let block = help
        .split_once("Exit status:\n")
        .expect("an Exit status: table")
        .1;
    let mut table: BTreeMap<String, String> = BTreeMap::new();
    let mut last = None;
    for line in block.lines() {
        if line.trim().is_empty() {
            break;
        }
        let t = line.trim_start();
        let code: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !code.is_empty() && line.starts_with("  ") && !line.starts_with("   ") {
            table.insert(code.clone(), t[code.len()..].trim().to_string());
            last = Some(code);
        } else if let Some(c) = &last {
            let m = table.get_mut(c).unwrap();
            m.push(' ');
            m.push_str(t);
        }
    }
    table
}

/// `code → meaning` of the man page's EXIT STATUS section, roff markup removed.
fn man_exit_table(man: &str) -> BTreeMap<String, String> {
    let section = man
        .split_once(".SH \"EXIT STATUS\"\n")
        .expect("an EXIT STATUS section")
        .1;
    let section = section.split("\n.SH ").next().unwrap();
    let plain = |s: &str| {
        s.replace("\\fB", "")
            .replace("\\fR", "")
            .replace("\\fI", "")
            .replace("\\-", "-")
            .replace("\\(aq", "'")
            .replace("\\*(Aq", "'")
    };
    let mut table = BTreeMap::new();
    for item in section.split(".TP\n").skip(1) {
        let (code, text) = item.split_once('\n').unwrap();
        table.insert(
            plain(code),
            plain(text).split_whitespace().collect::<Vec<_>>().join(" "),
        );
    }
    table
}

/// The same words: case, final full stop and spacing aside.
fn same_meaning(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_end_matches('.')
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

#[test]
fn help_and_man_page_give_the_same_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let help = run_raw(&["--help"], dir.path());
    help.ok();
    let from_help = help_exit_table(&help.stdout);
    let man = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man/xcpng-mod.1"),
    )
    .unwrap();
    let from_man = man_exit_table(&man);
    assert_eq!(
        from_help.keys().collect::<Vec<_>>(),
        from_man.keys().collect::<Vec<_>>(),
        "--help: {from_help:?}\nman: {from_man:?}"
    );
    for (code, meaning) in &from_help {
        assert!(
            same_meaning(meaning, &from_man[code]),
            "exit status {code}: --help says {meaning:?}, the man page {:?}",
            from_man[code]
        );
    }
    for code in ["0", "1", "2", "11", "12", "100"] {
        assert!(from_help.contains_key(code), "no {code} in {from_help:?}");
    }
}

#[test]
fn command_help_puts_global_options_under_their_own_heading() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["install", "list", "modules"] {
        let out = run_raw(&[cmd, "--help"], dir.path());
        out.ok().stdout_has("\nGlobal options:\n");
        let (own, global) = out.stdout.split_once("\nGlobal options:\n").unwrap();
        // The command's own options (its description may name global ones).
        let own = own.split_once("\nOptions:\n").map_or(own, |(_, o)| o);
        for flag in ["--enablerepo", "--root", "--assumeno", "--json"] {
            assert!(
                !own.contains(flag),
                "`{cmd} --help` lists {flag} with the command's own options:\n{own}"
            );
            assert!(global.contains(flag), "{cmd}: no {flag} in\n{global}");
        }
        assert!(own.contains("-h, --help"), "{own}");
    }
    let out = run_raw(&["install", "--help"], dir.path());
    assert!(
        out.stdout.find("<PKG>").unwrap() < out.stdout.find("Global options:").unwrap(),
        "the command's own arguments come first:\n{}",
        out.stdout
    );
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn demo_tables_fit_columns() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    run_raw(&["demo", demo.to_str().unwrap()], dir.path()).ok();
    let root = demo.join("root");
    let root = root.to_str().unwrap();
    let narrow = [("COLUMNS", "80")];
    for cmd in [
        &["list", "--alternate"][..],
        &["modules"],
        &["list"],
        &["repolist", "--all"],
        &["--enablerepo", "xcp-ng-testing", "check-update"],
        &["--enablerepo", "xcp-ng-testing", "candidates"],
    ] {
        let mut args = vec!["--root", root, "-q"];
        args.extend_from_slice(cmd);
        let out = run_raw_env(&args, dir.path(), &narrow);
        assert!(out.code == 0 || out.code == 100, "{cmd:?}: {out:?}");
        assert!(
            widest(&out.stdout) <= 80,
            "{cmd:?} with COLUMNS=80 is {} wide:\n{}",
            widest(&out.stdout),
            out.stdout
        );
        // Not a terminal and no COLUMNS: nothing limits the width (scripts see every column).
        let wide = run_raw(&args, dir.path());
        assert_eq!(wide.code, out.code);
        let wider = run_raw_env(&args, dir.path(), &[("COLUMNS", "400")]);
        assert_eq!(wider.stdout, wide.stdout, "{cmd:?}");
        // The JSON document does not depend on the width.
        let mut json = args.clone();
        json.insert(3, "--json");
        assert_eq!(
            run_raw_env(&json, dir.path(), &narrow).stdout,
            run_raw(&json, dir.path()).stdout,
            "{cmd:?}"
        );
    }
    let run80 = |args: &[&str]| {
        let mut a = vec!["--root", root, "-q"];
        a.extend_from_slice(args);
        run_raw_env(&a, dir.path(), &narrow)
    };
    let wide = |args: &[&str]| {
        let mut a = vec!["--root", root, "-q"];
        a.extend_from_slice(args);
        run_raw(&a, dir.path())
    };
    assert!(widest(&wide(&["list", "--alternate"]).stdout) > 80);
    assert!(widest(&wide(&["modules"]).stdout) > 80);
    // What stays: the names and versions, the modules of a driver package, depmod's pick.
    let alt = run80(&["list", "--alternate"]);
    let header = alt.stdout.lines().nth(1).unwrap();
    for col in ["package", "version", "modules"] {
        assert!(header.contains(col), "{header}");
    }
    alt.stdout_has("broadcom-bnxt-en-alt.x86_64")
        .stdout_has("1.10.3_232.0.155.5-1.xcpng8.3")
        .stdout_has("bnxt_en (by name)");
    let mods = run80(&["modules"]);
    let header = mods.stdout.lines().next().unwrap();
    for col in ["module", "loaded", "depmod picks", "class"] {
        assert!(header.contains(col), "{header}");
    }
    mods.stdout_has("updates/bnxt_en.ko (1.10.0_216.0.119.1)");
    // Full detail stays in `module show`.
    run80(&["module", "show", "bnxt_en"])
        .ok()
        .stdout_has("kernel/drivers/net/ethernet/broadcom/bnxt/bnxt_en.ko");
}

#[test]
fn a_bad_root_is_named_as_the_user_spelled_it() {
    let dir = tempfile::tempdir().unwrap();
    run_raw(&["--installroot", "/no/such/dir", "list"], dir.path())
        .code(2)
        .stderr_has("--installroot `/no/such/dir` is not a directory");
    run_raw(&["--installroot=/no/such/dir", "list"], dir.path())
        .code(2)
        .stderr_has("--installroot `/no/such/dir` is not a directory");
    run_raw(&["--root", "/no/such/dir", "list"], dir.path())
        .code(2)
        .stderr_has("--root `/no/such/dir` is not a directory");
}

/// `cli::run` records the arguments it is given (the first one as `xcpng-mod`), not those of
/// the process that calls it: history lines are the same from the binary and from a caller.
#[test]
fn history_records_the_arguments_run_was_given() {
    let h = TestHost::new();
    h.add_repo(
        "base",
        true,
        &[pkg("intel-igb", "5.11.4", "1.xcpng8.3").summary("Intel Gigabit Ethernet driver")],
    );
    let root = h.root().to_str().unwrap().to_string();
    let argv = [
        "/usr/libexec/some-wrapper",
        "--root",
        &root,
        "-q",
        "-y",
        "install",
        "intel-igb",
    ];
    assert_eq!(xcpng_mod::cli::run(argv), 0);
    let doc = h.run(&["--json", "history", "info", "1"]).json();
    let mut want = vec!["xcpng-mod"];
    want.extend_from_slice(&argv[1..]);
    assert_eq!(doc["transaction"]["command"], serde_json::json!(want));
}
