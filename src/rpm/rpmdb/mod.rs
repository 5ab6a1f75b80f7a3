//! Native, read-only readers of the installed rpmdb under a root: rpm ≥ 4.16's SQLite
//! `rpmdb.sqlite` and rpm 4.11's Berkeley DB hash `Packages` (XCP-ng 8.x), header blobs parsed
//! into `Package` records equal to what `rpm -qa --queryformat` gives, and a cache of the parsed
//! set keyed on the database file. It never writes the rpmdb, never runs `rpm` (the fallback
//! lives in `installed`), and turns every malformed input into a `DbError`, never a panic.

pub mod bdb;
pub mod cache;
pub mod header;
pub mod sqlite;

use super::package::Package;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot read {0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("malformed SQLite rpmdb: {0}")]
    Sqlite(String),
    #[error("malformed Berkeley DB rpmdb: {0}")]
    Bdb(String),
    #[error("malformed package header: {0}")]
    Header(String),
    #[error("rpmdb in use: {0}")]
    Busy(String),
    #[error("rpmdb format not read natively: {0}")]
    Unsupported(String),
}

/// What sees each `(header number, header blob)` of a database.
pub type BlobVisitor<'a> = dyn FnMut(u32, &[u8]) -> Result<(), DbError> + 'a;

/// The kind of rpmdb found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `rpmdb.sqlite` (rpm ≥ 4.16).
    Sqlite,
    /// Berkeley DB hash `Packages` (rpm ≤ 4.15, XCP-ng 8.x).
    Bdb,
    /// `Packages.db` (rpm's ndb backend): not read natively.
    Ndb,
}

/// One rpmdb file found under the root.
#[derive(Debug, Clone)]
pub struct DbFile {
    pub format: Format,
    pub path: PathBuf,
}

/// The rpmdb file of the first of `dirs` that has one. When a directory holds several
/// (a migration leftover), the most recently modified one is the live one.
pub fn find(dirs: &[PathBuf]) -> Option<DbFile> {
    for d in dirs {
        let mut found: Vec<(std::time::SystemTime, DbFile)> = [
            ("rpmdb.sqlite", Format::Sqlite),
            ("Packages", Format::Bdb),
            ("Packages.db", Format::Ndb),
        ]
        .into_iter()
        .filter_map(|(f, format)| {
            let path = d.join(f);
            let m = std::fs::metadata(&path).ok().filter(|m| m.is_file())?;
            Some((
                m.modified().unwrap_or(std::time::UNIX_EPOCH),
                DbFile { format, path },
            ))
        })
        .collect();
        found.sort_by_key(|(t, _)| *t);
        if let Some((_, f)) = found.pop() {
            return Some(f);
        }
    }
    None
}

/// Visit every `(header number, blob)` of a database file.
pub fn for_each_blob(db: &DbFile, f: &mut BlobVisitor<'_>) -> Result<(), DbError> {
    match db.format {
        Format::Sqlite => sqlite::for_each_blob(&db.path, f),
        Format::Bdb => {
            let data = std::fs::read(&db.path)
                .map_err(|e| DbError::Io(db.path.display().to_string(), e))?;
            bdb::for_each_blob(&data, f)
        }
        Format::Ndb => Err(DbError::Unsupported(db.path.display().to_string())),
    }
}

/// Read every package of a database file natively, sorted as the `rpm -qa` path sorts them.
pub fn read(db: &DbFile) -> Result<Vec<Package>, DbError> {
    let mut pkgs = Vec::new();
    for_each_blob(db, &mut |hnum, blob| {
        let p = header::package_from_blob(blob)
            .map_err(|e| DbError::Header(format!("header {hnum} in {}: {e}", db.path.display())))?;
        pkgs.push(p);
        Ok(())
    })?;
    super::package::sort_packages(&mut pkgs);
    Ok(pkgs)
}

/// Read a Berkeley DB `Packages` file natively (tests and tools).
pub fn read_bdb(path: &Path) -> Result<Vec<Package>, DbError> {
    read(&DbFile {
        format: Format::Bdb,
        path: path.to_path_buf(),
    })
}

/// Read an SQLite `rpmdb.sqlite` file natively (tests and tools).
pub fn read_sqlite(path: &Path) -> Result<Vec<Package>, DbError> {
    read(&DbFile {
        format: Format::Sqlite,
        path: path.to_path_buf(),
    })
}
