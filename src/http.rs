//! The one HTTP layer: every transfer, metadata and packages alike, goes through [`Http`], so
//! every transfer is bounded the way yum and librepo bound them:
//!
//! - `timeout` (yum.conf, default 30 s) is *seconds without progress*: connecting, waiting for
//!   the answer, and each read of the body;
//! - `minrate` (yum.conf, bytes/s, default 1000) is the floor of the average rate over each
//!   `timeout` window: a mirror that drips a byte now and then fails as surely as one that
//!   stops.
//!
//! Errors say what happened where ("timed out after 30 s", "below minrate …"); retrying and
//! mirror failover are the callers' (they go round the mirror list). Nothing here knows of
//! repositories or packages, and nothing is written.

use std::io::Read;
use std::time::{Duration, Instant};

/// Why a request failed before or while its body was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// This machine cannot make requests at all (TLS set-up): no mirror will do better.
    #[error("{0}")]
    Setup(String),
    /// Cache only: the flag as the user gave it (`-C`, `--cacheonly`).
    #[error("not fetched: {0} never goes to the network")]
    Offline(&'static str),
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("{0}")]
    Transport(String),
}

/// The HTTP client with the host's transfer bounds.
pub struct Http {
    client: std::sync::OnceLock<Result<reqwest::blocking::Client, String>>,
    timeout: Duration,
    minrate: u64,
    /// Cache only, and the flag that asked for it.
    offline: Option<&'static str>,
}

/// An answer: status, the headers callers use, and the body, bounded in time and rate.
pub struct Response {
    pub status: u16,
    pub content_length: Option<u64>,
    /// The first byte of a `206 Partial Content` answer (`Content-Range: bytes N-…`).
    pub range_start: Option<u64>,
    pub body: Body,
}

/// A response body that fails when no byte comes for `timeout`, or when the average rate over
/// a `timeout` window is below `minrate`.
pub struct Body {
    inner: reqwest::blocking::Response,
    timeout: Duration,
    minrate: u64,
    window_start: Instant,
    window_bytes: u64,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let secs = self.timeout.as_secs().max(1);
        let n = self.inner.read(buf).map_err(|e| {
            if is_timeout(&e) {
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("timed out after {secs} s without data"),
                )
            } else {
                e
            }
        })?;
        self.window_bytes += n as u64;
        let elapsed = self.window_start.elapsed();
        if n > 0 && elapsed >= self.timeout {
            let rate = (self.window_bytes as f64 / elapsed.as_secs_f64()) as u64;
            if rate < self.minrate {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "too slow: {rate} bytes/s over {secs} s, below minrate {} bytes/s",
                        self.minrate
                    ),
                ));
            }
            self.window_start = Instant::now();
            self.window_bytes = 0;
        }
        Ok(n)
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|r| r as _);
    while let Some(c) = cur {
        if let Some(re) = c.downcast_ref::<reqwest::Error>() {
            if re.is_timeout() {
                return true;
            }
        }
        cur = c.source();
    }
    false
}

impl Http {
    pub fn new(timeout: Duration, minrate: u64, offline: Option<&'static str>) -> Http {
        Http {
            client: std::sync::OnceLock::new(),
            timeout: timeout.max(Duration::from_secs(1)),
            minrate,
            offline,
        }
    }

    /// The `timeout` in force.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// True with `-C`.
    pub fn is_offline(&self) -> bool {
        self.offline.is_some()
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, HttpError> {
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .connect_timeout(self.timeout)
                    // In the blocking client this bounds sending and waiting for the answer,
                    // and each read of the body: time without progress.
                    .timeout(self.timeout)
                    .redirect(reqwest::redirect::Policy::limited(10))
                    .user_agent(concat!("xcpng-mod/", env!("CARGO_PKG_VERSION")))
                    .no_proxy()
                    .build()
                    .map_err(|e| {
                        format!(
                            "cannot set up HTTP/TLS: {} (are CA certificates installed?)",
                            crate::errchain::chain_of(&e)
                        )
                    })
            })
            .as_ref()
            .map_err(|e| HttpError::Setup(e.clone()))
    }

    /// GET `url`, from byte `from` on (a Range request when `from > 0`).
    pub fn get(&self, url: &str, from: u64) -> Result<Response, HttpError> {
        if let Some(flag) = self.offline {
            return Err(HttpError::Offline(flag));
        }
        let mut req = self.client()?.get(url);
        if from > 0 {
            req = req.header("Range", format!("bytes={from}-"));
        }
        let secs = self.timeout.as_secs().max(1);
        let resp = req.send().map_err(|e| {
            if e.is_timeout() {
                HttpError::Timeout(secs)
            } else {
                HttpError::Transport(crate::errchain::chain_of(&e))
            }
        })?;
        let range_start = resp
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes "))
            .and_then(|v| v.split('-').next())
            .and_then(|v| v.parse::<u64>().ok());
        Ok(Response {
            status: resp.status().as_u16(),
            content_length: resp.content_length(),
            range_start,
            body: Body {
                inner: resp,
                timeout: self.timeout,
                minrate: self.minrate,
                window_start: Instant::now(),
                window_bytes: 0,
            },
        })
    }
}
