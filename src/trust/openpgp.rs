//! What every trust check shares of Sequoia: the signature policy, certificate parsing and
//! error text. The other trust modules build on it; it uses none of them.

use openpgp::cert::prelude::*;
use openpgp::parse::Parse;
use openpgp::policy::{HashAlgoSecurity, StandardPolicy};
use sequoia_openpgp as openpgp;

/// The policy every check uses: Sequoia's standard policy, with one deliberate relaxation.
///
/// Self-signatures (the bindings inside a key the admin installed through `gpgkey=` or
/// `rpm --import`) need only second pre-image resistance, and the real XCP-ng and CentOS 7 keys
/// are self-signed with SHA-1: the standard policy stopped accepting that in 2023 and would
/// refuse every XCP-ng repo. So SHA-1 stays acceptable for that property only. Signatures over
/// data (repomd.xml, package headers) need collision resistance, which SHA-1 lost in 2013:
/// those are refused, and the refusal says so.
pub fn policy() -> StandardPolicy<'static> {
    let mut p = StandardPolicy::new();
    p.accept_hash_property(
        openpgp::types::HashAlgorithm::SHA1,
        HashAlgoSecurity::SecondPreImageResistance,
    );
    p
}

/// The chain of an error from Sequoia, `a: b`.
pub(crate) fn chain(e: &openpgp::anyhow::Error) -> String {
    crate::errchain::chain_of(e.as_ref())
}

const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";

/// Parse every certificate in `data`: one or several armored blocks, or binary packets.
pub fn parse_certs(data: &[u8]) -> Result<Vec<Cert>, String> {
    let text = String::from_utf8_lossy(data);
    let mut blocks: Vec<&[u8]> = Vec::new();
    let mut rest = &*text;
    while let Some(b) = rest.find(BEGIN) {
        let after = &rest[b..];
        let end = after
            .find(END)
            .map(|e| e + END.len())
            .unwrap_or(after.len());
        blocks.push(&after.as_bytes()[..end]);
        rest = &after[end..];
    }
    let mut certs = Vec::new();
    let parse = |bytes: &[u8], certs: &mut Vec<Cert>| -> Result<(), String> {
        let parser = CertParser::from_bytes(bytes).map_err(|e| chain(&e))?;
        for c in parser {
            certs.push(c.map_err(|e| chain(&e))?);
        }
        Ok(())
    };
    if blocks.is_empty() {
        parse(data, &mut certs)?;
    } else {
        for b in blocks {
            parse(b, &mut certs)?;
        }
    }
    if certs.is_empty() {
        return Err("no OpenPGP public key in it".into());
    }
    Ok(certs)
}
