//! 修订历史: every revision of an entry with its review trail, and the field-by-field diff
//! between two revisions (字段 / 修改前 / 修改后), the stored codes shown in Chinese.

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::{self, FieldChange};
use gongshu_domain::catalog::{
    DataForm, NotOpenReason, OpenType, ShareMode, ShareType, UpdateFrequency,
};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::labels::zh;
use crate::console::auth::Viewer;
use crate::console::forms::Params;
use crate::console::render::PageError;
use crate::state::AppState;

pub async fn revisions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let entry = catalog::entry_view(&state.app, Some(viewer.ctx()), &code, None)
        .await
        .map_err(|e| viewer.fail(e))?;
    let revisions = catalog::revisions(&state.app, viewer.ctx(), &code)
        .await
        .map_err(|e| viewer.fail(e))?;
    // Viewers who may read only the published revision see the others listed but not opened.
    let sees_all = revisions.len() as i64 == entry.latest_revision;
    Ok(viewer.page(
        "catalog_revisions.html",
        context! { e => entry, revisions => revisions, sees_all => sees_all },
    ))
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct DiffParams {
    from: String,
    to: String,
}

/// One row of the diff table; an item's change lists only the attributes that differ.
#[derive(Serialize)]
struct Row {
    label: String,
    before: Vec<String>,
    after: Vec<String>,
}

pub async fn diff(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Params(q): Params<DiffParams>,
) -> Result<Response, PageError> {
    let entry = catalog::entry_view(&state.app, Some(viewer.ctx()), &code, None)
        .await
        .map_err(|e| viewer.fail(e))?;
    let revisions = catalog::revisions(&state.app, viewer.ctx(), &code)
        .await
        .map_err(|e| viewer.fail(e))?;
    // By default: the published revision (or the one before the newest) against the newest.
    let newest = revisions.iter().map(|r| r.revision).max().unwrap_or(1);
    let to = q.to.trim().parse().unwrap_or(newest);
    let from = q.from.trim().parse().unwrap_or_else(|_| {
        entry
            .published_revision
            .filter(|p| *p != to)
            .unwrap_or((to - 1).max(1))
    });
    let changes = if from == to {
        Vec::new()
    } else {
        catalog::diff(&state.app, viewer.ctx(), &code, from, to)
            .await
            .map_err(|e| {
                viewer
                    .fail(e)
                    .back(format!("/catalog/entries/{code}/revisions"))
            })?
    };
    let rows: Vec<Row> = changes.iter().map(present).collect();
    Ok(viewer.page(
        "catalog_diff.html",
        context! { e => entry, revisions => revisions, from => from, to => to, rows => rows },
    ))
}

const EMPTY: &str = "（空）";

fn lines(s: String) -> Vec<String> {
    if s.trim().is_empty() || s == "null" || s == "[]" {
        vec![EMPTY.to_owned()]
    } else {
        vec![s]
    }
}

fn json(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or(Value::Null)
}

fn strings(raw: &str) -> Vec<String> {
    match json(raw) {
        Value::Array(a) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// A stored value as the page shows it.
fn show(field: &str, raw: &str) -> Vec<String> {
    match field {
        "data_form" => lines(zh::<DataForm>(raw)),
        "share_type" => lines(zh::<ShareType>(raw)),
        "open_type" => lines(zh::<OpenType>(raw)),
        "update_frequency" => lines(zh::<UpdateFrequency>(raw)),
        "not_open_reason" => match json(raw) {
            Value::String(s) => lines(zh::<NotOpenReason>(&s)),
            _ => lines(String::new()),
        },
        "share_modes" => lines(
            strings(raw)
                .iter()
                .map(|m| zh::<ShareMode>(m))
                .collect::<Vec<_>>()
                .join("、"),
        ),
        "related_codes" => lines(strings(raw).join("、")),
        "legal_bases" => match json(raw) {
            Value::Array(a) if !a.is_empty() => a
                .iter()
                .map(|b| {
                    format!(
                        "《{}》{}",
                        b["law"].as_str().unwrap_or_default(),
                        b["article"].as_str().unwrap_or_default()
                    )
                })
                .collect(),
            _ => lines(String::new()),
        },
        _ => lines(raw.to_owned()),
    }
}

/// The attributes of a data item worth showing, with their Chinese names.
const ITEM_FIELDS: &[(&str, &str)] = &[
    ("code", "代码"),
    ("name", "名称"),
    ("data_type_zh", "数据类型"),
    ("description", "说明"),
    ("grade_zh", "级别"),
    ("personal", "个人信息"),
    ("sensitive_zh", "敏感个人信息"),
    ("masked", "脱敏"),
    ("element_code", "基础数据项"),
];

fn item_value(v: &Value) -> String {
    match v {
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn present(c: &FieldChange) -> Row {
    if !c.field.starts_with("items.") {
        return Row {
            label: c.label_zh.clone(),
            before: show(&c.field, &c.before),
            after: show(&c.field, &c.after),
        };
    }
    // An item: added or removed whole, or changed in some attributes.
    let (a, b) = (json(&c.before), json(&c.after));
    let side = |v: &Value, other: &Value, raw: &str| -> Vec<String> {
        if !v.is_object() {
            return lines(raw.to_owned());
        }
        ITEM_FIELDS
            .iter()
            .filter(|(k, _)| !other.is_object() || v[*k] != other[*k])
            .map(|(k, label)| format!("{label}：{}", item_value(&v[*k])))
            .collect()
    };
    Row {
        label: c.label_zh.clone(),
        before: side(&a, &b, &c.before),
        after: side(&b, &a, &c.after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, before: &str, after: &str) -> FieldChange {
        FieldChange {
            field: field.into(),
            label_zh: "字段".into(),
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn codes_are_shown_in_chinese() {
        let row = present(&change("share_type", "unconditional", "conditional"));
        assert_eq!(row.before, ["无条件共享"]);
        assert_eq!(row.after, ["有条件共享"]);
        let row = present(&change(
            "share_modes",
            "[]",
            r#"["api_query","verification"]"#,
        ));
        assert_eq!(row.before, [EMPTY]);
        assert_eq!(row.after, ["接口查询、核验比对"]);
        let row = present(&change("not_open_reason", "null", r#""privacy""#));
        assert_eq!(row.after, ["涉及个人隐私"]);
    }

    #[test]
    fn an_item_change_lists_only_what_differs() {
        let row = present(&change(
            "items.xm",
            r#"{"code":"xm","name":"姓名","masked":false,"personal":true}"#,
            r#"{"code":"xm","name":"姓名","masked":true,"personal":true}"#,
        ));
        assert_eq!(row.before, ["脱敏：否"]);
        assert_eq!(row.after, ["脱敏：是"]);
        let added = present(&change("items.dz", "", "新增"));
        assert_eq!(added.before, [EMPTY]);
        assert_eq!(added.after, ["新增"]);
    }
}
