//! In-app notifications (站内通知): the reminders before a deadline and the notices that a step
//! is overdue, which the deadline scheduler writes to an organisation, listed newest first and
//! marked read one at a time or all at once.
//!
//! A notification is addressed to an organisation, not to a person, so whether it was read is
//! the organisation's state (`notifications.read_at`): once a colleague has seen to a reminder
//! it is no longer news to the others. Another organisation's notification does not exist for
//! the caller — marking it read is a 404, never a silent success — so ids cannot be probed.
//! Marking read is audited like every other change.

use gongshu_domain::Paging;
use gongshu_store::sharing::{self, NotificationRow};
use serde::Serialize;
use serde_json::json;

use crate::record::{Change, record};
use crate::{App, AppError, Ctx, Result, format_time};

/// One notification as its organisation sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// reminder | overdue | quality_ticket (a ticket opened, answered, closed or reopened)
    pub kind: String,
    pub kind_zh: &'static str,
    pub message: String,
    /// What it is about: `share_request`, `demand_request` or `quality_ticket`, and its id.
    pub subject_kind: String,
    pub subject_id: String,
    pub created_at: String,
    /// When someone of the organisation marked it read; `null` while unread.
    pub read_at: Option<String>,
}

pub(crate) fn notification_view(n: NotificationRow) -> NotificationView {
    NotificationView {
        kind_zh: match n.kind.as_str() {
            "overdue" => "逾期",
            "quality_ticket" => "质量问题工单",
            _ => "到期提醒",
        },
        id: n.id,
        kind: n.kind,
        message: n.message,
        subject_kind: n.subject_kind,
        subject_id: n.subject_id,
        created_at: format_time(n.created_at),
        read_at: n.read_at.map(format_time),
    }
}

/// A page of the organisation's notifications, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationsPage {
    pub notifications: Vec<NotificationView>,
    /// Unread notifications of the organisation in all, not only on this page.
    pub unread: i64,
    pub page: i64,
    pub has_more: bool,
}

/// How many notifications `read-all` marked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReadAll {
    pub marked: u64,
}

fn not_found() -> AppError {
    AppError::not_found("notification", "通知")
}

/// The caller's organisation's notifications; someone of no organisation has none.
pub async fn list_notifications(
    app: &App,
    ctx: Ctx<'_>,
    page: i64,
    per_page: i64,
) -> Result<NotificationsPage> {
    let paging = Paging::parse(page, per_page, 200)?;
    let (page, per_page) = (paging.page(), paging.per_page());
    let Some(org) = ctx.principal.org_id.as_deref() else {
        return Ok(NotificationsPage {
            notifications: Vec::new(),
            unread: 0,
            page,
            has_more: false,
        });
    };
    let mut conn = app.db.acquire().await?;
    let mut rows =
        sharing::list_notifications(&mut conn, org, per_page + 1, paging.offset()).await?;
    let has_more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok(NotificationsPage {
        notifications: rows.into_iter().map(notification_view).collect(),
        unread: sharing::count_unread_notifications(&mut conn, org).await?,
        page,
        has_more,
    })
}

/// Marks one notification of the caller's organisation read; one already read stays as it was.
pub async fn read_notification(app: &App, ctx: Ctx<'_>, id: &str) -> Result<NotificationView> {
    let org = ctx.principal.org_id.as_deref().ok_or_else(not_found)?;
    let mut tx = app.db.begin_write().await?;
    let mut n = sharing::get_notification(&mut tx, id)
        .await?
        .filter(|n| n.recipient_org_id == org)
        .ok_or_else(not_found)?;
    if n.read_at.is_none() {
        let now = app.now_micros();
        sharing::mark_notification_read(&mut tx, id, now).await?;
        record(
            app,
            &mut tx,
            ctx,
            Change {
                action: "read_notification",
                target_kind: "notification",
                target_id: id,
                payload: json!({ "subject_kind": n.subject_kind, "subject_id": n.subject_id }),
            },
        )
        .await?;
        n.read_at = Some(now);
    }
    tx.commit().await?;
    Ok(notification_view(n))
}

/// Marks every unread notification of the caller's organisation read.
pub async fn read_all_notifications(app: &App, ctx: Ctx<'_>) -> Result<ReadAll> {
    let Some(org) = ctx.principal.org_id.as_deref() else {
        return Ok(ReadAll { marked: 0 });
    };
    let mut tx = app.db.begin_write().await?;
    let marked = sharing::mark_all_notifications_read(&mut tx, org, app.now_micros()).await?;
    if marked > 0 {
        record(
            app,
            &mut tx,
            ctx,
            Change {
                action: "read_all_notifications",
                target_kind: "organisation",
                target_id: org,
                payload: json!({ "marked": marked }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ReadAll { marked })
}
