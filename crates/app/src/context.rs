//! Who is asking and from where: every command receives this so its audit event can name the
//! actor, the request id and the client address.

use gongshu_domain::Actor;
use serde::Serialize;

/// Facts about the request that every audit event records.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub request_id: String,
    pub client_addr: String,
}

impl RequestMeta {
    /// For commands run from the command line.
    pub fn cli() -> Self {
        Self {
            request_id: format!("cli-{}", uuid::Uuid::now_v7()),
            client_addr: "local".into(),
        }
    }
}

/// How the principal proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthVia {
    /// The SM3 hash of the session token.
    Session(String),
    /// The id of the personal API token.
    Token(String),
    /// An operator at the command line acting as this account (`--as`).
    Cli,
}

/// An authenticated account, with what decisions need to know about it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Principal {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub roles: Vec<String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub actor: Actor,
    #[serde(skip)]
    #[schema(ignore)]
    pub via: AuthVia,
}

/// The context of one command: the request and the authenticated principal.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub meta: &'a RequestMeta,
    pub principal: &'a Principal,
}
