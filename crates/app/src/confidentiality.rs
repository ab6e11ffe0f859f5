//! Confidentiality reviews (保密审查, 第三十四条): before an entry is opened to society or a
//! share of sensitive personal information is approved, the organisation's security lead
//! (安全管理责任人) affirms the checklist and signs. The review is of what will be released —
//! the revision as submitted, or the request as asked — so the publication and the approval
//! check for it, and refuse with the reason when it is missing.

use gongshu_domain::catalog::Revision;
use gongshu_domain::confidentiality::{Checklist, Review, Subject};
use gongshu_domain::sharing::RequestState;
use gongshu_domain::{Action, Target, Violations};
use gongshu_store::{Conn, catalog, confidentiality, orgs, sharing};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::scope::org_map;
use crate::catalog::views::{Access, access};
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// 不涉及国家秘密.
    #[serde(default)]
    pub no_state_secret: bool,
    /// 个人信息已脱敏或取得授权，且不超出授权范围.
    #[serde(default)]
    pub personal_information_protected: bool,
    /// 已核实共享、开放的法律依据.
    #[serde(default)]
    pub legal_basis_checked: bool,
    /// 审查意见.
    pub opinion: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: String,
    /// `entry_revision` or `share_request`.
    pub subject_kind: String,
    /// The entry revision reviewed.
    pub revision: Option<i64>,
    pub no_state_secret: bool,
    pub personal_information_protected: bool,
    pub legal_basis_checked: bool,
    pub opinion: String,
    /// The security lead who signed (name).
    pub signed_by: String,
    pub signed_at: String,
}

pub(crate) fn review_view(r: Review) -> ReviewView {
    let (subject_kind, revision) = match r.subject {
        Subject::EntryRevision { revision, .. } => ("entry_revision", Some(revision)),
        Subject::ShareRequest { .. } => ("share_request", None),
    };
    ReviewView {
        id: r.id,
        subject_kind: subject_kind.into(),
        revision,
        no_state_secret: r.checklist.no_state_secret,
        personal_information_protected: r.checklist.personal_information_protected,
        legal_basis_checked: r.checklist.legal_basis_checked,
        opinion: r.opinion,
        signed_by: r.signed_by_name,
        signed_at: format_time(r.signed_at),
    }
}

impl ReviewInput {
    fn check(&self) -> Result<(Checklist, String)> {
        let checklist = Checklist {
            no_state_secret: self.no_state_secret,
            personal_information_protected: self.personal_information_protected,
            legal_basis_checked: self.legal_basis_checked,
        };
        let mut v = match checklist.check() {
            Ok(()) => Violations::default(),
            Err(v) => v,
        };
        let opinion = v.text("opinion", "审查意见", &self.opinion, 2000);
        v.into_result()?;
        Ok((checklist, opinion))
    }
}

/// Reviews the revision an agency submitted for publication: by its security lead only.
pub async fn review_entry(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: ReviewInput,
) -> Result<ReviewView> {
    let (checklist, opinion) = input.check()?;
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let orgs = org_map(&mut conn).await?;
    if matches!(
        access(Some(ctx), &entry, published.as_ref(), &orgs),
        Access::None
    ) {
        return Err(not_found());
    }
    let latest = catalog::get_revision(&mut conn, &entry.id, entry.latest_revision)
        .await?
        .ok_or_else(|| AppError::Internal("latest revision missing".into()))?;
    drop(conn);
    let (Some(submitted_at), true) = (latest.submitted_at, latest.state.is_under_review()) else {
        return Err(AppError::conflict(
            "not_submitted",
            "条目提交审核后，由安全管理责任人对提交的内容进行保密审查",
            "the confidentiality review is of the revision submitted for publication",
        ));
    };
    let subject = Subject::EntryRevision {
        entry_id: entry.id.clone(),
        revision: latest.revision,
        submitted_at,
    };
    sign(app, ctx, &entry.org_id, subject, code, checklist, opinion).await
}

/// Reviews a pending share request before its source approves it: by the source's security
/// lead only.
pub async fn review_request(
    app: &App,
    ctx: Ctx<'_>,
    id: &str,
    input: ReviewInput,
) -> Result<ReviewView> {
    let (checklist, opinion) = input.check()?;
    let mut conn = app.db.acquire().await?;
    let request = sharing::get_request(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("share request", "共享申请"))?;
    drop(conn);
    if request.state != RequestState::Pending {
        return Err(AppError::conflict(
            "already_decided",
            "该申请已经答复，无需再进行保密审查",
            "the request has been decided already",
        ));
    }
    let subject = Subject::ShareRequest {
        request_id: request.id.clone(),
    };
    sign(
        app,
        ctx,
        &request.source_org_id,
        subject,
        id,
        checklist,
        opinion,
    )
    .await
}

async fn sign(
    app: &App,
    ctx: Ctx<'_>,
    org_id: &str,
    subject: Subject,
    target_id: &str,
    checklist: Checklist,
    opinion: String,
) -> Result<ReviewView> {
    let mut conn = app.db.acquire().await?;
    let org = orgs::get_org(&mut conn, org_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("organisation {org_id} missing")))?;
    drop(conn);
    let kind = match subject {
        Subject::EntryRevision { .. } => "catalog_entry",
        Subject::ShareRequest { .. } => "share_request",
    };
    if org.security_lead_id.is_none() {
        return Err(AppError::conflict(
            "no_security_lead",
            format!("{}尚未指定安全管理责任人，请单位管理员先指定", org.name),
            format!("{} has not named its security lead yet", org.name),
        ));
    }
    authorize(
        app,
        ctx,
        Action::SignConfidentialityReview,
        Target::SecurityLead {
            org_id,
            lead_id: org.security_lead_id.as_deref(),
        },
        kind,
        target_id,
    )
    .await?;
    let review = Review {
        id: uuid::Uuid::now_v7().to_string(),
        org_id: org_id.to_owned(),
        subject,
        checklist,
        opinion,
        signed_by: ctx.principal.account_id.clone(),
        signed_by_name: ctx.principal.username.clone(),
        signed_at: app.now_micros(),
    };
    let mut tx = app.db.begin_write().await?;
    confidentiality::insert_review(&mut tx, &review).await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "sign_confidentiality_review",
            target_kind: kind,
            target_id,
            payload: json!({
                "review_id": review.id,
                "revision": match &review.subject { Subject::EntryRevision { revision, .. } => Some(*revision), Subject::ShareRequest { .. } => None },
                "opinion": review.opinion,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(review_view(review))
}

/// The reviews of an entry, for those who see all its revisions (its agency, its reviewers).
pub async fn entry_reviews(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Vec<ReviewView>> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let orgs = org_map(&mut conn).await?;
    if !matches!(
        access(Some(ctx), &entry, published.as_ref(), &orgs),
        Access::All
    ) {
        return Err(not_found());
    }
    Ok(confidentiality::reviews_of_entry(&mut conn, &entry.id)
        .await?
        .into_iter()
        .map(review_view)
        .collect())
}

/// Refuses to open `revision` to society without a review of it as submitted.
pub(crate) async fn require_for_opening(conn: &mut Conn, revision: &Revision) -> Result<()> {
    if !gongshu_domain::confidentiality::needed_to_open(revision.open_type) {
        return Ok(());
    }
    let reviewed = confidentiality::reviews_of_entry(conn, &revision.entry_id)
        .await?
        .into_iter()
        .any(|r| r.covers(revision.revision, revision.submitted_at));
    if reviewed {
        Ok(())
    } else {
        Err(AppError::conflict(
            "confidentiality_review_required",
            "该条目拟向社会开放，发布前须由提供单位的安全管理责任人对提交的内容完成保密审查（第三十四条）",
            "an entry to be opened is published only after its provider's security lead has \
             signed a confidentiality review of the submitted revision",
        ))
    }
}

/// Refuses to approve a share of sensitive items without a review of the request.
pub(crate) async fn require_for_sharing(
    conn: &mut Conn,
    request_id: &str,
    sensitive_items: &[String],
) -> Result<()> {
    if sensitive_items.is_empty()
        || !confidentiality::reviews_of_request(conn, request_id)
            .await?
            .is_empty()
    {
        return Ok(());
    }
    Err(AppError::conflict(
        "confidentiality_review_required",
        format!(
            "批准的数据项含敏感个人信息（{}），批准前须由本单位安全管理责任人完成保密审查（第三十四条）",
            sensitive_items.join("、")
        ),
        format!(
            "the approved items hold sensitive personal information ({}): the security lead \
             signs a confidentiality review before the approval",
            sensitive_items.join(", ")
        ),
    ))
}
