//! The JSON wire formats, pinned: a plan (`--assumeno --json`), a transaction's result, a
//! reload report (`reload --dry-run --json`), the module inventory (`modules --json`) and a
//! rollback report, each from the demo host (real signed RPMs, a real rpmdb, real module
//! files). A change to any of them shows here as a snapshot diff: the documents are a
//! contract (`"version": 1`), not whatever the internal types happen to serialise to.

use crate::common::run_raw;
use serde_json::Value;

/// Build the demo host once per test; returns (temp dir, root).
fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    run_raw(&["demo", demo.to_str().unwrap()], dir.path()).ok();
    let root = demo.join("root");
    (dir, root)
}

/// Run a command on the demo root; its JSON document with what varies between builds (the
/// demo's path, package sizes and digests that vary with the signature, times) masked.
fn doc(root: &std::path::Path, args: &[&str], code: i32) -> String {
    let mut argv = vec!["--root", root.to_str().unwrap(), "--json"];
    argv.extend_from_slice(args);
    let out = run_raw(&argv, root);
    out.code(code);
    let mut v: Value = out.json();
    mask(&mut v);
    serde_json::to_string_pretty(&v)
        .unwrap()
        .replace(root.to_str().unwrap(), "[ROOT]")
}

fn mask(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let varies = matches!(
                    k.as_str(),
                    "size" | "sha256" | "time" | "duration_ms" | "start"
                );
                if varies && (x.is_number() || x.is_string()) {
                    *x = Value::String(format!("[{k}]"));
                } else {
                    mask(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask),
        _ => {}
    }
}

#[test]
fn the_plan_and_the_transaction_result_are_pinned() {
    let (_d, root) = demo();
    insta::assert_snapshot!(
        "plan_install_alt",
        doc(&root, &["install", "broadcom-bnxt-en-alt", "--assumeno"], 0)
    );
    insta::assert_snapshot!(
        "plan_update_testing",
        doc(
            &root,
            &["--enablerepo", "xcp-ng-testing", "update", "--assumeno"],
            0
        )
    );
    insta::assert_snapshot!(
        "result_install_alt",
        doc(&root, &["install", "-y", "broadcom-bnxt-en-alt"], 0)
    );
    insta::assert_snapshot!(
        "rollback_alt_dry_run",
        doc(
            &root,
            &["rollback", "broadcom-bnxt-en-alt", "--assumeno"],
            0
        )
    );
}

#[test]
fn the_module_inventory_and_the_reload_report_are_pinned() {
    let (_d, root) = demo();
    insta::assert_snapshot!("modules", doc(&root, &["modules"], 0));
    insta::assert_snapshot!(
        "reload_dry_run",
        doc(&root, &["reload", "bnxt_en", "--dry-run"], 0)
    );
}

/// driver-tool's answers (XAPI's shape, `-l` and `-s`) and the hardware document.
#[test]
fn the_driver_tool_answers_and_the_hardware_document_are_pinned() {
    let (_d, root) = demo();
    insta::assert_snapshot!("driver_tool_list", doc(&root, &["driver-tool", "-l"], 0));
    insta::assert_snapshot!("hardware", doc(&root, &["hardware"], 0));
    insta::assert_snapshot!(
        "driver_tool_select",
        doc(
            &root,
            &["driver-tool", "-s", "-n", "intel-igb", "-v", "alternate"],
            0
        )
    );
}
