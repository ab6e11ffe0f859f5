//! Personal API tokens: created by their owner, shown once, listed by prefix, revocable.

use chrono::Duration;
use gongshu_domain::{Action, Target, Violation, Violations};
use gongshu_store::tokens::{self, TokenRow};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::secrets::{TOKEN_PREFIX, random_secret, secret_hash};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenInput {
    /// What the token is for, e.g. "数据同步脚本".
    pub name: String,
    /// Days until it expires; none means it lasts until revoked. At most 365.
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenRow> for TokenView {
    fn from(t: TokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: format_time(t.created_at),
            last_used_at: t.last_used_at.map(format_time),
            expires_at: t.expires_at.map(format_time),
            revoked_at: t.revoked_at.map(format_time),
        }
    }
}

/// The new token: `token` is shown this once and never again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: String,
    #[serde(flatten)]
    pub view: TokenView,
}

fn own_target(ctx: Ctx<'_>) -> Target<'_> {
    Target::Account {
        user_id: &ctx.principal.account_id,
        org_id: ctx.principal.org_id.as_deref(),
        roles: &ctx.principal.actor.roles,
    }
}

pub async fn create_token(
    app: &App,
    ctx: Ctx<'_>,
    input: CreateTokenInput,
) -> Result<CreatedToken> {
    let mut v = Violations::default();
    let name = v.text("name", "令牌名称", &input.name, 64);
    if input.expires_in_days.is_some_and(|d| d == 0 || d > 365) {
        v.push(Violation::new(
            "expires_in_days",
            "out_of_range",
            "有效期必须在1到365天之间",
            "expires_in_days must be between 1 and 365",
        ));
    }
    v.into_result()?;
    let me = &ctx.principal.account_id;
    authorize(
        app,
        ctx,
        Action::ManageOwnTokens,
        own_target(ctx),
        "account",
        me,
    )
    .await?;

    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let now = app.now_micros();
    let row = TokenRow {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: me.clone(),
        name,
        token_hash: secret_hash(&secret),
        prefix: secret.chars().take(10).collect(),
        created_at: now,
        last_used_at: None,
        expires_at: input
            .expires_in_days
            .map(|d| now + Duration::days(i64::from(d)).num_microseconds().unwrap_or(0)),
        revoked_at: None,
    };
    let mut tx = app.db.begin_write().await?;
    tokens::insert_token(&mut tx, &row).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "create_token",
            target_kind: "api_token",
            target_id: &row.id,
            payload: json!({ "name": row.name, "prefix": row.prefix, "expires_at": row.expires_at }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        token: secret,
        view: row.into(),
    })
}

pub async fn list_tokens(app: &App, ctx: Ctx<'_>) -> Result<Vec<TokenView>> {
    let me = &ctx.principal.account_id;
    authorize(
        app,
        ctx,
        Action::ManageOwnTokens,
        own_target(ctx),
        "account",
        me,
    )
    .await?;
    let mut conn = app.db.acquire().await?;
    let rows = tokens::list_tokens(&mut conn, me).await?;
    Ok(rows.into_iter().map(TokenView::from).collect())
}

pub async fn revoke_token(app: &App, ctx: Ctx<'_>, token_id: &str) -> Result<()> {
    let mut conn = app.db.acquire().await?;
    let token = tokens::get_token(&mut conn, token_id)
        .await?
        .filter(|t| t.account_id == ctx.principal.account_id)
        .ok_or(AppError::not_found("token", "令牌"))?;
    drop(conn);
    let me = &ctx.principal.account_id;
    authorize(
        app,
        ctx,
        Action::ManageOwnTokens,
        own_target(ctx),
        "api_token",
        token_id,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    tokens::revoke_token(&mut tx, &token.id, app.now_micros()).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "revoke_token",
            target_kind: "api_token",
            target_id: &token.id,
            payload: json!({ "name": token.name, "prefix": token.prefix, "owner": me }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
