//! The cryptography of an OAuth session: random values, PKCE (S256), the session's ES256 key and
//! compact JWS, and the DPoP proofs built with them (RFC 9449).

use data_encoding::BASE64URL_NOPAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{NetError, Secret};

/// `len` random bytes from the operating system.
fn random_bytes(len: usize) -> Result<Vec<u8>, NetError> {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).map_err(|e| NetError::InvalidInput {
        what: "random source",
        value: "getrandom".into(),
        detail: e.to_string(),
    })?;
    Ok(bytes)
}

/// A random URL-safe token of `bytes` random bytes (base64url, no padding): `state`, `jti`.
pub fn random_token(bytes: usize) -> Result<String, NetError> {
    Ok(BASE64URL_NOPAD.encode(&random_bytes(bytes)?))
}

/// base64url (no padding) of SHA-256 of `text`: the PKCE S256 challenge and the DPoP `ath`.
pub fn sha256_b64url(text: &str) -> String {
    BASE64URL_NOPAD.encode(&Sha256::digest(text.as_bytes()))
}

/// A PKCE pair (RFC 7636): the secret verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// The code verifier: 43 characters of base64url (32 random bytes). Kept secret.
    pub verifier: Secret,
    /// `BASE64URL(SHA256(verifier))`, sent with the authorization request.
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair.
    pub fn new() -> Result<Self, NetError> {
        Ok(Self::from_verifier(Secret::new(random_token(32)?)))
    }

    /// The pair of a given verifier.
    pub fn from_verifier(verifier: Secret) -> Self {
        let challenge = sha256_b64url(verifier.expose());
        Pkce {
            verifier,
            challenge,
        }
    }
}

/// The ES256 (P-256) key a session binds its tokens to. `Debug` shows only the thumbprint;
/// serialized (for the session file) as the base64url private scalar.
#[derive(Clone)]
pub struct DpopKey {
    key: SigningKey,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DpopKey({})", self.thumbprint())
    }
}

impl PartialEq for DpopKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.verifying_key() == other.key.verifying_key()
    }
}

impl Eq for DpopKey {}

impl DpopKey {
    /// A new random key.
    pub fn generate() -> Result<Self, NetError> {
        // A random 32-byte string is a valid scalar except with probability ~2^-32; retry then.
        for _ in 0..8 {
            if let Ok(key) = SigningKey::from_slice(&random_bytes(32)?) {
                return Ok(DpopKey { key });
            }
        }
        Err(NetError::InvalidInput {
            what: "random source",
            value: "getrandom".into(),
            detail: "no valid P-256 key from 8 draws".into(),
        })
    }

    /// The key of a stored private scalar (base64url, 32 bytes).
    pub fn from_secret(secret: &Secret) -> Result<Self, String> {
        let bytes = BASE64URL_NOPAD
            .decode(secret.expose().as_bytes())
            .map_err(|e| format!("the DPoP key is not base64url: {e}"))?;
        let key = SigningKey::from_slice(&bytes)
            .map_err(|_| "the DPoP key is not a P-256 private key".to_string())?;
        Ok(DpopKey { key })
    }

    /// The private scalar (base64url), for the session file only.
    pub fn to_secret(&self) -> Secret {
        Secret::new(BASE64URL_NOPAD.encode(&self.key.to_bytes()))
    }

    /// The public key as a JWK: `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
    pub fn public_jwk(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        // An uncompressed point always has both coordinates.
        let coordinate = |c: Option<&p256::FieldBytes>| {
            c.map(|bytes| BASE64URL_NOPAD.encode(bytes))
                .unwrap_or_default()
        };
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": coordinate(point.x()),
            "y": coordinate(point.y()),
        })
    }

    /// The JWK thumbprint (RFC 7638, SHA-256, base64url): members in lexical order, no spaces.
    pub fn thumbprint(&self) -> String {
        let jwk = self.public_jwk();
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap_or_default(),
            jwk["y"].as_str().unwrap_or_default()
        );
        sha256_b64url(&canonical)
    }

    /// The verifying key (for tests and checks).
    pub fn verifying_key(&self) -> p256::ecdsa::VerifyingKey {
        *self.key.verifying_key()
    }

    /// A compact JWS (`ES256`) of `header` and `claims`: `b64(header).b64(claims).b64(r‖s)`.
    pub fn sign_jws(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            BASE64URL_NOPAD.encode(header.to_string().as_bytes()),
            BASE64URL_NOPAD.encode(claims.to_string().as_bytes())
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", BASE64URL_NOPAD.encode(&signature.to_bytes()))
    }

    /// A DPoP proof for `method` on `url` (query and fragment left out of `htu`), with the
    /// server's `nonce` when one is known and `ath` (the hash of `access_token`) when the request
    /// carries one.
    pub fn dpop_proof(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
        access_token: Option<&Secret>,
    ) -> Result<String, NetError> {
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()});
        let mut claims = json!({
            "jti": random_token(16)?,
            "htm": method,
            "htu": htu(url),
            "iat": now_secs(),
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = Value::String(nonce.to_string());
        }
        if let Some(token) = access_token {
            claims["ath"] = Value::String(sha256_b64url(token.expose()));
        }
        Ok(self.sign_jws(&header, &claims))
    }
}

/// The `htu` of a URL: without query and fragment.
fn htu(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> u64 {
    crate::cache::unix_secs(std::time::SystemTime::now())
}

impl Serialize for DpopKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_secret().expose().serialize(s)
    }
}

impl<'de> Deserialize<'de> for DpopKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DpopKey::from_secret(&Secret::new(text)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    fn decode_part(part: &str) -> Value {
        serde_json::from_slice(&BASE64URL_NOPAD.decode(part.as_bytes()).unwrap()).unwrap()
    }

    /// Verifies a compact JWS with the public key given in its own header (as a server does).
    fn verify_with_header_jwk(jws: &str) -> (Value, Value) {
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3, "{jws}");
        let header = decode_part(parts[0]);
        let jwk = &header["jwk"];
        let mut sec1 = vec![4u8];
        for c in ["x", "y"] {
            let bytes = BASE64URL_NOPAD
                .decode(jwk[c].as_str().unwrap().as_bytes())
                .unwrap();
            assert_eq!(bytes.len(), 32);
            sec1.extend(bytes);
        }
        let key = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let sig_bytes = BASE64URL_NOPAD.decode(parts[2].as_bytes()).unwrap();
        assert_eq!(sig_bytes.len(), 64, "ES256 signatures are r‖s");
        let sig = Signature::from_slice(&sig_bytes).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        key.verify(input.as_bytes(), &sig)
            .expect("signature verifies");
        (header, decode_part(parts[1]))
    }

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let pkce = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let fresh = Pkce::new().unwrap();
        assert_eq!(fresh.verifier.expose().len(), 43);
        assert_ne!(
            fresh.verifier.expose(),
            Pkce::new().unwrap().verifier.expose()
        );
    }

    #[test]
    fn dpop_proof_verifies_with_its_public_key_and_has_the_claims() {
        let key = DpopKey::generate().unwrap();
        let token = Secret::new("access-token");
        let proof = key
            .dpop_proof(
                "POST",
                "http://localhost:2583/xrpc/com.atproto.repo.putRecord?x=1#f",
                Some("nonce-1"),
                Some(&token),
            )
            .unwrap();
        let (header, claims) = verify_with_header_jwk(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"], key.public_jwk());
        assert!(header["jwk"].get("d").is_none(), "no private part");
        assert_eq!(claims["htm"], "POST");
        assert_eq!(
            claims["htu"],
            "http://localhost:2583/xrpc/com.atproto.repo.putRecord"
        );
        assert_eq!(claims["nonce"], "nonce-1");
        assert_eq!(claims["ath"], sha256_b64url("access-token"));
        assert!(claims["iat"].as_u64().unwrap() > 1_700_000_000);
        let other = key.dpop_proof("GET", "http://x/", None, None).unwrap();
        let (_, claims2) = verify_with_header_jwk(&other);
        assert!(claims2.get("nonce").is_none() && claims2.get("ath").is_none());
        assert_ne!(claims["jti"], claims2["jti"], "a fresh jti per proof");
    }

    #[test]
    fn a_tampered_jws_does_not_verify() {
        let key = DpopKey::generate().unwrap();
        let jws = key.sign_jws(&json!({"alg": "ES256"}), &json!({"a": 1}));
        let parts: Vec<&str> = jws.split('.').collect();
        let forged = format!("{}.{}", parts[0], BASE64URL_NOPAD.encode(br#"{"a":2}"#));
        let sig =
            Signature::from_slice(&BASE64URL_NOPAD.decode(parts[2].as_bytes()).unwrap()).unwrap();
        assert!(key.verifying_key().verify(forged.as_bytes(), &sig).is_err());
        let honest = format!("{}.{}", parts[0], parts[1]);
        assert!(key.verifying_key().verify(honest.as_bytes(), &sig).is_ok());
    }

    #[test]
    fn key_round_trips_and_debug_hides_it() {
        let key = DpopKey::generate().unwrap();
        let secret = key.to_secret();
        let back = DpopKey::from_secret(&secret).unwrap();
        assert_eq!(back, key);
        assert_eq!(back.thumbprint(), key.thumbprint());
        assert!(!format!("{key:?}").contains(secret.expose()));
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(serde_json::from_str::<DpopKey>(&json).unwrap(), key);
        assert!(DpopKey::from_secret(&Secret::new("!!")).is_err());
        assert!(DpopKey::from_secret(&Secret::new("AAAA")).is_err());
    }

    #[test]
    fn thumbprint_matches_rfc7638_for_a_known_key() {
        // RFC 7638 computes over {"crv","kty","x","y"} for EC keys; check the member order and
        // the absence of whitespace against an independent serde_json rendering.
        let key = DpopKey::generate().unwrap();
        let jwk = key.public_jwk();
        let ordered: std::collections::BTreeMap<&str, &Value> = jwk
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        let canonical = serde_json::to_string(&ordered).unwrap();
        assert_eq!(key.thumbprint(), sha256_b64url(&canonical));
    }
}
