//! Repodata in every compression the real `createrepo_c` writes (gz, bz2, xz, zstd, none)
//! lists the same packages, changelogs included; a corrupt compressed primary is refused.

use crate::common::{nvrs, pkg, TestHost};
use std::process::Command;

/// Re-compress the repo's primary with the real `zstd` tool (Debian's createrepo_c predates
/// zstd) and rewrite repomd.xml's checksum, size and location for it, as newer createrepo_c does.
fn recompress_primary_with_zstd(repodata: &std::path::Path) {
    use sha2::Digest;
    let repomd_path = repodata.join("repomd.xml");
    let repomd = std::fs::read_to_string(&repomd_path).unwrap();
    let start = repomd.find("<data type=\"primary\">").unwrap();
    let end = start + repomd[start..].find("</data>").unwrap();
    let block = &repomd[start..end];
    let href = block
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let old = repodata.parent().unwrap().join(href);
    let plain = Command::new("gzip")
        .arg("-dc")
        .arg(&old)
        .output()
        .unwrap()
        .stdout;
    let zst_path = repodata.join("primary.xml.zst");
    std::fs::write(repodata.join("primary.xml"), &plain).unwrap();
    let st = Command::new("zstd")
        .args(["-q", "-f", "-o"])
        .arg(&zst_path)
        .arg(repodata.join("primary.xml"))
        .status()
        .expect("zstd");
    assert!(st.success());
    std::fs::remove_file(repodata.join("primary.xml")).unwrap();
    let zst = std::fs::read(&zst_path).unwrap();
    let sum = hex::encode(sha2::Sha256::digest(&zst));
    let old_sum = block
        .split("<checksum type=\"sha256\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let old_size = block
        .split("<size>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let new_block = block
        .replace(href, "repodata/primary.xml.zst")
        .replace(old_sum, &sum)
        .replace(
            &format!("<size>{old_size}<"),
            &format!("<size>{}<", zst.len()),
        );
    std::fs::write(&repomd_path, repomd.replace(block, &new_block)).unwrap();
}

fn repo_with(compress: &str) -> TestHost {
    let host = TestHost::new();
    let pkgs = [
        pkg("broadcom-bnxt-en", "1.10.0_216.0.119.1", "1.xcpng8.3").changelog(
            "Dev <d@x> - 1",
            "- first",
            1_700_000_000,
        ),
        pkg("intel-igb-alt", "5.3.5.39", "1.xcpng8.3"),
        pkg("kmod-zfs-4.19.0+1", "2.1.7", "1.xcpng8.3"),
    ];
    let dir = host.dir().join("repos/c");
    std::fs::create_dir_all(&dir).unwrap();
    for p in &pkgs {
        xcpng_mod::demo::build_rpm(p, &dir.join("Packages")).unwrap();
    }
    let kind = if compress == "zstd" { "gz" } else { compress };
    let out = Command::new("createrepo_c")
        .args([
            "--quiet",
            "--no-database",
            &format!("--general-compress-type={kind}"),
        ])
        .arg(&dir)
        .output()
        .expect("createrepo_c");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if compress == "zstd" {
        recompress_primary_with_zstd(&dir.join("repodata"));
    }
    host.repo_file(
        "c.repo",
        &format!(
            "[c]\nname=c\nbaseurl=file://{}/\ngpgcheck=0\n",
            dir.display()
        ),
    );
    host
}

#[test]
fn every_createrepo_compression_reads_the_same() {
    let mut seen = Vec::new();
    for c in ["gz", "bz2", "xz", "zstd"] {
        let host = repo_with(c);
        let repomd =
            std::fs::read_to_string(host.dir().join("repos/c/repodata/repomd.xml")).unwrap();
        let ext = if c == "zstd" { "zst" } else { c };
        assert!(
            repomd.contains(&format!("primary.xml.{ext}\"")),
            "{c}: {repomd}"
        );
        let doc = host.run(&["list", "--available", "--json"]).ok().json();
        let names = nvrs(&doc);
        assert_eq!(names.len(), 3, "{c}: {names:?}");
        let info = host.run(&["info", "broadcom-bnxt-en"]);
        info.ok().stdout_has("- first");
        seen.push(names);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn corrupt_compressed_primary_is_refused_and_not_cached() {
    let host = repo_with("xz");
    let repodata = host.dir().join("repos/c/repodata");
    let primary = std::fs::read_dir(&repodata)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("primary.xml"))
        .unwrap();
    let mut data = std::fs::read(&primary).unwrap();
    let n = data.len();
    data[n / 2] ^= 0xff;
    std::fs::write(&primary, &data).unwrap();
    let out = host.run(&["list", "--available"]);
    out.code(1)
        .stderr_has("repo `c`")
        .stderr_has("checksum mismatch");
    assert!(host.cache_files("c").is_empty(), "nothing may be cached");
}

#[test]
fn primary_that_decompresses_past_its_open_size_is_refused() {
    // A decompression bomb in small: repomd.xml promises 100 bytes of XML, the file holds more.
    let host = repo_with("gz");
    let repomd_path = host.dir().join("repos/c/repodata/repomd.xml");
    let repomd = std::fs::read_to_string(&repomd_path).unwrap();
    let start = repomd.find("<data type=\"primary\">").unwrap();
    let end = start + repomd[start..].find("</data>").unwrap();
    let block = &repomd[start..end];
    let open = block
        .split("<open-size>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let forged = block.replace(&format!("<open-size>{open}<"), "<open-size>100<");
    std::fs::write(&repomd_path, repomd.replace(block, &forged)).unwrap();
    host.run(&["list", "--available"])
        .code(1)
        .stderr_has("repo `c`")
        .stderr_has("decompresses to more than the 100 bytes expected");
    assert!(host.cache_files("c").is_empty(), "nothing may be cached");
}
