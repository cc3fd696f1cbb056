//! Service-account API keys: the `ZENKEY_` text the client holds, the hash
//! the database holds, and the checks a key, or a token obtained with one,
//! must pass (ZenML's `_fetch_and_verify_api_key`, in its order and words).
//!
//! A key's secret is 32 bytes from the OS's random source (64 hex digits,
//! as ZenML's `token_hex(32)`). Only its SHA-256 is stored: a slow password
//! hash guards low-entropy secrets against guessing, which a 256-bit random
//! secret does not need, and SHA-256 costs a microsecond per login where
//! argon2 or bcrypt would cost tens of milliseconds of CPU.

use crate::models::api_key::KeyRecord;
use crate::models::Id;
use base64::Engine;

/// The prefix of every API key's text.
pub const PREFIX: &str = "ZENKEY_";

/// Standard base64 (Python's `b64encode`); padding optional when decoding.
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// A new random secret (64 hex digits).
pub fn generate_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the database stores for `secret`: its SHA-256, in hex.
pub fn hash(secret: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, secret.as_bytes()).as_ref())
}

/// `ZENKEY_` + base64 of `{"id":"<uuid>","key":"<secret>"}`, as the client
/// expects it.
pub fn encode(id: &Id, secret: &str) -> String {
    let json = serde_json::json!({"id": id.hyphenated(), "key": secret});
    format!("{PREFIX}{}", B64.encode(json.to_string()))
}

/// The key id and secret of a key's text (the prefix is optional, as in
/// ZenML); `None` for anything else.
pub fn decode(text: &str) -> Option<(Id, String)> {
    #[derive(serde::Deserialize)]
    struct Parts {
        id: String,
        key: String,
    }
    let raw = B64.decode(text.strip_prefix(PREFIX).unwrap_or(text)).ok()?;
    let parts: Parts = serde_json::from_slice(&raw).ok()?;
    Some((Id::parse(&parts.id)?, parts.key))
}

/// Equal digests, compared without an early exit.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl KeyRecord {
    /// Is the previous generation still accepted at `now` (µs)? Only for
    /// an active key rotated with a retain period, within that period.
    pub fn previous_retained(&self, now: i64) -> bool {
        match self.last_rotated {
            Some(rotated) if self.active && self.retain_period_minutes > 0 && self.generation > 1 => {
                now - rotated < self.retain_period_minutes.saturating_mul(60_000_000)
            }
            _ => false,
        }
    }

    /// Does `secret` match the current key, or the previous one while it is
    /// retained?
    pub fn matches(&self, secret: &str, now: i64) -> bool {
        let given = hash(secret);
        let current = self.active && same(&given, &self.key_hash);
        let previous = self.previous_hash.as_deref().is_some_and(|h| same(&given, h)) && self.previous_retained(now);
        current || previous
    }

    /// A token's `key_gen` is the current generation, or the previous one
    /// while it is retained; a token without one is accepted.
    pub fn generation_valid(&self, generation: Option<i64>, now: i64) -> bool {
        match generation {
            None => true,
            Some(g) => g == self.generation || (g == self.generation - 1 && self.previous_retained(now)),
        }
    }

    /// ZenML's checks, in its order: the account is active, the key is
    /// active, the secret (when given) matches, the token's generation
    /// (when given) is still valid. The error is the message of a 401.
    pub fn check(&self, secret: Option<&str>, generation: Option<i64>, now: i64) -> Result<(), String> {
        if !self.account_active {
            return Err(format!(
                "Authentication error: service account {} associated with API key {} is not active",
                self.account_name, self.name
            ));
        }
        if !self.active {
            return Err(format!(
                "Authentication error: API key {} associated with service account {} is not active",
                self.name, self.account_name
            ));
        }
        if secret.is_some_and(|s| !self.matches(s, now)) {
            return Err(format!("Authentication error: could not verify key value for API key {}", self.name));
        }
        if !self.generation_valid(generation, now) {
            return Err(format!(
                "Authentication error: access token for API key {} was issued for an API key generation that is no longer valid",
                self.name
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000_000;

    fn record(secret: &str) -> KeyRecord {
        KeyRecord {
            id: Id::new_v4(),
            name: "k".into(),
            account_pk: 2,
            account_id: Id::new_v4(),
            account_name: "sa".into(),
            account_active: true,
            active: true,
            key_hash: hash(secret),
            previous_hash: None,
            generation: 1,
            retain_period_minutes: 0,
            last_rotated: None,
        }
    }

    /// `old` rotated to `new` at time 0 with `retain` minutes.
    fn rotated(old: &str, new: &str, retain: i64) -> KeyRecord {
        KeyRecord {
            previous_hash: Some(hash(old)),
            key_hash: hash(new),
            generation: 2,
            retain_period_minutes: retain,
            last_rotated: Some(0),
            ..record(new)
        }
    }

    #[test]
    fn a_key_text_round_trips_and_matches_zenmls_form() {
        let id = Id::parse("1d730b02-300d-4e8f-926e-7153e75191a6").unwrap();
        let secret = "534730c85d7381f846fa331502f4ad581561ae5418024b1cbb513fd37b60acc4";
        // A key the reference server issued for this id and secret.
        let zenml = "ZENKEY_eyJpZCI6IjFkNzMwYjAyLTMwMGQtNGU4Zi05MjZlLTcxNTNlNzUxOTFhNiIsImtleSI6IjUzNDczMGM4NWQ3MzgxZjg0NmZhMzMxNTAyZjRhZDU4MTU2MWFlNTQxODAyNGIxY2JiNTEzZmQzN2I2MGFjYzQifQ==";
        assert_eq!(encode(&id, secret), zenml);
        assert_eq!(decode(zenml), Some((id, secret.to_string())));
        assert_eq!(decode(zenml.trim_end_matches('=')), Some((id, secret.to_string())));
        assert_eq!(decode("ZENKEY_garbage"), None);
        assert_eq!(decode("ZENKEY_e30="), None);
    }

    #[test]
    fn secrets_are_random_and_stored_as_sha256() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn the_secret_must_match_an_active_key() {
        let r = record("s3cret");
        assert!(r.check(Some("s3cret"), None, 0).is_ok());
        assert!(r.check(Some("other"), None, 0).unwrap_err().contains("could not verify key value for API key k"));
        let off = KeyRecord { active: false, ..record("s3cret") };
        assert!(off
            .check(Some("s3cret"), None, 0)
            .unwrap_err()
            .contains("API key k associated with service account sa is not active"));
        let account_off = KeyRecord { account_active: false, ..record("s3cret") };
        assert!(account_off
            .check(Some("s3cret"), None, 0)
            .unwrap_err()
            .contains("service account sa associated with API key k is not active"));
    }

    #[test]
    fn the_previous_key_and_generation_work_only_within_the_retain_period() {
        let r = rotated("old", "new", 5);
        for now in [0, 5 * MINUTE - 1] {
            assert!(r.check(Some("old"), None, now).is_ok(), "{now}");
            assert!(r.check(None, Some(1), now).is_ok(), "{now}");
        }
        assert!(r.check(Some("old"), None, 5 * MINUTE).is_err());
        assert!(r.check(None, Some(1), 5 * MINUTE).unwrap_err().contains("generation that is no longer valid"));
        assert!(r.check(Some("new"), Some(2), 100 * MINUTE).is_ok());
        // Two generations back is never valid; a retain period of 0 keeps nothing.
        assert!(KeyRecord { generation: 3, ..r.clone() }.check(None, Some(1), 0).is_err());
        let at_once = rotated("old", "new", 0);
        assert!(at_once.check(Some("old"), None, 0).is_err());
        assert!(at_once.check(None, Some(1), 0).is_err());
    }
}
