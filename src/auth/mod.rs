//! Authentication: argon2id passwords, HS256 access tokens, the
//! bearer-token extractor that guards every protected handler, the
//! login throttle ([`throttle`]), and service accounts' API keys
//! ([`api_key`]: key text, hash and rules; [`key_auth`]: logging in with one).

pub mod api_key;
mod extractor;
pub mod key_auth;
pub mod password;
pub mod throttle;
pub mod token;

pub use extractor::{AuthCache, AuthUser};
pub use password::Verifier;
pub use throttle::LoginThrottle;
pub use token::{Claims, TokenKeys};
