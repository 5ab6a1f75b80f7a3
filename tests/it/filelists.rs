//! File dependencies that primary's subset of files does not answer are resolved from
//! `filelists` metadata, fetched only when needed.

use crate::common::{pkg, TestHost};

#[test]
fn file_require_outside_primary_is_found_in_filelists() {
    let host = TestHost::new();
    host.add_repo(
        "r",
        true,
        &[
            pkg("zfs-tools", "2.1.7", "1").requires("/usr/lib/zfs/libzpool.so.5"),
            pkg("libzpool5", "2.1.7", "1").file("/usr/lib/zfs/libzpool.so.5", b"ELF"),
            pkg("decoy", "1", "1").file("/usr/lib/zfs/other.so", b"ELF"),
        ],
    );
    // primary.xml does not list /usr/lib files: only filelists knows who has it.
    let primary_has_it = std::fs::read_dir(host.dir().join("repos/r/repodata"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("primary.xml"))
        .any(|e| {
            let raw = std::fs::read(e.path()).unwrap();
            let xml = xcpng_mod::compress::decompress_all(&raw).unwrap();
            String::from_utf8_lossy(&xml).contains(">/usr/lib/zfs/libzpool.so.5</file>")
        });
    assert!(
        !primary_has_it,
        "the test needs a file primary does not list"
    );
    let out = host.run(&["install", "zfs-tools", "--assumeno", "--json"]);
    let doc = out.ok().json();
    let names: Vec<&str> = doc["plan"]["install"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"zfs-tools") && names.contains(&"libzpool5"),
        "{names:?}"
    );
    assert!(!names.contains(&"decoy"));
    // Installing by file path works the same way.
    let doc = host
        .run(&[
            "install",
            "/usr/lib/zfs/libzpool.so.5",
            "--assumeno",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(doc["plan"]["install"][0]["name"], "libzpool5");
}
