//! Everything an entry's page shows in one query: the entry at a revision, the history and
//! duties the viewer may see, the scheme for labels, and which steps the viewer may take —
//! decided here by the domain's rules, so pages do not re-derive access.

use gongshu_domain::catalog::{ReviewAction, ReviewState, ShareType};
use gongshu_domain::confidentiality::needed_to_open;
use gongshu_domain::{Action, Target, decide};
use gongshu_store::{catalog, confidentiality};
use serde::Serialize;

use super::duties::{DutyView, entry_duties};
use super::scheme::SchemeView;
use super::views::{Access, EntryView, RevisionSummary, access, entry_view, revisions};
use crate::confidentiality::{ReviewView, review_view};
use crate::{App, AppError, Ctx, Result};

/// The steps offered to the viewer; every command decides again when asked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntrySteps {
    pub edit: bool,
    pub submit: bool,
    pub review: bool,
    /// Approving reports the entry to the city authority rather than publishing it (a county
    /// authority's approval, 第八条).
    pub review_reports: bool,
    pub record_change: bool,
    /// Propose a masked derivative (H19): the provider of a published not-shared entry.
    pub derive: bool,
    /// Revise a derivative's proposal (H19): its provider, when an edit would be allowed.
    pub revise: bool,
    /// Sign the confidentiality review of the submitted revision (第三十四条): the provider's
    /// security lead, while the review is missing.
    pub sign_review: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryPage {
    pub entry: EntryView,
    pub revisions: Vec<RevisionSummary>,
    pub duties: Vec<DutyView>,
    pub scheme: SchemeView,
    /// The newest revision this viewer may read.
    pub newest_visible: i64,
    pub steps: EntrySteps,
    /// The submitted revision is to be opened and has no confidentiality review yet: it cannot
    /// be published (第三十四条).
    pub review_missing: bool,
    /// The entry's confidentiality reviews, for those who see every revision.
    pub confidentiality_reviews: Vec<ReviewView>,
}

pub async fn entry_page(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    revision: Option<i64>,
) -> Result<EntryPage> {
    let entry = entry_view(app, Some(ctx), code, revision).await?;
    let history = revisions(app, ctx, code).await?;
    let duties = entry_duties(app, ctx, code).await?;
    let scheme = super::scheme::current(app).await?;
    let mut conn = app.db.acquire().await?;
    let row = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    let published = catalog::get_published_revision(&mut conn, &row).await?;
    let orgs = super::scope::org_map(&mut conn).await?;
    let sees_all = matches!(
        access(Some(ctx), &row, published.as_ref(), &orgs),
        Access::All
    );
    let newest_visible = if sees_all {
        row.latest_revision
    } else {
        row.published_revision.unwrap_or(entry.revision)
    };
    let actor = &ctx.principal.actor;
    let owner = decide(
        actor,
        Action::ManageEntries,
        Target::Organisation { id: &row.org_id },
    )
    .is_allowed();
    let reviewer = entry.reviewer_org_id.as_deref().is_some_and(|r| {
        decide(actor, Action::ReviewEntries, Target::Organisation { id: r }).is_allowed()
    });
    let latest = entry.revision == row.latest_revision;
    let state = entry.state;
    let reviews = if sees_all {
        confidentiality::reviews_of_entry(&mut conn, &row.id).await?
    } else {
        Vec::new()
    };
    let newest = catalog::get_revision(&mut conn, &row.id, row.latest_revision).await?;
    drop(conn);
    let review_missing = sees_all
        && latest
        && newest.as_ref().is_some_and(|n| {
            n.state.is_under_review()
                && needed_to_open(n.open_type)
                && !reviews.iter().any(|r| r.covers(n.revision, n.submitted_at))
        });
    let lead = orgs
        .get(&row.org_id)
        .and_then(|o| o.security_lead_id.as_deref());
    let is_lead = decide(
        actor,
        Action::SignConfidentialityReview,
        Target::SecurityLead {
            org_id: &row.org_id,
            lead_id: lead,
        },
    )
    .is_allowed();
    let approval = super::scope::reviewers(&orgs, &row.org_id)
        .ok()
        .and_then(|r| state.next(ReviewAction::Approve(r.route())).ok());
    // A derivative changes only through a proposal whose rules the authority reviews (H19).
    let derivative = entry.derived_from.is_some();
    let editable = owner && latest && (state.is_editable() || state == ReviewState::Published);
    let steps = EntrySteps {
        edit: editable && !derivative,
        revise: editable && derivative,
        submit: owner && latest && state.next(ReviewAction::Submit).is_ok(),
        review: reviewer && latest && approval.is_some(),
        review_reports: approval == Some(ReviewState::CountyApproved),
        record_change: owner && row.published_revision.is_some(),
        derive: owner
            && !derivative
            && published
                .as_ref()
                .is_some_and(|p| p.share_type == ShareType::NotShared),
        sign_review: is_lead && review_missing,
    };
    Ok(EntryPage {
        entry,
        revisions: history,
        duties,
        scheme,
        newest_visible,
        steps,
        review_missing,
        confidentiality_reviews: reviews.into_iter().map(review_view).collect(),
    })
}
