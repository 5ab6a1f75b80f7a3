//! Parsing and loading against hand-written files.

use super::*;
use crate::glob::glob_match;
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn ini_continuations_and_errors() {
    let t = "[a]\nbaseurl=http://x/\n  http://y/\n\tfile:///z\nenabled : 0\n";
    let s = parse_ini(t, Path::new("f.repo")).unwrap();
    assert_eq!(s[0].values["baseurl"].0, "http://x/\nhttp://y/\nfile:///z");
    assert_eq!(split_list(&s[0].values["baseurl"].0).len(), 3);
    assert_eq!(s[0].values["enabled"].0, "0");

    let e = parse_ini("key=1\n", Path::new("f.repo")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.repo:1: `key=value` before any `[section]` header"
    );
    let e = parse_ini("[a]\nbaseurl http://x\n", Path::new("f.repo")).unwrap_err();
    assert!(
        e.to_string().starts_with("f.repo:2: expected `key=value`"),
        "{e}"
    );
    let e = parse_ini("[a\n", Path::new("f.repo")).unwrap_err();
    assert!(e.to_string().contains("f.repo:1"));
}

#[test]
fn globs() {
    assert!(glob_match("xcp-ng-test*", "xcp-ng-testing"));
    assert!(!glob_match("xcp-ng-test*", "xcp-ng-base"));
    assert!(glob_match("*-alt", "broadcom-bnxt-en-alt"));
    assert!(glob_match("kmod-zfs-4.19.0+?", "kmod-zfs-4.19.0+1"));
    assert!(glob_match("[ab]*", "bnx"));
    assert!(!glob_match("[!ab]*", "bnx"));
}

#[test]
fn variables() {
    let mut v = BTreeMap::new();
    v.insert("releasever".to_string(), "8.3".to_string());
    v.insert("basearch".to_string(), "x86_64".to_string());
    assert_eq!(
        substitute("http://x/$releasever/${basearch}/$unknown", &v),
        "http://x/8.3/x86_64/$unknown"
    );
}

#[test]
fn expire_values() {
    assert_eq!(parse_expire("90m"), Some(Some(5400)));
    assert_eq!(parse_expire("6h"), Some(Some(21600)));
    assert_eq!(parse_expire("never"), Some(None));
    assert_eq!(parse_expire("-1"), Some(None));
    assert_eq!(parse_expire("1d"), Some(Some(86400)));
    assert_eq!(parse_expire("x"), None);
}
