//! The XAPI host plugin (`packaging/xapi-plugin/xcpng-mod`) against the demo host.
//!
//! The plugin's own tests (`packaging/xapi-plugin/test_plugin.py`, unittest, only the
//! `XenAPIPlugin` import stubbed) run under every Python found: python3 always, and Python 2.7
//! (XCP-ng 8.2's dom0) and 3.6 (the oldest 3.x the plugin supports) when this machine has them
//! (`python2.7`, `python2`, or pyenv's versions). `XCPNG_MOD_TEST_PYTHONS` (colon-separated
//! interpreter paths) replaces the search.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_xcpng-mod")
}

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/xapi-plugin")
}

/// `major.minor` of a working interpreter, or None.
fn python_version(python: &str) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys; sys.stdout.write('%d.%d' % sys.version_info[:2])",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Interpreters to run the plugin's tests with, one per Python version.
fn pythons() -> BTreeMap<String, String> {
    let mut candidates: Vec<String> = Vec::new();
    if let Ok(list) = std::env::var("XCPNG_MOD_TEST_PYTHONS") {
        candidates.extend(list.split(':').filter(|s| !s.is_empty()).map(String::from));
    } else {
        candidates.extend(["python3", "python2.7", "python2"].map(String::from));
        let pyenv = std::env::var("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|_| std::env::var("HOME").map(|h| Path::new(&h).join(".pyenv")));
        if let Ok(pyenv) = pyenv {
            if let Ok(entries) = std::fs::read_dir(pyenv.join("versions")) {
                let mut found: Vec<String> = entries
                    .flatten()
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().to_string();
                        n.starts_with("2.7.") || n.starts_with("3.6.")
                    })
                    .map(|e| e.path().join("bin/python").to_string_lossy().to_string())
                    .collect();
                found.sort();
                candidates.extend(found);
            }
        }
    }
    let mut by_version = BTreeMap::new();
    for c in candidates {
        if let Some(v) = python_version(&c) {
            by_version.entry(v).or_insert(c);
        }
    }
    by_version
}

#[test]
fn plugin_passes_its_tests_on_the_demo_host_under_every_python() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    let out = Command::new(bin())
        .arg("demo")
        .arg(&demo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xcpng-mod demo failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let pythons = pythons();
    assert!(
        pythons.keys().any(|v| v.starts_with("3.")),
        "no python3 found (the plugin targets XCP-ng 8.3's python3); found {pythons:?}"
    );
    for (version, python) in &pythons {
        let out = Command::new(python)
            .arg(plugin_dir().join("test_plugin.py"))
            .env("XCPNG_MOD_BIN", bin())
            .env("XCPNG_MOD_DEMO", &demo)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env_remove("XCPNG_MOD_ROOT")
            .env_remove("XCPNG_MOD_PLUGIN_LOCK")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "plugin tests failed under Python {version} ({python}):\n{stderr}"
        );
        assert!(stderr.contains("\nOK"), "{stderr}");
        eprintln!("plugin tests passed under Python {version} ({python})");
    }
}

/// The dispatch table is what XAPI calls: the plugin must import and dispatch exactly the seven
/// functions when run as XAPI runs it (`/etc/xapi.d/plugins/xcpng-mod`, executable).
#[test]
fn plugin_file_is_an_executable_python_script_that_dispatches() {
    use std::os::unix::fs::PermissionsExt;
    let path = plugin_dir().join("xcpng-mod");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert!(mode & 0o111 != 0, "{} is not executable", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("#!/usr/bin/env python\n"), "shebang");

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("XenAPIPlugin.py"),
        "import sys\nclass Failure(Exception):\n    pass\n\
         def dispatch(table):\n    sys.stdout.write(','.join(sorted(table)))\n",
    )
    .unwrap();
    let out = Command::new("python3")
        .arg(&path)
        .env("PYTHONPATH", tmp.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "apply,check_update,history,host_status,install,list_modules,plan,query_installed,reload_module,rollback_module,undo,update"
    );
}
