//! The Excel round trip (issue 3, item 6): export a catalog (an agency's, a county's, the
//! city's) in the template of `gongshu-sheets`, and import the same template. An import checks
//! every row first and reports every problem with sheet, row and column; if anything is wrong
//! nothing is written, otherwise all rows go in one transaction.

use std::collections::HashMap;

use gongshu_domain::catalog::{
    DataForm, DataType, Grade, NotOpenReason, OpenType, SensitiveKind, ShareMode, ShareType,
    UpdateFrequency, Vocabulary, label_zh,
};
use gongshu_domain::{Action, Target};
use gongshu_sheets::{CellError, EntryRow, Guide, ItemRow, ReadError};
use gongshu_store::catalog;
use gongshu_store::orgs::OrgRow;
use serde::Serialize;

use super::draft::{apply_edit, check_references, insert_new};
use super::input::{EntryInput, ItemInput, Parsed};
use super::records::{NewRevision, build, same_content, to_input};
use super::scope::{org_map, within};
use super::views::{Access, access};
use crate::record::authorize;
use crate::{App, AppError, Ctx, FileProblem, Result};

/// Largest accepted workbook.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    /// Rows identical to the entry's latest revision: nothing to do.
    pub unchanged: Vec<String>,
}

fn labels<V: Vocabulary>() -> Vec<String> {
    V::ALL.iter().map(|v| v.zh().to_owned()).collect()
}

fn guide() -> Guide {
    let grades: Vec<String> = Grade::all().into_iter().map(Grade::zh).collect();
    Guide {
        entry_values: vec![
            ("grade".into(), grades.clone()),
            ("data_form".into(), labels::<DataForm>()),
            ("share_type".into(), labels::<ShareType>()),
            ("share_modes".into(), labels::<ShareMode>()),
            ("open_type".into(), labels::<OpenType>()),
            ("not_open_reason".into(), labels::<NotOpenReason>()),
            ("update_frequency".into(), labels::<UpdateFrequency>()),
        ],
        item_values: vec![
            ("data_type".into(), labels::<DataType>()),
            ("grade".into(), grades),
            ("sensitive_kind".into(), labels::<SensitiveKind>()),
        ],
    }
}

fn to_row(code: &str, input: &EntryInput, orgs: &HashMap<String, OrgRow>) -> EntryRow {
    EntryRow {
        row: 0,
        key: String::new(),
        code: code.to_owned(),
        name: input.name.clone(),
        summary: input.summary.clone(),
        category_code: input.category_code.clone(),
        grade: Grade::label_zh(&input.grade),
        data_form: label_zh::<DataForm>(&input.data_form),
        share_type: label_zh::<ShareType>(&input.share_type),
        share_conditions: input.share_conditions.clone(),
        share_scope: input.share_scope.clone(),
        share_modes: input
            .share_modes
            .iter()
            .map(|m| label_zh::<ShareMode>(m))
            .collect(),
        open_type: label_zh::<OpenType>(&input.open_type),
        open_conditions: input.open_conditions.clone(),
        not_open_reason: input
            .not_open_reason
            .as_deref()
            .map(label_zh::<NotOpenReason>)
            .unwrap_or_default(),
        legal_bases: input
            .legal_bases
            .iter()
            .map(|b| (b.law.clone(), b.article.clone()))
            .collect(),
        update_frequency: label_zh::<UpdateFrequency>(&input.update_frequency),
        source_dept: input
            .source_org_id
            .as_ref()
            .and_then(|id| orgs.get(id))
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        collecting_dept: input.collecting_dept.clone(),
        approving_dept: input.approving_dept.clone(),
        providing_dept: input.providing_dept.clone(),
        related_codes: input.related_codes.clone(),
        state_secret: false,
        departure_reason: input.departure_reason.clone(),
        items: input
            .items
            .iter()
            .map(|i| ItemRow {
                row: 0,
                code: i.code.clone(),
                name: i.name.clone(),
                data_type: label_zh::<DataType>(&i.data_type),
                description: i.description.clone(),
                grade: Grade::label_zh(&i.grade),
                personal: i.personal,
                sensitive_kind: i
                    .sensitive_kind
                    .as_deref()
                    .map(label_zh::<SensitiveKind>)
                    .unwrap_or_default(),
                masked: i.masked.unwrap_or(false),
                element_code: i.element_code.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// Who an export is for.
#[derive(Clone, Copy)]
pub enum Reader<'a> {
    /// A visitor or a logged-in user: what they may see.
    Viewer(Option<Ctx<'a>>),
    /// An operator at the command line: every published entry.
    Operator,
}

/// Finds an organisation by id, credit code or exact name (for `--org` and query parameters).
pub async fn find_org(app: &App, key: &str) -> Result<String> {
    let mut conn = app.db.acquire().await?;
    org_map(&mut conn)
        .await?
        .into_values()
        .find(|o| o.id == key || o.credit_code == key || o.name == key)
        .map(|o| o.id)
        .ok_or(AppError::not_found("organisation", "机构"))
}

/// The catalog of `org_id` as an .xlsx: an agency's own entries, or for an authority every
/// entry in its area (a county's, or the whole city's for the city authority); without
/// `org_id`, the whole city. Each entry appears at the revision the reader may see.
pub async fn export_xlsx(app: &App, reader: Reader<'_>, org_id: Option<&str>) -> Result<Vec<u8>> {
    let mut conn = app.db.acquire().await?;
    let orgs = org_map(&mut conn).await?;
    if let Some(id) = org_id
        && !orgs.contains_key(id)
    {
        return Err(AppError::not_found("organisation", "机构"));
    }
    let mut rows = Vec::new();
    for entry in catalog::list_entries(&mut conn).await? {
        if org_id.is_some_and(|scope| !within(&orgs, &entry.org_id, scope)) {
            continue;
        }
        let published = catalog::get_published_revision(&mut conn, &entry).await?;
        let seen = match reader {
            Reader::Viewer(ctx) => access(ctx, &entry, published.as_ref(), &orgs),
            Reader::Operator if published.is_some() => Access::Published,
            Reader::Operator => Access::None,
        };
        let revision = match seen {
            Access::All => entry.latest_revision,
            Access::Published => entry.published_revision.unwrap_or(entry.latest_revision),
            Access::None => continue,
        };
        let Some(r) = catalog::get_revision(&mut conn, &entry.id, revision).await? else {
            continue;
        };
        let items = catalog::list_items(&mut conn, &entry.id, revision).await?;
        rows.push(to_row(&entry.code, &to_input(&r, &items), &orgs));
    }
    gongshu_sheets::write_catalog(&rows, &guide()).map_err(|e| AppError::Internal(e.to_string()))
}

fn problem(e: CellError) -> FileProblem {
    FileProblem {
        location: e.cell(),
        header: e.header,
        zh: e.zh,
        en: e.en,
    }
}

fn to_input_row(row: &EntryRow, source_org_id: Option<String>) -> EntryInput {
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    EntryInput {
        category_code: row.category_code.clone(),
        name: row.name.clone(),
        summary: row.summary.clone(),
        grade: row.grade.clone(),
        data_form: row.data_form.clone(),
        share_type: row.share_type.clone(),
        share_conditions: row.share_conditions.clone(),
        share_scope: row.share_scope.clone(),
        share_modes: row.share_modes.clone(),
        open_type: row.open_type.clone(),
        open_conditions: row.open_conditions.clone(),
        not_open_reason: blank(&row.not_open_reason),
        legal_bases: row
            .legal_bases
            .iter()
            .map(|(law, article)| gongshu_domain::catalog::LegalBasis {
                law: law.clone(),
                article: article.clone(),
            })
            .collect(),
        update_frequency: row.update_frequency.clone(),
        source_org_id,
        collecting_dept: row.collecting_dept.clone(),
        approving_dept: row.approving_dept.clone(),
        providing_dept: row.providing_dept.clone(),
        related_codes: row.related_codes.clone(),
        state_secret: row.state_secret,
        change_note: "Excel导入".into(),
        departure_reason: row.departure_reason.clone(),
        items: row
            .items
            .iter()
            .map(|i| ItemInput {
                code: i.code.clone(),
                name: i.name.clone(),
                data_type: i.data_type.clone(),
                description: i.description.clone(),
                grade: i.grade.clone(),
                personal: i.personal,
                sensitive_kind: blank(&i.sensitive_kind),
                masked: Some(i.masked),
                element_code: blank(&i.element_code),
            })
            .collect(),
    }
}

/// What one checked row will do.
enum Plan {
    Create(EntryInput, Parsed),
    Update(catalog::EntryRow, EntryInput, Parsed),
    Unchanged(String),
}

/// Imports a workbook into the catalog of `org_id`: rows without a code become new drafts,
/// rows with a code of this organisation edit that entry. All or nothing.
pub async fn import_xlsx(
    app: &App,
    ctx: Ctx<'_>,
    org_id: &str,
    bytes: &[u8],
) -> Result<ImportReport> {
    authorize(
        app,
        ctx,
        Action::ManageEntries,
        Target::Organisation { id: org_id },
        "catalog_import",
        org_id,
    )
    .await?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(gongshu_domain::Violation::new(
            "file",
            "file_too_large",
            "文件超过20MB，请拆分后导入",
            "the file exceeds 20 MB",
        )
        .into());
    }
    // Unzipping and reading a workbook is CPU work: keep it off the async threads. calamine
    // reads the sheet whole, so the workbook is first measured expanded (issue 11 item 3).
    let owned = bytes.to_vec();
    let limits = app.config.expansion.clone();
    let read = tokio::task::spawn_blocking(move || {
        match gongshu_lake::check_workbook(std::io::Cursor::new(&owned), &limits) {
            Err(e @ gongshu_lake::IngestError::ExpandedTooLarge { .. }) => Err(AppError::from(e)),
            Err(e) => Ok(Err(ReadError::NotXlsx(e.to_string()))),
            Ok(_) => Ok(gongshu_sheets::read_catalog(&owned)),
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let rows = read.map_err(|e| match e {
        ReadError::NotXlsx(why) => AppError::from(gongshu_domain::Violation::new(
            "file",
            "not_xlsx",
            "文件不是有效的Excel（.xlsx）工作簿",
            format!("not a readable .xlsx workbook: {why}"),
        )),
        ReadError::Cells(cells) => AppError::InvalidFile(cells.into_iter().map(problem).collect()),
    })?;
    let mut conn = app.db.acquire().await?;
    let (scheme_version, scheme) = super::scheme::latest(&mut conn).await?;
    let orgs = org_map(&mut conn).await?;
    let by_name: HashMap<&str, &OrgRow> = orgs
        .values()
        .flat_map(|o| [(o.name.as_str(), o), (o.credit_code.as_str(), o)])
        .collect();
    let mut problems = Vec::new();
    let mut plans = Vec::new();
    let mut seen_codes = std::collections::HashSet::new();
    for row in &rows {
        let at = |field: &str, zh: String, en: String| {
            row.locate(field)
                .map(|p| problem(p.error(zh.clone(), en.clone())))
                .unwrap_or(FileProblem {
                    location: format!("{}!{}", gongshu_sheets::ENTRY_SHEET, row.row),
                    header: field.to_owned(),
                    zh,
                    en,
                })
        };
        let source = match row.source_dept.trim() {
            "" => None,
            name => match by_name.get(name) {
                Some(o) => Some(o.id.clone()),
                None => {
                    problems.push(at(
                        "source_dept",
                        format!("数源部门“{name}”不是平台上的机构"),
                        format!("source department {name} is not an organisation on the platform"),
                    ));
                    continue;
                }
            },
        };
        let input = to_input_row(row, source);
        let parsed = match input.parse(&scheme) {
            Ok(p) => p,
            Err(v) => {
                problems.extend(v.0.into_iter().map(|x| at(&x.field, x.zh, x.en)));
                continue;
            }
        };
        match check_references(&mut conn, &input, &parsed).await {
            Ok(()) => {}
            Err(AppError::Invalid(v)) => {
                problems.extend(v.0.into_iter().map(|x| at(&x.field, x.zh, x.en)));
                continue;
            }
            Err(other) => return Err(other),
        }
        if row.code.trim().is_empty() {
            plans.push(Plan::Create(input, parsed));
            continue;
        }
        match catalog::get_entry_by_code(&mut conn, row.code.trim()).await? {
            Some(entry) if entry.org_id == org_id => {
                let latest =
                    catalog::get_revision(&mut conn, &entry.id, entry.latest_revision).await?;
                let latest_items =
                    catalog::list_items(&mut conn, &entry.id, entry.latest_revision).await?;
                let (candidate, candidate_items) = build(NewRevision {
                    entry_id: &entry.id,
                    revision: entry.latest_revision,
                    scheme_version,
                    parsed: &parsed,
                    input: &input,
                    source_org_id: input
                        .source_org_id
                        .clone()
                        .or_else(|| Some(entry.org_id.clone())),
                    created_by: "",
                    now: 0,
                });
                if !seen_codes.insert(entry.code.clone()) {
                    problems.push(at(
                        "code",
                        format!("资源代码“{}”在文件中出现了不止一次", entry.code),
                        format!("entry {} appears more than once in the file", entry.code),
                    ));
                } else if latest.as_ref().is_some_and(|l| l.state.is_under_review()) {
                    problems.push(at(
                        "code",
                        format!("资源“{}”正在审核中，审核完成前不能修改", entry.code),
                        format!(
                            "entry {} is under review and cannot change until decided",
                            entry.code
                        ),
                    ));
                } else if latest
                    .is_some_and(|l| same_content(&l, &latest_items, &candidate, &candidate_items))
                {
                    plans.push(Plan::Unchanged(entry.code));
                } else {
                    plans.push(Plan::Update(entry, input, parsed));
                }
            }
            Some(_) => problems.push(at(
                "code",
                format!("资源“{}”不属于本单位，不能修改", row.code),
                format!("entry {} belongs to another organisation", row.code),
            )),
            None => problems.push(at(
                "code",
                format!("资源代码“{}”不存在；新条目请留空资源代码", row.code),
                format!(
                    "entry {} does not exist; leave the code empty for a new entry",
                    row.code
                ),
            )),
        }
    }
    drop(conn);
    if !problems.is_empty() {
        return Err(AppError::InvalidFile(problems));
    }
    let mut report = ImportReport {
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: Vec::new(),
    };
    let mut tx = app.db.begin_write().await?;
    for plan in &plans {
        match plan {
            Plan::Create(input, parsed) => {
                report.created.push(
                    insert_new(app, &mut tx, ctx, org_id, scheme_version, parsed, input).await?,
                );
            }
            Plan::Update(entry, input, parsed) => {
                let fresh = catalog::get_entry_by_code(&mut tx, &entry.code)
                    .await?
                    .ok_or(AppError::not_found("catalog entry", "目录条目"))?;
                apply_edit(app, &mut tx, ctx, &fresh, scheme_version, parsed, input).await?;
                report.updated.push(entry.code.clone());
            }
            Plan::Unchanged(code) => report.unchanged.push(code.clone()),
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// Export for the API and console: `org` is an id, credit code or name.
pub async fn export_scoped(app: &App, ctx: Option<Ctx<'_>>, org: Option<&str>) -> Result<Vec<u8>> {
    let org_id = match org.filter(|o| !o.trim().is_empty()) {
        Some(key) => Some(find_org(app, key.trim()).await?),
        None => None,
    };
    export_xlsx(app, Reader::Viewer(ctx), org_id.as_deref()).await
}

/// Import for the API and console: into `org` (id, credit code or name), default the caller's own.
pub async fn import_scoped(
    app: &App,
    ctx: Ctx<'_>,
    org: Option<&str>,
    bytes: &[u8],
) -> Result<ImportReport> {
    let org_id = match org.filter(|o| !o.trim().is_empty()) {
        Some(key) => find_org(app, key.trim()).await?,
        None => ctx
            .principal
            .org_id
            .clone()
            .ok_or(AppError::not_found("organisation", "机构"))?,
    };
    import_xlsx(app, ctx, &org_id, bytes).await
}

/// The published catalog as JSON (issue 3, item 6): every published entry the reader may see,
/// at its published revision, in code order.
pub async fn export_json(app: &App, ctx: Option<Ctx<'_>>) -> Result<Vec<super::EntryView>> {
    let mut conn = app.db.acquire().await?;
    let entries = catalog::list_entries(&mut conn).await?;
    drop(conn);
    let mut out = Vec::new();
    for entry in entries.iter().filter(|e| e.published_revision.is_some()) {
        match super::views::entry_view(app, ctx, &entry.code, entry.published_revision).await {
            Ok(view) => out.push(view),
            Err(AppError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
