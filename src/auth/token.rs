//! HS256 access tokens. The algorithm is pinned on verification; claims are
//! ZenML's (`sub`, `iss`, `aud` = server id, float `iat`, optional `exp`).

use crate::models::Id;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

/// Leeway for `exp`, as ZenML's default.
const LEEWAY_SECONDS: u64 = 10;

/// Would [`TokenKeys::verify`] refuse a token with this `exp` at `now` (both
/// in seconds since the epoch)? The same leeway as its validation.
pub fn expired(exp: i64, now: i64) -> bool {
    exp < now - LEEWAY_SECONDS as i64
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exp: Option<i64>,
    /// The API key a service account logged in with, and its generation.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub api_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_gen: Option<i64>,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    server_id: String,
    lifetime_seconds: Option<u64>,
}

impl TokenKeys {
    /// `lifetime_minutes == 0`: tokens never expire.
    pub fn new(secret: &[u8], server_id: &Id, lifetime_minutes: u64) -> TokenKeys {
        let server_id = server_id.hyphenated();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_audience(&[&server_id]);
        validation.set_issuer(&[&server_id]);
        // PyJWT, as the reference uses it, checks `nbf` when present.
        validation.validate_nbf = true;
        validation.required_spec_claims = HashSet::from(["sub".to_string(), "aud".to_string()]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            server_id,
            lifetime_seconds: (lifetime_minutes > 0).then_some(lifetime_minutes * 60),
        }
    }

    /// A token for `user_id` and its `expires_in` (None = never expires).
    pub fn issue(&self, user_id: &Id) -> (String, Option<u64>) {
        self.issue_with(user_id, None)
    }

    /// [`TokenKeys::issue`] for a service account that logged in with API
    /// key `key_id` of generation `key_gen` (the claims the extractor
    /// re-validates on every request).
    pub fn issue_for_key(&self, user_id: &Id, key_id: &Id, key_gen: i64) -> (String, Option<u64>) {
        self.issue_with(user_id, Some((key_id, key_gen)))
    }

    fn issue_with(&self, user_id: &Id, key: Option<(&Id, i64)>) -> (String, Option<u64>) {
        let now = chrono::Utc::now();
        let iat = now.timestamp_micros() as f64 / 1e6;
        let claims = Claims {
            sub: user_id.hyphenated(),
            iss: self.server_id.clone(),
            aud: self.server_id.clone(),
            iat,
            exp: self.lifetime_seconds.map(|s| now.timestamp() + s as i64),
            api_key_id: key.map(|(id, _)| id.hyphenated()),
            key_gen: key.map(|(_, g)| g),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail");
        (token, self.lifetime_seconds)
    }

    /// Verify a token; the error is the reason, in ZenML's words. Besides
    /// the signature, `aud`, `iss`, `exp` and `nbf`: a token issued in the
    /// future (`iat` past now + leeway) is refused, as PyJWT does.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let claims = self.decode(token)?;
        if claims.iat > (chrono::Utc::now().timestamp() + LEEWAY_SECONDS as i64) as f64 {
            return Err(invalid("The token is not yet valid (iat)"));
        }
        Ok(claims)
    }

    fn decode(&self, token: &str) -> Result<Claims, String> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|e| {
            let reason = match e.kind() {
                ErrorKind::InvalidToken | ErrorKind::Base64(_) => "Not enough segments".to_string(),
                ErrorKind::InvalidSignature => "Signature verification failed".to_string(),
                ErrorKind::ExpiredSignature => "Signature has expired".to_string(),
                ErrorKind::InvalidAudience => "Audience doesn't match".to_string(),
                ErrorKind::InvalidIssuer => "Invalid issuer".to_string(),
                ErrorKind::InvalidAlgorithm => "The specified alg value is not allowed".to_string(),
                ErrorKind::MissingRequiredClaim(c) => format!("Token is missing the \"{c}\" claim"),
                ErrorKind::ImmatureSignature => "The token is not yet valid (nbf)".to_string(),
                other => format!("{other:?}"),
            };
            invalid(&reason)
        })
    }
}

fn invalid(reason: &str) -> String {
    format!("Authentication error: error decoding access token: Invalid JWT token: {reason}.")
}

/// Claims of a short-lived artifact download token (ZenML's shape).
#[derive(Debug, Deserialize)]
struct DownloadClaims {
    download_type: String,
    resource_id: String,
}

impl TokenKeys {
    /// Check a download token for `resource_id` (HS256, `exp` required).
    pub fn verify_download(&self, token: &str, resource_id: &Id) -> Result<(), String> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::from(["exp".to_string()]);
        let claims = jsonwebtoken::decode::<DownloadClaims>(token, &self.decoding, &validation)
            .map_err(|_| "Invalid JWT token: Not enough segments".to_string())?
            .claims;
        if claims.download_type != "artifact_version" {
            return Err("Invalid download type".into());
        }
        if Id::parse(&claims.resource_id).as_ref() != Some(resource_id) {
            return Err("Invalid resource ID".into());
        }
        Ok(())
    }
}

/// The signing secret: from configuration, else `<data_dir>/jwt_secret`,
/// generated on first start with owner-only permissions.
pub fn load_or_create_secret(configured: Option<&str>, data_dir: &Path) -> std::io::Result<String> {
    if let Some(s) = configured {
        return Ok(s.to_string());
    }
    let path = data_dir.join("jwt_secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim().to_string();
        if s.len() >= 16 {
            return Ok(s);
        }
    }
    let secret: String = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    };
    let mut f = crate::files::private_file_options().truncate(true).open(&path)?;
    f.write_all(secret.as_bytes())?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, minutes: u64) -> TokenKeys {
        TokenKeys::new(secret.as_bytes(), &Id::parse("af9b24b12bb147e2964655a4ee57eea1").unwrap(), minutes)
    }

    fn sign(claims: &serde_json::Value, alg: Algorithm, secret: &str) -> String {
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
    }

    const SERVER: &str = "af9b24b1-2bb1-47e2-9646-55a4ee57eea1";
    const USER: &str = "19eb1d9f-2940-4f4e-89bf-9fd2e7c44726";

    #[test]
    fn issued_tokens_verify() {
        let k = keys("0123456789abcdef", 0);
        let (t, exp) = k.issue(&Id::parse(USER).unwrap());
        assert_eq!(exp, None);
        let c = k.verify(&t).unwrap();
        assert_eq!(c.sub, USER);
        assert_eq!(c.exp, None);
        let k = keys("0123456789abcdef", 60);
        let (t, exp) = k.issue(&Id::parse(USER).unwrap());
        assert_eq!(exp, Some(3600));
        assert!(k.verify(&t).unwrap().exp.is_some());
        let key = Id::parse("1d730b02-300d-4e8f-926e-7153e75191a6").unwrap();
        let (t, _) = k.issue_for_key(&Id::parse(USER).unwrap(), &key, 3);
        let c = k.verify(&t).unwrap();
        assert_eq!((c.api_key_id.as_deref(), c.key_gen), (Some("1d730b02-300d-4e8f-926e-7153e75191a6"), Some(3)));
        assert_eq!(k.verify(&k.issue(&Id::parse(USER).unwrap()).0).unwrap().api_key_id, None);
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let k = keys("0123456789abcdef", 0);
        let t = sign(
            &serde_json::json!({"sub": USER, "iss": SERVER, "aud": SERVER, "iat": 1.0, "exp": 1000}),
            Algorithm::HS256,
            "0123456789abcdef",
        );
        assert!(k.verify(&t).unwrap_err().contains("Signature has expired"));
    }

    #[test]
    fn tampered_and_foreign_tokens_are_rejected() {
        let k = keys("0123456789abcdef", 0);
        let (t, _) = k.issue(&Id::parse(USER).unwrap());
        let other = sign(
            &serde_json::json!({"sub": USER, "iss": SERVER, "aud": SERVER, "iat": 1.0}),
            Algorithm::HS256,
            "another-secret-123",
        );
        assert!(k.verify(&other).unwrap_err().contains("Signature verification failed"));
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = sign(
            &serde_json::json!({"sub": "00000000-0000-0000-0000-000000000001", "iss": SERVER, "aud": SERVER, "iat": 1.0}),
            Algorithm::HS256,
            "x",
        );
        let forged_payload = forged.split('.').nth(1).unwrap().to_string();
        parts[1] = &forged_payload;
        assert!(k.verify(&parts.join(".")).is_err());
        assert!(k.verify("garbage").unwrap_err().contains("Not enough segments"));
    }

    #[test]
    fn other_algorithms_and_alg_none_are_rejected() {
        let k = keys("0123456789abcdef", 0);
        let hs512 = sign(
            &serde_json::json!({"sub": USER, "iss": SERVER, "aud": SERVER, "iat": 1.0}),
            Algorithm::HS512,
            "0123456789abcdef",
        );
        assert!(k.verify(&hs512).is_err());
        use base64::Engine;
        let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!(
            "{}.{}.",
            b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
            b64(&serde_json::json!({"sub": USER, "iss": SERVER, "aud": SERVER, "iat": 1.0}))
        );
        assert!(k.verify(&none).is_err());
    }

    /// `nbf` and `iat` in the future are refused; in the past, accepted.
    #[test]
    fn tokens_not_yet_valid_are_rejected() {
        let k = keys("0123456789abcdef", 0);
        let now = chrono::Utc::now().timestamp();
        let token = |extra: serde_json::Value| {
            let mut claims = serde_json::json!({"sub": USER, "iss": SERVER, "aud": SERVER, "iat": 1.0});
            claims.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            sign(&claims, Algorithm::HS256, "0123456789abcdef")
        };
        assert!(k.verify(&token(serde_json::json!({"nbf": now + 3600}))).unwrap_err().contains("not yet valid (nbf)"));
        assert!(k.verify(&token(serde_json::json!({"nbf": now - 60}))).is_ok());
        assert!(k.verify(&token(serde_json::json!({"iat": (now + 3600) as f64}))).unwrap_err().contains("(iat)"));
        assert!(k.verify(&token(serde_json::json!({"iat": (now - 60) as f64}))).is_ok());
    }

    #[test]
    fn wrong_audience_is_rejected() {
        let k = keys("0123456789abcdef", 0);
        let t = sign(
            &serde_json::json!({"sub": USER, "iss": SERVER, "aud": "someone-else", "iat": 1.0}),
            Algorithm::HS256,
            "0123456789abcdef",
        );
        assert!(k.verify(&t).unwrap_err().contains("Audience doesn't match"));
    }

    #[test]
    fn secret_file_is_created_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_secret(None, dir.path()).unwrap();
        let b = load_or_create_secret(None, dir.path()).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt_secret")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(load_or_create_secret(Some("configured-secret-xyz"), dir.path()).unwrap(), "configured-secret-xyz");
    }
}
