//! Reopening closed access (H41) once the user has corrected: only the organisation that
//! closed reopens, with a note on what was corrected; the closure and the note stay on record.

use gongshu_domain::closure::Reopening;
use gongshu_domain::{Action, Target, Violations};
use gongshu_store::closures;
use serde::Deserialize;
use serde_json::json;

use super::{ClosureView, Names, closure_not_found, view};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenInput {
    /// What the user corrected, as the closer verified it; shown to the user.
    pub correction_note: String,
}

pub async fn reopen_access(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: ReopenInput,
) -> Result<ClosureView> {
    let mut v = Violations::default();
    let note = v.text("correction_note", "改正情况", &input.correction_note, 2000);
    v.into_result()?;
    let mut conn = app.db.acquire().await?;
    let closure = closures::get_closure(&mut conn, id)
        .await?
        .ok_or_else(closure_not_found)?;
    drop(conn);
    authorize(
        app,
        ctx,
        Action::CloseAccess,
        Target::Organisation {
            id: &closure.closing_org_id,
        },
        "closure",
        id,
    )
    .await?;
    let reopening = Reopening {
        by: ctx.principal.username.clone(),
        at: app.now_micros(),
        note,
    };
    let mut tx = app.db.begin_write().await?;
    if !closures::reopen_closure(&mut tx, id, &reopening).await? {
        return Err(AppError::conflict(
            "already_reopened",
            "该访问权限已恢复，无需再次恢复",
            "this access has already been reopened",
        ));
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "reopen_access",
            target_kind: "closure",
            target_id: id,
            payload: json!({
                "subject_kind": closure.subject.kind(),
                "subject": closure.subject.id(),
                "correction_note": reopening.note,
            }),
        },
    )
    .await?;
    let mut names = Names::load(&mut tx).await?;
    let reopened = gongshu_domain::closure::Closure {
        reopening: Some(reopening),
        ..closure
    };
    let shown = view(&mut tx, &mut names, reopened).await?;
    tx.commit().await?;
    Ok(shown)
}
