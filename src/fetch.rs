//! Fetching files from a repository's mirrors: `http://`, `https://` and `file://`, with
//! failover across baseurls, bounded retries with backoff, timeouts, redirects, size caps and
//! checksum checks. It decides nothing about trust: it only guarantees that what it returns
//! has the size and checksum the caller asked for.

use crate::digest::{digest_hex, Checksum};
use std::io::Read;
use std::time::Duration;

/// Why one attempt at one URL failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AttemptError {
    #[error("{0}")]
    Transport(String),
    /// No progress for `timeout`, or slower than `minrate` (the message says which).
    #[error("{0}")]
    Timeout(String),
    #[error("HTTP {0}")]
    Http(u16),
    #[error("larger than the {limit} bytes expected")]
    TooLarge { limit: u64 },
    #[error("{kind} checksum mismatch: expected {expected}, got {got}")]
    Checksum {
        kind: String,
        expected: String,
        got: String,
    },
    #[error("size mismatch: expected {expected} bytes, got {got}")]
    Size { expected: u64, got: u64 },
    #[error("not found")]
    NotFound,
    #[error("unsupported checksum type `{0}`")]
    UnknownChecksum(String),
    /// This machine cannot make the request at all (TLS set-up): no mirror will do better.
    #[error("{0}")]
    Setup(String),
}

impl AttemptError {
    /// Worth trying this mirror again on the next round of the mirror list. A mirror that
    /// stalled or dripped is not: it already cost a `timeout`, and would cost it again.
    fn transient(&self) -> bool {
        matches!(self, AttemptError::Transport(_))
            || matches!(self, AttemptError::Http(c) if *c >= 500 || *c == 429 || *c == 408)
    }
}

impl From<crate::http::HttpError> for AttemptError {
    fn from(e: crate::http::HttpError) -> AttemptError {
        use crate::http::HttpError as H;
        match e {
            H::Setup(m) => AttemptError::Setup(m),
            o @ H::Offline(_) => AttemptError::Setup(o.to_string()),
            H::Timeout(_) => AttemptError::Timeout(e.to_string()),
            H::Transport(m) => AttemptError::Transport(m),
        }
    }
}

/// Every mirror failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot fetch `{path}`: {}", attempts.iter().map(|(u, e)| format!("{e} at {u}")).collect::<Vec<_>>().join("; "))]
pub struct FetchError {
    pub path: String,
    pub attempts: Vec<(String, AttemptError)>,
}

/// What a fetched file must be.
#[derive(Debug, Clone, Default)]
pub struct Expect<'a> {
    /// Refuse more than this many bytes (endless-data attack).
    pub max_size: Option<u64>,
    /// The exact size, when known.
    pub size: Option<u64>,
    pub checksum: Option<&'a Checksum>,
}

/// Fetch settings.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    /// `-C`: never go to the network (http and https fail at once; file:// still works); the
    /// flag as the user gave it.
    pub offline: Option<&'static str>,
    /// yum.conf's `minrate`: the slowest average a transfer may have over `timeout`, bytes/s.
    pub minrate: u64,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(200),
            offline: None,
            minrate: 1000,
        }
    }
}

/// Fetches files from mirrors.
pub struct Fetcher {
    /// The one HTTP layer (its client is built on first use: commands that read only
    /// file:// repos or caches never pay for the TLS set-up).
    http: crate::http::Http,
    opts: FetchOptions,
}

/// Check `data` against an expected checksum.
pub fn check_checksum(data: &[u8], ck: &Checksum) -> Result<(), AttemptError> {
    let got =
        digest_hex(&ck.kind, data).ok_or_else(|| AttemptError::UnknownChecksum(ck.kind.clone()))?;
    if !got.eq_ignore_ascii_case(&ck.value) {
        return Err(AttemptError::Checksum {
            kind: ck.kind.clone(),
            expected: ck.value.clone(),
            got,
        });
    }
    Ok(())
}

/// Join a base URL and a relative path (`base/` + `repodata/repomd.xml`).
pub fn join_url(base: &str, rel: &str) -> String {
    if base.ends_with('/') {
        format!("{base}{rel}")
    } else {
        format!("{base}/{rel}")
    }
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Fetcher {
        Fetcher {
            http: crate::http::Http::new(opts.timeout, opts.minrate, opts.offline),
            opts,
        }
    }

    /// The HTTP layer, for package downloads.
    pub fn http(&self) -> &crate::http::Http {
        &self.http
    }

    /// How many more rounds of the mirror list a transient failure gets.
    pub fn retries(&self) -> u32 {
        self.opts.retries
    }

    /// One attempt at one URL.
    fn attempt(&self, url: &str, exp: &Expect<'_>) -> Result<Vec<u8>, AttemptError> {
        let limit = exp.size.or(exp.max_size);
        let data = if let Some(path) = url.strip_prefix("file://") {
            let f = std::fs::File::open(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    AttemptError::NotFound
                } else {
                    AttemptError::Transport(e.to_string())
                }
            })?;
            read_capped(f, limit)?
        } else if url.starts_with("http://") || url.starts_with("https://") {
            let resp = self.http.get(url, 0)?;
            if resp.status == 404 || resp.status == 410 {
                return Err(AttemptError::NotFound);
            }
            if !(200..300).contains(&resp.status) {
                return Err(AttemptError::Http(resp.status));
            }
            if let (Some(len), Some(limit)) = (resp.content_length, limit) {
                if len > limit {
                    return Err(AttemptError::TooLarge { limit });
                }
            }
            read_capped(resp.body, limit)?
        } else {
            return Err(AttemptError::Transport(format!(
                "unsupported URL scheme in `{url}`"
            )));
        };
        if let Some(size) = exp.size {
            if data.len() as u64 != size {
                return Err(AttemptError::Size {
                    expected: size,
                    got: data.len() as u64,
                });
            }
        }
        if let Some(ck) = exp.checksum {
            check_checksum(&data, ck)?;
        }
        Ok(data)
    }

    /// Fetch `rel` from the first base URL that serves it correctly. Returns the data and the
    /// index of the base URL that served it (so related files come from the same mirror).
    pub fn fetch(
        &self,
        bases: &[String],
        rel: &str,
        exp: &Expect<'_>,
    ) -> Result<(Vec<u8>, usize), FetchError> {
        self.fetch_from(bases, 0, rel, exp)
    }

    /// Like `fetch`, trying `bases[first]` before the others.
    pub fn fetch_from(
        &self,
        bases: &[String],
        first: usize,
        rel: &str,
        exp: &Expect<'_>,
    ) -> Result<(Vec<u8>, usize), FetchError> {
        let mut attempts = Vec::new();
        let order: Vec<usize> = (0..bases.len())
            .map(|i| (first + i) % bases.len().max(1))
            .collect();
        // Each round tries every mirror still worth trying once, in order; `retries` more
        // rounds follow for mirrors whose failure may pass. A failing mirror hands over to
        // the next at once.
        let mut alive = order.clone();
        for round in 0..=self.opts.retries {
            if round > 0 {
                std::thread::sleep(self.opts.backoff * 2u32.pow(round - 1));
            }
            let mut again = Vec::new();
            for &i in &alive {
                let url = join_url(&bases[i], rel);
                match self.attempt(&url, exp) {
                    Ok(d) => return Ok((d, i)),
                    Err(e @ AttemptError::Setup(_)) => {
                        attempts.push((url.clone(), e));
                        return Err(FetchError {
                            path: rel.to_string(),
                            attempts,
                        });
                    }
                    Err(e) => {
                        if e.transient() {
                            again.push(i);
                        }
                        attempts.push((url.clone(), e));
                    }
                }
            }
            if again.is_empty() {
                break;
            }
            alive = again;
        }
        Err(FetchError {
            path: rel.to_string(),
            attempts,
        })
    }

    /// True with `-C`: nothing is fetched over the network.
    pub fn is_offline(&self) -> bool {
        self.http.is_offline()
    }

    /// Fetch a whole URL (mirrorlist, metalink, gpgkey) with a size cap.
    pub fn fetch_url(&self, url: &str, max: u64) -> Result<Vec<u8>, FetchError> {
        let (base, rel) = match url.rsplit_once('/') {
            Some((b, r)) if !r.is_empty() => (b.to_string(), r.to_string()),
            _ => (url.to_string(), String::new()),
        };
        let exp = Expect {
            max_size: Some(max),
            ..Default::default()
        };
        if rel.is_empty() {
            return self.attempt(url, &exp).map_err(|e| FetchError {
                path: url.into(),
                attempts: vec![(url.into(), e)],
            });
        }
        self.fetch(&[base], &rel, &exp).map(|(d, _)| d)
    }
}

use crate::errchain::chain_of as error_chain;

fn read_capped(r: impl Read, limit: Option<u64>) -> Result<Vec<u8>, AttemptError> {
    let cap = limit.map(|l| l + 1).unwrap_or(u64::MAX);
    // Reserve up to the cap at once (pages are only committed as they are written), then grow
    // by doubling, never past the cap: a body refused at the cap must not have made the host
    // hold twice as much first, nor the freed smaller buffers on the way.
    let mut out: Vec<u8> = Vec::with_capacity(cap.min(256 << 20) as usize);
    let mut r = r.take(cap);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut chunk).map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut {
                AttemptError::Timeout(e.to_string())
            } else {
                AttemptError::Transport(error_chain(&e))
            }
        })?;
        if n == 0 {
            break;
        }
        if out.len() + n > out.capacity() {
            let want = (out.capacity() * 2).max(out.len() + n).min(cap as usize);
            out.reserve_exact(want - out.len());
        }
        out.extend_from_slice(&chunk[..n]);
    }
    if let Some(l) = limit {
        if out.len() as u64 > l {
            return Err(AttemptError::TooLarge { limit: l });
        }
    }
    Ok(out)
}

/// Resolve a mirrorlist (one URL per line, `#` comments) to base URLs.
pub fn parse_mirrorlist(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| l.contains("://"))
        .map(str::to_string)
        .collect()
}

/// Resolve a metalink document to base URLs (the `<url>`s, minus `repodata/repomd.xml`),
/// ordered by preference.
pub fn parse_metalink(xml: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut urls: Vec<(i64, String)> = Vec::new();
    let mut pref: Option<i64> = None;
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"url" => {
                pref = Some(
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"preference")
                        .and_then(|a| String::from_utf8_lossy(&a.value).parse().ok())
                        .unwrap_or(0),
                );
            }
            Ok(Event::Text(t)) => {
                if let Some(p) = pref.take() {
                    if let Ok(u) = t.decode() {
                        let u = u.trim();
                        let base = u.strip_suffix("repodata/repomd.xml").unwrap_or(u);
                        if base.starts_with("http") || base.starts_with("file://") {
                            urls.push((p, base.to_string()));
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    urls.sort_by_key(|u| std::cmp::Reverse(u.0));
    urls.into_iter().map(|(_, u)| u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_documents() {
        assert_eq!(
            parse_mirrorlist("# c\nhttp://a/x/\n\nhttp://b/x/\n"),
            vec!["http://a/x/", "http://b/x/"]
        );
        let ml = br#"<metalink><files><file name="repomd.xml"><resources>
<url protocol="http" type="http" preference="50">http://low/repodata/repomd.xml</url>
<url protocol="http" type="http" preference="100">http://high/repodata/repomd.xml</url>
</resources></file></files></metalink>"#;
        assert_eq!(parse_metalink(ml), vec!["http://high/", "http://low/"]);
    }

    #[test]
    fn file_urls_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"hello").unwrap();
        let f = Fetcher::new(FetchOptions::default());
        let base = format!("file://{}", dir.path().display());
        let ck = Checksum {
            kind: "sha256".into(),
            value: digest_hex("sha256", b"hello").unwrap(),
        };
        let ok = Expect {
            size: Some(5),
            checksum: Some(&ck),
            ..Default::default()
        };
        assert_eq!(
            f.fetch(std::slice::from_ref(&base), "f", &ok).unwrap().0,
            b"hello"
        );
        let small = Expect {
            max_size: Some(3),
            ..Default::default()
        };
        let e = f
            .fetch(std::slice::from_ref(&base), "f", &small)
            .unwrap_err();
        assert_eq!(e.attempts[0].1, AttemptError::TooLarge { limit: 3 });
        let e = f.fetch(&[base], "missing", &Expect::default()).unwrap_err();
        assert_eq!(e.attempts[0].1, AttemptError::NotFound);
    }
}
