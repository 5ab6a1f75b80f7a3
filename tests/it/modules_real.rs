//! Module reading and depmod precedence checked against the real kmod tools on real modules:
//! Debian's cloud kernel package (fetched by `scripts/fetch-kernel.sh`, found through
//! `XCPNG_MOD_KERNEL_DIR`). Our `.modinfo` reader must print what `/sbin/modinfo -F` prints,
//! and our precedence prediction must equal the `modules.dep` that real `depmod -b ROOT -C
//! ROOT/etc/depmod.d KVER` writes, under each XCP-ng config style. Only files are touched:
//! nothing is ever loaded into this machine's kernel.

use crate::common::kernel_tree;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use xcpng_mod::modules::depmod::{self, DepmodConfig};
use xcpng_mod::modules::modinfo;
use xcpng_mod::sysroot::Sysroot;

fn tool(name: &str) -> PathBuf {
    for d in ["/sbin", "/usr/sbin", "/bin", "/usr/bin"] {
        let p = Path::new(d).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("`{name}` not found: install kmod (apt-get install kmod)");
}

fn all_modules(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(".ko") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn modinfo_field(file: &Path, field: &str) -> String {
    let out = Command::new(tool("modinfo"))
        .args(["-F", field])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "modinfo {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ours(info: &modinfo::ModInfo, field: &str) -> String {
    let sig = info.signature.as_ref();
    let vals: Vec<String> = match field {
        "sig_id" => sig.map(|s| s.id_type.clone()).into_iter().collect(),
        "signer" => sig.and_then(|s| s.signer.clone()).into_iter().collect(),
        "sig_key" => sig.and_then(|s| s.key_id.clone()).into_iter().collect(),
        "sig_hashalgo" => sig.and_then(|s| s.hash_algo.clone()).into_iter().collect(),
        "depends" if info.values("depends").is_empty() => vec![],
        "depends" => vec![info.depends.join(",")],
        f => info.values(f).into_iter().map(str::to_string).collect(),
    };
    vals.iter().map(|v| format!("{v}\n")).collect()
}

fn readelf_build_id(file: &Path) -> Option<String> {
    let out = Command::new("readelf")
        .args(["-n"])
        .arg(file)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Build ID: ").map(str::to_string))
}

const FIELDS: &[&str] = &[
    "name",
    "version",
    "srcversion",
    "vermagic",
    "depends",
    "alias",
    "license",
    "intree",
    "retpoline",
    "description",
    "author",
    "firmware",
    "sig_id",
    "signer",
    "sig_key",
    "sig_hashalgo",
];

#[test]
fn modinfo_matches_real_modinfo_plain_and_compressed() {
    let Some((tree, kver)) = kernel_tree() else {
        return;
    };
    let mods = all_modules(&tree.join("lib/modules").join(&kver));
    assert!(
        mods.len() > 500,
        "expected a full kernel tree, found {} modules",
        mods.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let has_readelf = Command::new("readelf").arg("--version").output().is_ok();
    for (i, m) in mods.iter().step_by(mods.len() / 24).enumerate() {
        let info = modinfo::read_path(m).unwrap_or_else(|e| panic!("{e}"));
        for f in FIELDS {
            assert_eq!(
                ours(&info, f),
                modinfo_field(m, f),
                "field `{f}` of {}",
                m.display()
            );
            compared += 1;
        }
        if has_readelf {
            assert_eq!(
                info.build_id,
                readelf_build_id(m),
                "build-id of {}",
                m.display()
            );
        }
        // The same module compressed the ways distributions ship them.
        let name = m.file_name().unwrap().to_string_lossy().into_owned();
        let kinds: &[(&str, &[&str])] = &[
            ("xz", &["xz", "--check=crc32", "--lzma2=dict=1MiB", "-c"]),
            ("zst", &["zstd", "-q", "-c"]),
            ("gz", &["gzip", "-n", "-c"]),
        ];
        let (ext, cmd) = kinds[i % kinds.len()];
        let out = tmp.path().join(format!("{name}.{ext}"));
        let data = Command::new(cmd[0])
            .args(&cmd[1..])
            .arg(m)
            .output()
            .unwrap();
        assert!(data.status.success(), "{} failed", cmd[0]);
        std::fs::write(&out, &data.stdout).unwrap();
        let cinfo = modinfo::read_path(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cinfo, info, "compressed {ext} copy of {name}");
        if ext != "gz" {
            // Debian's kmod is built without zlib; xz and zstd are checked against it too.
            for f in ["name", "vermagic", "srcversion", "alias", "signer"] {
                assert_eq!(
                    ours(&cinfo, f),
                    modinfo_field(&out, f),
                    "field `{f}` of {}",
                    out.display()
                );
            }
        }
    }
    eprintln!("modinfo: {compared} fields compared");
}

#[test]
fn whole_tree_reads_without_errors() {
    let Some((tree, kver)) = kernel_tree() else {
        return;
    };
    let mods = all_modules(&tree.join("lib/modules").join(&kver));
    for m in &mods {
        let info = modinfo::read_path(m).unwrap_or_else(|e| panic!("{e}"));
        let stem = depmod::module_name_of(&m.file_name().unwrap().to_string_lossy());
        assert_eq!(info.name.as_deref(), Some(stem.as_str()), "{}", m.display());
        assert!(info.build_id.is_some(), "no build-id in {}", m.display());
    }
}

#[test]
fn corrupt_modules_are_errors() {
    let Some((tree, kver)) = kernel_tree() else {
        return;
    };
    let m = &all_modules(&tree.join("lib/modules").join(&kver))[0];
    let data = std::fs::read(m).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (i, cut) in [0, 3, 63, 64, 200, data.len() / 2].into_iter().enumerate() {
        let p = tmp.path().join(format!("cut{i}.ko"));
        std::fs::write(&p, &data[..cut]).unwrap();
        assert!(modinfo::read_path(&p).is_err(), "truncated at {cut}");
    }
    // Flipped bytes anywhere in the header area never panic.
    for off in (0..data.len().min(4096)).step_by(7) {
        let mut d = data.clone();
        d[off] ^= 0xff;
        let _ = modinfo::parse_elf(&d);
    }
    let p = tmp.path().join("bad.ko.xz");
    std::fs::write(&p, b"\xfd7zXZ\0garbage").unwrap();
    assert!(matches!(
        modinfo::read_path(&p),
        Err(modinfo::ModinfoError::Decompress { .. })
    ));
}

/// A host tree with copies of real modules in the XCP-ng directories.
struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    kver: String,
}

fn link_or_copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).unwrap();
    }
}

/// `every`: keep every n-th module of kernel/ (1 = the whole tree); `dup`: copy every d-th
/// kept module into the other directories.
fn make_tree(every: usize, dup: usize) -> Option<Tree> {
    let (src, kver) = kernel_tree()?;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let skdir = src.join("lib/modules").join(&kver);
    let kdir = root.join("lib/modules").join(&kver);
    let mods = all_modules(&skdir);
    let dirs = [
        "override",
        "updates",
        "extra",
        "weak-updates",
        "misc",
        "extra/zfs",
        "override/vendor",
    ];
    for (i, m) in mods.iter().step_by(every).enumerate() {
        let rel = m.strip_prefix(&skdir).unwrap();
        link_or_copy(m, &kdir.join(rel));
        if i % dup != 0 {
            continue;
        }
        let file = m.file_name().unwrap().to_string_lossy().into_owned();
        // Two to four extra copies, rotating through the directories, some compressed.
        let n = 2 + (i / dup) % 3;
        for k in 0..n {
            let d = dirs[(i / dup + k * 3) % dirs.len()];
            let target = kdir.join(d).join(&file);
            if (i / dup + k) % 4 == 3 {
                let out = Command::new("xz")
                    .args(["--check=crc32", "-c"])
                    .arg(m)
                    .output()
                    .unwrap();
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(format!("{}.xz", target.display()), out.stdout).unwrap();
            } else {
                link_or_copy(m, &target);
            }
        }
    }
    for f in [
        "modules.builtin",
        "modules.order",
        "modules.builtin.modinfo",
    ] {
        if skdir.join(f).exists() {
            std::fs::copy(skdir.join(f), kdir.join(f)).unwrap();
        }
    }
    Some(Tree {
        _tmp: tmp,
        root,
        kver,
    })
}

impl Tree {
    fn set_config(&self, files: &[(&str, String)]) {
        let d = self.root.join("etc/depmod.d");
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for (name, text) in files {
            std::fs::write(d.join(name), text).unwrap();
        }
    }

    /// Module names with a copy directly in `a/` and one directly in `b/`.
    fn in_both(&self, a: &str, b: &str) -> Vec<String> {
        let names = |d: &str| -> std::collections::BTreeSet<String> {
            let dir = self.root.join("lib/modules").join(&self.kver).join(d);
            std::fs::read_dir(dir)
                .map(|rd| {
                    rd.flatten()
                        .filter(|e| e.path().is_file())
                        .map(|e| depmod::module_name_of(&e.file_name().to_string_lossy()))
                        .collect()
                })
                .unwrap_or_default()
        };
        names(a).intersection(&names(b)).cloned().collect()
    }

    fn real_depmod(&self) -> BTreeMap<String, String> {
        let out = Command::new(tool("depmod"))
            .arg("-b")
            .arg(&self.root)
            .arg("-C")
            .arg(self.root.join("etc/depmod.d"))
            .arg(&self.kver)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "depmod: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(
            self.root
                .join("lib/modules")
                .join(&self.kver)
                .join("modules.dep"),
        )
        .unwrap();
        depmod::parse_modules_dep(&text)
    }

    /// (modules compared, modules with more than one copy, mismatches).
    fn agreement(&self) -> (usize, usize, Vec<String>) {
        let sys = Sysroot::new(&self.root);
        let cfg = DepmodConfig::load(&sys, &self.kver).unwrap();
        let predicted = depmod::scan(&sys, &cfg).unwrap();
        let real = self.real_depmod();
        let stale = depmod::stale_entries(&predicted, &real);
        let multi = predicted.values().filter(|m| m.copies.len() > 1).count();
        let bad = stale
            .iter()
            .map(|(n, p, d)| format!("{n}: predicted {p:?}, depmod {d:?}"))
            .collect();
        (predicted.len(), multi, bad)
    }
}

/// Config scenarios; `both` are modules with a copy directly in override/ and in updates/, so
/// that override lines change depmod's pick.
fn scenarios(kver: &str, both: &[String]) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    assert!(
        both.len() >= 4,
        "the tree needs modules in both override/ and updates/"
    );
    // 7.x wrote the release up to '+' (4.4.0+10 -> 4.4.0); Debian's has no '+', cut at '-'.
    let strip = kver
        .split('+')
        .next()
        .unwrap()
        .split('-')
        .next()
        .unwrap()
        .to_string();
    let per_module = |m: &str| format!("override {m} {strip} override\n");
    vec![
        ("no config", vec![]),
        ("8.3 search override", vec![("00-xcpng-override.conf", "search override\n".into())]),
        (
            "8.0-8.2 dist.conf",
            vec![("dist.conf", "# XCP-ng\nsearch override updates extra built-in weak-updates\n".into())],
        ),
        (
            "7.x per-module",
            vec![
                ("a-x.conf", per_module(&both[0])),
                ("b-x.conf", per_module(&both[1])),
                ("c-x.conf", per_module(&both[2])),
                ("dist.conf", "search updates extra built-in\n".into()),
            ],
        ),
        (
            "all styles, excludes, lines split",
            vec![
                ("00-xcpng-override.conf", "search override\n".into()),
                ("dist.conf", "search updates \\\n extra built-in weak-updates\nexclude misc\n".into()),
                (
                    "zz.conf",
                    format!(
                        "override {} {kver} updates\noverride {} ^{kver}$ updates\noverride {} 9.9.9 updates\noverride bogus\nfrobnicate x\n",
                        both[1], both[2], both[3]
                    ),
                ),
            ],
        ),
        ("no built-in", vec![("a.conf", "search extra/zfs extra override/vendor\n".into())]),
    ]
}

#[test]
fn precedence_agrees_with_real_depmod_on_subset() {
    let Some(tree) = make_tree(9, 2) else { return };
    let mut total = 0;
    let both = tree.in_both("override", "updates");
    for (what, files) in scenarios(&tree.kver, &both) {
        tree.set_config(&files);
        let (n, multi, bad) = tree.agreement();
        assert!(
            multi > 20,
            "{what}: only {multi} modules with several copies"
        );
        assert!(
            bad.is_empty(),
            "{what}: {} mismatches of {n}:\n{}",
            bad.len(),
            bad.join("\n")
        );
        total += n;
    }
    eprintln!("precedence (subset): {total} module picks agree with depmod");
}

#[test]
fn precedence_agrees_with_real_depmod_on_whole_tree() {
    let Some(tree) = make_tree(1, 5) else { return };
    let mut total = 0;
    let mut multi_total = 0;
    let both = tree.in_both("override", "updates");
    for (what, files) in scenarios(&tree.kver, &both) {
        tree.set_config(&files);
        let (n, multi, bad) = tree.agreement();
        assert!(
            bad.is_empty(),
            "{what}: {} mismatches of {n}:\n{}",
            bad.len(),
            bad.join("\n")
        );
        total += n;
        multi_total += multi;
    }
    eprintln!("precedence (whole tree): {total} module picks ({multi_total} with several copies) agree with depmod");
}
