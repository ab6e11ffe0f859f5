//! Identity (身份认证): local accounts with argon2id passwords, login sessions and personal API
//! tokens. Secrets handed to clients are random; only their SM3 hashes are stored.

mod authenticate;
mod login;
mod password;
mod register;
mod secrets;
mod throttle;
mod tokens;

pub use authenticate::authenticate;
pub use login::{LoginInput, LoginOutcome, login, logout};
pub use password::{ChangePasswordInput, change_own_password};
pub(crate) use register::check_username;
pub use register::{RegisterInput, Registered, register_public};
pub use secrets::{SESSION_COOKIE, TOKEN_PREFIX};
pub(crate) use secrets::{hash_password, hash_password_blocking, secret_hash};
pub use tokens::{
    CreateTokenInput, CreatedToken, TokenView, create_token, list_tokens, revoke_token,
};

pub(crate) use authenticate::load_principal;
pub use authenticate::principal_for_cli;

use gongshu_domain::authz::platform_capabilities;
use serde::Serialize;

/// One thing the caller may do, for the home page and `GET /api/v1/me`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Capability {
    pub action: String,
    pub label_zh: String,
}

/// The caller, with what they may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub principal: crate::Principal,
    pub roles_zh: Vec<String>,
    pub capabilities: Vec<Capability>,
}

/// Who am I and what may I do. A read of one's own identity needs no decision beyond being
/// authenticated.
pub fn me(ctx: crate::Ctx<'_>) -> Me {
    let actor = &ctx.principal.actor;
    Me {
        principal: ctx.principal.clone(),
        roles_zh: actor.roles.iter().map(|r| r.zh().to_owned()).collect(),
        capabilities: platform_capabilities(actor)
            .into_iter()
            .map(|a| Capability {
                action: a.name(),
                label_zh: a.zh(),
            })
            .collect(),
    }
}
