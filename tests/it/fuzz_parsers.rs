//! Hostile input for every parser (STYLE.md item 11): property tests that feed arbitrary bytes
//! and structure-aware mutations of real inputs (flipped, truncated, duplicated and spliced
//! bytes, interesting integers written over length fields) to each reader, and check that it
//! returns `Ok` or `Err`: no panic, no overflow, no absurd allocation (a counting allocator
//! fails the case when one request exceeds a limit while the parser runs). Cheap invariants are
//! checked on the side (cache round trips, `vercmp` antisymmetry, `parse_ini` keeps every
//! `key=value`). Case counts are bounded so the file runs in seconds; the `fuzz/` targets are
//! the long-running counterpart. Every bug found has a plain `#[test]` regression at the end.
//!
//! Seeds come from real tools where the machine has them (`createrepo_c`, `rpm`, `db5.3_load`,
//! `sqlite3`), from the fixtures, and from Debian's kernel modules when
//! `XCPNG_MOD_KERNEL_DIR` is set (scripts/fetch-kernel.sh).

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use xcpng_mod::rpm::dep::{Dependency, Sense};
use xcpng_mod::rpm::evr::{vercmp, Evr};
use xcpng_mod::rpm::package::{Checksum, Package};

// ---------------------------------------------------------------------------------------------
// Allocation guard: a parser given a few kilobytes must not ask for hundreds of megabytes.

struct Guarded;

thread_local! {
    static LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
    static WORST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LIMIT.try_with(|l| {
        if size > l.get() {
            let _ = WORST.try_with(|w| w.set(w.get().max(size)));
        }
    });
}

unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note(l.size());
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note(l.size());
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        note(new);
        unsafe { System.realloc(p, l, new) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}

// The allocator of the whole test binary (`tests/it`), not only of this module: outside
// `capped` the limit is `usize::MAX` and it is the system allocator plus one thread-local read.
// The limit is per thread, and each test runs on its own thread, so it never reaches another
// module's tests.
#[global_allocator]
static ALLOC: Guarded = Guarded;

const MIB: usize = 1 << 20;

/// Run `f` with single allocations capped at `limit` bytes; a bigger request fails the case.
fn capped<T>(limit: usize, f: impl FnOnce() -> T) -> T {
    WORST.with(|w| w.set(0));
    LIMIT.with(|l| l.set(limit));
    let out = f();
    LIMIT.with(|l| l.set(usize::MAX));
    let worst = WORST.with(|w| w.replace(0));
    assert!(
        worst == 0,
        "one allocation of {worst} bytes (limit {limit})"
    );
    out
}

// ---------------------------------------------------------------------------------------------
// Mutations of real inputs.

const INTERESTING: [u32; 14] = [
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x100,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
    4096,
];

#[derive(Debug, Clone)]
enum Op {
    Flip(Index, u8),
    Set(Index, u8),
    Truncate(Index),
    Delete(Index, u16),
    Dup(Index, u16, Index),
    Insert(Index, Vec<u8>),
    Int(Index, u32, bool),
    Splice(Index, Index, Index, u16),
}

fn op() -> impl Strategy<Value = Op> {
    let int = prop_oneof![
        3 => proptest::sample::select(&INTERESTING[..]),
        1 => any::<u32>(),
    ];
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Op::Flip(i, b)),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Op::Set(i, b)),
        1 => any::<Index>().prop_map(Op::Truncate),
        1 => (any::<Index>(), 1u16..64).prop_map(|(i, n)| Op::Delete(i, n)),
        1 => (any::<Index>(), 1u16..256, any::<Index>()).prop_map(|(a, n, b)| Op::Dup(a, n, b)),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Op::Insert(i, v)),
        3 => (any::<Index>(), int, any::<bool>()).prop_map(|(i, v, be)| Op::Int(i, v, be)),
        1 => (any::<Index>(), any::<Index>(), any::<Index>(), 1u16..512)
            .prop_map(|(a, s, f, n)| Op::Splice(a, s, f, n)),
    ]
}

fn apply(seed: &[u8], ops: &[Op], others: &[Vec<u8>]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for o in ops {
        let n = b.len();
        match o {
            _ if n == 0 => {
                if let Op::Insert(_, v) = o {
                    b.extend_from_slice(v)
                }
            }
            Op::Flip(i, bit) => b[i.index(n)] ^= 1 << bit,
            Op::Set(i, v) => b[i.index(n)] = *v,
            Op::Truncate(i) => b.truncate(i.index(n)),
            Op::Delete(i, len) => {
                let at = i.index(n);
                b.drain(at..(at + *len as usize).min(n));
            }
            Op::Dup(i, len, to) => {
                let at = i.index(n);
                let chunk = b[at..(at + *len as usize).min(n)].to_vec();
                let to = to.index(n + 1);
                b.splice(to..to, chunk);
            }
            Op::Insert(i, v) => {
                let at = i.index(n + 1);
                b.splice(at..at, v.iter().copied());
            }
            Op::Int(i, v, be) => {
                let bytes = if *be {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                };
                // Length fields are aligned: write at a multiple of 4 half of the time.
                let mut at = i.index(n);
                if v % 2 == 0 {
                    at &= !3;
                }
                for (k, x) in bytes.iter().enumerate() {
                    if let Some(d) = b.get_mut(at + k) {
                        *d = *x;
                    }
                }
            }
            Op::Splice(at, which, from, len) => {
                if others.is_empty() {
                    continue;
                }
                let src = &others[which.index(others.len())];
                if src.is_empty() {
                    continue;
                }
                let f = from.index(src.len());
                let chunk = &src[f..(f + *len as usize).min(src.len())];
                let at = at.index(n + 1);
                b.splice(at..at, chunk.iter().copied());
            }
        }
    }
    b
}

/// A mutation of one of `seeds` (1–6 operations), or, one time in eight, the seed unchanged.
fn mutant(seeds: &'static [Vec<u8>]) -> impl Strategy<Value = Vec<u8>> {
    assert!(!seeds.is_empty());
    (
        any::<Index>(),
        proptest::collection::vec(op(), 0..6),
        0u8..8,
    )
        .prop_map(move |(s, ops, keep)| {
            let seed = &seeds[s.index(seeds.len())];
            if keep == 0 {
                seed.clone()
            } else {
                apply(seed, &ops, seeds)
            }
        })
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Twice `cases` per property (about 10 s for the file on two cores), or `cases` times
/// `$XCPNG_MOD_FUZZ_SCALE` for a longer hunt (`XCPNG_MOD_FUZZ_SCALE=50`: several minutes).
fn cfg(cases: u32) -> Config {
    let scale = std::env::var("XCPNG_MOD_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(2);
    Config {
        cases: cases.saturating_mul(scale),
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds.

struct Seeds {
    dir: tempfile::TempDir,
    repo_files: Vec<Vec<u8>>,
    repomd: Vec<Vec<u8>>,
    primary: Vec<Vec<u8>>,
    filelists: Vec<Vec<u8>>,
    other: Vec<Vec<u8>>,
    compressed: Vec<Vec<u8>>,
    rpms: Vec<Vec<u8>>,
    modules: Vec<Vec<u8>>,
    depmod: Vec<Vec<u8>>,
    headers: Vec<Vec<u8>>,
    sqlite: Vec<Vec<u8>>,
    bdb: Vec<Vec<u8>>,
    keys: Vec<Vec<u8>>,
    sigs: Vec<Vec<u8>>,
    testcases: Vec<Vec<u8>>,
    initrds: Vec<Vec<u8>>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read_dir_files(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<Vec<u8>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .filter(|p| p.is_file() && keep(&p.file_name().unwrap().to_string_lossy()))
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    xcpng_mod::compress::decompress_all(b).expect("seed decompresses")
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn specs() -> Vec<xcpng_mod::demo::PkgSpec> {
    use xcpng_mod::demo::PkgSpec;
    let mut a = PkgSpec::new("kmod-zfs", "2.1.7", "1.xcpng8.3")
        .summary("ZFS <kernel> & modules")
        .provides("zfs-kmod = 2.1.7")
        .requires("kernel-uname-r = 4.19.0+1")
        .obsoletes("zfs-old < 2")
        .file("/lib/modules/4.19.0+1/extra/zfs.ko", b"\x7fELF")
        .file("/etc/depmod.d/zfs.conf", b"override zfs * extra\n")
        .changelog("Jo <jo@x> - 2.1.7-1", "- new & improved", 1_700_000_000);
    a.epoch = Some(1);
    a.conflicts = vec!["zfs-fuse".into()];
    a.post = Some("depmod -a".into());
    let b = PkgSpec::new("vendor-driver", "1.2.3~rc1", "1")
        .arch("noarch")
        .requires("/bin/sh")
        .file("/usr/bin/tool", b"#!/bin/sh\n");
    vec![a, b]
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
}

fn seeds() -> &'static Seeds {
    static S: OnceLock<Seeds> = OnceLock::new();
    S.get_or_init(build_seeds)
}

fn build_seeds() -> Seeds {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixtures();

    // RPM files built here, plus a real signed CentOS package (its header and the start of
    // its payload: enough for every reader, and small enough for mutations to matter).
    let rpm_dir = dir.path().join("rpms");
    let mut rpms = Vec::new();
    for s in specs() {
        let p = xcpng_mod::demo::build_rpm(&s, &rpm_dir).expect("build_rpm");
        rpms.push(std::fs::read(p).unwrap());
    }
    let signed =
        std::fs::read(fx.join("signed-repo/el7/389-ds-base-devel-1.3.8.4-15.el7.x86_64.rpm"))
            .unwrap();
    rpms.push(signed[..signed.len().min(48 * 1024)].to_vec());

    // Repository metadata: createrepo_c over those RPMs, and the fixtures.
    let mut repomd = Vec::new();
    let mut primary = Vec::new();
    let mut filelists = Vec::new();
    let mut other = Vec::new();
    let mut compressed = Vec::new();
    let mut repodata_dirs = vec![
        fx.join("centos7-sample/repodata"),
        fx.join("signed-repo/repodata"),
    ];
    if xcpng_mod::demo::createrepo(&rpm_dir).is_ok() {
        repodata_dirs.push(rpm_dir.join("repodata"));
    }
    for d in &repodata_dirs {
        repomd.extend(read_dir_files(d, |n| {
            n == "repomd.xml" || n == "repomd.xml_bad"
        }));
        for (want, into) in [
            ("primary.xml", &mut primary),
            ("filelists.xml", &mut filelists),
            ("other.xml", &mut other),
        ] {
            for raw in read_dir_files(d, |n| n.contains(want) && !n.contains("sqlite")) {
                compressed.push(raw.clone());
                into.push(gunzip(&raw));
            }
        }
    }
    // Every compression kind over a small document.
    let text = primary.iter().min_by_key(|p| p.len()).unwrap().clone();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&text).unwrap();
    compressed.push(bz.finish().unwrap());
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut &text[..], &mut xz).unwrap();
    compressed.push(xz);
    compressed.push(ruzstd::encoding::compress_to_vec(
        &text[..],
        ruzstd::encoding::CompressionLevel::Fastest,
    ));
    compressed.push(gzip(&text));
    compressed.push(text.clone());

    let repo_files = read_dir_files(&fx.join("xcpng"), |n| n.contains(".repo"));
    let depmod = read_dir_files(&fx.join("xcpng"), |n| n.ends_with(".conf"))
        .into_iter()
        .chain(read_dir_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("depmod.d"),
            |_| true,
        ))
        .chain([b"search override updates extra built-in weak-updates\n\
                  override igb 4.19.* override\nexternal 4.19.0+1 /opt/drivers\n\
                  exclude .debug\ninclude /etc/x\n# comment \\\nstill comment\n"
            .to_vec()])
        .collect();

    // Kernel modules: the demo's, and a few small signed Debian ones when available.
    let mut modules = vec![
        xcpng_mod::demo::module_bytes("igb", "5.11.4"),
        xcpng_mod::demo::module_bytes("bnxt_en", "1.10.3"),
    ];
    if let Ok(k) = std::env::var("XCPNG_MOD_KERNEL_DIR") {
        let mut found = Vec::new();
        let mut stack = vec![PathBuf::from(k).join("lib/modules")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.to_string_lossy().contains(".ko") {
                    found.push((e.metadata().map(|m| m.len()).unwrap_or(0), p));
                }
            }
        }
        found.sort();
        for (_, p) in found.into_iter().take(3) {
            let raw = std::fs::read(&p).unwrap();
            modules.push(if raw.starts_with(b"\x7fELF") {
                raw
            } else {
                gunzip(&raw)
            });
        }
    }

    // rpmdbs: SQLite written by the real rpm (re-paged small with sqlite3 so that mutations
    // hit structure), its header blobs, and a Berkeley DB hash file written by db_load.
    let mut headers = Vec::new();
    let mut sqlite = Vec::new();
    let mut bdb = Vec::new();
    let root = dir.path().join("root");
    let files: Vec<PathBuf> = std::fs::read_dir(&rpm_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rpm"))
        .collect();
    if xcpng_mod::demo::rpm_install(&root, &files).is_ok() {
        let db = root.join("var/lib/rpm/rpmdb.sqlite");
        if have("sqlite3") {
            let _ = Command::new("sqlite3")
                .arg(&db)
                .arg("PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;")
                .output();
        }
        let mut blobs = Vec::new();
        xcpng_mod::rpm::rpmdb::sqlite::for_each_blob(&db, &mut |n, b| {
            blobs.push((n, b.to_vec()));
            Ok(())
        })
        .expect("rpm wrote a readable rpmdb.sqlite");
        sqlite.push(std::fs::read(&db).unwrap());
        headers.extend(blobs.iter().map(|(_, b)| b.clone()));
        for pagesize in ["512", "1024"] {
            if let Some(b) = write_bdb(dir.path(), &blobs, pagesize) {
                bdb.push(b);
            }
        }
    }

    let keys = vec![
        std::fs::read(fx.join("xcpng/RPM-GPG-KEY-xcpng")).unwrap(),
        std::fs::read(fx.join("signed-repo/el7/RPM-GPG-KEY-CentOS-7")).unwrap(),
        std::fs::read(fx.join("signed-repo/repodata/repomd.xml.key")).unwrap(),
    ];
    let sigs = vec![
        std::fs::read(fx.join("signed-repo/repodata/repomd.xml.asc")).unwrap(),
        std::fs::read(fx.join("signed-repo/repodata/repomd.xml_bad.sig")).unwrap(),
    ];
    let testcases = read_dir_files(&fx.join("solver"), |n| n.ends_with(".t"));

    let modules_cpio = newc(&[
        ("usr/lib/modules/4.19.0+1/override/igb.ko", b"\x7fELF"),
        ("usr/lib/modules/4.19.0+1/kernel/sd-mod.ko.xz", b"x"),
        ("etc/fstab", b""),
    ]);
    let early = newc(&[("kernel/x86/microcode/GenuineIntel.bin", b"ucode")]);
    let mut joined = early.clone();
    joined.extend(gzip(&modules_cpio));
    let initrds = vec![modules_cpio, joined];

    Seeds {
        dir,
        repo_files,
        repomd,
        primary,
        filelists,
        other,
        compressed,
        rpms,
        modules,
        depmod,
        headers,
        sqlite,
        bdb,
        keys,
        sigs,
        testcases,
        initrds,
    }
}

fn write_bdb(dir: &Path, blobs: &[(u32, Vec<u8>)], pagesize: &str) -> Option<Vec<u8>> {
    let tool = ["db5.3_load", "db_load"]
        .into_iter()
        .find(|t| Command::new(t).arg("-V").output().is_ok())?;
    let mut input = String::new();
    let mut put = |b: &[u8]| {
        for x in b {
            input.push_str(&format!("\\{x:02x}"));
        }
        input.push('\n');
    };
    put(&0u32.to_le_bytes());
    put(&(blobs.len() as u32 + 1).to_le_bytes());
    for (n, b) in blobs {
        put(&n.to_le_bytes());
        put(b);
    }
    let txt = dir.join(format!("bdb-{pagesize}.txt"));
    let out = dir.join(format!("Packages-{pagesize}"));
    std::fs::write(&txt, input).ok()?;
    let ok = Command::new(tool)
        .args(["-T", "-t", "hash", "-c"])
        .arg(format!("db_pagesize={pagesize}"))
        .arg("-f")
        .arg(&txt)
        .arg(&out)
        .output()
        .ok()?
        .status
        .success();
    ok.then(|| std::fs::read(&out).ok()).flatten()
}

use xcpng_mod::cpio::newc;

/// A scratch file, one per thread, that a case writes its input to.
fn scratch(name: &str, data: &[u8]) -> PathBuf {
    let d = seeds()
        .dir
        .path()
        .join(format!("scratch-{:?}", std::thread::current().id()).replace(['(', ')'], ""));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

macro_rules! seeds_of {
    ($field:ident) => {{
        let s: &'static [Vec<u8>] = &seeds().$field;
        s
    }};
}

// ---------------------------------------------------------------------------------------------
// Configuration.

/// Every plain `key=value` line of a file that parsed is in its section, with this line or a
/// later one (a later line with the same key replaces it, as in ConfigParser).
fn check_ini_keeps_keys(text: &str) {
    let Ok(sections) = xcpng_mod::config::parse_ini(text, Path::new("f.repo")) else {
        return;
    };
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = line.trim_end_matches('\r');
        let t = line.trim();
        if t.is_empty() || t.starts_with(['#', ';', '[']) || line.starts_with([' ', '\t']) {
            continue;
        }
        let pos = [line.find('='), line.find(':')].into_iter().flatten().min();
        let Some(pos) = pos else { continue };
        let key = line[..pos].trim().to_ascii_lowercase();
        let sec = sections
            .iter()
            .rev()
            .find(|s| s.line < lineno)
            .unwrap_or_else(|| panic!("line {lineno} `{line}` is in no section"));
        let kept = sec.values.get(&key);
        assert!(
            kept.is_some_and(|(_, l)| *l >= lineno),
            "line {lineno} `{line}`: key `{key}` lost ({kept:?})"
        );
    }
}

fn load_with_repo_file(text: &[u8], yum_conf: Option<&[u8]>) {
    let root = tempfile::tempdir().unwrap();
    let repos = root.path().join("etc/yum.repos.d");
    std::fs::create_dir_all(&repos).unwrap();
    std::fs::write(repos.join("fuzz.repo"), text).unwrap();
    if let Some(c) = yum_conf {
        std::fs::write(root.path().join("etc/yum.conf"), c).unwrap();
    }
    let root = xcpng_mod::sysroot::Sysroot::new(root.path());
    let _ = capped(16 * MIB, || {
        xcpng_mod::config::load(&root, &xcpng_mod::config::Overrides::default())
    });
}

proptest! {
    #![proptest_config(cfg(600))]

    #[test]
    fn ini_arbitrary_text(text in "(\\[[a-z ]{0,4}\\]?|[ \t]?[a-z:=]{0,6}[=:]?.{0,6}|#.*|;|)(\r?\n(\\[[a-z ]{0,4}\\]?|[ \t]?[a-z:=]{0,6}[=:]?.{0,6}|#.*|;|)){0,8}") {
        check_ini_keeps_keys(&text);
    }

    #[test]
    fn ini_arbitrary_bytes(b in bytes(256)) {
        check_ini_keeps_keys(&lossy(&b));
    }

    #[test]
    fn ini_mutated_repo_files(b in mutant(seeds_of!(repo_files))) {
        check_ini_keeps_keys(&lossy(&b));
    }

    #[test]
    fn small_config_values(s in ".{0,12}") {
        let _ = xcpng_mod::config::parse_expire(&s);
        let _ = xcpng_mod::config::parse_bool(&s);
        let _ = xcpng_mod::config::split_list(&s);
        let mut vars = std::collections::BTreeMap::new();
        vars.insert("releasever".to_string(), "8.3".to_string());
        let _ = xcpng_mod::config::substitute(&s, &vars);
    }
}

proptest! {
    #![proptest_config(cfg(96))]

    #[test]
    fn config_load_mutated_repo_file(
        b in mutant(seeds_of!(repo_files)),
        conf in proptest::option::of("\\[main\\]\n(reposdir|metadata_expire|gpgcheck|timeout|exclude)=.{0,8}\n"),
    ) {
        load_with_repo_file(&b, conf.as_deref().map(str::as_bytes));
    }
}

// ---------------------------------------------------------------------------------------------
// Repository metadata.

fn primary_all(b: &[u8]) {
    capped(16 * MIB, || {
        let mut n = 0;
        let _ = xcpng_mod::repo::primary::parse_primary(b, "fuzz", |_| n += 1);
    });
}

proptest! {
    #![proptest_config(cfg(400))]

    #[test]
    fn repomd_mutated(b in mutant(seeds_of!(repomd))) {
        let _ = capped(16 * MIB, || xcpng_mod::repo::repomd::parse(&b));
    }

    #[test]
    fn repomd_arbitrary(b in bytes(512)) {
        let _ = capped(16 * MIB, || xcpng_mod::repo::repomd::parse(&b));
    }

    #[test]
    fn primary_mutated(b in mutant(seeds_of!(primary))) {
        primary_all(&b);
    }

    #[test]
    fn primary_arbitrary(b in bytes(512)) {
        primary_all(&b);
    }

    #[test]
    fn filelists_and_other_mutated(
        f in mutant(seeds_of!(filelists)),
        o in mutant(seeds_of!(other)),
    ) {
        capped(16 * MIB, || {
            let _ = xcpng_mod::repo::primary::parse_filelists(&f[..], |_| true, |_, _| {});
            let _ = xcpng_mod::repo::primary::parse_other(&o[..], |_| true, |_| {});
        });
    }

    #[test]
    fn decompress_mutated(b in mutant(seeds_of!(compressed))) {
        // A few kilobytes of gzip can hold a few megabytes: 64 MiB is absurd.
        let _ = capped(64 * MIB, || xcpng_mod::compress::decompress_all(&b));
    }

    #[test]
    fn decompress_arbitrary(
        magic in proptest::sample::select(vec![
            &b""[..], &[0x1f, 0x8b][..], &b"BZh"[..], &[0xfd, b'7', b'z', b'X', b'Z', 0][..],
            &[0x28, 0xb5, 0x2f, 0xfd][..],
        ]),
        rest in bytes(256),
    ) {
        let mut b = magic.to_vec();
        b.extend(rest);
        let _ = capped(64 * MIB, || xcpng_mod::compress::decompress_all(&b));
    }
}

/// XML made of the tokens the metadata parsers care about, in any order and nesting.
fn xml_tokens() -> impl Strategy<Value = Vec<u8>> {
    let token = proptest::sample::select(vec![
        "<metadata>",
        "</metadata>",
        "<filelists>",
        "<otherdata>",
        "<updates>",
        "</updates>",
        "<update type=\"bugfix\">",
        "</update>",
        "<id>",
        "</id>",
        "<guidance>",
        "</guidance>",
        "<mandatory>",
        "</mandatory>",
        "<value>",
        "</value>",
        "<package name=\"x\" epoch=\"-1\" version=\"1\" release=\"2\" arch=\"a\"/>",
        "<repomd>",
        "</repomd>",
        "<package type=\"rpm\">",
        "</package>",
        "<package pkgid=\"a\" name=\"x\">",
        "<name>",
        "</name>",
        "<arch>",
        "</arch>",
        "<version epoch=\"4294967296\" ver=\"1\" rel=\"2\"/>",
        "<version epoch=\"1\" ver=\"1\"/>",
        "<location href=\"a/b.rpm\"/>",
        "<location href=\"../x\"/>",
        "<location href=\"/abs\"/>",
        "<checksum type=\"sha256\">",
        "</checksum>",
        "<rpm:provides>",
        "</rpm:provides>",
        "<rpm:requires>",
        "<rpm:entry name=\"a\" flags=\"GE\" epoch=\"x\" ver=\"1\" rel=\"\" pre=\"1\"/>",
        "<rpm:entry/>",
        "<file>",
        "</file>",
        "<file type=\"dir\"/>",
        "<changelog author=\"a\" date=\"-1\">",
        "</changelog>",
        "<data type=\"primary\">",
        "</data>",
        "<size>",
        "</size>",
        "<open-size>",
        "<timestamp>",
        "<revision>",
        "text",
        "&amp;",
        "&lt;",
        "&#233;",
        "&#x10FFFF;",
        "&#xD800;",
        "&#0;",
        "&#99999999999;",
        "&#x;",
        "&bogus;",
        "&",
        "<![CDATA[x]]>",
        "<!-- c -->",
        "<?xml version=\"1.0\"?>",
        "<!DOCTYPE x [<!ENTITY e \"v\">]>",
        "&e;",
        "<",
        ">",
        "\"",
        "\u{0}",
        "\u{feff}",
        "<a:b:c>",
        "</>",
    ]);
    proptest::collection::vec(token, 0..40).prop_map(|t| t.concat().into_bytes())
}

proptest! {
    #![proptest_config(cfg(500))]

    #[test]
    fn metadata_xml_tokens(b in xml_tokens()) {
        primary_all(&b);
        capped(16 * MIB, || {
            let _ = xcpng_mod::repo::repomd::parse(&b);
            let _ = xcpng_mod::repo::primary::parse_filelists(&b[..], |_| true, |_, _| {});
            let _ = xcpng_mod::repo::primary::parse_other(&b[..], |_| true, |_| {});
            let _ = xcpng_mod::repo::updateinfo::parse_updateinfo(&b[..]);
        });
    }
}

// ---------------------------------------------------------------------------------------------
// The parsed-metadata cache.

fn arb_evr() -> impl Strategy<Value = Evr> {
    // u32::MAX is the cache's "no epoch" marker: see `cache_epoch_u32_max_is_not_kept`.
    (proptest::option::of(0u32..u32::MAX), ".{0,6}", ".{0,6}")
        .prop_map(|(e, v, r)| Evr::new(e, v, r))
}

fn arb_dep() -> impl Strategy<Value = Dependency> {
    (
        ".{0,8}",
        0u8..8,
        proptest::option::of(arb_evr()),
        any::<bool>(),
    )
        .prop_map(|(name, s, evr, pre)| Dependency {
            name,
            sense: Sense::from_bits(s),
            evr,
            pre,
        })
}

fn arb_package() -> impl Strategy<Value = Package> {
    let deps = || proptest::collection::vec(arb_dep(), 0..3);
    (
        (
            ".{0,8}",
            arb_evr(),
            ".{0,6}",
            ".{0,10}",
            ".{0,10}",
            ".{0,6}",
        ),
        (".{0,6}", ".{0,6}", any::<u64>(), any::<u64>(), any::<u64>()),
        (".{0,8}", ".{0,6}", "[0-9a-f]{0,8}"),
        (deps(), deps(), deps(), deps()),
        proptest::collection::vec(".{0,8}", 0..3),
    )
        .prop_map(
            |(
                (name, evr, arch, summary, description, url),
                (license, sourcerpm, buildtime, size_package, size_installed),
                (location, kind, value),
                (provides, requires, conflicts, obsoletes),
                files,
            )| Package {
                name,
                evr,
                arch,
                repo: String::new(),
                summary,
                description,
                url,
                license,
                sourcerpm,
                buildtime,
                installtime: 0,
                size_package,
                size_installed,
                location,
                checksum: Checksum { kind, value },
                provides,
                requires,
                conflicts,
                obsoletes,
                files,
            },
        )
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn repo_cache_round_trips(pkgs in proptest::collection::vec(arb_package(), 0..4), key in ".{0,8}") {
        use xcpng_mod::repo::cache::{decode, encode, key_of, Detail};
        let data = encode(&key, &pkgs);
        prop_assert_eq!(key_of(&data), Some(key.clone()));
        let mut want = pkgs.clone();
        for p in &mut want {
            p.repo = "r".into();
        }
        prop_assert_eq!(decode(&data, &key, "r", Detail::Full).unwrap(), want.clone());
        let summary = decode(&data, &key, "r", Detail::Summary).unwrap();
        prop_assert_eq!(summary.len(), want.len());
        for (s, w) in summary.iter().zip(&want) {
            prop_assert_eq!((&s.name, &s.evr, &s.summary), (&w.name, &w.evr, &w.summary));
        }
    }

    #[test]
    fn repo_cache_mutated(
        pkgs in proptest::collection::vec(arb_package(), 1..3),
        ops in proptest::collection::vec(op(), 1..5),
    ) {
        use xcpng_mod::repo::cache::{decode, encode, key_of, Detail};
        let data = apply(&encode("k", &pkgs), &ops, &[]);
        capped(8 * MIB, || {
            let _ = key_of(&data);
            let _ = decode(&data, "k", "r", Detail::Full);
            let _ = decode(&data, "k", "r", Detail::Summary);
        });
        let p = scratch("primary.cache", &data);
        for d in [Detail::Full, Detail::Summary] {
            let _ = capped(8 * MIB, || xcpng_mod::repo::cache::read_file(&p, "k", "r", d));
        }
    }

    #[test]
    fn rpmdb_cache_round_trips(
        pkgs in proptest::collection::vec(arb_package(), 0..4),
        key in bytes(16),
        ops in proptest::collection::vec(op(), 1..4),
    ) {
        use xcpng_mod::rpm::rpmdb::cache::{decode, encode};
        // The rpmdb cache keeps what the rpmdb has: no location, checksum, files or file size.
        let want: Vec<Package> = pkgs
            .iter()
            .map(|p| Package {
                repo: xcpng_mod::rpm::package::SYSTEM_REPO.into(),
                installtime: p.buildtime ^ 1,
                size_package: 0,
                location: String::new(),
                checksum: Checksum::default(),
                files: Vec::new(),
                ..p.clone()
            })
            .collect();
        let data = encode(&key, &want);
        prop_assert_eq!(decode(&key, &data), Some(want));
        let bad = apply(&data, &ops, &[]);
        let _ = capped(8 * MIB, || decode(&key, &bad));
    }
}

// ---------------------------------------------------------------------------------------------
// Versions and dependencies.

fn version_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-z~^._+-]{0,10}",
        "[0-9]{0,25}(\\.[0-9a-z]{0,3}){0,3}",
        ".{0,8}",
    ]
}

proptest! {
    #![proptest_config(cfg(1500))]

    #[test]
    fn vercmp_is_antisymmetric_and_reflexive(a in version_like(), b in version_like()) {
        use std::cmp::Ordering;
        use xcpng_mod::rpm::evr::{vercmp_with, VercmpRules};
        prop_assert_eq!(vercmp(&a, &a), Ordering::Equal);
        prop_assert_eq!(vercmp(&a, &b), vercmp(&b, &a).reverse());
        prop_assert_eq!(
            vercmp_with(&a, &b, VercmpRules::Rpm411),
            vercmp_with(&b, &a, VercmpRules::Rpm411).reverse()
        );
        let (ea, eb) = (Evr::parse(&a), Evr::parse(&b));
        prop_assert_eq!(ea.compare(&ea), Ordering::Equal);
        prop_assert_eq!(ea.compare(&eb), eb.compare(&ea).reverse());
        let _ = ea.to_string();
    }

    #[test]
    fn dependency_parse_never_panics(s in "[a-z/()0-9]{0,6}( {0,2}(<|>|=|<=|>=|==|!=|<>|~) {0,2}[0-9:.~^-]{0,8}){0,2}|.{0,16}") {
        if let Some(d) = Dependency::parse(&s) {
            let _ = d.to_string();
            let _ = d.satisfies(&d);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Package files and rpm headers.

proptest! {
    #![proptest_config(cfg(250))]

    #[test]
    fn local_rpm_mutated(b in mutant(seeds_of!(rpms))) {
        let p = scratch("fuzz.rpm", &b);
        let _ = capped(64 * MIB, || xcpng_mod::rpm::local::read(&p));
    }

    #[test]
    fn rpm_signature_check_mutated(b in mutant(seeds_of!(rpms))) {
        let ring = keyring();
        let _ = capped(64 * MIB, || xcpng_mod::trust::package::verify_bytes("fuzz.rpm", &b, ring));
    }

    #[test]
    fn rpmdb_header_blob_mutated(b in mutant(seeds_of!(headers))) {
        let _ = capped(16 * MIB, || xcpng_mod::rpm::rpmdb::header::package_from_blob(&b));
    }

    #[test]
    fn rpmdb_header_blob_arbitrary(b in bytes(256)) {
        let _ = capped(16 * MIB, || xcpng_mod::rpm::rpmdb::header::package_from_blob(&b));
    }
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn rpmdb_sqlite_mutated(b in mutant(seeds_of!(sqlite))) {
        let p = scratch("rpmdb.sqlite", &b);
        let _ = capped(32 * MIB, || xcpng_mod::rpm::rpmdb::read_sqlite(&p));
    }

    #[test]
    fn rpmdb_bdb_mutated(b in mutant(seeds_of!(bdb))) {
        let _ = capped(32 * MIB, || {
            xcpng_mod::rpm::rpmdb::bdb::for_each_blob(&b, &mut |_, blob| {
                let _ = xcpng_mod::rpm::rpmdb::header::package_from_blob(blob);
                Ok(())
            })
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Kernel modules, depmod.d, initrds.

proptest! {
    #![proptest_config(cfg(400))]

    #[test]
    fn modinfo_parse_elf_mutated(b in mutant(seeds_of!(modules))) {
        let _ = capped(16 * MIB, || xcpng_mod::modules::modinfo::parse_elf(&b));
    }

    #[test]
    fn modinfo_parse_elf_arbitrary(b in bytes(256)) {
        let mut h = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x01\0".to_vec();
        h.extend(b);
        let _ = capped(16 * MIB, || xcpng_mod::modules::modinfo::parse_elf(&h));
    }

    #[test]
    fn build_id_note_arbitrary(b in bytes(64)) {
        let _ = xcpng_mod::modules::modinfo::parse_build_id_note(&b);
    }
}

proptest! {
    #![proptest_config(cfg(150))]

    #[test]
    fn modinfo_read_path_mutated(b in mutant(seeds_of!(modules)), compress in any::<bool>()) {
        let data = if compress { gzip(&b) } else { b };
        let p = scratch("fuzz.ko", &data);
        let _ = capped(16 * MIB, || xcpng_mod::modules::modinfo::read_path(&p));
    }
}

proptest! {
    #![proptest_config(cfg(400))]

    #[test]
    fn depmod_config_mutated(b in mutant(seeds_of!(depmod)), kver in "4\\.19\\.0\\+1|[0-9.+*a-z-]{0,10}") {
        use xcpng_mod::modules::depmod::DepmodConfig;
        let cfg = capped(16 * MIB, || {
            DepmodConfig::parse(&kver, &[(PathBuf::from("/etc/depmod.d/f.conf"), lossy(&b))])
        });
        let _ = cfg.rank_of("override");
        let _ = xcpng_mod::modules::depmod::parse_modules_dep(&lossy(&b));
    }

    #[test]
    fn depmod_kernel_pattern(p in "[.*+?^$\\[\\]\\\\a-z0-9-]{0,12}", kver in "[0-9a-z.+-]{0,12}") {
        let _ = xcpng_mod::modules::depmod::kernel_matches(&p, &kver);
    }

    #[test]
    fn initrd_mutated(b in mutant(seeds_of!(initrds))) {
        let _ = capped(64 * MIB, || xcpng_mod::modules::doctor::initrd_modules(&b));
    }

    #[test]
    fn initrd_arbitrary(b in bytes(300), head in "07070[12]|") {
        let mut v = head.into_bytes();
        v.extend(b);
        let _ = capped(64 * MIB, || xcpng_mod::modules::doctor::initrd_modules(&v));
    }
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures.

fn keyring() -> &'static xcpng_mod::trust::keys::Keyring {
    static R: OnceLock<xcpng_mod::trust::keys::Keyring> = OnceLock::new();
    R.get_or_init(|| {
        let mut r = xcpng_mod::trust::keys::Keyring::new();
        for k in &seeds().keys {
            r.add(
                xcpng_mod::trust::openpgp::parse_certs(k).unwrap(),
                "fixture",
            );
        }
        r
    })
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn keys_mutated(b in mutant(seeds_of!(keys))) {
        if let Ok(certs) = capped(16 * MIB, || xcpng_mod::trust::openpgp::parse_certs(&b)) {
            let mut r = xcpng_mod::trust::keys::Keyring::new();
            r.add(certs, "fuzz");
            let _ = r.info();
        }
    }

    #[test]
    fn signatures_mutated(b in mutant(seeds_of!(sigs))) {
        let data = std::fs::read(fixtures().join("signed-repo/repodata/repomd.xml")).unwrap();
        let _ = capped(16 * MIB, || xcpng_mod::trust::sig::verify_detached(keyring(), &b, &data));
    }

    #[test]
    fn signatures_arbitrary(b in bytes(200)) {
        let _ = capped(16 * MIB, || xcpng_mod::trust::sig::parse_signatures(&b));
    }

    #[test]
    fn keys_arbitrary(b in bytes(200), armor in any::<bool>()) {
        let mut data = Vec::new();
        if armor {
            data.extend_from_slice(b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n");
        }
        data.extend(b);
        let _ = capped(16 * MIB, || xcpng_mod::trust::openpgp::parse_certs(&data));
    }
}

// ---------------------------------------------------------------------------------------------
// libsolv testcases.

proptest! {
    #![proptest_config(cfg(300))]

    #[test]
    fn testcase_parse_mutated(b in mutant(seeds_of!(testcases))) {
        let _ = xcpng_mod::solve::testcase::Testcase::parse(&lossy(&b));
    }

    #[test]
    fn testcase_parse_lines(t in "((repo|system|job|result|nextjob|solverflags|poolflags|#>=Pkg:|#>=Req:|#>)( [a-z0-9<>=:.*-]{0,6}){0,5}\n){0,6}") {
        let _ = xcpng_mod::solve::testcase::Testcase::parse(&t);
    }
}

proptest! {
    #![proptest_config(cfg(40))]

    #[test]
    fn testcase_run_mutated(b in mutant(seeds_of!(testcases))) {
        let _ = capped(64 * MIB, || xcpng_mod::solve::testcase::run_text(&lossy(&b)));
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: one plain test per bug the properties found.

/// `repo::cache::read_file` reserved the summary length the file states: a corrupt length
/// (here 2 TiB) aborted the process ("memory allocation failed").
#[test]
fn regression_repo_cache_huge_summary_length() {
    use xcpng_mod::repo::cache::{encode, read_file, Detail};
    let mut data = encode("k", &[]);
    let at = 8 + 4 + 1 + 8; // magic, key, package count: then the summary length
    data[at..at + 8].copy_from_slice(&(1u64 << 41).to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("primary.cache");
    std::fs::write(&p, &data).unwrap();
    for d in [Detail::Summary, Detail::Full] {
        assert!(capped(8 * MIB, || read_file(&p, "k", "r", d)).is_err());
    }
}

/// `repo::cache::decode` reserved up to 4 Mi packages (~2 GB) for the count a cache states.
#[test]
fn regression_repo_cache_huge_package_count() {
    use xcpng_mod::repo::cache::{decode, encode, Detail};
    let one = Package {
        name: "a".into(),
        ..Default::default()
    };
    let mut data = encode("k", &[one]);
    data[13..21].copy_from_slice(&u64::MAX.to_le_bytes());
    for d in [Detail::Summary, Detail::Full] {
        assert!(capped(8 * MIB, || decode(&data, "k", "r", d)).is_err());
    }
}

/// The rpmdb cache reserved one `Package` per byte of the file for the count it states.
#[test]
fn regression_rpmdb_cache_huge_package_count() {
    use sha2::Digest;
    use xcpng_mod::rpm::rpmdb::cache::{decode, encode};
    let key = vec![7u8; 1 << 20];
    let mut data = encode(&key, &[]);
    data.truncate(data.len() - 32);
    let n_at = data.len() - 4;
    data[n_at..].copy_from_slice(&u32::MAX.to_le_bytes());
    let sum = sha2::Sha256::digest(&data);
    data.extend_from_slice(&sum);
    assert_eq!(capped(64 * MIB, || decode(&key, &data)), None);
}

/// `modinfo::parse_elf` reserved the section count of extended numbering (section 0's size,
/// up to 1 Mi sections, 32 MiB) before seeing that the headers are not in the file.
#[test]
fn regression_modinfo_extended_section_count() {
    let mut elf = vec![0u8; 128];
    elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
    elf[16] = 1; // ET_REL
    elf[0x28..0x30].copy_from_slice(&64u64.to_le_bytes()); // e_shoff
    elf[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize; e_shnum = 0
    elf[64 + 32..64 + 40].copy_from_slice(&(65536u64 * 16).to_le_bytes());
    assert!(capped(16 * MIB, || xcpng_mod::modules::modinfo::parse_elf(&elf)).is_err());
}

/// `initrd_modules` recursed once per compression layer: an "initrd" of a thousand
/// nested gzip streams overflowed the stack (a 256 KiB one here).
#[test]
fn regression_initrd_nested_compression() {
    let mut img = newc(&[("usr/lib/modules/4.19.0+1/override/igb.ko", b"x")]);
    assert_eq!(
        xcpng_mod::modules::doctor::initrd_modules(&gzip(&img)),
        Some(vec!["igb".to_string()])
    );
    for _ in 0..1000 {
        // Stored blocks: level 1 spins in zlib-rs's deflate_quick on its own output.
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        e.write_all(&img).unwrap();
        img = e.finish().unwrap();
    }
    let got = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || xcpng_mod::modules::doctor::initrd_modules(&img))
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(got, None);
}

/// `Testcase::parse` sliced `words[3..]` of a `repo` line with fewer than three words.
#[test]
fn regression_testcase_short_repo_line() {
    for t in ["repo\n", "repo a\n", "repo a 0\n"] {
        let tc = xcpng_mod::solve::testcase::Testcase::parse(t);
        assert!(!tc.unsupported.is_empty(), "{t:?}");
    }
}

/// A `.rpm` whose header entries point outside the header data made the `rpm` crate panic
/// (slice index out of range) in `rpm::local::read`.
#[test]
fn regression_local_rpm_entry_outside_data() {
    let dir = tempfile::tempdir().unwrap();
    let p = xcpng_mod::demo::build_rpm(&specs()[1], dir.path()).unwrap();
    let good = std::fs::read(&p).unwrap();
    assert!(xcpng_mod::rpm::local::read(&p).is_ok());
    // The first index entry of the main header: its offset goes far outside the data.
    let sig_il = u32::from_be_bytes(good[104..108].try_into().unwrap()) as usize;
    let sig_dl = u32::from_be_bytes(good[108..112].try_into().unwrap()) as usize;
    let h = 96 + 16 + sig_il * 16 + sig_dl;
    let h = h + (8 - h % 8) % 8;
    for (field, value) in [(8, 0x7fff_0000u32), (12, 0xffff_ffff), (8, 31340)] {
        let mut bad = good.clone();
        bad[h + 16 + field..h + 16 + field + 4].copy_from_slice(&value.to_be_bytes());
        std::fs::write(&p, &bad).unwrap();
        let e = capped(16 * MIB, || xcpng_mod::rpm::local::read(&p)).unwrap_err();
        assert!(e.to_string().contains("not a readable RPM"), "{e}");
    }
    // Sizes far beyond the file.
    let mut bad = good.clone();
    bad[h + 12..h + 16].copy_from_slice(&0x0fff_0000u32.to_be_bytes());
    std::fs::write(&p, &bad).unwrap();
    assert!(capped(16 * MIB, || xcpng_mod::rpm::local::read(&p)).is_err());
}

/// depmod.d's kernel-version patterns were matched by plain backtracking: a line like
/// `override m .*.*.*…X updates` took exponential time against the kernel release.
#[test]
fn regression_depmod_pattern_backtracking() {
    let pattern = format!("{}X", ".*".repeat(24));
    let t = std::time::Instant::now();
    assert!(!xcpng_mod::modules::depmod::kernel_matches(
        &pattern,
        "4.19.0+1-xcpng-long-release"
    ));
    assert!(xcpng_mod::modules::depmod::kernel_matches(
        &format!("{}1", ".*".repeat(24)),
        "4.19.0+1"
    ));
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t.elapsed()
    );
}

/// Not fixed (the cache format has no room for it): an epoch of 4294967295 is the cache's
/// "no epoch" marker, so it comes back as no epoch. rpm's own epochs are far below it.
#[test]
fn cache_epoch_u32_max_is_not_kept() {
    use xcpng_mod::repo::cache::{decode, encode, Detail};
    let p = Package {
        name: "a".into(),
        evr: Evr::new(Some(u32::MAX), "1", "1"),
        ..Default::default()
    };
    let back = decode(&encode("k", &[p]), "k", "r", Detail::Summary).unwrap();
    assert_eq!(back[0].evr.epoch, None);
}
