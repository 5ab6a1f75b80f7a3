//! Verifying one OpenPGP signature (v3 or v4, binary) over some bytes with a keyring, under
//! Sequoia's standard policy. The outcome names the key by fingerprint, or the key id the
//! signature claims when no trusted key has it.

use super::keys::Keyring;
use super::openpgp::{chain, policy};
use openpgp::cert::prelude::*;
use openpgp::packet::Signature;
use openpgp::parse::Parse;
use openpgp::policy::{HashAlgoSecurity, Policy};
use openpgp::types::SignatureType;
use openpgp::{KeyHandle, Packet};
use sequoia_openpgp as openpgp;
use std::fmt;

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Full fingerprint of the signing (sub)key's certificate, upper-case hex.
    pub fingerprint: String,
    /// The 16-hex-digit key id of the key that signed.
    pub keyid: String,
    /// `V4 RSA/SHA512`, as rpm prints it.
    pub algo: String,
}

/// Why a signature does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigProblem {
    /// Not an OpenPGP signature.
    Malformed(String),
    /// No trusted key has the issuer's id.
    NoKey {
        keyid: String,
    },
    /// The math fails: the data was altered, or another key with the same id signed.
    Bad {
        fingerprint: String,
    },
    /// Refused by the policy (weak hash or public-key algorithm, bad signature type, …).
    Policy {
        fingerprint: String,
        msg: String,
    },
    KeyRevoked {
        fingerprint: String,
        msg: String,
    },
    KeyExpired {
        fingerprint: String,
    },
    /// The key exists but cannot sign (no signing capability, invalid self-signatures).
    KeyUnusable {
        fingerprint: String,
        msg: String,
    },
}

impl SigProblem {
    /// rpm's word for the result (`BAD`, `NOKEY`, …).
    pub fn rpm_word(&self) -> &'static str {
        match self {
            SigProblem::NoKey { .. } => "NOKEY",
            SigProblem::KeyRevoked { .. }
            | SigProblem::KeyExpired { .. }
            | SigProblem::KeyUnusable { .. } => "NOTTRUSTED",
            _ => "BAD",
        }
    }
}

impl fmt::Display for SigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigProblem::Malformed(m) => write!(f, "is not a valid OpenPGP signature ({m})"),
            SigProblem::NoKey { keyid } => write!(
                f,
                "made by unknown key 0x{keyid} (no trusted key has this id)"
            ),
            SigProblem::Bad { fingerprint } => {
                write!(
                    f,
                    "does not verify with key {fingerprint} (BAD: the data was altered)"
                )
            }
            SigProblem::Policy { fingerprint, msg } => {
                write!(
                    f,
                    "made by key {fingerprint} is refused by the signature policy: {msg}"
                )
            }
            SigProblem::KeyRevoked { fingerprint, msg } => {
                write!(f, "made by key {fingerprint}, which is revoked: {msg}")
            }
            SigProblem::KeyExpired { fingerprint } => {
                write!(f, "made by key {fingerprint}, which has expired")
            }
            SigProblem::KeyUnusable { fingerprint, msg } => {
                write!(
                    f,
                    "made by key {fingerprint}, which cannot be used for signing: {msg}"
                )
            }
        }
    }
}

/// The signature packets in `data` (armored or binary).
pub fn parse_signatures(data: &[u8]) -> Result<Vec<Signature>, SigProblem> {
    let pile =
        openpgp::PacketPile::from_bytes(data).map_err(|e| SigProblem::Malformed(chain(&e)))?;
    let sigs: Vec<Signature> = pile
        .into_children()
        .filter_map(|p| match p {
            Packet::Signature(s) => Some(s),
            _ => None,
        })
        .collect();
    if sigs.is_empty() {
        return Err(SigProblem::Malformed("no signature packet".into()));
    }
    Ok(sigs)
}

/// The 16-hex-digit issuer key id a signature claims.
pub fn issuer_keyid(sig: &Signature) -> String {
    sig.get_issuers()
        .iter()
        .map(|h| openpgp::KeyID::from(h.clone()).to_hex())
        .next()
        .unwrap_or_else(|| "0000000000000000".into())
}

/// rpm's description of a signature: `V4 RSA/SHA512`.
pub fn describe(sig: &Signature) -> String {
    let pk = match sig.pk_algo() {
        #[allow(deprecated)]
        openpgp::types::PublicKeyAlgorithm::RSAEncryptSign
        | openpgp::types::PublicKeyAlgorithm::RSASign => "RSA".to_string(),
        #[allow(deprecated)]
        openpgp::types::PublicKeyAlgorithm::DSA => "DSA".into(),
        openpgp::types::PublicKeyAlgorithm::EdDSA | openpgp::types::PublicKeyAlgorithm::Ed25519 => {
            "EdDSA".into()
        }
        openpgp::types::PublicKeyAlgorithm::ECDSA => "ECDSA".into(),
        other => other.to_string(),
    };
    let hash = format!("{:?}", sig.hash_algo()).to_uppercase();
    format!("V{} {pk}/{hash}", sig.version())
}

/// Verify one signature over the concatenation of `parts`, with the keys of `ring`.
pub fn verify_one(
    ring: &Keyring,
    sig: &Signature,
    parts: &[&[u8]],
) -> Result<Verified, SigProblem> {
    let p = policy();
    let keyid = issuer_keyid(sig);
    let issuers: Vec<KeyHandle> = sig.get_issuers();
    // The certificate and key the signature names.
    let found = ring.certs().find_map(|cert| {
        cert.keys()
            .find(|k| issuers.iter().any(|h| h.aliases(k.key().key_handle())))
            .map(|k| (cert, k.key().clone()))
    });
    let Some((cert, key)) = found else {
        return Err(SigProblem::NoKey { keyid });
    };
    let fingerprint = cert.fingerprint().to_hex();
    // The math first: a BAD signature is BAD whatever the policy says of the key.
    let mut hash = match sig.hash_algo().context() {
        Ok(b) => b.for_signature(sig.version()),
        Err(e) => {
            return Err(SigProblem::Policy {
                fingerprint,
                msg: format!(
                    "hash algorithm {} is not supported: {}",
                    sig.hash_algo(),
                    chain(&e)
                ),
            })
        }
    };
    if let Signature::V6(s6) = sig {
        hash.update(s6.salt());
    }
    for part in parts {
        hash.update(part);
    }
    if sig.verify_hash(&key, hash).is_err() {
        return Err(SigProblem::Bad { fingerprint });
    }
    if !matches!(sig.typ(), SignatureType::Binary | SignatureType::Text) {
        return Err(SigProblem::Policy {
            fingerprint,
            msg: format!("a {} signature is not a signature of data", sig.typ()),
        });
    }
    if let Err(e) = p.signature(sig, HashAlgoSecurity::CollisionResistance) {
        return Err(SigProblem::Policy {
            fingerprint,
            msg: format!("{} signatures are refused: {}", sig.hash_algo(), chain(&e)),
        });
    }
    if let Err(e) = sig.signature_alive(None, std::time::Duration::ZERO) {
        return Err(SigProblem::Policy {
            fingerprint,
            msg: format!("the signature is not valid now: {}", chain(&e)),
        });
    }
    // Now the key: valid under the policy, not revoked, not expired, able to sign.
    let vc = cert
        .with_policy(&p, None)
        .map_err(|e| SigProblem::KeyUnusable {
            fingerprint: fingerprint.clone(),
            msg: chain(&e),
        })?;
    if let openpgp::types::RevocationStatus::Revoked(r) = vc.revocation_status() {
        let why = r
            .first()
            .and_then(|s| s.reason_for_revocation())
            .map(|(c, m)| format!("{c}: {}", String::from_utf8_lossy(m)))
            .unwrap_or_else(|| "revoked".into());
        return Err(SigProblem::KeyRevoked {
            fingerprint,
            msg: why,
        });
    }
    if vc.alive().is_err() {
        return Err(SigProblem::KeyExpired { fingerprint });
    }
    let ka = vc
        .keys()
        .key_handle(key.key_handle())
        .next()
        .ok_or_else(|| SigProblem::KeyUnusable {
            fingerprint: fingerprint.clone(),
            msg: "the policy refuses this key or its binding".into(),
        })?;
    if let openpgp::types::RevocationStatus::Revoked(_) = ka.revocation_status() {
        return Err(SigProblem::KeyRevoked {
            fingerprint,
            msg: "the signing subkey is revoked".into(),
        });
    }
    if ka.alive().is_err() {
        return Err(SigProblem::KeyExpired { fingerprint });
    }
    if !ka.for_signing() {
        return Err(SigProblem::KeyUnusable {
            fingerprint,
            msg: "the key is not marked for signing".into(),
        });
    }
    Ok(Verified {
        fingerprint,
        keyid,
        algo: describe(sig),
    })
}

/// Verify a detached signature file (`repomd.xml.asc`): the first signature that verifies wins;
/// otherwise the most telling problem (a known key's failure before an unknown key).
pub fn verify_detached(
    ring: &Keyring,
    sig_data: &[u8],
    data: &[u8],
) -> Result<Verified, SigProblem> {
    let sigs = parse_signatures(sig_data)?;
    let mut worst: Option<SigProblem> = None;
    for s in &sigs {
        match verify_one(ring, s, &[data]) {
            Ok(v) => return Ok(v),
            Err(e) => {
                let better = !matches!(e, SigProblem::NoKey { .. }) || worst.is_none();
                if better {
                    worst = Some(e);
                }
            }
        }
    }
    Err(worst.expect("at least one signature"))
}
