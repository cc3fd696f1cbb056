//! Authentication: argon2id passwords, HS256 access tokens, and the
//! bearer-token extractor that guards every protected handler.

mod extractor;
pub mod password;
pub mod token;

pub use extractor::{AuthCache, AuthUser};
pub use password::Verifier;
pub use token::{Claims, TokenKeys};
