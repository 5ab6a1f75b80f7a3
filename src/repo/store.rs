//! The solver's form of a repository (`primary.solver`): what dependency solving reads of each
//! package, with every string interned once in a sorted table and the indexes the solver asks
//! ("who provides X", "who obsoletes X", "who holds file F", "who is named N") precomputed.
//!
//! It is written next to `primary.listing` from the same parsed metadata and keyed on the same
//! primary checksum, and it is read by mapping the file: opening a 60,000-package repository
//! costs a few page faults, and a plan touches only the packages it considers. Descriptions,
//! URLs and the like are not in it (listings read `primary.listing`).
//!
//! Layout: little-endian `u32` words. `MAGIC`, the key (length, bytes padded to a word), the
//! section table (start and length in words of each section), then the sections. Every read is
//! bounds-checked: a damaged file gives wrong-looking strings or empty lists, never a panic,
//! and `open` checks the structure (offsets in range and ascending) before use.

use crate::rpm::dep::{Dependency, Sense};
use crate::rpm::evr::Evr;
use crate::rpm::package::{Checksum, Package};
use std::path::Path;

const MAGIC: &[u8; 8] = b"XCPSOLV1";
const NONE: u32 = u32::MAX;

/// Words per package record.
const PKG_WORDS: usize = 19;
/// Words per dependency: name, flags (sense bits, 8 = pre, 16 = has EVR), epoch, version, release.
const DEP_WORDS: usize = 5;

// Package record fields.
const P_NAME: usize = 0;
const P_ARCH: usize = 1;
const P_EPOCH: usize = 2;
const P_VER: usize = 3;
const P_REL: usize = 4;
const P_LOC: usize = 5;
const P_CKKIND: usize = 6;
const P_CKVAL: usize = 7;
const P_SIZE: usize = 8; // and 9: size_package lo/hi; 10, 11: size_installed lo/hi
const P_DEPS: usize = 12; // first dependency; then counts of provides, requires, conflicts, obsoletes
const P_FILES: usize = 17; // first file; then the count

// Sections.
const S_STR_OFF: usize = 0;
const S_STR: usize = 1;
const S_PKG: usize = 2;
const S_DEP: usize = 3;
const S_FILE: usize = 4;
const S_PROV_OFF: usize = 5;
const S_PROV: usize = 6;
const S_OBS_OFF: usize = 7;
const S_OBS: usize = 8;
const S_FILEIX_OFF: usize = 9;
const S_FILEIX: usize = 10;
const S_NAMED_OFF: usize = 11;
const S_NAMED: usize = 12;
const S_UNRES: usize = 13;
const NSEC: usize = 14;

/// The four dependency lists of a package, in record order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    Provides = 0,
    Requires = 1,
    Conflicts = 2,
    Obsoletes = 3,
}

/// A read-only mapping of a whole file.
struct Mmap {
    ptr: *mut libc::c_void,
    len: usize,
}

// SAFETY: the mapping is private and read-only; nothing writes through it.
unsafe impl Send for Mmap {}
// SAFETY: as above: shared reads of an immutable mapping.
unsafe impl Sync for Mmap {}

impl Mmap {
    fn open(path: &Path) -> std::io::Result<Mmap> {
        use std::os::fd::AsRawFd;
        let f = std::fs::File::open(path)?;
        let len = f.metadata()?.len() as usize;
        if len == 0 || !len.is_multiple_of(4) {
            return Err(std::io::Error::other("not a store file"));
        }
        // SAFETY: a fresh private read-only mapping of an open file; the cache is replaced by
        // rename, never rewritten in place, so the mapped inode keeps its content.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                f.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Mmap { ptr, len })
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `open`.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

enum Data {
    Map(Mmap),
    Mem(Vec<u32>),
}

/// One repository's packages in the solver's form.
pub struct Store {
    data: Data,
    sec: [(usize, usize); NSEC],
    npkg: usize,
    nstr: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({} packages)", self.npkg)
    }
}

/// A dependency read from the store: its name and, when versioned, the words of its EVR.
#[derive(Clone, Copy)]
pub struct DepRef<'a> {
    store: &'a Store,
    w: &'a [u32],
}

impl<'a> DepRef<'a> {
    pub fn name_id(&self) -> u32 {
        self.w[0]
    }
    pub fn name(&self) -> &'a str {
        self.store.str(self.w[0])
    }
    pub fn is_versioned(&self) -> bool {
        self.w[1] & 16 != 0 && self.w[1] & 7 != 0
    }
    /// The dependency as an owned record.
    pub fn to_dep(&self) -> Dependency {
        let s = self.store;
        let flags = self.w[1];
        let evr = (flags & 16 != 0).then(|| {
            Evr::new(
                (self.w[2] != NONE).then_some(self.w[2]),
                s.str(self.w[3]),
                s.str(self.w[4]),
            )
        });
        Dependency {
            name: s.str(self.w[0]).to_string(),
            sense: Sense::from_bits((flags & 7) as u8),
            evr,
            pre: flags & 8 != 0,
        }
    }
}

impl Store {
    fn words(&self) -> &[u32] {
        match &self.data {
            // SAFETY: the mapping is `len` bytes long, page-aligned (so aligned for u32), lives
            // as long as `self`, and `len` is a multiple of 4 (checked in `Mmap::open`).
            Data::Map(m) => unsafe { std::slice::from_raw_parts(m.ptr as *const u32, m.len / 4) },
            Data::Mem(v) => v,
        }
    }

    fn section(&self, s: usize) -> &[u32] {
        let (a, n) = self.sec[s];
        self.words().get(a..a + n).unwrap_or(&[])
    }

    fn bytes_of(words: &[u32]) -> &[u8] {
        // SAFETY: any u32 slice is a valid byte slice of four times its length (u8 has no
        // alignment requirement and every bit pattern is valid).
        unsafe { std::slice::from_raw_parts(words.as_ptr() as *const u8, words.len() * 4) }
    }

    fn str_bytes(&self, id: u32) -> &[u8] {
        let off = self.section(S_STR_OFF);
        let (Some(&a), Some(&b)) = (off.get(id as usize), off.get(id as usize + 1)) else {
            return b"";
        };
        Self::bytes_of(self.section(S_STR))
            .get(a as usize..b as usize)
            .unwrap_or(b"")
    }

    /// String `id` ("" for an id out of range or bytes that are not UTF-8).
    pub fn str(&self, id: u32) -> &str {
        std::str::from_utf8(self.str_bytes(id)).unwrap_or("")
    }

    /// The id of string `s`, if the repository uses it (binary search of the sorted table).
    pub fn lookup(&self, s: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.nstr);
        let want = s.as_bytes();
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.str_bytes(mid as u32).cmp(want) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    pub fn len(&self) -> usize {
        self.npkg
    }

    pub fn is_empty(&self) -> bool {
        self.npkg == 0
    }

    fn rec(&self, i: usize) -> &[u32] {
        self.section(S_PKG)
            .get(i * PKG_WORDS..(i + 1) * PKG_WORDS)
            .unwrap_or(&[0; PKG_WORDS])
    }

    pub fn name(&self, i: usize) -> &str {
        self.str(self.rec(i)[P_NAME])
    }

    pub fn name_id(&self, i: usize) -> u32 {
        self.rec(i)[P_NAME]
    }

    pub fn arch(&self, i: usize) -> &str {
        self.str(self.rec(i)[P_ARCH])
    }

    /// The dependencies of one kind of package `i`.
    pub fn deps(&self, i: usize, kind: DepKind) -> impl Iterator<Item = DepRef<'_>> + '_ {
        let r = self.rec(i);
        let mut start = r[P_DEPS] as usize;
        for k in 0..kind as usize {
            start += r[P_DEPS + 1 + k] as usize;
        }
        let n = r[P_DEPS + 1 + kind as usize] as usize;
        let all = self.section(S_DEP);
        let w = all
            .get(start * DEP_WORDS..(start + n) * DEP_WORDS)
            .unwrap_or(&[]);
        w.chunks_exact(DEP_WORDS)
            .map(move |w| DepRef { store: self, w })
    }

    /// The files primary metadata lists for package `i`.
    pub fn files(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let r = self.rec(i);
        let (a, n) = (r[P_FILES] as usize, r[P_FILES + 1] as usize);
        self.section(S_FILE)
            .get(a..a + n)
            .unwrap_or(&[])
            .iter()
            .map(move |&id| self.str(id))
    }

    /// The packages index (`off`, `items`) lists under string `key` (none if unused).
    fn listed(&self, off: usize, items: usize, key: &str) -> &[u32] {
        let Some(id) = self.lookup(key) else {
            return &[];
        };
        let o = self.section(off);
        let (Some(&a), Some(&b)) = (o.get(id as usize), o.get(id as usize + 1)) else {
            return &[];
        };
        self.section(items)
            .get(a as usize..b as usize)
            .unwrap_or(&[])
    }

    /// Packages providing a capability named `name` (any version), in repository order.
    pub fn providers(&self, name: &str) -> &[u32] {
        self.listed(S_PROV_OFF, S_PROV, name)
    }

    /// Packages with an obsoletes entry named `name`.
    pub fn obsoleters(&self, name: &str) -> &[u32] {
        self.listed(S_OBS_OFF, S_OBS, name)
    }

    /// Packages whose primary file list holds `path`.
    pub fn file_holders(&self, path: &str) -> &[u32] {
        self.listed(S_FILEIX_OFF, S_FILEIX, path)
    }

    /// Packages named `name`.
    pub fn named(&self, name: &str) -> &[u32] {
        self.listed(S_NAMED_OFF, S_NAMED, name)
    }

    /// File paths that requires or conflicts name and no file list of this repo holds.
    pub fn unresolved_files(&self) -> impl Iterator<Item = &str> + '_ {
        self.section(S_UNRES).iter().map(move |&id| self.str(id))
    }

    /// The package's checksum value (its `pkgid` in filelists and other).
    pub fn pkgid(&self, i: usize) -> &str {
        self.str(self.rec(i)[P_CKVAL])
    }

    /// Name, EVR and arch of package `i` (what a yum-style spec matches).
    pub fn ident(&self, i: usize) -> Package {
        let r = self.rec(i);
        Package {
            name: self.str(r[P_NAME]).into(),
            evr: Evr::new(
                (r[P_EPOCH] != NONE).then_some(r[P_EPOCH]),
                self.str(r[P_VER]),
                self.str(r[P_REL]),
            ),
            arch: self.str(r[P_ARCH]).into(),
            ..Default::default()
        }
    }

    /// The package record of `i` for the solver and for downloading it (no description,
    /// URL, license or summary).
    pub fn package(&self, i: usize, repo: &str) -> Package {
        let r = self.rec(i);
        let u64_at = |k: usize| u64::from(r[k]) | (u64::from(r[k + 1]) << 32);
        let list = |k| self.deps(i, k).map(|d| d.to_dep()).collect();
        Package {
            repo: repo.into(),
            size_package: u64_at(P_SIZE),
            size_installed: u64_at(P_SIZE + 2),
            location: self.str(r[P_LOC]).into(),
            checksum: Checksum {
                kind: self.str(r[P_CKKIND]).into(),
                value: self.str(r[P_CKVAL]).into(),
            },
            provides: list(DepKind::Provides),
            requires: list(DepKind::Requires),
            conflicts: list(DepKind::Conflicts),
            obsoletes: list(DepKind::Obsoletes),
            files: self.files(i).map(str::to_string).collect(),
            ..self.ident(i)
        }
    }

    /// Open a store file written for `key`; `None` when it is missing, for other metadata, or
    /// damaged (the caller rebuilds it).
    pub fn open(path: &Path, key: &str) -> Option<Store> {
        let map = Mmap::open(path).ok()?;
        Store::from_data(Data::Map(map), key)
    }

    /// A store built in memory (not written anywhere).
    pub fn from_words(words: Vec<u32>, key: &str) -> Option<Store> {
        Store::from_data(Data::Mem(words), key)
    }

    fn from_data(data: Data, key: &str) -> Option<Store> {
        let mut st = Store {
            data,
            sec: [(0, 0); NSEC],
            npkg: 0,
            nstr: 0,
        };
        let w = st.words();
        let head = Self::bytes_of(w.get(..3)?);
        if &head[..8] != MAGIC {
            return None;
        }
        let klen = w[2] as usize;
        let kwords = klen.div_ceil(4);
        let kb = Self::bytes_of(w.get(3..3 + kwords)?);
        if kb.get(..klen)? != key.as_bytes() {
            return None;
        }
        let mut at = 3 + kwords;
        if *w.get(at)? as usize != NSEC {
            return None;
        }
        at += 1;
        let mut sec = [(0usize, 0usize); NSEC];
        for (k, s) in sec.iter_mut().enumerate() {
            let a = *w.get(at + 2 * k)? as usize;
            let n = *w.get(at + 2 * k + 1)? as usize;
            if a.checked_add(n)? > w.len() {
                return None;
            }
            *s = (a, n);
        }
        st.sec = sec;
        st.nstr = sec[S_STR_OFF].1.checked_sub(1)?;
        if sec[S_PKG].1 % PKG_WORDS != 0 || sec[S_DEP].1 % DEP_WORDS != 0 {
            return None;
        }
        st.npkg = sec[S_PKG].1 / PKG_WORDS;
        // Offsets must ascend and stay inside what they index.
        let ascending = |off: usize, items_len: usize| {
            let o = st.section(off);
            o.len() == st.nstr + 1
                && o.windows(2).all(|p| p[0] <= p[1])
                && o.last().is_some_and(|&l| l as usize <= items_len)
        };
        let str_len = st.section(S_STR).len() * 4;
        if !ascending(S_STR_OFF, str_len)
            || !ascending(S_PROV_OFF, sec[S_PROV].1)
            || !ascending(S_OBS_OFF, sec[S_OBS].1)
            || !ascending(S_FILEIX_OFF, sec[S_FILEIX].1)
            || !ascending(S_NAMED_OFF, sec[S_NAMED].1)
        {
            return None;
        }
        Some(st)
    }
}

/// Interns strings in first-seen order while building. It owns them, all in one buffer, so
/// packages can be added as they are parsed and then dropped.
#[derive(Default)]
struct Interner {
    table: hashbrown::HashTable<u32>,
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

fn hash_str(s: &str) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<crate::digest::FxHasher>::default().hash_one(s)
}

impl Interner {
    fn get<'a>(text: &'a str, ends: &[usize], i: u32) -> &'a str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &text[start..ends[i]]
    }

    fn id(&mut self, s: &str) -> u32 {
        let Interner { table, text, ends } = self;
        let entry = table.entry(
            hash_str(s),
            |&i| Interner::get(text, ends, i) == s,
            |&i| hash_str(Interner::get(text, ends, i)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let i = ends.len() as u32;
                text.push_str(s);
                ends.push(text.len());
                v.insert(i);
                i
            }
        }
    }

    /// The strings by id.
    fn strs(&self) -> Vec<&str> {
        (0..self.ends.len() as u32)
            .map(|i| Interner::get(&self.text, &self.ends, i))
            .collect()
    }
}

/// Compressed rows: for each string id, a list of package indices. `pairs` come in package
/// order, so a counting sort leaves each row sorted.
fn csr(nstr: usize, pairs: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut off = vec![0u32; nstr + 1];
    for &(s, _) in pairs {
        off[s as usize + 1] += 1;
    }
    for k in 0..nstr {
        off[k + 1] += off[k];
    }
    let mut next = off[..nstr].to_vec();
    let mut rows = vec![0u32; pairs.len()];
    for &(s, p) in pairs {
        rows[next[s as usize] as usize] = p;
        next[s as usize] += 1;
    }
    (off, rows)
}

/// Build the store of `pkgs` (already in listing order) for `key`: the words `open` and
/// `from_words` read.
pub fn build(key: &str, pkgs: &[Package]) -> Vec<u32> {
    let mut b = Builder::default();
    pkgs.iter().for_each(|p| b.add(p));
    let identity: Vec<u32> = (0..pkgs.len() as u32).collect();
    b.finish(key, &identity)
}

/// Builds a store from packages added one at a time, in any order: `finish` puts them in the
/// order given (`order` gives listing order).
#[derive(Default)]
pub struct Builder {
    int: Interner,
    recs: Vec<u32>,
    deps: Vec<u32>,
    files: Vec<u32>,
}

impl Builder {
    /// A builder with room for the packages of a primary document of `len` bytes (what
    /// cannot be reserved is grown into).
    pub fn for_document(len: usize) -> Builder {
        let mut b = Builder::default();
        let _ = b.deps.try_reserve(len / 12);
        let _ = b.recs.try_reserve(len / 600 * PKG_WORDS);
        let _ = b.int.text.try_reserve(len / 8);
        let _ = b.int.ends.try_reserve(len / 100);
        b
    }

    pub fn add(&mut self, p: &Package) {
        let int = &mut self.int;
        let deps = &mut self.deps;
        let dep_start = deps.len() / DEP_WORDS;
        let mut push = |d: &Dependency| {
            let mut flags = u32::from(d.sense.bits());
            if d.pre {
                flags |= 8;
            }
            deps.push(int.id(&d.name));
            match &d.evr {
                Some(e) => {
                    deps.push(flags | 16);
                    deps.push(e.epoch.unwrap_or(NONE));
                    deps.push(int.id(&e.version));
                    deps.push(int.id(&e.release));
                }
                None => deps.extend([flags, NONE, NONE, NONE]),
            }
        };
        p.provides.iter().for_each(&mut push);
        // Every package provides itself (`name = evr`) unless it says so already, as rpm does.
        let has_self = p
            .provides
            .iter()
            .any(|d| d.name == p.name && d.evr.as_ref() == Some(&p.evr));
        if !has_self {
            push(&Dependency::versioned(
                p.name.as_str(),
                Sense::from_bits(Sense::EQUAL),
                p.evr.clone(),
            ));
        }
        p.requires.iter().for_each(&mut push);
        p.conflicts.iter().for_each(&mut push);
        p.obsoletes.iter().for_each(&mut push);
        let counts = [
            p.provides.len() + usize::from(!has_self),
            p.requires.len(),
            p.conflicts.len(),
            p.obsoletes.len(),
        ];
        let file_start = self.files.len();
        for f in &p.files {
            self.files.push(int.id(f));
        }
        self.recs.extend([
            int.id(&p.name),
            int.id(&p.arch),
            p.evr.epoch.unwrap_or(NONE),
            int.id(&p.evr.version),
            int.id(&p.evr.release),
            int.id(&p.location),
            int.id(&p.checksum.kind),
            int.id(&p.checksum.value),
            p.size_package as u32,
            (p.size_package >> 32) as u32,
            p.size_installed as u32,
            (p.size_installed >> 32) as u32,
            dep_start as u32,
            counts[0] as u32,
            counts[1] as u32,
            counts[2] as u32,
            counts[3] as u32,
            file_start as u32,
            p.files.len() as u32,
        ]);
    }

    /// Listing order (name, arch, newest first; ties as added): `order[k]` is the `k`th
    /// package added that comes `k`th.
    pub fn order(&self) -> Vec<u32> {
        let strs = self.int.strs();
        let rec = |i: u32| &self.recs[i as usize * PKG_WORDS..(i as usize + 1) * PKG_WORDS];
        let text = |id: u32| strs[id as usize];
        let epoch = |r: &[u32]| if r[P_EPOCH] == NONE { 0 } else { r[P_EPOCH] };
        let mut o: Vec<u32> = (0..(self.recs.len() / PKG_WORDS) as u32).collect();
        o.sort_by(|&a, &b| {
            let (ra, rb) = (rec(a), rec(b));
            text(ra[P_NAME])
                .cmp(text(rb[P_NAME]))
                .then_with(|| text(ra[P_ARCH]).cmp(text(rb[P_ARCH])))
                .then_with(|| {
                    crate::rpm::evr::cmp_labels(
                        (epoch(rb), text(rb[P_VER]), text(rb[P_REL])),
                        (epoch(ra), text(ra[P_VER]), text(ra[P_REL])),
                    )
                })
        });
        o
    }

    /// The store's words, the packages in `order` (`order[k]` = the `k`th added).
    pub fn finish(self, key: &str, order: &[u32]) -> Vec<u32> {
        let Builder {
            int,
            recs: mut added,
            mut deps,
            mut files,
        } = self;
        let strs = int.strs();
        // Sort the table so that lookups are a binary search, and renumber.
        let nstr = strs.len();
        let by_str = sorted_ids(&strs);
        let mut new_id = vec![0u32; nstr];
        for (n, &o) in by_str.iter().enumerate() {
            new_id[o as usize] = n as u32;
        }
        let re = |id: &mut u32| {
            if *id != NONE {
                *id = new_id[*id as usize];
            }
        };
        for r in added.chunks_exact_mut(PKG_WORDS) {
            for k in [P_NAME, P_ARCH, P_VER, P_REL, P_LOC, P_CKKIND, P_CKVAL] {
                re(&mut r[k]);
            }
        }
        for d in deps.chunks_exact_mut(DEP_WORDS) {
            re(&mut d[0]);
            if d[1] & 16 != 0 {
                re(&mut d[3]);
                re(&mut d[4]);
            }
        }
        files.iter_mut().for_each(re);
        let rec = |i: u32| &added[i as usize * PKG_WORDS..(i as usize + 1) * PKG_WORDS];
        let mut recs = Vec::with_capacity(added.len());
        let mut new_deps = Vec::with_capacity(deps.len());
        let mut new_files = Vec::with_capacity(files.len());
        for &i in order {
            let mut r: [u32; PKG_WORDS] = rec(i).try_into().expect("a record");
            let (d, nd) = (
                r[P_DEPS] as usize,
                r[P_DEPS + 1..P_DEPS + 5].iter().sum::<u32>() as usize,
            );
            r[P_DEPS] = (new_deps.len() / DEP_WORDS) as u32;
            new_deps.extend_from_slice(&deps[d * DEP_WORDS..(d + nd) * DEP_WORDS]);
            let (f, nf) = (r[P_FILES] as usize, r[P_FILES + 1] as usize);
            r[P_FILES] = new_files.len() as u32;
            new_files.extend_from_slice(&files[f..f + nf]);
            recs.extend_from_slice(&r);
        }
        drop((added, deps, files));
        assemble(key, &recs, &new_deps, &new_files, &strs, &by_str)
    }
}

/// The ids of `strs` in the order of their strings. Compared on their first eight bytes first
/// (as one integer), which settles most comparisons without reading the strings.
fn sorted_ids(strs: &[&str]) -> Vec<u32> {
    let prefix = |s: &str| {
        let b = s.as_bytes();
        let mut k = [0u8; 8];
        let n = b.len().min(8);
        k[..n].copy_from_slice(&b[..n]);
        u64::from_be_bytes(k)
    };
    let mut keyed: Vec<(u64, u32)> = strs
        .iter()
        .enumerate()
        .map(|(i, s)| (prefix(s), i as u32))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| strs[a.1 as usize].cmp(strs[b.1 as usize]))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The file's words: the string table in `by_str` order, the renumbered records, dependencies
/// and files, and the indexes over them.
fn assemble(
    key: &str,
    recs: &[u32],
    deps: &[u32],
    files: &[u32],
    strs: &[&str],
    by_str: &[u32],
) -> Vec<u32> {
    let nstr = strs.len();
    let mut str_off = Vec::with_capacity(nstr + 1);
    let mut str_bytes: Vec<u8> =
        Vec::with_capacity(strs.iter().map(|s| s.len()).sum::<usize>() + 4);
    str_off.push(0u32);
    for &o in by_str {
        str_bytes.extend_from_slice(strs[o as usize].as_bytes());
        str_off.push(str_bytes.len() as u32);
    }
    // The indexes, each package once per name.
    let (mut prov, mut obs, mut fix) = (Vec::new(), Vec::new(), Vec::new());
    let mut named = Vec::with_capacity(recs.len() / PKG_WORDS);
    let mut scratch: Vec<u32> = Vec::new();
    let mut names = |list: &[u32], out: &mut Vec<(u32, u32)>, i: u32| {
        scratch.clear();
        scratch.extend_from_slice(list);
        scratch.sort_unstable();
        scratch.dedup();
        out.extend(scratch.iter().map(|&s| (s, i)));
    };
    let mut dep_names: Vec<u32> = Vec::new();
    for (i, r) in recs.chunks_exact(PKG_WORDS).enumerate() {
        let i = i as u32;
        named.push((r[P_NAME], i));
        let start = r[P_DEPS] as usize;
        let np = r[P_DEPS + 1] as usize;
        let before_obs: usize = (1..4).map(|k| r[P_DEPS + k] as usize).sum();
        let no = r[P_DEPS + 4] as usize;
        let dep_name = |k: usize| deps[k * DEP_WORDS];
        dep_names.clear();
        dep_names.extend((start..start + np).map(dep_name));
        names(&dep_names, &mut prov, i);
        dep_names.clear();
        dep_names.extend((start + before_obs..start + before_obs + no).map(dep_name));
        names(&dep_names, &mut obs, i);
        let (fa, fnn) = (r[P_FILES] as usize, r[P_FILES + 1] as usize);
        names(&files[fa..fa + fnn], &mut fix, i);
    }
    let (prov_off, prov) = csr(nstr, &prov);
    let (obs_off, obs) = csr(nstr, &obs);
    let (fix_off, fix) = csr(nstr, &fix);
    let (named_off, named) = csr(nstr, &named);
    // File requires and conflicts no file list here answers: filelists may.
    let mut unres: Vec<u32> = Vec::new();
    for r in recs.chunks_exact(PKG_WORDS) {
        let start = r[P_DEPS] as usize + r[P_DEPS + 1] as usize;
        let n = (r[P_DEPS + 2] + r[P_DEPS + 3]) as usize;
        for k in start..start + n {
            let id = deps[k * DEP_WORDS];
            if fix_off[id as usize] == fix_off[id as usize + 1]
                && strs[by_str[id as usize] as usize].starts_with('/')
            {
                unres.push(id);
            }
        }
    }
    unres.sort_unstable();
    unres.dedup();
    // Assemble.
    while !str_bytes.len().is_multiple_of(4) {
        str_bytes.push(0);
    }
    let str_words: Vec<u32> = str_bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    let sections: [&[u32]; NSEC] = [
        &str_off, &str_words, recs, deps, files, &prov_off, &prov, &obs_off, &obs, &fix_off, &fix,
        &named_off, &named, &unres,
    ];
    let mut out: Vec<u32> =
        Vec::with_capacity(sections.iter().map(|s| s.len()).sum::<usize>() + 64 + key.len());
    let mut head = MAGIC.to_vec();
    head.extend_from_slice(&(key.len() as u32).to_le_bytes());
    head.extend_from_slice(key.as_bytes());
    while !head.len().is_multiple_of(4) {
        head.push(0);
    }
    out.extend(
        head.chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))),
    );
    out.push(NSEC as u32);
    let mut at = out.len() + 2 * NSEC;
    for s in sections {
        out.push(at as u32);
        out.push(s.len() as u32);
        at += s.len();
    }
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

/// The words as the bytes written to disk (little-endian: on x86_64, the words' own bytes).
pub fn to_bytes(words: &[u32]) -> std::borrow::Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        return std::borrow::Cow::Borrowed(Store::bytes_of(words));
    }
    std::borrow::Cow::Owned(words.iter().flat_map(|w| w.to_le_bytes()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, evr: &str, provides: &[&str], requires: &[&str], files: &[&str]) -> Package {
        Package {
            name: name.into(),
            evr: Evr::parse(evr),
            arch: "x86_64".into(),
            location: format!("Packages/{name}.rpm"),
            checksum: Checksum {
                kind: "sha256".into(),
                value: format!("{name:0>64}"),
            },
            size_package: 5_000_000_000,
            size_installed: 7,
            provides: provides
                .iter()
                .map(|d| Dependency::parse(d).unwrap())
                .collect(),
            requires: requires
                .iter()
                .map(|d| Dependency::parse(d).unwrap())
                .collect(),
            files: files.iter().map(|f| f.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn round_trip_and_indexes() {
        let mut a = pkg(
            "a",
            "1:2.0-3",
            &["liba.so.1()(64bit)", "a = 1:2.0-3"],
            &["/bin/sh", "b >= 1"],
            &["/usr/bin/a"],
        );
        a.requires[0].pre = true;
        a.obsoletes.push(Dependency::parse("old-a < 2").unwrap());
        let b = pkg(
            "b",
            "1.0-1",
            &[],
            &["/usr/bin/a", "/opt/missing"],
            &["/bin/sh"],
        );
        let words = build("k", &[a.clone(), b.clone()]);
        let path = std::env::temp_dir().join(format!("xcps-test-{}", std::process::id()));
        std::fs::write(&path, to_bytes(&words)).unwrap();
        let st = Store::open(&path, "k").unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(Store::from_words(words.clone(), "other").is_none());
        assert_eq!(st.len(), 2);
        let mut ra = a.clone();
        ra.repo = "r".into();
        assert_eq!(st.package(0, "r"), ra);
        let rb = st.package(1, "r");
        // The self-provide is added when missing.
        assert_eq!(rb.provides, vec![Dependency::parse("b = 1.0-1").unwrap()]);
        assert_eq!(st.providers("b"), &[1]);
        assert_eq!(st.providers("liba.so.1()(64bit)"), &[0]);
        assert_eq!(st.providers("nothing"), &[] as &[u32]);
        assert_eq!(st.obsoleters("old-a"), &[0]);
        assert_eq!(st.file_holders("/bin/sh"), &[1]);
        assert_eq!(st.named("a"), &[0]);
        assert_eq!(
            st.unresolved_files().collect::<Vec<_>>(),
            vec!["/opt/missing"]
        );
        assert_eq!(st.name(1), "b");
        assert_eq!(st.arch(0), "x86_64");
    }

    #[test]
    fn damaged_files_are_refused_not_trusted() {
        let words = build("k", &[pkg("a", "1-1", &[], &[], &[])]);
        for cut in [0, 3, 10, words.len() / 2, words.len() - 1] {
            assert!(
                Store::from_words(words[..cut].to_vec(), "k").is_none(),
                "cut at {cut}"
            );
        }
        let mut bad = words.clone();
        // Point the string offsets backwards.
        let (a, _) = Store::from_words(words, "k").unwrap().sec[S_STR_OFF];
        bad[a + 1] = u32::MAX - 1;
        assert!(Store::from_words(bad, "k").is_none());
    }
}
