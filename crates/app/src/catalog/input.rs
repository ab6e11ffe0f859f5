//! Catalog entry input as the API, the console and the Excel import send it (plain strings),
//! parsed into the domain's draft with every problem collected.

use gongshu_domain::catalog::{
    DataForm, DataType, EntryDraft, Grade, ItemDraft, LegalBasis, NotOpenReason, OpenType, Scheme,
    SensitiveKind, ShareMode, ShareType, UpdateFrequency, Vocabulary, validate_entry,
};
use gongshu_domain::{Violation, Violations};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// Category code from the classification scheme, e.g. `101` (人口).
    pub category_code: String,
    pub name: String,
    pub summary: String,
    /// general_1 … general_4, important, core.
    pub grade: String,
    pub data_form: String,
    /// unconditional, conditional or not_shared.
    pub share_type: String,
    #[serde(default)]
    pub share_conditions: String,
    #[serde(default)]
    pub share_scope: String,
    #[serde(default)]
    pub share_modes: Vec<String>,
    /// unconditional, conditional or not_open.
    pub open_type: String,
    #[serde(default)]
    pub open_conditions: String,
    /// commercial_secret, privacy or legal_bar; required when not open.
    #[serde(default)]
    pub not_open_reason: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub legal_bases: Vec<LegalBasis>,
    pub update_frequency: String,
    /// 数源部门: the organisation legally responsible for collecting the data; defaults to the provider.
    #[serde(default)]
    pub source_org_id: Option<String>,
    /// 采集部门 / 核准部门 / 提供部门, as named on the catalog.
    #[serde(default)]
    pub collecting_dept: String,
    #[serde(default)]
    pub approving_dept: String,
    #[serde(default)]
    pub providing_dept: String,
    /// Codes of related entries.
    #[serde(default)]
    pub related_codes: Vec<String>,
    /// Marked as a state secret: always refused (H2).
    #[serde(default)]
    pub state_secret: bool,
    /// Why this revision was made (shown in the revision history).
    #[serde(default)]
    pub change_note: String,
    /// 偏离理由: why the share or open type differs from the one the classification scheme
    /// suggests for the grade; required in that case, shown to the reviewer (H7, H36).
    #[serde(default)]
    pub departure_reason: String,
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub code: String,
    pub name: String,
    /// text, integer, decimal, date, datetime, boolean, citizen_id, credit_code.
    pub data_type: String,
    #[serde(default)]
    pub description: String,
    pub grade: String,
    #[serde(default)]
    pub personal: bool,
    /// PIPL art. 28 kind: biometric, religion, specific_identity, medical_health,
    /// financial_account, whereabouts, minor_under_14.
    #[serde(default)]
    pub sensitive_kind: Option<String>,
    /// Defaults to masked for sensitive items and for grades the classification scheme masks
    /// (in the default scheme general_4 and above).
    #[serde(default)]
    pub masked: Option<bool>,
    /// Basic data element this item carries (一数一源), e.g. `NP01`.
    #[serde(default)]
    pub element_code: Option<String>,
}

/// The parsed input: the domain draft plus what the domain does not rule on.
pub(crate) struct Parsed {
    pub draft: EntryDraft,
    pub category_code: String,
    pub element_codes: Vec<Option<String>>,
}

fn vocab<V: Vocabulary>(v: &mut Violations, field: &str, raw: &str) -> Option<V> {
    V::parse(raw)
        .map_err(|mut e| {
            e.field = field.to_owned();
            v.push(e)
        })
        .ok()
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl EntryInput {
    /// Parses every field and then applies the domain's entry rules with the grade rules of
    /// `scheme` (the scheme in force, which the revision records); all problems at once.
    pub(crate) fn parse(&self, scheme: &Scheme) -> Result<Parsed, Violations> {
        let mut v = Violations::default();
        if scheme.category(self.category_code.trim()).is_none() {
            v.push(Violation::new(
                "category_code",
                "unknown_category",
                format!(
                    "资源分类代码“{}”不在现行分类方案中",
                    self.category_code.trim()
                ),
                format!(
                    "category {} is not in the current scheme",
                    self.category_code.trim()
                ),
            ));
        }
        let grade = Grade::parse("grade", &self.grade)
            .map_err(|e| v.push(e))
            .ok();
        let data_form = vocab::<DataForm>(&mut v, "data_form", &self.data_form);
        let share_type = vocab::<ShareType>(&mut v, "share_type", &self.share_type);
        let share_modes: Vec<ShareMode> = self
            .share_modes
            .iter()
            .filter_map(|m| vocab::<ShareMode>(&mut v, "share_modes", m))
            .collect();
        let open_type = vocab::<OpenType>(&mut v, "open_type", &self.open_type);
        let not_open_reason = blank(&self.not_open_reason)
            .and_then(|r| vocab::<NotOpenReason>(&mut v, "not_open_reason", r));
        let update_frequency =
            vocab::<UpdateFrequency>(&mut v, "update_frequency", &self.update_frequency);
        let mut items = Vec::new();
        let mut element_codes = Vec::new();
        // Items whose values did not parse keep their place with stand-in values, so that the
        // rules' `items[i]` paths still point at the row the user sent; the rules' findings on
        // such a row are dropped below in favour of the parse errors.
        let mut unparsed = std::collections::HashSet::new();
        for (i, item) in self.items.iter().enumerate() {
            let f = |name: &str| format!("items[{i}].{name}");
            let data_type = vocab::<DataType>(&mut v, &f("data_type"), &item.data_type);
            let item_grade = Grade::parse(&f("grade"), &item.grade)
                .map_err(|e| v.push(e))
                .ok();
            let sensitive = blank(&item.sensitive_kind)
                .and_then(|k| vocab::<SensitiveKind>(&mut v, &f("sensitive_kind"), k));
            if data_type.is_none() || item_grade.is_none() {
                unparsed.insert(i);
            }
            let data_type = data_type.unwrap_or(DataType::Text);
            let grade = item_grade.or(grade).unwrap_or(Grade::Core);
            items.push(ItemDraft {
                name: item.name.trim().to_owned(),
                code: item.code.trim().to_owned(),
                data_type,
                description: item.description.trim().to_owned(),
                grade,
                personal: item.personal || sensitive.is_some(),
                sensitive,
                masked: item
                    .masked
                    .unwrap_or_else(|| scheme.grade_rules.masked_by_default(grade, sensitive)),
            });
            element_codes.push(blank(&item.element_code).map(str::to_owned));
        }
        let (
            Some(grade),
            Some(data_form),
            Some(share_type),
            Some(open_type),
            Some(update_frequency),
        ) = (grade, data_form, share_type, open_type, update_frequency)
        else {
            return Err(v);
        };
        let draft = EntryDraft {
            name: self.name.trim().to_owned(),
            summary: self.summary.trim().to_owned(),
            state_secret: self.state_secret,
            grade,
            data_form,
            share_type,
            share_conditions: self.share_conditions.trim().to_owned(),
            share_scope: self.share_scope.trim().to_owned(),
            share_modes,
            open_type,
            open_conditions: self.open_conditions.trim().to_owned(),
            not_open_reason,
            legal_bases: self
                .legal_bases
                .iter()
                .map(|b| LegalBasis {
                    law: b.law.trim().to_owned(),
                    article: b.article.trim().to_owned(),
                })
                .collect(),
            update_frequency,
            departure_reason: self.departure_reason.trim().to_owned(),
            items,
        };
        if let Err(more) = validate_entry(&draft, &scheme.grade_rules) {
            let about_unparsed = |field: &str| {
                field
                    .strip_prefix("items[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| unparsed.contains(&i))
            };
            v.0.extend(more.0.into_iter().filter(|x| !about_unparsed(&x.field)));
        }
        v.into_result()?;
        Ok(Parsed {
            draft,
            category_code: self.category_code.trim().to_owned(),
            element_codes,
        })
    }
}
