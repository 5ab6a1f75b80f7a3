//! The native rpmdb readers against databases written by the real tools: SQLite rpmdbs written
//! by Debian's `rpm` (≥ 4.16), and Berkeley DB hash `Packages` files written by Berkeley DB's
//! own `db_load` from the real headers, which Debian's `rpm` reads back with its `bdb_ro`
//! backend. The native result must equal the `rpm -qa --queryformat` result field by field;
//! corrupt files are errors and `load` falls back to `rpm -qa`; the cache follows the database.

use crate::common::{pkg, PkgSpec, TestHost};
use std::path::{Path, PathBuf};
use std::process::Command;
use xcpng_mod::rpm::installed::{self, RpmdbSource};
use xcpng_mod::rpm::rpmdb::{self, Format};
use xcpng_mod::rpm::Package;
use xcpng_mod::sysroot::Sysroot;

/// Packages with every field the reader converts: epochs, arches, all dependency kinds and
/// senses, scriptlet requires, non-ASCII text.
fn varied() -> Vec<PkgSpec> {
    let mut v = vec![
        pkg("kernel", "4.19.19", "8.0.38.1.xcpng8.3")
            .provides("kernel-uname-r = 4.19.0+1")
            .provides("kernel-base >= 4.19")
            .requires("xcp-ng-release >= 8.3")
            .requires("linux-firmware")
            .obsoletes("kernel-old < 4.19"),
        pkg("glibc", "2.17", "326.el7")
            .arch("i686")
            .summary("Bibliothèque C — ünïcode"),
        pkg("glibc", "2.17", "326.el7").provides("libc.so.6()(64bit)"),
        pkg("xcp-ng-release", "8.3.0", "29").arch("noarch"),
        pkg("vendor-driver", "1.2.3~rc1", "1").requires("kernel-uname-r = 4.19.0+1"),
    ];
    let mut e = pkg("epoched", "2.0", "1.el7")
        .requires("a > 1")
        .requires("b <= 2:3-4");
    e.epoch = Some(3);
    e.conflicts = vec!["old-thing < 1.0".into(), "other".into()];
    e.post = Some("echo hi".into());
    e.description = "Line one.\nLine two, with a tab\tand 'quotes'.\n".into();
    v.push(e);
    v
}

/// Names, sizes and mtimes of the files of a directory.
fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let m = e.metadata().unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, m.len(), m.modified().unwrap())
        })
        .collect();
    v.sort();
    v
}

fn sqlite_path(h: &TestHost) -> PathBuf {
    h.host_path("/var/lib/rpm/rpmdb.sqlite")
}

fn by_rpm(root: &Path, extra: &[&str]) -> Vec<Package> {
    installed::load_rpm(&Sysroot::new(root), extra).expect("rpm -qa")
}

/// Field-by-field comparison with a useful message.
#[track_caller]
fn assert_same(native: &[Package], reference: &[Package]) {
    let names = |v: &[Package]| v.iter().map(Package::nevra).collect::<Vec<_>>();
    assert_eq!(names(native), names(reference), "package lists differ");
    for (n, r) in native.iter().zip(reference) {
        if n != r {
            let (a, b) = (format!("{n:?}"), format!("{r:?}"));
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let from = a[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
            let cut = |s: &str| s[from..].chars().take(200).collect::<String>();
            panic!(
                "{} differs:\n native: …{}\n    rpm: …{}",
                n.nevra(),
                cut(&a),
                cut(&b)
            );
        }
    }
}

#[test]
fn sqlite_native_equals_rpm_qa() {
    let h = TestHost::new();
    let specs = varied();
    h.install(&specs);
    let dbdir = h.host_path("/var/lib/rpm");
    let before = listing(&dbdir);
    let native = rpmdb::read_sqlite(&sqlite_path(&h)).expect("native read");
    let loaded = installed::load_traced(&Sysroot::new(h.root())).unwrap();
    assert_eq!(loaded.source, RpmdbSource::Native(Format::Sqlite));
    assert_eq!(
        listing(&dbdir),
        before,
        "the native reader wrote to the rpmdb dir"
    );
    let reference = by_rpm(h.root(), &[]);
    assert_same(&loaded.packages, &reference);
    assert_eq!(native.len(), specs.len());
    assert_same(&native, &reference);
    let k = native.iter().find(|p| p.name == "kernel").unwrap();
    // + `kernel = evr` and `kernel(x86-64) = evr`
    assert_eq!(k.provides.len(), 4, "{:?}", k.provides);
    assert!(k.installtime > 0 && k.size_installed == 0 && k.buildtime > 0);
    let e = native.iter().find(|p| p.name == "epoched").unwrap();
    assert_eq!(e.evr.epoch, Some(3));
    assert_eq!(e.conflicts.len(), 2);
    assert!(e.requires.iter().any(|r| r.name == "/bin/sh" && r.pre));
}

fn db_load() -> &'static str {
    for c in ["db5.3_load", "db_load"] {
        if Command::new(c).arg("-V").output().is_ok() {
            return c;
        }
    }
    panic!("no db_load: install db5.3-util (scripts/test.sh does)");
}

/// `db_load -T` input: key and value lines, every byte escaped as `\xx`.
fn printable(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        out.push_str(&format!("\\{b:02x}"));
    }
    out.push('\n');
}

/// Write a Berkeley DB hash `Packages` file under `root` from `(hnum, blob)` pairs with the
/// real `db_load`, plus rpm's record 0; returns its path.
fn write_bdb(root: &Path, blobs: &[(u32, Vec<u8>)], config: &[&str]) -> PathBuf {
    let dir = root.join("var/lib/rpm");
    std::fs::create_dir_all(&dir).unwrap();
    let mut input = String::new();
    let next = blobs.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
    printable(&mut input, &0u32.to_le_bytes());
    printable(&mut input, &next.to_le_bytes());
    for (hnum, blob) in blobs {
        printable(&mut input, &hnum.to_le_bytes());
        printable(&mut input, blob);
    }
    let txt = root.join("packages.txt");
    std::fs::write(&txt, input).unwrap();
    let path = dir.join("Packages");
    let mut c = Command::new(db_load());
    c.args(["-T", "-t", "hash"]);
    for kv in config {
        c.args(["-c", kv]);
    }
    let out = c
        .arg("-f")
        .arg(&txt)
        .arg(&path)
        .output()
        .expect("run db_load");
    assert!(
        out.status.success(),
        "db_load: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn blobs_of(sqlite: &Path) -> Vec<(u32, Vec<u8>)> {
    let mut v = Vec::new();
    rpmdb::sqlite::for_each_blob(sqlite, &mut |n, b| {
        v.push((n, b.to_vec()));
        Ok(())
    })
    .expect("read sqlite blobs");
    v
}

fn meta_u32(path: &Path, at: usize) -> u32 {
    let b = std::fs::read(path).unwrap();
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// A few hundred packages, one with thousands of provides and one with a long description
/// (headers larger than a page: overflow chains), so the hash has many buckets.
fn many() -> Vec<PkgSpec> {
    let mut v = varied();
    for i in 0..240 {
        v.push(
            pkg(&format!("pkg{i:03}"), &format!("1.{i}"), "1")
                .provides(&format!("cap{i} = 1.{i}"))
                .requires(&format!("pkg{:03} >= 1", (i + 1) % 240)),
        );
    }
    let mut big = pkg("big-provides", "1.0", "1");
    for i in 0..3000 {
        big.provides
            .push(format!("kmod(driver_{i:04}.ko) = 1.0.{i}"));
    }
    v.push(big);
    let mut long = pkg("long-description", "1.0", "1");
    long.description = "A long description line for an overflow chain.\n".repeat(800);
    v.push(long);
    v
}

#[test]
fn bdb_written_by_db_load_reads_like_rpm() {
    let h = TestHost::new();
    let specs = many();
    h.install(&specs);
    let from_sqlite = rpmdb::read_sqlite(&sqlite_path(&h)).expect("native sqlite");
    assert_eq!(from_sqlite.len(), specs.len());
    let blobs = blobs_of(&sqlite_path(&h));
    assert!(
        blobs.iter().any(|(_, b)| b.len() > 64 * 1024),
        "a header > 64 KiB"
    );

    for (label, config) in [
        ("4 KiB pages", vec!["db_pagesize=4096"]),
        ("512-byte pages", vec!["db_pagesize=512"]),
        ("64 KiB pages", vec!["db_pagesize=65536"]),
        ("page checksums", vec!["db_pagesize=2048", "chksum=1"]),
    ] {
        let root = h.dir().join(format!("bdb-{}", label.replace(' ', "-")));
        let path = write_bdb(&root, &blobs, &config);
        let page_size = meta_u32(&path, 20) as usize;
        let max_bucket = meta_u32(&path, 72);
        assert!(max_bucket >= 1, "{label}: only one hash bucket");
        assert!(
            blobs.iter().any(|(_, b)| b.len() > page_size),
            "{label}: no header needs overflow pages"
        );
        let native = rpmdb::read_bdb(&path).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_same(&native, &from_sqlite);
        if config.contains(&"chksum=1") {
            let metaflags = std::fs::read(&path).unwrap()[26];
            assert_eq!(metaflags & 1, 1, "db_load wrote no page checksums");
            // Debian's read-only bdb_ro backend does not read checksummed pages; libdb does.
            continue;
        }
        let reference = by_rpm(&root, &["--define", "_db_backend bdb_ro"]);
        assert_eq!(reference.len(), specs.len(), "{label}: rpm reads them all");
        assert_same(&native, &reference);
        // And through `load`, which finds the Packages file itself.
        let loaded = installed::load_traced(&Sysroot::new(&root)).unwrap();
        assert_eq!(loaded.source, RpmdbSource::Native(Format::Bdb), "{label}");
        assert_same(&loaded.packages, &reference);
    }
}

#[test]
fn big_endian_bdb_is_read_too() {
    let h = TestHost::new();
    h.install(&many()[..20]);
    let blobs: Vec<(u32, Vec<u8>)> = blobs_of(&sqlite_path(&h))
        .into_iter()
        // rpm on a big-endian host wrote its header numbers big-endian too
        .map(|(n, b)| (n.swap_bytes(), b))
        .collect();
    let root = h.dir().join("bdb-be");
    let path = write_bdb(&root, &blobs, &["db_lorder=4321", "db_pagesize=1024"]);
    assert_eq!(&std::fs::read(&path).unwrap()[12..16], &[0, 6, 0x15, 0x61]);
    let native = rpmdb::read_bdb(&path).expect("native read of a big-endian file");
    assert_same(&native, &rpmdb::read_sqlite(&sqlite_path(&h)).unwrap());
}

/// Deterministic damage: truncations and byte flips all over the file.
fn damaged(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for frac in [0, 1, 2, 3, 5, 7, 9] {
        out.push(bytes[..bytes.len() * frac / 10].to_vec());
    }
    let step = (bytes.len() / 300).max(1);
    for (i, at) in (0..bytes.len()).step_by(step).enumerate() {
        let mut b = bytes.to_vec();
        b[at] ^= [0xff, 0x80, 0x01, 0x7f][i % 4];
        out.push(b);
    }
    out
}

#[test]
fn corrupt_files_are_errors_not_panics() {
    let h = TestHost::new();
    let specs = many();
    h.install(&specs[..40]);
    let sq = std::fs::read(sqlite_path(&h)).unwrap();
    let root = h.dir().join("bdb");
    let bdb_path = write_bdb(&root, &blobs_of(&sqlite_path(&h)), &["db_pagesize=1024"]);
    let bdb = std::fs::read(&bdb_path).unwrap();
    let scratch = h.dir().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();

    let mut errors = 0;
    for (name, bytes, read) in [
        ("rpmdb.sqlite", &sq, rpmdb::read_sqlite as fn(&Path) -> _),
        ("Packages", &bdb, rpmdb::read_bdb),
    ] {
        for b in damaged(bytes) {
            let p = scratch.join(name);
            std::fs::write(&p, &b).unwrap();
            // Ok (damage in unused or text bytes) or Err: never a panic.
            if let Err(e) = read(&p) {
                errors += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(errors > 20, "only {errors} damaged files were refused");

    let half = scratch.join("Packages");
    std::fs::write(&half, &bdb[..bdb.len() / 2]).unwrap();
    let e = rpmdb::read_bdb(&half).unwrap_err().to_string();
    assert!(
        e.contains("Berkeley DB") && e.contains("beyond the end"),
        "{e}"
    );
    let mut nomagic = sq.clone();
    nomagic[0] = b'X';
    let p = scratch.join("rpmdb.sqlite");
    std::fs::write(&p, &nomagic).unwrap();
    let e = rpmdb::read_sqlite(&p).unwrap_err().to_string();
    assert!(e.contains("not an SQLite 3 database"), "{e}");
}

#[test]
fn load_falls_back_to_rpm_when_the_native_reader_refuses() {
    let h = TestHost::new();
    h.install(&varied());
    // A write-ahead log with content: the native reader must not guess, rpm reads it.
    let wal = h.host_path("/var/lib/rpm/rpmdb.sqlite-wal");
    std::fs::write(&wal, vec![0u8; 100]).unwrap();
    let root = Sysroot::new(h.root());
    let loaded = installed::load_traced(&root).unwrap();
    assert_eq!(loaded.source, RpmdbSource::Rpm);
    let why = loaded.native_error.expect("native error kept");
    assert!(why.contains("rpmdb.sqlite-wal is not empty"), "{why}");
    assert_same(&loaded.packages, &by_rpm(h.root(), &[]));
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        100,
        "rpm left the WAL"
    );
    assert!(
        !installed::cache_file(&root).exists(),
        "no cache while the WAL holds changes"
    );
    // Once the log is gone, the native reader takes over again.
    std::fs::write(&wal, b"").unwrap();
    let loaded = installed::load_traced(&root).unwrap();
    assert_eq!(loaded.source, RpmdbSource::Native(Format::Sqlite));
    assert_same(&loaded.packages, &by_rpm(h.root(), &[]));

    // A corrupt BDB file that rpm cannot read either: an error naming both, no panic.
    let broken = h.dir().join("broken");
    std::fs::create_dir_all(broken.join("var/lib/rpm")).unwrap();
    std::fs::write(broken.join("var/lib/rpm/Packages"), vec![7u8; 8192]).unwrap();
    let e = installed::load(&Sysroot::new(&broken))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a Berkeley DB hash file"), "{e}");
}

#[test]
fn cache_follows_the_database() {
    let h = TestHost::new();
    h.install(&varied());
    let root = Sysroot::new(h.root());
    let first = installed::load_traced(&root).unwrap();
    assert_eq!(first.source, RpmdbSource::Native(Format::Sqlite));
    let cache = installed::cache_file(&root);
    assert!(cache.is_file(), "cache written at {}", cache.display());
    let second = installed::load_traced(&root).unwrap();
    assert_eq!(second.source, RpmdbSource::Cache);
    assert_same(&second.packages, &first.packages);

    // The database changes: the cache is stale.
    h.install(&[pkg("newcomer", "1", "1")]);
    let third = installed::load_traced(&root).unwrap();
    assert_eq!(third.source, RpmdbSource::Native(Format::Sqlite));
    assert_eq!(third.packages.len(), first.packages.len() + 1);
    assert_same(&third.packages, &by_rpm(h.root(), &[]));

    // A corrupt cache is ignored and rewritten.
    let mut bytes = std::fs::read(&cache).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&cache, &bytes).unwrap();
    assert_eq!(
        installed::load_traced(&root).unwrap().source,
        RpmdbSource::Native(Format::Sqlite)
    );
    let again = installed::load_traced(&root).unwrap();
    assert_eq!(again.source, RpmdbSource::Cache);
    assert_same(&again.packages, &third.packages);
    std::fs::write(&cache, b"garbage").unwrap();
    assert_eq!(
        installed::load_traced(&root).unwrap().source,
        RpmdbSource::Native(Format::Sqlite)
    );
}

/// Not a test: builds the benchmark roots of `benches/rpmdb.sh` under
/// `$XCPNG_MOD_BENCH_ROOT` (`sqlite/` written by rpm, `bdb/` by db_load from the same headers).
#[test]
#[ignore = "run by benches/rpmdb.sh"]
fn build_bench_roots() {
    let Some(out) = std::env::var_os("XCPNG_MOD_BENCH_ROOT").map(PathBuf::from) else {
        panic!("set XCPNG_MOD_BENCH_ROOT");
    };
    let n: usize = std::env::var("XCPNG_MOD_BENCH_PACKAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let specs: Vec<PkgSpec> = (0..n)
        .map(|i| {
            let mut p = pkg(&format!("bench-{i:04}"), &format!("1.{i}.0"), "1.xcpng8.3")
                .provides(&format!("libbench{i}.so.1()(64bit)"))
                .requires(&format!("bench-{:04} >= 1.0", (i + 7) % n))
                .requires("glibc >= 2.17");
            p.description = format!("Package {i} of the benchmark set.\n").repeat(8);
            for f in 0..15 {
                p = p.file(&format!("/usr/share/bench-{i:04}/file{f}.txt"), b"x\n");
            }
            p
        })
        .collect();
    let sqlite = out.join("sqlite");
    std::fs::create_dir_all(sqlite.join("etc")).unwrap();
    std::fs::write(sqlite.join("etc/yum.conf"), "[main]\n").unwrap();
    let rpms = out.join("rpms");
    let files: Vec<PathBuf> = specs
        .iter()
        .map(|p| xcpng_mod::demo::build_rpm(p, &rpms).unwrap())
        .collect();
    xcpng_mod::demo::rpm_install(&sqlite, &files).unwrap();
    let bdb = out.join("bdb");
    std::fs::create_dir_all(bdb.join("etc")).unwrap();
    std::fs::write(bdb.join("etc/yum.conf"), "[main]\n").unwrap();
    write_bdb(
        &bdb,
        &blobs_of(&sqlite.join("var/lib/rpm/rpmdb.sqlite")),
        &["db_pagesize=4096"],
    );
}

/// Not run by default: compares the native reader with `rpm -qa` on real roots, e.g. a copy of
/// an XCP-ng 8.x host's `/var/lib/rpm`:
/// `XCPNG_MOD_RPMDB_ROOTS=/tmp/r1:/tmp/r2 cargo test --test it -- --ignored rpmdb::real_roots`.
#[test]
#[ignore = "needs XCPNG_MOD_RPMDB_ROOTS"]
fn real_roots() {
    let roots = std::env::var("XCPNG_MOD_RPMDB_ROOTS").expect("set XCPNG_MOD_RPMDB_ROOTS");
    for r in roots.split(':').filter(|r| !r.is_empty()) {
        let root = Sysroot::new(r);
        let db = rpmdb::find(&xcpng_mod::rpm::rpmdb_dirs(&root)).expect("an rpmdb");
        let native = rpmdb::read(&db).unwrap_or_else(|e| panic!("{r}: {e}"));
        let reference = installed::load_rpm(&root, &[]).expect("rpm -qa");
        assert_same(&native, &reference);
        eprintln!(
            "{r}: {:?}, {} packages, native == rpm -qa",
            db.format,
            native.len()
        );
    }
}
