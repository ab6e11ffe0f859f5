//! Consistency across sources (一数一源, H13, H14; the accuracy and consistency of H11, H12):
//! a basic data element has exactly one source department, so when another agency's entry
//! holds the element too, its values must agree with the source's. The city authority runs the
//! check per element: each published entry of another agency holding the element (the items
//! it tags with the element's code, besides its key) is compared with the source department's
//! entry holding the same items, on the current versions of both, row by row on the person's
//! citizen ID (or the organisation's credit code). Rows whose key both hold and where an item
//! holds a different value in each are a finding against the entry that is not the source: a
//! ticket with the count and a few keys, masked as the catalog masks the key item.
//!
//! The comparison runs on the query engine (DataFusion behind the [`QueryEngine`] port) over
//! the lake's Parquet files, as SQL written by the platform — not the caller — on the SQL lane,
//! so its memory, time and admission are bounded like any other query's. No value leaves it:
//! only counts and masked keys.
//!
//! [`QueryEngine`]: gongshu_query::QueryEngine

use gongshu_domain::catalog::{DataType, Vocabulary, identifies};
use gongshu_domain::quality::ticket::{ComparedItem, Disagreement, Evidence, MAX_SAMPLE_KEYS};
use gongshu_domain::{Action, Target};
use gongshu_privacy::{MaskContext, default_for};
use gongshu_query::{Dataset, OffsetPage, View};
use gongshu_store::Conn;
use gongshu_store::catalog::{self, EntryRow, ItemRow};
use gongshu_store::elements::{self, ElementRow};
use gongshu_store::versions::{self, VersionRow};
use serde::Serialize;
use serde_json::json;

use super::{NewTicket, Opened, open_ticket, who};
use crate::catalog::scope::org_map;
use crate::record::{Change, authorize, record};
use crate::{App, AppError, Ctx, Result};

/// The check of one element, entry by entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsistencyRun {
    pub element_code: String,
    pub element_name: String,
    pub source_org_id: String,
    pub source_org_name: String,
    /// Every published entry of another agency holding the element.
    pub lines: Vec<ConsistencyLine>,
    /// Tickets opened by this run.
    pub opened: usize,
}

/// What the check found for one entry that is not the source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsistencyLine {
    pub entry_code: String,
    pub entry_name: String,
    pub org_name: String,
    /// `agrees`, `disagrees`, or `skipped` (nothing could be compared; `note` says why).
    pub outcome: &'static str,
    pub note: String,
    /// The source department's entry it was compared with.
    pub source_entry_code: Option<String>,
    /// The names of the items compared.
    pub items: Vec<String>,
    pub compared_rows: u64,
    pub disagreeing_rows: u64,
    /// The ticket of a disagreement: opened now, or the active one already holding it.
    pub ticket_id: Option<String>,
    pub ticket_opened: bool,
}

/// A published entry holding the element.
struct Holder {
    entry: EntryRow,
    name: String,
    items: Vec<ItemRow>,
    version: Option<VersionRow>,
    /// The item identifying the subject (citizen ID or credit code) in the current version.
    key: Option<ItemRow>,
}

impl Holder {
    fn in_version(&self, code: &str) -> bool {
        self.version
            .as_ref()
            .is_some_and(|v| v.schema.iter().any(|c| c.code == code))
    }
}

/// A pair of entries to compare — their current versions and key items — and on what.
struct Pair<'a> {
    source: &'a Holder,
    source_version: &'a VersionRow,
    source_key: &'a ItemRow,
    checked: &'a Holder,
    version: &'a VersionRow,
    key: &'a ItemRow,
    items: Vec<ComparedItem>,
}

/// Runs the check of element `code` (city authority). 409 `element_without_source` before a
/// source department is named.
pub async fn check_element(app: &App, ctx: Ctx<'_>, code: &str) -> Result<ConsistencyRun> {
    authorize(
        app,
        ctx,
        Action::ManageElements,
        Target::Platform,
        "data_element",
        code,
    )
    .await?;
    let lake = app.config.lake.as_ref().ok_or_else(|| {
        AppError::conflict(
            "lake_not_configured",
            "数据目录未配置，无法比对数据",
            "no data directory is configured; data cannot be compared",
        )
    })?;
    let mut conn = app.db.acquire().await?;
    let element = elements::get_element(&mut conn, code)
        .await?
        .ok_or(AppError::not_found("data element", "基础数据项"))?;
    let source_org = element.source_org_id.clone().ok_or_else(|| {
        AppError::conflict(
            "element_without_source",
            format!("基础数据项“{}”尚未指定数源部门，无法比对", element.name),
            format!("element {code} has no source department yet"),
        )
    })?;
    let orgs = org_map(&mut conn).await?;
    let holders = holders(&mut conn, &element).await?;
    drop(conn);
    let (sources, others): (Vec<&Holder>, Vec<&Holder>) =
        holders.iter().partition(|h| h.entry.org_id == source_org);
    let org_name = |id: &str| orgs.get(id).map(|o| o.name.clone()).unwrap_or_default();
    let reader = ctx.principal.account_id.clone();
    let mut lines = Vec::new();
    let mut findings = Vec::new();
    for checked in others {
        let mut line = ConsistencyLine {
            entry_code: checked.entry.code.clone(),
            entry_name: checked.name.clone(),
            org_name: org_name(&checked.entry.org_id),
            outcome: "skipped",
            note: String::new(),
            source_entry_code: None,
            items: Vec::new(),
            compared_rows: 0,
            disagreeing_rows: 0,
            ticket_id: None,
            ticket_opened: false,
        };
        match pair(&sources, checked, code) {
            Err(why) => line.note = why.into(),
            Ok(pair) => {
                let compared = compare(app, lake, &reader, &pair).await?;
                line.source_entry_code = Some(pair.source.entry.code.clone());
                line.items = pair.items.iter().map(|i| i.name.clone()).collect();
                line.compared_rows = compared.compared_rows;
                line.disagreeing_rows = compared.disagreeing_rows;
                if compared.disagreeing_rows == 0 {
                    line.outcome = "agrees";
                } else {
                    line.outcome = "disagrees";
                    findings.push((lines.len(), pair, compared));
                }
            }
        }
        lines.push(line);
    }
    // One transaction: every ticket of the run and the run's own event, or nothing.
    let mut tx = app.db.begin_write().await?;
    let mut opened = 0;
    for (at, pair, found) in findings {
        let new = finding(&element, &org_name(&source_org), &pair, found);
        let (id, new_ticket) = match open_ticket(app, &mut tx, ctx.meta, who(ctx), new).await? {
            Opened::New(t) => (t.id, true),
            Opened::Existing(t) => (t.id, false),
        };
        opened += usize::from(new_ticket);
        lines[at].ticket_id = Some(id);
        lines[at].ticket_opened = new_ticket;
    }
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "check_element_consistency",
            target_kind: "data_element",
            target_id: code,
            payload: json!({
                "source_org_id": source_org,
                "lines": lines.iter().map(|l| json!({
                    "entry_code": l.entry_code,
                    "source_entry_code": l.source_entry_code,
                    "outcome": l.outcome,
                    "compared_rows": l.compared_rows,
                    "disagreeing_rows": l.disagreeing_rows,
                    "ticket_id": l.ticket_id,
                })).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ConsistencyRun {
        element_code: element.code,
        element_name: element.name,
        source_org_name: org_name(&source_org),
        source_org_id: source_org,
        lines,
        opened,
    })
}

/// The published entries holding the element, with their current versions and key items.
async fn holders(conn: &mut Conn, element: &ElementRow) -> Result<Vec<Holder>> {
    let mut out: Vec<Holder> = Vec::new();
    for (entry_code, _, _) in catalog::list_published_collectors(conn, &element.code).await? {
        if out.iter().any(|h| h.entry.code == entry_code) {
            continue;
        }
        let Some(entry) = catalog::get_entry_by_code(conn, &entry_code).await? else {
            continue;
        };
        let (Some(revision), Some(published)) = (
            entry.published_revision,
            catalog::get_published_revision(conn, &entry).await?,
        ) else {
            continue;
        };
        let items = catalog::list_items(conn, &entry.id, revision).await?;
        let version = versions::get_current_version(conn, &entry.id).await?;
        let mut holder = Holder {
            entry,
            name: published.name,
            items,
            version,
            key: None,
        };
        holder.key = key_item(&holder, &element.code, &element.subject);
        out.push(holder);
    }
    Ok(out)
}

/// The ticket of a disagreement, against the entry that is not the source.
fn finding<'a>(
    element: &ElementRow,
    source_org_name: &str,
    pair: &Pair<'a>,
    found: Compared,
) -> NewTicket<'a> {
    let source_org_id = element.source_org_id.clone().unwrap_or_default();
    let summary = format!(
        "与数源部门数据不一致：基础数据项“{}”有{}行与{}的{}不同",
        element.name, found.disagreeing_rows, source_org_name, pair.source.entry.code
    );
    let description = format!(
        "按一数一源原则，{}是基础数据项“{}”的数源部门。本目录第{}版与数源部门目录{}第{}版按{}比对：双方都有的{}行中，{}行的{}与数源部门不一致。请以数源部门数据为准核实更正后上传新版本，并以“整改”答复；如确有依据，请说明。",
        source_org_name,
        element.name,
        pair.version.version,
        pair.source.entry.code,
        pair.source_version.version,
        pair.key.name,
        found.compared_rows,
        found.disagreeing_rows,
        pair.items
            .iter()
            .map(|i| format!("“{}”", i.name))
            .collect::<Vec<_>>()
            .join("、"),
    );
    let evidence = Evidence::CrossSource(Disagreement {
        element_code: element.code.clone(),
        element_name: element.name.clone(),
        source_org_id,
        source_entry_code: pair.source.entry.code.clone(),
        source_version: pair.source_version.version,
        version: pair.version.version,
        key_item: pair.key.code.clone(),
        items: pair.items.clone(),
        compared_rows: found.compared_rows,
        disagreeing_rows: found.disagreeing_rows,
        sample_keys: found.sample_keys,
    });
    NewTicket {
        entry: &pair.checked.entry,
        summary,
        description,
        evidence,
        reporter: None,
    }
}

/// The item that identifies the element's subject: of the identifier type (citizen ID for a
/// natural person, credit code for an organisation), the one tagged with the element first.
fn key_item(h: &Holder, element: &str, subject: &str) -> Option<ItemRow> {
    let identifying = |i: &&ItemRow| {
        DataType::parse(&i.data_type)
            .ok()
            .and_then(identifies)
            .is_some_and(|s| s == subject)
            && h.in_version(&i.code)
    };
    let mut keys: Vec<&ItemRow> = h.items.iter().filter(identifying).collect();
    keys.sort_by_key(|i| i.element_code.as_deref() != Some(element));
    keys.first().map(|i| (*i).clone())
}

/// The source entry to compare `checked` with, and the items: those `checked` tags with the
/// element (besides its key), each matched to the source's item of the same name and type.
/// The source entry sharing the most items is chosen. An error says why nothing compares.
fn pair<'a>(
    sources: &[&'a Holder],
    checked: &'a Holder,
    element: &str,
) -> std::result::Result<Pair<'a>, &'static str> {
    let Some(version) = &checked.version else {
        return Err("该目录尚无数据");
    };
    let Some(key) = &checked.key else {
        return Err("该目录的数据中没有标识自然人或法人的信息项（公民身份号码或统一社会信用代码）");
    };
    let tagged: Vec<&ItemRow> = checked
        .items
        .iter()
        .filter(|i| {
            i.element_code.as_deref() == Some(element)
                && i.code != key.code
                && checked.in_version(&i.code)
        })
        .collect();
    if tagged.is_empty() {
        return Err("该目录除标识外没有登记属于该基础数据项的信息项");
    }
    let mut best: Option<Pair<'a>> = None;
    for source in sources {
        let (Some(source_key), Some(source_version)) = (&source.key, &source.version) else {
            continue;
        };
        if source_key.data_type != key.data_type {
            continue;
        }
        let items: Vec<ComparedItem> = tagged
            .iter()
            .filter_map(|i| {
                source
                    .items
                    .iter()
                    .find(|s| {
                        s.name == i.name
                            && s.data_type == i.data_type
                            && s.code != source_key.code
                            && source.in_version(&s.code)
                    })
                    .map(|s| ComparedItem {
                        name: i.name.clone(),
                        code: i.code.clone(),
                        source_code: s.code.clone(),
                    })
            })
            .collect();
        let better = best.as_ref().is_none_or(|b| {
            items.len() > b.items.len()
                || (items.len() == b.items.len() && source.entry.code < b.source.entry.code)
        });
        if !items.is_empty() && better {
            best = Some(Pair {
                source,
                source_version,
                source_key,
                checked,
                version,
                key,
                items,
            });
        }
    }
    best.ok_or("数源部门的目录中没有可比对的同名信息项或数据")
}

/// What comparing one pair found.
struct Compared {
    compared_rows: u64,
    disagreeing_rows: u64,
    sample_keys: Vec<String>,
}

/// The two tables of a comparison, as the SQL names them.
const SOURCE: &str = "source_entry";
const CHECKED: &str = "checked_entry";

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Compares a pair on the engine: the checked version's rows whose key the source version
/// holds, those where a compared item holds a value in both and they differ, and the first few
/// keys of those, masked.
async fn compare(
    app: &App,
    lake: &gongshu_lake::storage::Lake,
    reader: &str,
    pair: &Pair<'_>,
) -> Result<Compared> {
    let (source_version, version) = (pair.source_version, pair.version);
    let (source_key, key) = (pair.source_key, pair.key);
    let dataset = |name: &str, v: &VersionRow, key: &str, items: Vec<&str>| {
        let mut columns = vec![key];
        columns.extend(items);
        Dataset {
            name: name.to_owned(),
            files: vec![lake.file_url(&v.data_file)],
            view: View::full(&columns),
        }
    };
    let datasets = [
        dataset(
            SOURCE,
            source_version,
            &source_key.code,
            pair.items.iter().map(|i| i.source_code.as_str()).collect(),
        ),
        dataset(
            CHECKED,
            version,
            &key.code,
            pair.items.iter().map(|i| i.code.as_str()).collect(),
        ),
    ];
    let same_key = format!("s.{} = c.{}", quoted(&source_key.code), quoted(&key.code));
    let differs = pair
        .items
        .iter()
        .map(|i| format!("s.{} <> c.{}", quoted(&i.source_code), quoted(&i.code)))
        .collect::<Vec<_>>()
        .join(" OR ");
    let matched =
        format!("FROM {CHECKED} c WHERE EXISTS (SELECT 1 FROM {SOURCE} s WHERE {same_key})");
    let disagreeing = format!(
        "FROM {CHECKED} c WHERE EXISTS (SELECT 1 FROM {SOURCE} s WHERE {same_key} AND ({differs}))"
    );
    let datasets = &datasets;
    let count = |from: String| async move {
        let rows = run(app, reader, &format!("SELECT COUNT(*) {from}"), datasets, 1).await?;
        Ok::<u64, AppError>(
            rows.first()
                .and_then(|r| r.first().cloned().flatten())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        )
    };
    let compared_rows = count(matched).await?;
    let disagreeing_rows = count(disagreeing.clone()).await?;
    let sample = run(
        app,
        reader,
        &format!(
            "SELECT DISTINCT c.{k} AS k {disagreeing} ORDER BY k LIMIT {MAX_SAMPLE_KEYS}",
            k = quoted(&key.code)
        ),
        datasets,
        MAX_SAMPLE_KEYS,
    )
    .await?;
    // Shown as the catalog shows the key to anyone but its owner: masked when it is marked
    // for masking or personal (a citizen ID is), by the default rule of its type.
    let data_type = DataType::parse(&key.data_type).unwrap_or(DataType::Text);
    let rule =
        (key.masked != 0 || key.personal != 0).then(|| default_for(data_type, Some(&key.name)));
    let no_keys = MaskContext::without_keys();
    let sample_keys = sample
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .filter_map(|k| match &rule {
            Some(rule) => rule.apply(Some(&k), &no_keys),
            None => Some(k),
        })
        .collect();
    Ok(Compared {
        compared_rows,
        disagreeing_rows,
        sample_keys,
    })
}

/// Runs platform-written SQL over the pair's datasets and reads at most `limit` rows as text.
async fn run(
    app: &App,
    reader: &str,
    sql: &str,
    datasets: &[Dataset],
    limit: usize,
) -> Result<Vec<Vec<Option<String>>>> {
    let page = app
        .engine
        .sql_page(
            reader,
            sql,
            datasets,
            &OffsetPage {
                limit,
                cursor: None,
            },
        )
        .await?;
    Ok(page.text_rows()?)
}
