//! A client of XAPI's JSON-RPC API (xen-api `doc/content/xen-api/wire-protocol.md`): v2.0
//! requests `{"jsonrpc": "2.0", "method", "params": [session, …], "id"}` POSTed to `/jsonrpc`,
//! answers with `result`, or `error: {code, message: ERROR_CODE, data: [params]}`. Over XAPI's
//! local socket (`/var/lib/xcp/xapi`, as `xe` on the master uses it: root needs no password
//! there) or HTTPS (verified against the system's roots or the pool's own certificate).
//! A session that XAPI dropped (`SESSION_INVALID`) is logged in again and the call retried
//! once; a login answered `HOST_IS_SLAVE` goes to the master it names. A transfer leaf: it
//! knows no XAPI class beyond `session`.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// XAPI's local socket on a host.
pub const LOCAL_SOCKET: &str = "/var/lib/xcp/xapi";

/// How long one call may take before it counts as a transport failure (plugin calls run
/// transactions: minutes).
const CALL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What went wrong with a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XapiError {
    /// XAPI answered with an error: its code and parameters (datamodel_errors.ml).
    #[error("XAPI error {code}{}", if params.is_empty() { String::new() } else { format!(": {}", params.join(", ")) })]
    Api { code: String, params: Vec<String> },
    /// No answer, or one that is not JSON-RPC.
    #[error("cannot reach XAPI at {target}: {why}")]
    Transport { target: String, why: String },
}

impl XapiError {
    pub fn code(&self) -> Option<&str> {
        match self {
            XapiError::Api { code, .. } => Some(code),
            XapiError::Transport { .. } => None,
        }
    }
}

/// Where XAPI is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The local socket (a path).
    Socket(PathBuf),
    /// `https://HOST[:PORT]` (or `http://127.0.0.1…` for a local test double only).
    Url(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Socket(p) => write!(f, "{}", p.display()),
            Target::Url(u) => write!(f, "{u}"),
        }
    }
}

/// Credentials for a login over the network (none needed on the local socket).
#[derive(Clone, Default)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials {{ user: {:?}, password: <hidden> }}",
            self.user
        )
    }
}

/// The TLS trust for `https://` targets: the system's roots (the host name checked), or
/// exactly the pool's certificate (PEM) or its SHA-256 fingerprint: the server must present
/// that certificate, as XAPI's own self-signed ones are pinned (no CA to chain to).
#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub certificate: Option<Vec<u8>>,
    /// Hex, colons allowed (`openssl x509 -fingerprint -sha256` prints it so).
    pub fingerprint: Option<String>,
}

/// A verifier that accepts exactly one certificate (by SHA-256 of its DER), the handshake's
/// signatures still checked with it.
#[derive(Debug)]
struct Pinned {
    sha256: String,
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let got = crate::digest::digest_hex("sha256", end_entity.as_ref()).expect("sha256");
        if got == self.sha256 {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the server's certificate (sha256 {got}) is not the pool's pinned one ({})",
                self.sha256
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The SHA-256 (lowercase hex) a TLS setting pins, from the PEM certificate or the
/// fingerprint given.
fn pinned_sha256(tls: &Tls) -> Result<Option<String>, String> {
    if let Some(f) = &tls.fingerprint {
        let hex: String = f
            .chars()
            .filter(|c| *c != ':')
            .collect::<String>()
            .to_ascii_lowercase();
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "`{f}` is not a SHA-256 fingerprint (64 hex digits, colons allowed)"
            ));
        }
        return Ok(Some(hex));
    }
    let Some(pem) = &tls.certificate else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(pem);
    let b64: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END CERTIFICATE-----"))
        .collect();
    if b64.is_empty() {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in the file".into());
    }
    let der = base64_decode(&b64).ok_or("the PEM certificate is not valid base64")?;
    Ok(Some(
        crate::digest::digest_hex("sha256", &der).expect("sha256"),
    ))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let take = chunk.len().saturating_sub(1);
        for i in 0..take {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// One connection to XAPI: a target and, once logged in, a session.
pub struct Xapi {
    target: Target,
    creds: Credentials,
    tls: Tls,
    http: Option<reqwest::blocking::Client>,
    session: Option<String>,
    ids: AtomicU64,
    /// How many logins this connection made (a dropped session shows as a second one).
    pub logins: u32,
    /// How long a call keeps trying while XAPI cannot be reached (the master rebooting, its
    /// toolstack restarting); zero: a transport failure is the answer.
    pub patience: Duration,
}

impl Xapi {
    pub fn new(target: Target, creds: Credentials, tls: Tls) -> Result<Xapi, XapiError> {
        let http = match &target {
            Target::Socket(_) => None,
            Target::Url(u) => Some(http_client(u, &tls)?),
        };
        Ok(Xapi {
            target,
            creds,
            tls,
            http,
            session: None,
            ids: AtomicU64::new(1),
            logins: 0,
            patience: Duration::ZERO,
        })
    }

    /// A second connection to the same XAPI with the same credentials, logged in (for work
    /// side by side: one session per thread).
    pub fn another(&self) -> Result<Xapi, XapiError> {
        let mut x = Xapi::new(self.target.clone(), self.creds.clone(), self.tls.clone())?;
        x.patience = self.patience;
        x.login()?;
        Ok(x)
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The session reference (logging in first when there is none).
    pub fn session(&mut self) -> Result<String, XapiError> {
        if self.session.is_none() {
            self.login()?;
        }
        Ok(self.session.clone().expect("logged in"))
    }

    /// `session.login_with_password`, following `HOST_IS_SLAVE` to the master (once).
    pub fn login(&mut self) -> Result<(), XapiError> {
        let params = vec![
            json!(self.creds.user),
            json!(self.creds.password),
            json!("1.0"),
            json!("xcpng-mod"),
        ];
        let r = match self.raw("session.login_with_password", &params) {
            Err(XapiError::Api { code, params: p }) if code == "HOST_IS_SLAVE" => {
                let master = p.first().cloned().unwrap_or_default();
                self.redirect(&master)?;
                self.raw("session.login_with_password", &params)?
            }
            other => other?,
        };
        let s = r
            .as_str()
            .ok_or_else(|| self.bad("a login answered no session"))?;
        self.session = Some(s.to_string());
        self.logins += 1;
        Ok(())
    }

    /// Point this connection at the master a member named (same scheme and port).
    fn redirect(&mut self, master: &str) -> Result<(), XapiError> {
        let Target::Url(u) = &self.target else {
            return Err(self.bad("the local socket answered HOST_IS_SLAVE"));
        };
        let (scheme, rest) = u.split_once("://").unwrap_or(("https", u));
        let port = rest
            .split('/')
            .next()
            .and_then(|hp| hp.rsplit_once(':'))
            .map(|(_, p)| p.to_string());
        let host = if master.contains(':') && !master.starts_with('[') {
            master.to_string()
        } else {
            match port {
                Some(p) => format!("{master}:{p}"),
                None => master.to_string(),
            }
        };
        let url = format!("{scheme}://{host}");
        self.http = Some(http_client(&url, &self.tls)?);
        self.target = Target::Url(url);
        Ok(())
    }

    /// Call `method` with the session first and then `params`; a `SESSION_INVALID` answer
    /// logs in again and retries once; while XAPI cannot be reached, tried again every
    /// quarter second for `patience`.
    pub fn call(&mut self, method: &str, params: &[Value]) -> Result<Value, XapiError> {
        let started = std::time::Instant::now();
        loop {
            match self.call_once(method, params) {
                Err(XapiError::Transport { .. }) if started.elapsed() < self.patience => {
                    std::thread::sleep(Duration::from_millis(250));
                }
                other => return other,
            }
        }
    }

    fn call_once(&mut self, method: &str, params: &[Value]) -> Result<Value, XapiError> {
        let mut full = vec![json!(self.session()?)];
        full.extend_from_slice(params);
        match self.raw(method, &full) {
            Err(XapiError::Api { code, .. }) if code == "SESSION_INVALID" => {
                self.session = None;
                full[0] = json!(self.session()?);
                self.raw(method, &full)
            }
            other => other,
        }
    }

    /// `session.logout` (best effort).
    pub fn logout(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = self.raw("session.logout", &[json!(s)]);
        }
    }

    fn bad(&self, why: &str) -> XapiError {
        XapiError::Transport {
            target: self.target.to_string(),
            why: why.to_string(),
        }
    }

    /// One JSON-RPC v2.0 request, no session handling.
    fn raw(&self, method: &str, params: &[Value]) -> Result<Value, XapiError> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id});
        let text = match &self.target {
            Target::Socket(p) => socket_post(p, &body.to_string())
                .map_err(|e| self.bad(&format!("{method}: {e}")))?,
            Target::Url(u) => {
                let http = self.http.as_ref().expect("a client for a URL");
                let resp = http
                    .post(format!("{}/jsonrpc", u.trim_end_matches('/')))
                    .header("Content-Type", "application/json")
                    .body(body.to_string())
                    .send()
                    .map_err(|e| {
                        self.bad(&format!("{method}: {}", crate::errchain::chain_of(&e)))
                    })?;
                let status = resp.status();
                let text = resp
                    .text()
                    .map_err(|e| self.bad(&format!("{method}: {e}")))?;
                if !status.is_success() {
                    return Err(self.bad(&format!("{method}: HTTP {status}")));
                }
                text
            }
        };
        parse_answer(&text).map_err(|why| match why {
            Answer::Api(code, params) => XapiError::Api { code, params },
            Answer::Bad(w) => self.bad(&format!("{method}: {w}")),
        })
    }
}

fn http_client(url: &str, tls: &Tls) -> Result<reqwest::blocking::Client, XapiError> {
    let bad = |why: String| XapiError::Transport {
        target: url.to_string(),
        why,
    };
    let local = url.starts_with("http://127.0.0.1") || url.starts_with("http://[::1]");
    if !url.starts_with("https://") && !local {
        return Err(bad(
            "XAPI is reached over https:// only (plain http only for 127.0.0.1)".into(),
        ));
    }
    let mut b = reqwest::blocking::Client::builder()
        .timeout(CALL_TIMEOUT)
        .connect_timeout(Duration::from_secs(20));
    if let Some(sha256) =
        pinned_sha256(tls).map_err(|e| bad(format!("the pool certificate: {e}")))?
    {
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(Pinned { sha256, provider }))
            .with_no_client_auth();
        b = b.tls_backend_preconfigured(config);
    }
    b.build().map_err(|e| bad(e.to_string()))
}

/// POST a JSON-RPC body over a Unix socket (HTTP/1.1, one request per connection).
fn socket_post(path: &std::path::Path, body: &str) -> std::io::Result<String> {
    let mut s = std::os::unix::net::UnixStream::connect(path)?;
    s.set_read_timeout(Some(CALL_TIMEOUT))?;
    write!(
        s,
        "POST /jsonrpc HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("an HTTP answer without a header"))?;
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        return Err(std::io::Error::other(format!("HTTP {status}")));
    }
    Ok(rest.to_string())
}

enum Answer {
    Api(String, Vec<String>),
    Bad(String),
}

/// `result`, or the error's code and parameters.
fn parse_answer(text: &str) -> Result<Value, Answer> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Answer::Bad(format!(
            "not JSON ({e}): {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        let code = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("UNKNOWN_ERROR")
            .to_string();
        let params = err
            .get("data")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|p| {
                        p.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| p.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Err(Answer::Api(code, params));
    }
    v.get("result")
        .cloned()
        .ok_or_else(|| Answer::Bad("an answer with neither result nor error".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_the_wire_protocol_says() {
        let ok = r#"{"jsonrpc":"2.0","result":["OpaqueRef:1"],"id":3}"#;
        assert_eq!(parse_answer(ok).ok(), Some(json!(["OpaqueRef:1"])));
        let err = r#"{"jsonrpc":"2.0","error":{"code":1,"message":"MAP_DUPLICATE_KEY","data":["Customer","eSpiel Inc.","eSpiel Incorporated"]},"id":3}"#;
        match parse_answer(err) {
            Err(Answer::Api(c, p)) => {
                assert_eq!(c, "MAP_DUPLICATE_KEY");
                assert_eq!(p, ["Customer", "eSpiel Inc.", "eSpiel Incorporated"]);
            }
            _ => panic!("an API error"),
        }
        assert!(matches!(
            parse_answer("<html>500</html>"),
            Err(Answer::Bad(_))
        ));
        assert!(matches!(parse_answer(r#"{"id":1}"#), Err(Answer::Bad(_))));
    }

    #[test]
    fn pins_are_read_from_a_fingerprint_or_a_pem_file() {
        let f = "AB:".repeat(31) + "AB";
        let t = Tls {
            fingerprint: Some(f),
            ..Tls::default()
        };
        assert_eq!(pinned_sha256(&t).unwrap(), Some("ab".repeat(32)));
        let t = Tls {
            fingerprint: Some("abc".into()),
            ..Tls::default()
        };
        assert!(pinned_sha256(&t).is_err());
        // "hello" in base64, as a PEM body: its digest is pinned.
        let pem = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n".to_vec();
        let t = Tls {
            certificate: Some(pem),
            ..Tls::default()
        };
        assert_eq!(
            pinned_sha256(&t).unwrap().as_deref(),
            crate::digest::digest_hex("sha256", b"hello").as_deref()
        );
        assert_eq!(base64_decode("aGk="), Some(b"hi".to_vec()));
        assert_eq!(pinned_sha256(&Tls::default()).unwrap(), None);
    }

    #[test]
    fn plain_http_is_for_the_loopback_only() {
        assert!(http_client("http://10.0.0.1", &Tls::default()).is_err());
        assert!(http_client("http://127.0.0.1:8080", &Tls::default()).is_ok());
        assert!(http_client("https://pool.example", &Tls::default()).is_ok());
    }
}
