//! Lists of closures (H41): a data user's own — on their account or their organisation, so
//! they see what they must correct — and the ones an organisation made, for whoever closes and
//! reopens for it. Open closures come first, then the newest.

use gongshu_domain::{Action, Paging, Target};
use gongshu_store::closures::{self, Side};
use serde::Deserialize;

use super::{ClosureView, views};
use crate::record::authorize;
use crate::{App, Ctx, Result};

/// Which closures to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureSide {
    /// Those on the caller's account or organisation.
    #[default]
    Subject,
    /// Those the caller's organisation made.
    Closer,
}

pub async fn list_closures(
    app: &App,
    ctx: Ctx<'_>,
    side: ClosureSide,
    open_only: bool,
    page: i64,
    per_page: i64,
) -> Result<Vec<ClosureView>> {
    let paging = Paging::parse(page, per_page, 200)?;
    let p = ctx.principal;
    let side = match side {
        // Everyone may see what closes them out.
        ClosureSide::Subject => Side::Subject {
            account_id: &p.account_id,
            org_id: p.org_id.as_deref(),
        },
        ClosureSide::Closer => {
            let org = p.org_id.as_deref().unwrap_or("");
            authorize(
                app,
                ctx,
                Action::CloseAccess,
                Target::Organisation { id: org },
                "closure",
                "*",
            )
            .await?;
            Side::ClosedBy(org)
        }
    };
    let mut conn = app.db.acquire().await?;
    let rows = closures::list_closures(
        &mut conn,
        side,
        open_only,
        paging.per_page(),
        paging.offset(),
    )
    .await?;
    views(&mut conn, rows).await
}
