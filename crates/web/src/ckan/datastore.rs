//! `datastore_search`: a page of a dataset's rows by CKAN's parameters — `resource_id` (a
//! resource of the dataset, or the dataset's code or id), `filters` (`{"field": value}` or a
//! list of values), `q` (text anywhere in a row, or `{"field": "text"}`), `fields`, `sort`
//! (`"a desc, b"`), `limit` (default 100, at most the data API's largest page, 10,000) and
//! `offset` (at most 100,000: deeper reads use the data API's cursor or a download). The
//! rows come from `gongshu_app::data` — the same read decision, masking, audit and metering
//! as the data API, so a conditional dataset answers an authorization error unless the caller
//! holds a basis — and are the data API's JSON rows, spliced into CKAN's envelope unparsed.

use gongshu_app::data::{self, MAX_OFFSET, OffsetColumn, OffsetRequest, Reader};
use gongshu_app::{AppError, interop};
use gongshu_domain::catalog::{DataType, OpenType};
use gongshu_query::{Filter, Op, OrderKey, RowsQuery};
use serde_json::{Map, Value, json};

use super::Call;
use super::catalog::split_resource;
use super::reply::{CkanError, Reply};

/// CKAN's default page.
const DEFAULT_LIMIT: usize = 100;
/// The most columns `fields`, `sort` or `filters` may name.
const MAX_COLUMNS: usize = 200;

/// CKAN's type of a column: masked values are text.
fn ckan_type(c: &OffsetColumn) -> &'static str {
    match (c.masked, c.data_type) {
        (true, _) => "text",
        (false, Some(DataType::Integer)) => "int",
        (false, Some(DataType::Decimal)) => "numeric",
        (false, Some(DataType::Date)) => "date",
        (false, Some(DataType::DateTime)) => "timestamp",
        (false, Some(DataType::Boolean)) => "bool",
        _ => "text",
    }
}

/// A filter value as the data API's filter text reads it.
fn value_text(field: &str, v: &Value) -> Result<String, CkanError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(CkanError::invalid(
            "filters",
            format!("字段“{field}”的筛选值应为文本、数字或其列表"),
            format!("the filter on `{field}` must be text, a number or a list of them"),
        )),
    }
}

/// `{"qx": "新城区", "nl": [20, 30]}`: equality, or one of a list.
fn filters(call: &Call<'_>) -> Result<Vec<Filter>, CkanError> {
    let Some(map) = call.params.object("filters")? else {
        return Ok(Vec::new());
    };
    if map.len() > MAX_COLUMNS {
        return Err(CkanError::invalid(
            "filters",
            "筛选字段过多",
            "too many filter fields",
        ));
    }
    map.into_iter()
        .map(|(field, v)| {
            let op = match &v {
                Value::Null => Op::IsNull,
                Value::Array(items) if items.len() > 1_000 => {
                    return Err(CkanError::invalid(
                        "filters",
                        "筛选值过多",
                        "too many filter values",
                    ));
                }
                Value::Array(items) => Op::In(
                    items
                        .iter()
                        .map(|i| value_text(&field, i))
                        .collect::<Result<_, _>>()?,
                ),
                other => Op::Eq(value_text(&field, other)?),
            };
            Ok(Filter {
                column: field,
                negated: false,
                op,
            })
        })
        .collect()
}

/// `q`: text anywhere in a row, or `{"field": "text"}` for text within fields.
fn text_query(call: &Call<'_>, query: &mut RowsQuery) -> Result<(), CkanError> {
    match call.params.value("q") {
        None => Ok(()),
        Some(Value::Object(_)) => {
            let map = call.params.object("q")?.unwrap_or_default();
            for (field, v) in map {
                let text = value_text(&field, &v)?;
                query.filters.push(Filter {
                    column: field,
                    negated: false,
                    op: Op::ILike(format!("*{text}*")),
                });
            }
            Ok(())
        }
        Some(_) => {
            let text = call.params.text("q")?.unwrap_or_default();
            let text = text.trim();
            query.text = (!text.is_empty()).then(|| text.to_owned());
            Ok(())
        }
    }
}

/// `"a desc, b"` (CKAN's) as the data API's order keys.
fn sort(call: &Call<'_>) -> Result<Vec<OrderKey>, CkanError> {
    let Some(text) = call.params.text("sort")? else {
        return Ok(Vec::new());
    };
    let bad = || {
        CkanError::invalid(
            "sort",
            "排序应写作“字段 asc|desc, …”",
            "sort must read `field asc|desc, …`",
        )
    };
    let mut keys = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let column = words.next().ok_or_else(bad)?.trim_matches('"');
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(bad()),
        };
        if words.next().is_some() || keys.len() >= MAX_COLUMNS {
            return Err(bad());
        }
        keys.push(OrderKey {
            column: column.to_owned(),
            descending,
        });
    }
    Ok(keys)
}

/// Options this datastore does not offer are refused, not ignored.
fn refuse_unsupported(call: &Call<'_>) -> Result<(), CkanError> {
    if call.params.flag("distinct")?.unwrap_or(false) {
        return Err(CkanError::invalid(
            "distinct",
            "不支持 distinct",
            "distinct is not supported",
        ));
    }
    match call.params.text("records_format")?.as_deref() {
        None | Some("objects") => Ok(()),
        Some(_) => Err(CkanError::invalid(
            "records_format",
            "仅支持 records_format=objects",
            "only records_format=objects is supported",
        )),
    }
}

pub(super) async fn datastore_search(call: &Call<'_>) -> Result<Reply, CkanError> {
    refuse_unsupported(call)?;
    let resource_id = call
        .params
        .text("resource_id")?
        .or(call.params.text("id")?)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CkanError::invalid("resource_id", "缺少必填参数", "missing value"))?;
    let code = split_resource(&resource_id).map_or(resource_id.as_str(), |(code, _)| code);
    // Only a dataset the public may see in the catalog has a datastore here.
    let dataset = interop::dataset(&call.state.app, code)
        .await
        .map_err(|_| CkanError::not_found("资源", "resource"))?;
    let max = call.state.app.query_limits().max_page_rows;
    let limit = call.params.count("limit", DEFAULT_LIMIT, max)?;
    if limit == 0 {
        return Err(CkanError::invalid(
            "limit",
            format!("limit 应为1到{max}之间的整数"),
            format!("limit must be from 1 to {max}"),
        ));
    }
    let offset = call.params.count("offset", 0, MAX_OFFSET)?;
    let mut query = RowsQuery {
        select: call.params.list("fields", MAX_COLUMNS)?,
        filters: filters(call)?,
        order: sort(call)?,
        text: None,
    };
    text_query(call, &mut query)?;
    let query_text = call.params.to_query_text();
    let reader = Reader::new(call.caller.ctx(), &call.caller.meta);
    let request = OffsetRequest {
        query: &query,
        offset,
        limit,
        query_text: &query_text,
    };
    let page = match data::read_offset_rows(&call.state.app, reader, &dataset.code, request).await {
        // The read decision hides conditional data from anonymous readers; the catalog shows
        // the dataset, so the refusal (on record like every refusal) says why.
        Err(AppError::NotFound { .. }) if dataset.open_type == OpenType::Conditional => {
            return Err(CkanError::not_authorized(
                "该数据集为有条件开放数据，须经开放申请获批后，使用获批账号的API密钥读取",
                "this dataset is open on conditions: it is read with the API key of an account whose open application was approved",
            ));
        }
        page => page?,
    };
    let fields: Vec<Value> = page
        .columns
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "type": ckan_type(c),
                "info": { "label": c.name, "notes": c.description },
                "masked": c.masked,
            })
        })
        .collect();
    let link = |offset: usize| {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.append_pair("resource_id", &resource_id);
        url.append_pair("limit", &limit.to_string());
        if offset > 0 {
            url.append_pair("offset", &offset.to_string());
        }
        format!("/api/3/action/datastore_search?{}", url.finish())
    };
    let mut links = Map::new();
    links.insert("start".into(), link(0).into());
    let next = offset + limit;
    if (next as u64) < page.total {
        links.insert("next".into(), link(next).into());
    }
    let mut result = Map::new();
    result.insert("resource_id".into(), resource_id.clone().into());
    result.insert("fields".into(), fields.into());
    result.insert("limit".into(), limit.into());
    result.insert("offset".into(), offset.into());
    result.insert("total".into(), page.total.into());
    result.insert("total_was_estimated".into(), false.into());
    result.insert("include_total".into(), true.into());
    result.insert("records_format".into(), "objects".into());
    result.insert("version".into(), page.version.into());
    result.insert("policy".into(), page.policy.code().into());
    result.insert("_links".into(), links.into());
    Ok(Reply::Records {
        result,
        records: page.rows.body,
    })
}
