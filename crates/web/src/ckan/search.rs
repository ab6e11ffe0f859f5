//! CKAN's search vocabulary over the catalog's facets: `q` (Chinese text; `*:*` is
//! everything; `field:value` words are filters), `fq` (`field:value` terms, a value quoted or
//! a parenthesised `OR` list, `+` allowed), `facet.field`, `sort`. CKAN's field names map to
//! the catalog's facets — `organization` to the agency, `groups` to the topic (category),
//! `tags` to the open type, update frequency and data form labels, `license_id` to the open
//! type — and the catalog's own facet names are understood too. A field the index cannot
//! filter on (a `metadata_modified` range, say) is refused on `fq` rather than ignored, so a
//! harvester falls back to a full harvest instead of missing changes.

use gongshu_app::interop::{Facet, FacetCount};
use gongshu_domain::catalog::{DataForm, OpenType, UpdateFrequency, Vocabulary};

use super::dicts::licence;
use super::reply::CkanError;

/// The order results come in: relevance with text, newest publication without.
pub(crate) const SORT: &str = "score desc, metadata_modified desc";

/// The facet fields `facet.field` may name.
pub(crate) const FACET_FIELDS: [&str; 10] = [
    "organization",
    "groups",
    "tags",
    "license_id",
    "agency",
    "category",
    "open_type",
    "update_frequency",
    "data_form",
    "grade",
];

/// What `q` and `fq` ask for.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Asked {
    pub text: Option<String>,
    pub filters: Vec<(Facet, String)>,
    /// A term that no dataset can match (`dataset_type:harvest`): the answer is empty.
    pub nothing: bool,
}

/// Splits on spaces outside quotes and parentheses.
fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut depth) = (false, 0usize);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            c if c.is_whitespace() && !quoted && depth == 0 => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `"a b"` → `[a b]`, `(a OR "b c")` → `[a, b c]`, `a` → `[a]`.
fn values(raw: &str) -> Vec<String> {
    let raw = raw.trim();
    let inner = raw
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(raw);
    terms(inner)
        .into_iter()
        .filter(|t| t != "OR")
        .map(|t| t.trim_matches('"').to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The facet filter of a tag (a Chinese label, or its code).
fn tag_filter(label: &str) -> Option<(Facet, String)> {
    let code = |c: &'static str| c.to_owned();
    OpenType::parse(label)
        .map(|v| (Facet::OpenType, code(v.code())))
        .or_else(|_| {
            UpdateFrequency::parse(label).map(|v| (Facet::UpdateFrequency, code(v.code())))
        })
        .or_else(|_| DataForm::parse(label).map(|v| (Facet::DataForm, code(v.code()))))
        .ok()
}

/// The open type of a licence id.
fn licence_filter(id: &str) -> Option<String> {
    [OpenType::Unconditional, OpenType::Conditional]
        .into_iter()
        .find(|o| licence(*o).0 == id)
        .map(|o| o.code().to_owned())
}

/// Reads one `field:value` term into `asked`; `Err` names a field it cannot filter on.
fn term(field: &str, raw: &str, asked: &mut Asked) -> Result<(), String> {
    let vals = values(raw);
    let direct = |facet: Facet, asked: &mut Asked| {
        asked
            .filters
            .extend(vals.iter().map(|v| (facet, v.clone())));
    };
    match field {
        "organization" | "owner_org" | "agency" => direct(Facet::Agency, asked),
        "groups" | "category" => direct(Facet::Category, asked),
        "open_type" => direct(Facet::OpenType, asked),
        "update_frequency" => direct(Facet::UpdateFrequency, asked),
        "data_form" => direct(Facet::DataForm, asked),
        "grade" => direct(Facet::Grade, asked),
        "tags" => {
            for v in &vals {
                match tag_filter(v) {
                    Some(f) => asked.filters.push(f),
                    None => asked.nothing = true,
                }
            }
        }
        "license_id" => {
            for v in &vals {
                match licence_filter(v) {
                    Some(o) => asked.filters.push((Facet::OpenType, o)),
                    None => asked.nothing = true,
                }
            }
        }
        "dataset_type" | "type" => asked.nothing |= vals.iter().any(|v| v != "dataset"),
        "state" => asked.nothing |= vals.iter().any(|v| v != "active"),
        "capacity" => asked.nothing |= vals.iter().any(|v| v != "public"),
        "private" => asked.nothing |= vals.iter().any(|v| v != "false"),
        other => return Err(other.to_owned()),
    }
    Ok(())
}

/// Reads `q` and `fq`.
pub(crate) fn asked(q: Option<&str>, fq: Option<&str>) -> Result<Asked, CkanError> {
    let mut asked = Asked::default();
    let mut words = Vec::new();
    for word in terms(q.unwrap_or_default()) {
        if word == "*:*" || word == "*" {
            continue;
        }
        let spec = word.trim_start_matches('+');
        match spec.split_once(':') {
            Some((field, value)) if !value.is_empty() => {
                if term(field, value, &mut asked).is_err() {
                    words.push(word);
                }
            }
            _ => words.push(word),
        }
    }
    let text = words.join(" ");
    asked.text = (!text.trim().is_empty()).then_some(text);
    for t in terms(fq.unwrap_or_default()) {
        let spec = t.trim_start_matches('+');
        if spec == "*:*" {
            continue;
        }
        let (field, value) = spec.split_once(':').ok_or_else(|| {
            CkanError::invalid(
                "fq",
                format!("无法识别的筛选条件“{t}”，应写作 字段:值"),
                format!("cannot read the filter `{t}`; write field:value"),
            )
        })?;
        term(field, value, &mut asked).map_err(|field| {
            CkanError::invalid(
                "fq",
                format!(
                    "不支持按“{field}”筛选；可用字段：organization、groups、tags、license_id、open_type、update_frequency、data_form、grade"
                ),
                format!(
                    "cannot filter on `{field}`; fields: organization, groups, tags, license_id, open_type, update_frequency, data_form, grade"
                ),
            )
        })?;
    }
    Ok(asked)
}

/// A facet field's counts as (value, label, count): CKAN's names over the catalog's facets.
pub(crate) fn facet_items(
    field: &str,
    facets: &std::collections::BTreeMap<Facet, Vec<FacetCount>>,
) -> Vec<(String, String, usize)> {
    let of = |facet: Facet| facets.get(&facet).cloned().unwrap_or_default();
    let labelled = |facet: Facet, label: &dyn Fn(&FacetCount) -> String| {
        of(facet)
            .into_iter()
            .filter(|c| c.count > 0)
            .map(|c| (c.value.clone(), label(&c), c.count))
            .collect::<Vec<_>>()
    };
    let given = |c: &FacetCount| c.label.clone().unwrap_or_else(|| c.value.clone());
    let zh = |c: &FacetCount| match OpenType::parse(&c.value) {
        Ok(o) => o.zh().to_owned(),
        Err(_) => c.value.clone(),
    };
    let mut items = match field {
        "organization" | "agency" => labelled(Facet::Agency, &given),
        "groups" | "category" => labelled(Facet::Category, &given),
        "open_type" => labelled(Facet::OpenType, &zh),
        "license_id" => labelled(Facet::OpenType, &zh)
            .into_iter()
            .filter_map(|(v, _, n)| {
                let open = OpenType::parse(&v).ok()?;
                let (id, title) = licence(open);
                Some((id.to_owned(), title.to_owned(), n))
            })
            .collect(),
        "update_frequency" => labelled(Facet::UpdateFrequency, &|c: &FacetCount| {
            UpdateFrequency::parse(&c.value).map_or(c.value.clone(), |f| f.zh().to_owned())
        }),
        "data_form" => labelled(Facet::DataForm, &|c: &FacetCount| {
            DataForm::parse(&c.value).map_or(c.value.clone(), |f| f.zh().to_owned())
        }),
        "grade" => labelled(Facet::Grade, &given),
        "tags" => [Facet::OpenType, Facet::UpdateFrequency, Facet::DataForm]
            .into_iter()
            .flat_map(of)
            .filter(|c| c.count > 0)
            .filter_map(|c| {
                let label = OpenType::parse(&c.value)
                    .map(|v| v.zh())
                    .or_else(|_| UpdateFrequency::parse(&c.value).map(|v| v.zh()))
                    .or_else(|_| DataForm::parse(&c.value).map(|v| v.zh()))
                    .ok()?;
                Some((label.to_owned(), label.to_owned(), c.count))
            })
            .collect(),
        _ => Vec::new(),
    };
    items.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fq_terms_become_facet_filters() {
        let a = asked(
            Some("人口 organization:abc"),
            Some("+groups:(201 OR \"202\") tags:无条件开放 +dataset_type:dataset"),
        )
        .unwrap();
        assert_eq!(a.text.as_deref(), Some("人口"));
        assert!(!a.nothing);
        assert_eq!(
            a.filters,
            vec![
                (Facet::Agency, "abc".to_owned()),
                (Facet::Category, "201".to_owned()),
                (Facet::Category, "202".to_owned()),
                (Facet::OpenType, "unconditional".to_owned()),
            ]
        );
        assert!(asked(None, Some("dataset_type:harvest")).unwrap().nothing);
        assert!(asked(None, Some("metadata_modified:[2020-01-01T00:00:00Z TO *]")).is_err());
        assert!(asked(Some("*:*"), None).unwrap().text.is_none());
    }
}
