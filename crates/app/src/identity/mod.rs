//! Identity (身份认证): local accounts with argon2id passwords, login sessions and personal API
//! tokens. Secrets handed to clients are random; only their SM3 hashes are stored.

mod authenticate;
mod login;
mod password;
mod register;
mod secrets;
mod tokens;

pub use authenticate::authenticate;
pub use login::{LoginInput, LoginOutcome, login, logout};
pub use password::{ChangePasswordInput, change_own_password};
pub use register::{RegisterInput, Registered, register_public};
pub(crate) use register::check_username;
pub(crate) use secrets::{hash_password, hash_password_blocking, secret_hash};
pub use secrets::{SESSION_COOKIE, TOKEN_PREFIX};
pub use tokens::{CreateTokenInput, CreatedToken, TokenView, create_token, list_tokens, revoke_token};

pub(crate) use authenticate::load_principal;
