//! Generated docs never go stale: the man pages (`man/*.1`) and shell completions
//! (`completions/`) are regenerated from the clap definitions and compared with the committed
//! files. Set `XCPNG_MOD_UPDATE_DOCS=1` to rewrite them.

use clap::CommandFactory;
use std::path::{Path, PathBuf};

fn render(man: &clap_mangen::Man, extra: Option<&str>, version: bool) -> Vec<u8> {
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    man.render_subcommands_section(&mut out).unwrap();
    if let Some(extra) = extra {
        out.extend_from_slice(extra.as_bytes());
    }
    if version {
        man.render_version_section(&mut out).unwrap();
    }
    out
}

/// Every generated file: path relative to the crate → content.
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let cmd = xcpng_mod::cli::args::Cli::command();
    let mut files = Vec::new();
    let main = clap_mangen::Man::new(cmd.clone()).manual("xcpng-mod manual");
    files.push((
        PathBuf::from("man/xcpng-mod.1"),
        render(&main, Some(&xcpng_mod::cli::docs::man_extra()), true),
    ));
    for sub in cmd.get_subcommands() {
        let name = format!("xcpng-mod-{}", sub.get_name());
        let page = clap_mangen::Man::new(
            sub.clone()
                .name(name.clone())
                .bin_name(format!("xcpng-mod {}", sub.get_name())),
        )
        .manual("xcpng-mod manual");
        files.push((
            PathBuf::from(format!("man/{name}.1")),
            render(&page, None, false),
        ));
    }
    for (shell, file) in [
        (clap_complete::Shell::Bash, "completions/xcpng-mod.bash"),
        (clap_complete::Shell::Zsh, "completions/_xcpng-mod"),
    ] {
        let mut c = cmd.clone();
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut c, "xcpng-mod", &mut out);
        files.push((PathBuf::from(file), out));
    }
    files
}

#[test]
fn man_pages_and_completions_are_up_to_date() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("XCPNG_MOD_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    let files = generated();
    for (rel, content) in &files {
        let path = base.join(rel);
        if std::fs::read(&path).ok().as_deref() == Some(content.as_slice()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, content).unwrap();
        } else {
            stale.push(rel.display().to_string());
        }
    }
    // A page for a command that no longer exists is stale too.
    for entry in std::fs::read_dir(base.join("man")).unwrap().flatten() {
        let rel = PathBuf::from("man").join(entry.file_name());
        if !files.iter().any(|(r, _)| *r == rel) {
            if update {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(rel.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated docs differ from the clap definitions: {stale:?}; run XCPNG_MOD_UPDATE_DOCS=1 cargo test --test it docs::"
    );
}

#[test]
fn main_page_documents_exit_status_files_and_examples() {
    let files = generated();
    let main = String::from_utf8(files[0].1.clone()).unwrap();
    for needle in [
        ".SH \"EXIT STATUS\"",
        ".SH FILES",
        ".SH EXAMPLES",
        "100",
        "repolist",
        "\\-\\-root",
    ] {
        assert!(main.contains(needle), "man page lacks {needle}");
    }
}

/// The README's table of guidance rules is the table the code applies, row by row.
#[test]
fn the_readme_lists_the_guidance_rules_the_code_applies() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- guidance rules: checked by tests/it/docs.rs -->")
        .expect("the README's guidance table marker");
    let rows: Vec<String> = readme[start..]
        .lines()
        .skip(3)
        .take_while(|l| l.starts_with("| `"))
        .map(str::to_string)
        .collect();
    let want: Vec<String> = xcpng_mod::transaction::guidance::RULES
        .iter()
        .map(|r| format!("| `{}` | {} |", r.package, r.guidance.as_str()))
        .collect();
    assert_eq!(rows, want);
}
