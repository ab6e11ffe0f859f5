//! Reading entries: one entry at a revision, its history, and the diff between revisions.
//! Who sees what: anyone sees published entries that are open (conditionally or not); staff see
//! every published entry; an agency sees its own drafts; the reviewing authority sees what it
//! reviews, and the city authority its counties' entries (which it reviews second, 第八条).
//! Anything else answers "not found", so drafts do not leak their existence — nor a county
//! entry awaiting the city, which is published nowhere yet.

use std::collections::HashMap;

use gongshu_domain::catalog::{
    CountyApproval, DataType, Grade, OpenType, ReviewState, Revision, Scheme, SensitiveKind,
    ShareMode, Vocabulary, identifies, label_zh,
};
use gongshu_domain::{Action, Target, decide};
use gongshu_store::catalog::{self, EntryRow, ItemRow};
use gongshu_store::elements;
use gongshu_store::orgs::OrgRow;
use serde::Serialize;

use super::scope::{org_map, reviewing_authority};
use crate::{App, AppError, Ctx, Result, format_time};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub code: String,
    pub name: String,
    pub data_type: String,
    pub data_type_zh: String,
    pub description: String,
    pub grade: String,
    pub grade_zh: String,
    pub personal: bool,
    pub sensitive_kind: Option<String>,
    pub sensitive_zh: Option<String>,
    pub masked: bool,
    pub element_code: Option<String>,
    /// `natural_person` for citizen-ID items, `organisation` for credit-code items (H13, H14).
    pub identifies: Option<String>,
}

/// An item that collects a basic data element whose source is another department (H10).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateCollection {
    pub item_code: String,
    pub element_code: String,
    pub element_name: String,
    pub source_org_id: String,
    pub source_org_name: String,
    /// The source department's published entries that carry the element.
    pub source_entries: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub code: String,
    pub org_id: String,
    pub provider_name: String,
    pub revision: i64,
    /// `draft`, `submitted`, `county_approved` (approved by the county authority, awaiting
    /// the city's review), `returned`, `published` or `superseded`.
    #[schema(value_type = String)]
    pub state: ReviewState,
    pub state_zh: String,
    pub published_revision: Option<i64>,
    pub latest_revision: i64,
    pub scheme_version: i64,
    pub category_code: String,
    pub category_name: String,
    pub name: String,
    pub summary: String,
    pub grade: String,
    pub grade_zh: String,
    pub data_form: String,
    pub share_type: String,
    pub share_conditions: String,
    pub share_scope: String,
    pub share_modes: Vec<String>,
    pub open_type: String,
    pub open_conditions: String,
    pub not_open_reason: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub legal_bases: Vec<gongshu_domain::catalog::LegalBasis>,
    pub update_frequency: String,
    /// The share type the grade's rule suggests in the scheme version the revision was graded
    /// under; `None` when that rule suggests none.
    pub suggested_share_type: Option<String>,
    /// The open type the grade's rule suggests, likewise.
    pub suggested_open_type: Option<String>,
    /// The share or open type differs from the grade's suggestion (H36), so the revision
    /// states a departure reason for the reviewer.
    pub departs_from_grade: bool,
    /// 偏离理由: why the revision departs from the grade's suggested types.
    pub departure_reason: String,
    pub source_org_id: Option<String>,
    pub source_org_name: Option<String>,
    pub collecting_dept: String,
    pub approving_dept: String,
    pub providing_dept: String,
    pub related_codes: Vec<String>,
    pub change_note: String,
    pub created_at: String,
    pub created_by: String,
    pub submitted_at: Option<String>,
    pub due_date: Option<String>,
    pub due_provisional: bool,
    pub overdue: bool,
    /// The authority that holds the review now: for a county entry, its county authority,
    /// then the city authority once the county approved (第八条).
    pub reviewer_org_id: Option<String>,
    pub reviewer_org_name: Option<String>,
    /// The county authority's approval of a county entry, while the city reviews it and after.
    pub county_approval: Option<CountyApprovalView>,
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub review_reasons: String,
    pub published_at: Option<String>,
    pub items: Vec<ItemView>,
    pub duplicate_collection: Vec<DuplicateCollection>,
    /// For a masked derivative (H19): its source and the masking rules of this revision, which
    /// the authority approves with it.
    pub derived_from: Option<super::DerivativeView>,
    /// For a not-shared source: the codes of its masked derivatives (H19).
    pub derivatives: Vec<String>,
    /// For open data whose opening an objection or a risk suspended, or the source withdrew
    /// (H27): what its page says.
    pub opening: Option<crate::objections::OpeningView>,
}

/// Who approved a county entry at the county level, and when (第八条).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountyApprovalView {
    pub org_id: String,
    pub org_name: String,
    pub approved_by: String,
    pub approved_at: String,
}

impl CountyApprovalView {
    pub(crate) fn of(a: &CountyApproval, orgs: &HashMap<String, OrgRow>) -> Self {
        Self {
            org_id: a.org_id.clone(),
            org_name: orgs
                .get(&a.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            approved_by: a.by.clone(),
            approved_at: format_time(a.at),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevisionSummary {
    pub revision: i64,
    pub state: String,
    pub state_zh: String,
    pub name: String,
    pub change_note: String,
    pub created_at: String,
    pub created_by: String,
    pub submitted_at: Option<String>,
    pub due_date: Option<String>,
    pub county_approval: Option<CountyApprovalView>,
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub review_reasons: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub label_zh: String,
    pub before: String,
    pub after: String,
}

/// What a viewer may see of one entry.
pub(crate) enum Access {
    /// Every revision (the owner agency, the reviewing authority).
    All,
    /// The published revision only.
    Published,
    /// Nothing.
    None,
}

pub(crate) fn access(
    ctx: Option<Ctx<'_>>,
    entry: &EntryRow,
    published: Option<&Revision>,
    orgs: &HashMap<String, OrgRow>,
) -> Access {
    let open = published.is_some_and(|p| p.open_type != OpenType::NotOpen);
    let Some(ctx) = ctx else {
        return if open {
            Access::Published
        } else {
            Access::None
        };
    };
    let actor = &ctx.principal.actor;
    if decide(
        actor,
        Action::ManageEntries,
        Target::Organisation { id: &entry.org_id },
    )
    .is_allowed()
    {
        return Access::All;
    }
    // The reviewing authority, and the authorities above it (the city oversees its counties'
    // catalogs, H8), see every revision; only the reviewing one decides.
    let own_org = ctx.principal.org_id.as_deref().unwrap_or_default();
    if let Ok(reviewer) = reviewing_authority(orgs, &entry.org_id)
        && decide(
            actor,
            Action::ReviewEntries,
            Target::Organisation { id: own_org },
        )
        .is_allowed()
        && super::scope::within(orgs, &reviewer.id, own_org)
    {
        return Access::All;
    }
    let staff = decide(actor, Action::ViewCatalog, Target::Platform).is_allowed();
    if published.is_some() && (staff || open) {
        Access::Published
    } else {
        Access::None
    }
}

fn item_view(i: &ItemRow) -> ItemView {
    let data_type = DataType::parse(&i.data_type).ok();
    ItemView {
        code: i.code.clone(),
        name: i.name.clone(),
        data_type: i.data_type.clone(),
        data_type_zh: label_zh::<DataType>(&i.data_type),
        description: i.description.clone(),
        grade: i.grade.clone(),
        grade_zh: Grade::label_zh(&i.grade),
        personal: i.personal != 0,
        sensitive_kind: i.sensitive_kind.clone(),
        sensitive_zh: i.sensitive_kind.as_deref().map(label_zh::<SensitiveKind>),
        masked: i.masked != 0,
        element_code: i.element_code.clone(),
        identifies: data_type.and_then(identifies).map(str::to_owned),
    }
}

pub(crate) fn today_string(app: &App) -> String {
    crate::calendar::today(app).to_string()
}

/// The revision in the light of the scheme version it was graded under: its category's name
/// and its grade's rule.
pub(crate) fn build_view(
    app: &App,
    entry: &EntryRow,
    r: &Revision,
    items: &[ItemRow],
    orgs: &HashMap<String, OrgRow>,
    scheme: &Scheme,
    duplicate_collection: Vec<DuplicateCollection>,
) -> Result<EntryView> {
    let category_name = scheme
        .category(&r.category_code)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let rule = Grade::parse("grade", &r.grade)
        .ok()
        .and_then(|g| scheme.grade_rules.rule(g));
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| orgs.get(i))
            .map(|o| o.name.clone())
    };
    Ok(EntryView {
        code: entry.code.clone(),
        org_id: entry.org_id.clone(),
        provider_name: orgs
            .get(&entry.org_id)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        revision: r.revision,
        state: r.state,
        state_zh: r.state.zh().into(),
        published_revision: entry.published_revision,
        latest_revision: entry.latest_revision,
        scheme_version: r.scheme_version,
        category_code: r.category_code.clone(),
        category_name,
        name: r.name.clone(),
        summary: r.summary.clone(),
        grade: r.grade.clone(),
        grade_zh: Grade::label_zh(&r.grade),
        data_form: r.data_form.code().into(),
        share_type: r.share_type.code().into(),
        share_conditions: r.share_conditions.clone(),
        share_scope: r.share_scope.clone(),
        share_modes: ShareMode::codes(&r.share_modes),
        open_type: r.open_type.code().into(),
        open_conditions: r.open_conditions.clone(),
        not_open_reason: r.not_open_reason.map(|n| n.code().into()),
        legal_bases: r.legal_bases.clone(),
        update_frequency: r.update_frequency.code().into(),
        suggested_share_type: rule
            .and_then(|x| x.suggested_share_type)
            .map(|s| s.code().into()),
        suggested_open_type: rule
            .and_then(|x| x.suggested_open_type)
            .map(|o| o.code().into()),
        departs_from_grade: rule.is_some_and(|x| x.departs(r.share_type, r.open_type)),
        departure_reason: r.departure_reason.clone(),
        source_org_id: r.source_org_id.clone(),
        source_org_name: name_of(&r.source_org_id),
        collecting_dept: r.collecting_dept.clone(),
        approving_dept: r.approving_dept.clone(),
        providing_dept: r.providing_dept.clone(),
        related_codes: r.related_codes.clone(),
        change_note: r.change_note.clone(),
        created_at: format_time(r.created_at),
        created_by: r.created_by.clone(),
        submitted_at: r.submitted_at.map(format_time),
        overdue: r.state.is_under_review()
            && r.due_date
                .as_deref()
                .is_some_and(|d| d < today_string(app).as_str()),
        due_date: r.due_date.clone(),
        due_provisional: r.due_provisional,
        reviewer_org_id: r.reviewer_org_id.clone(),
        reviewer_org_name: name_of(&r.reviewer_org_id),
        county_approval: r
            .county_approval
            .as_ref()
            .map(|a| CountyApprovalView::of(a, orgs)),
        reviewed_at: r.reviewed_at.map(format_time),
        reviewed_by: r.reviewed_by.clone(),
        review_reasons: r.review_reasons.clone(),
        published_at: r.published_at.map(format_time),
        items: items.iter().map(item_view).collect(),
        duplicate_collection,
        derived_from: None,
        derivatives: Vec::new(),
        opening: None,
    })
}

/// H10: items of `entry` that collect an element whose source is another organisation.
async fn duplicates(
    conn: &mut gongshu_store::Conn,
    entry: &EntryRow,
    items: &[ItemRow],
    orgs: &HashMap<String, OrgRow>,
) -> Result<Vec<DuplicateCollection>> {
    let mut out = Vec::new();
    for item in items {
        let Some(code) = &item.element_code else {
            continue;
        };
        let Some(element) = elements::get_element(conn, code).await? else {
            continue;
        };
        let Some(source) = element.source_org_id.filter(|s| *s != entry.org_id) else {
            continue;
        };
        let source_entries = catalog::list_published_collectors(conn, code)
            .await?
            .into_iter()
            .filter(|(_, org, _)| *org == source)
            .map(|(c, _, _)| c)
            .collect();
        out.push(DuplicateCollection {
            item_code: item.code.clone(),
            element_code: code.clone(),
            element_name: element.name,
            source_org_name: orgs
                .get(&source)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            source_org_id: source,
            source_entries,
        });
    }
    Ok(out)
}

/// One entry at `revision` (default: the latest the viewer may see).
pub async fn entry_view(
    app: &App,
    ctx: Option<Ctx<'_>>,
    code: &str,
    revision: Option<i64>,
) -> Result<EntryView> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let orgs = org_map(&mut conn).await?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let seen = access(ctx, &entry, published.as_ref(), &orgs);
    let sees_all = matches!(seen, Access::All);
    let wanted = match (seen, revision) {
        (Access::None, _) => return Err(not_found()),
        (Access::All, r) => r.unwrap_or(entry.latest_revision),
        (Access::Published, None) => entry.published_revision.ok_or_else(not_found)?,
        (Access::Published, Some(r)) if Some(r) == entry.published_revision => r,
        (Access::Published, Some(_)) => return Err(not_found()),
    };
    let r = catalog::get_revision(&mut conn, &entry.id, wanted)
        .await?
        .ok_or_else(not_found)?;
    let items = catalog::list_items(&mut conn, &entry.id, wanted).await?;
    let scheme = super::scheme::get_version_on(&mut conn, r.scheme_version).await?;
    let dups = duplicates(&mut conn, &entry, &items, &orgs).await?;
    let (derived_from, derivatives) =
        super::derivative_views::derivative_facts(&mut conn, &entry, wanted, &items, sees_all)
            .await?;
    let opening = match published.as_ref() {
        Some(p) if p.open_type != OpenType::NotOpen => {
            crate::objections::opening_of(&mut conn, &entry).await?
        }
        _ => None,
    };
    // Withdrawn data has left the open list: the public no longer finds it (H27).
    let staff = ctx.is_some_and(|ctx| {
        decide(&ctx.principal.actor, Action::ViewCatalog, Target::Platform).is_allowed()
    });
    if !sees_all && !staff && opening.as_ref().is_some_and(|o| o.state == "withdrawn") {
        return Err(not_found());
    }
    let mut view = build_view(app, &entry, &r, &items, &orgs, &scheme.scheme, dups)?;
    view.derived_from = derived_from;
    view.derivatives = derivatives;
    view.opening = opening;
    Ok(view)
}

/// The revision history of an entry (owner agency and reviewing authority).
pub async fn revisions(app: &App, ctx: Ctx<'_>, code: &str) -> Result<Vec<RevisionSummary>> {
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    let orgs = org_map(&mut conn).await?;
    let rows = catalog::list_revisions(&mut conn, &entry.id).await?;
    let published = rows
        .iter()
        .find(|r| Some(r.revision) == entry.published_revision);
    let all = match access(Some(ctx), &entry, published, &orgs) {
        Access::All => true,
        Access::Published => false,
        Access::None => return Err(AppError::not_found("catalog entry", "目录条目")),
    };
    rows.iter()
        .filter(|r| all || Some(r.revision) == entry.published_revision)
        .map(|r| {
            Ok(RevisionSummary {
                revision: r.revision,
                state: r.state.code().into(),
                state_zh: r.state.zh().into(),
                name: r.name.clone(),
                change_note: r.change_note.clone(),
                created_at: format_time(r.created_at),
                created_by: r.created_by.clone(),
                submitted_at: r.submitted_at.map(format_time),
                due_date: r.due_date.clone(),
                county_approval: r
                    .county_approval
                    .as_ref()
                    .map(|a| CountyApprovalView::of(a, &orgs)),
                reviewed_at: r.reviewed_at.map(format_time),
                reviewed_by: r.reviewed_by.clone(),
                review_reasons: r.review_reasons.clone(),
                published_at: r.published_at.map(format_time),
            })
        })
        .collect()
}

/// How a field of an entry is read for a diff.
type Getter = fn(&EntryView) -> String;

/// The fields a diff compares, with their Chinese labels, in the order pages show them.
const DIFFED_FIELDS: &[(&str, &str, Getter)] = &[
    ("name", "资源名称", |v| v.name.clone()),
    ("summary", "资源摘要", |v| v.summary.clone()),
    ("category_code", "资源分类", |v| v.category_code.clone()),
    ("grade", "数据级别", |v| v.grade_zh.clone()),
    ("data_form", "数据形式", |v| v.data_form.clone()),
    ("share_type", "共享类型", |v| v.share_type.clone()),
    ("share_conditions", "共享条件", |v| {
        v.share_conditions.clone()
    }),
    ("share_scope", "共享范围", |v| v.share_scope.clone()),
    ("share_modes", "共享方式", |v| j(&v.share_modes)),
    ("open_type", "开放属性", |v| v.open_type.clone()),
    ("open_conditions", "开放条件", |v| {
        v.open_conditions.clone()
    }),
    ("not_open_reason", "不开放理由", |v| {
        j(&v.not_open_reason)
    }),
    ("legal_bases", "法律法规依据", |v| j(&v.legal_bases)),
    ("update_frequency", "更新频率", |v| {
        v.update_frequency.clone()
    }),
    ("departure_reason", "偏离理由", |v| {
        v.departure_reason.clone()
    }),
    ("source_org_id", "数源部门", |v| {
        v.source_org_name.clone().unwrap_or_default()
    }),
    ("collecting_dept", "采集部门", |v| {
        v.collecting_dept.clone()
    }),
    ("approving_dept", "核准部门", |v| {
        v.approving_dept.clone()
    }),
    ("providing_dept", "提供部门", |v| {
        v.providing_dept.clone()
    }),
    ("related_codes", "关联资源", |v| j(&v.related_codes)),
];

/// Field-by-field differences between two revisions the viewer may see.
pub async fn diff(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    from: i64,
    to: i64,
) -> Result<Vec<FieldChange>> {
    let a = entry_view(app, Some(ctx), code, Some(from)).await?;
    let b = entry_view(app, Some(ctx), code, Some(to)).await?;
    let mut changes = Vec::new();
    let mut push = |field: &str, label: &str, before: String, after: String| {
        if before != after {
            changes.push(FieldChange {
                field: field.into(),
                label_zh: label.into(),
                before,
                after,
            });
        }
    };
    for (field, label, get) in DIFFED_FIELDS {
        push(field, label, get(&a), get(&b));
    }
    let items_a: HashMap<&str, &ItemView> = a.items.iter().map(|i| (i.code.as_str(), i)).collect();
    let items_b: HashMap<&str, &ItemView> = b.items.iter().map(|i| (i.code.as_str(), i)).collect();
    for item in &b.items {
        match items_a.get(item.code.as_str()) {
            None => push(
                &format!("items.{}", item.code),
                &format!("信息项“{}”", item.name),
                String::new(),
                "新增".into(),
            ),
            Some(old) => push(
                &format!("items.{}", item.code),
                &format!("信息项“{}”", item.name),
                j(*old),
                j(item),
            ),
        }
    }
    for item in &a.items {
        if !items_b.contains_key(item.code.as_str()) {
            push(
                &format!("items.{}", item.code),
                &format!("信息项“{}”", item.name),
                "删除".into(),
                String::new(),
            );
        }
    }
    Ok(changes)
}

/// Compact JSON of a value, for diffs.
fn j<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The published revision of an entry, regardless of who asks (for the search index), with
/// its publication time in UTC microseconds.
pub(crate) async fn published_view(
    app: &App,
    entry: &EntryRow,
    revision: i64,
) -> Result<(EntryView, i64)> {
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    let r = catalog::get_revision(&mut conn, &entry.id, revision)
        .await?
        .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
    let items = catalog::list_items(&mut conn, &entry.id, revision).await?;
    let scheme = super::scheme::get_version_on(&mut conn, r.scheme_version).await?;
    let published_at = r.published_at.unwrap_or_default();
    let mut view = build_view(app, entry, &r, &items, &orgs, &scheme.scheme, Vec::new())?;
    if r.open_type != OpenType::NotOpen {
        view.opening = crate::objections::opening_of(&mut conn, entry).await?;
    }
    Ok((view, published_at))
}
