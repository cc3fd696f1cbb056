//! Authentication: argon2id passwords, HS256 access tokens, the
//! bearer-token extractor that guards every protected handler, and the
//! login throttle ([`throttle`]).

mod extractor;
pub mod password;
pub mod throttle;
pub mod token;

pub use extractor::{AuthCache, AuthUser};
pub use password::Verifier;
pub use throttle::LoginThrottle;
pub use token::{Claims, TokenKeys};
