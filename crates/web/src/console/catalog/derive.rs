//! 申请脱敏衍生目录 (H19): the form on which the provider of a published not-shared entry
//! proposes a shareable derivative — its name and sharing, and for each of the source's items
//! whether it is left out, served clear, or masked by one of the platform's rules — and, filled
//! with the current proposal, revises a derivative. Either goes to the authority's review;
//! errors come back next to the inputs with everything kept.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::catalog::{self, DerivativeInput, DerivedItemInput, EntryView, ItemView};
use minijinja::context;
use serde::Serialize;
use serde_json::{Value, json};

use super::labels::{choices, labels};
use crate::console::auth::Viewer;
use crate::console::forms::{Fields, FormErrors, form_errors, join_messages};
use crate::console::render::{PageError, done};
use crate::state::AppState;

/// What the form offers for one item: its key and its Chinese name; `drop` leaves the item out,
/// `clear` serves it as stored, every other key stands for a masking rule ([`rule_of`]).
const TREATMENTS: &[(&str, &str)] = &[
    ("drop", "不提供"),
    ("clear", "原样提供（不脱敏）"),
    ("keep_3_4", "保留前3位、后4位（证件号、手机号）"),
    ("surname", "仅保留姓氏（姓名）"),
    ("keep_6_0", "保留前6位（证件号的登记地）"),
    ("year", "泛化到年份（日期）"),
    ("month", "泛化到年月（日期）"),
    ("range_10", "泛化为10的区间（年龄等数值）"),
    ("district", "泛化到区县（地址）"),
    ("pseudonym", "假名化"),
    ("null", "置空"),
];

/// The masking rule of a treatment in its JSON wire form; `None` for "clear" (and "drop").
fn rule_of(treatment: &str) -> Option<Value> {
    Some(match treatment {
        "keep_3_4" => json!({ "kind": "keep", "first": 3, "last": 4 }),
        "surname" => json!({ "kind": "keep", "first": 1, "last": 0 }),
        "keep_6_0" => json!({ "kind": "keep", "first": 6, "last": 0 }),
        "year" => json!({ "kind": "generalise", "to": "year" }),
        "month" => json!({ "kind": "generalise", "to": "month" }),
        "range_10" => json!({ "kind": "generalise", "to": "range", "width": 10 }),
        "district" => json!({ "kind": "generalise", "to": "district" }),
        "pseudonym" => json!({ "kind": "pseudonym" }),
        "null" => json!({ "kind": "null" }),
        other => {
            return other
                .strip_prefix(CUSTOM)
                .and_then(|r| serde_json::from_str(r).ok());
        }
    })
}

/// The prefix of a treatment that keeps a rule the form does not offer (set through the API).
const CUSTOM: &str = "rule:";

/// The treatment that stands for `rule`: an offered one, else the rule kept as it is.
fn treatment_of(rule: &Value) -> String {
    TREATMENTS
        .iter()
        .find(|(key, _)| rule_of(key).as_ref() == Some(rule))
        .map_or_else(|| format!("{CUSTOM}{rule}"), |(key, _)| (*key).to_owned())
}

/// A treatment that masks a protected item the way the catalog's defaults would, as a start.
fn suggested(item: &ItemView) -> &'static str {
    let protected = item.personal || item.sensitive_kind.is_some() || item.masked;
    if !protected {
        "clear"
    } else if item.data_type == "citizen_id" {
        "keep_3_4"
    } else if item.name.contains("姓名") {
        "surname"
    } else if matches!(item.data_type.as_str(), "date" | "datetime") {
        "year"
    } else {
        "null"
    }
}

/// The form as typed.
#[derive(Serialize, Default)]
pub struct DeriveFields {
    name: String,
    summary: String,
    share_type: String,
    share_conditions: String,
    share_scope: String,
    share_modes: Vec<String>,
    change_note: String,
    /// `(item code, treatment)` in the source's order; `{code: treatment}` for the template.
    #[serde(serialize_with = "as_map")]
    treatments: Vec<(String, String)>,
}

fn as_map<S: serde::Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

impl DeriveFields {
    fn of(source: &EntryView) -> Self {
        Self {
            name: format!("{}（脱敏）", source.name),
            share_type: "conditional".into(),
            share_modes: vec!["api_query".into()],
            treatments: source
                .items
                .iter()
                .map(|i| (i.code.clone(), suggested(i).to_owned()))
                .collect(),
            ..Self::default()
        }
    }

    /// The form of a derivative's current proposal, over its source's items.
    fn of_derivative(source: &EntryView, d: &EntryView) -> Self {
        let rules = d
            .derived_from
            .as_ref()
            .map(|f| f.rules.as_slice())
            .unwrap_or_default();
        Self {
            name: d.name.clone(),
            summary: d.summary.clone(),
            share_type: d.share_type.clone(),
            share_conditions: d.share_conditions.clone(),
            share_scope: d.share_scope.clone(),
            share_modes: d.share_modes.clone(),
            change_note: String::new(),
            treatments: source
                .items
                .iter()
                .map(|i| {
                    let kept = d.items.iter().any(|k| k.code == i.code);
                    let rule = rules.iter().find(|r| r.item_code == i.code);
                    let treatment = match (kept, rule) {
                        (false, _) => "drop".to_owned(),
                        (true, None) => "clear".to_owned(),
                        (true, Some(r)) => treatment_of(&json!(r.rule)),
                    };
                    (i.code.clone(), treatment)
                })
                .collect(),
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => f.name = value,
                "summary" => f.summary = value,
                "share_type" => f.share_type = value,
                "share_conditions" => f.share_conditions = value,
                "share_scope" => f.share_scope = value,
                "share_modes" => f.share_modes.push(value),
                "change_note" => f.change_note = value,
                other => {
                    if let Some(code) = other.strip_prefix("item.") {
                        f.treatments.push((code.to_owned(), value));
                    }
                }
            }
        }
        f
    }

    /// The command's input, and the item code behind each `items[i]` it holds.
    fn input(&self) -> (DerivativeInput, Vec<String>) {
        let kept: Vec<&(String, String)> = self
            .treatments
            .iter()
            .filter(|(_, t)| t != "drop")
            .collect();
        let input = DerivativeInput {
            name: self.name.clone(),
            summary: self.summary.clone(),
            share_type: self.share_type.clone(),
            share_conditions: self.share_conditions.clone(),
            share_scope: self.share_scope.clone(),
            share_modes: self.share_modes.clone(),
            change_note: self.change_note.clone(),
            items: kept
                .iter()
                .map(|(code, treatment)| DerivedItemInput {
                    code: code.clone(),
                    rule: rule_of(treatment),
                })
                .collect(),
            ..DerivativeInput::default()
        };
        (input, kept.iter().map(|(c, _)| c.clone()).collect())
    }
}

/// Field errors on `items[i].…` shown on the row of the item they are about.
fn remap(failed: &mut FormErrors, codes: &[String]) {
    let fields = std::mem::take(&mut failed.fields);
    failed.fields = join_messages(fields.into_iter().map(|(field, message)| {
        let key = field
            .strip_prefix("items[")
            .and_then(|rest| rest.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| codes.get(i))
            .map_or(field, |code| format!("item.{code}"));
        (key, message)
    }));
}

/// The form proposing a derivative of `source_code`, or revising `revising` (a derivative).
async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    source_code: &str,
    revising: Option<&EntryView>,
    fields: Option<DeriveFields>,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let back = format!("/catalog/entries/{source_code}");
    let source = catalog::entry_view(&state.app, Some(viewer.ctx()), source_code, None)
        .await
        .map_err(|e| viewer.fail(e).back(back))?;
    let scheme = catalog::scheme::current(&state.app)
        .await
        .map_err(|e| viewer.fail(e))?;
    let form = fields.unwrap_or_else(|| match revising {
        Some(d) => DeriveFields::of_derivative(&source, d),
        None => DeriveFields::of(&source),
    });
    let treatments: Vec<_> = TREATMENTS
        .iter()
        .map(|(value, label)| context! { value => value, label => label })
        .collect();
    // Rules set through the API that the form does not offer are kept as they are.
    let custom: BTreeMap<&str, &str> = form
        .treatments
        .iter()
        .filter(|(_, t)| t.starts_with(CUSTOM))
        .map(|(code, t)| (code.as_str(), t.as_str()))
        .collect();
    let ctx = context! {
        source => source,
        revising => revising,
        form => form,
        custom => custom,
        treatments => treatments,
        choices => choices(&scheme.scheme),
        labels => labels(),
    };
    Ok(match failed {
        None => viewer.page("catalog_derive.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "catalog_derive.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    viewer.require("manage_entries")?;
    form_page(&state, &viewer, &code, None, None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = DeriveFields::from_pairs(pairs);
    let (input, codes) = fields.input();
    match catalog::propose_derivative(&state.app, viewer.ctx(), &code, input).await {
        Ok(view) => Ok(done(
            &format!("/catalog/entries/{}", view.code),
            "derivative_proposed",
        )),
        Err(e) => {
            let mut failed =
                form_errors(&viewer, e).map_err(|p| p.back(format!("/catalog/entries/{code}")))?;
            remap(&mut failed, &codes);
            form_page(&state, &viewer, &code, None, Some(fields), Some(failed)).await
        }
    }
}

/// The derivative `code` as its provider revises it, and the code of its source.
async fn derivative(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<(EntryView, String), PageError> {
    let back = format!("/catalog/entries/{code}");
    let d = catalog::entry_view(&state.app, Some(viewer.ctx()), code, None)
        .await
        .map_err(|e| viewer.fail(e).back(back.clone()))?;
    let source = d
        .derived_from
        .as_ref()
        .map(|f| f.source_code.clone())
        .ok_or_else(|| {
            viewer
                .fail(gongshu_app::AppError::not_found(
                    "masked derivative",
                    "脱敏衍生目录",
                ))
                .back(back)
        })?;
    Ok((d, source))
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    viewer.require("manage_entries")?;
    let (d, source) = derivative(&state, &viewer, &code).await?;
    form_page(&state, &viewer, &source, Some(&d), None, None).await
}

pub async fn revise(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Fields(pairs): Fields<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = DeriveFields::from_pairs(pairs);
    let (input, codes) = fields.input();
    match catalog::revise_derivative(&state.app, viewer.ctx(), &code, input).await {
        Ok(view) => Ok(done(
            &format!("/catalog/entries/{}", view.code),
            "derivative_revised",
        )),
        Err(e) => {
            let mut failed =
                form_errors(&viewer, e).map_err(|p| p.back(format!("/catalog/entries/{code}")))?;
            remap(&mut failed, &codes);
            let (d, source) = derivative(&state, &viewer, &code).await?;
            form_page(
                &state,
                &viewer,
                &source,
                Some(&d),
                Some(fields),
                Some(failed),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h19_every_offered_treatment_but_drop_and_clear_is_a_rule() {
        for (key, _) in TREATMENTS {
            assert_eq!(
                rule_of(key).is_none(),
                matches!(*key, "drop" | "clear"),
                "{key}"
            );
        }
    }

    #[test]
    fn h19_a_rule_the_form_does_not_offer_is_kept_as_it_is() {
        let offered = json!({ "kind": "keep", "first": 3, "last": 4 });
        assert_eq!(treatment_of(&offered), "keep_3_4");
        let custom = json!({ "kind": "keep", "first": 2, "last": 2 });
        let kept = treatment_of(&custom);
        assert!(kept.starts_with(CUSTOM), "{kept}");
        assert_eq!(rule_of(&kept), Some(custom));
    }

    #[test]
    fn h19_dropped_items_leave_the_input_and_errors_find_their_row() {
        let f = DeriveFields::from_pairs(vec![
            ("name".into(), "名录（脱敏）".into()),
            ("item.xm".into(), "drop".into()),
            ("item.sfzh".into(), "clear".into()),
            ("item.qx".into(), "district".into()),
        ]);
        let (input, codes) = f.input();
        assert_eq!(codes, ["sfzh", "qx"]);
        assert!(input.items[0].rule.is_none());
        assert_eq!(
            input.items[1].rule,
            Some(json!({ "kind": "generalise", "to": "district" }))
        );
        let mut failed = FormErrors::field("items[0].rule", "必须指定脱敏规则");
        remap(&mut failed, &codes);
        assert!(
            failed.fields.contains_key("item.sfzh"),
            "{:?}",
            failed.fields
        );
    }
}
