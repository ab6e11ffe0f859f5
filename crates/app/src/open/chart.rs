//! The chart of an open dataset (数据图表): the dataset grouped by one data item and measured
//! by the row count or the sum of a numeric item, drawn as bars, a line, a pie, or — where the
//! grouping item is a district (旗县区) — a map of the city. The groups are read through the
//! data plane's one read path as an anonymous member of the public (so masked items stay
//! masked), audited like any read, and handed to the page as labels and numbers; the page's
//! script draws them with ECharts.
//!
//! Items that identify or describe a person (personal, masked, citizen-ID or credit-code
//! items) are never offered: a chart of them would be a list of people. Without a choice the
//! chart groups by the item a person would pick first: a district, then a month or quarter,
//! then a category-like item.

use gongshu_domain::Violation;
use gongshu_domain::catalog::{DataType, Vocabulary};
use gongshu_query::{AggregateQuery, Function, Measure};
use serde::Serialize;

use crate::catalog::ItemView;
use crate::data::{Reader, preview_groups};
use crate::{App, RequestMeta, Result};

/// The most groups a chart shows; the rest are left out and the page says so.
pub const MAX_GROUPS: usize = 60;

/// How the groups are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Bar,
    Line,
    Pie,
    /// A map of the city's districts; only for a district item.
    Map,
}

impl ChartKind {
    const ALL: [ChartKind; 4] = [Self::Bar, Self::Line, Self::Pie, Self::Map];

    pub fn code(self) -> &'static str {
        match self {
            Self::Bar => "bar",
            Self::Line => "line",
            Self::Pie => "pie",
            Self::Map => "map",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Bar => "柱状图",
            Self::Line => "折线图",
            Self::Pie => "饼图",
            Self::Map => "地图（按旗县区）",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == raw)
    }
}

/// What is measured per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartMeasure {
    /// 数据条数: rows per group.
    Count,
    /// The sum of a numeric item per group.
    Sum(String),
}

impl ChartMeasure {
    pub fn code(&self) -> String {
        match self {
            Self::Count => "count".into(),
            Self::Sum(item) => format!("sum.{item}"),
        }
    }
}

/// The chart a visitor asked for, as typed; empty fields take the defaults.
#[derive(Debug, Clone, Default)]
pub struct ChartAsk {
    /// The code of the item to group by.
    pub dimension: Option<String>,
    /// `count` or `sum.<item code>`.
    pub measure: Option<String>,
    /// `bar`, `line`, `pie` or `map`.
    pub kind: Option<String>,
}

/// One choice of a select box.
#[derive(Debug, Clone, Serialize)]
pub struct ChartOption {
    pub value: String,
    pub label: String,
}

/// One group: its label (the item's value; `None` for empty values) and its number.
#[derive(Debug, Clone, Serialize)]
pub struct ChartGroup {
    pub label: Option<String>,
    pub value: f64,
}

/// A chart ready to draw, with the choices for another.
#[derive(Debug, Clone, Serialize)]
pub struct ChartData {
    pub dimension: String,
    pub dimension_name: String,
    pub measure: String,
    pub measure_name: String,
    pub kind: ChartKind,
    /// The grouping item is a district: the map may be drawn.
    pub district: bool,
    pub groups: Vec<ChartGroup>,
    /// More groups exist than the [`MAX_GROUPS`] shown.
    pub truncated: bool,
    pub dimensions: Vec<ChartOption>,
    pub measures: Vec<ChartOption>,
    pub kinds: Vec<ChartOption>,
}

/// An item that may be charted, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chartable {
    pub code: String,
    pub name: String,
    pub numeric: bool,
    pub district: bool,
    pub temporal: bool,
    pub categorical: bool,
}

/// Names of items that hold a district (旗县区) of the city.
const DISTRICT_WORDS: &[&str] = &[
    "旗县区",
    "区县",
    "县区",
    "行政区",
    "所在区",
    "所属区",
    "辖区",
];
/// Names of items that hold a period.
const TEMPORAL_WORDS: &[&str] = &["月份", "季度", "年度", "年份", "统计期"];
/// Endings of items that hold a few categories.
const CATEGORY_ENDINGS: &[&str] = &[
    "类别", "类型", "种类", "状态", "等级", "险种", "级别", "街道", "乡镇", "性质",
];

/// Whether an item with this name holds a district of the city.
pub fn is_district(name: &str) -> bool {
    DISTRICT_WORDS.iter().any(|w| name.contains(w))
}

/// The items a chart may group or sum by: none that identify or describe a person.
pub fn chartable(items: &[ItemView]) -> Vec<Chartable> {
    items
        .iter()
        .filter_map(|i| {
            let data_type = DataType::parse(&i.data_type).ok()?;
            if i.masked
                || i.personal
                || matches!(data_type, DataType::CitizenId | DataType::CreditCode)
            {
                return None;
            }
            Some(Chartable {
                code: i.code.clone(),
                name: i.name.clone(),
                numeric: matches!(data_type, DataType::Integer | DataType::Decimal),
                district: is_district(&i.name),
                temporal: matches!(data_type, DataType::Date | DataType::DateTime)
                    || TEMPORAL_WORDS.iter().any(|w| i.name.contains(w)),
                categorical: CATEGORY_ENDINGS.iter().any(|w| i.name.ends_with(w)),
            })
        })
        .collect()
}

/// The item to group by when none was chosen: a district, a period label, a category, then
/// any text item (never a number: a sum by a number says nothing).
pub fn default_dimension(items: &[Chartable]) -> Option<&Chartable> {
    let text = || items.iter().filter(|i| !i.numeric);
    text()
        .find(|i| i.district)
        .or_else(|| text().find(|i| i.temporal))
        .or_else(|| text().find(|i| i.categorical))
        .or_else(|| text().next())
}

/// The measure when none was chosen: the sum of the first numeric item, else the row count.
pub fn default_measure(items: &[Chartable], dimension: &str) -> ChartMeasure {
    items
        .iter()
        .find(|i| i.numeric && i.code != dimension)
        .map_or(ChartMeasure::Count, |i| ChartMeasure::Sum(i.code.clone()))
}

/// How a grouping is drawn when nobody chose: a district on the map, a period as a line,
/// anything else as bars.
pub fn default_kind(dimension: &Chartable) -> ChartKind {
    if dimension.district {
        ChartKind::Map
    } else if dimension.temporal {
        ChartKind::Line
    } else {
        ChartKind::Bar
    }
}

/// A choice that was made: not absent, not blank.
fn chosen(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The chart asked for, checked against the items; a choice that is not on offer is refused
/// on its field.
pub fn resolve<'a>(
    items: &'a [Chartable],
    ask: &ChartAsk,
) -> std::result::Result<Option<(&'a Chartable, ChartMeasure, ChartKind)>, Violation> {
    let dimension = match chosen(&ask.dimension) {
        Some(code) => items.iter().find(|i| i.code == code).ok_or_else(|| {
            Violation::new(
                "dimension",
                "not_chartable",
                "该信息项不能用于生成图表",
                "this data item cannot be charted",
            )
        })?,
        None => match default_dimension(items) {
            Some(d) => d,
            None => return Ok(None),
        },
    };
    let measure = match chosen(&ask.measure) {
        None => default_measure(items, &dimension.code),
        Some("count") => ChartMeasure::Count,
        Some(other) => {
            let code = other.strip_prefix("sum.").unwrap_or_default();
            items
                .iter()
                .find(|i| i.numeric && i.code == code)
                .map(|i| ChartMeasure::Sum(i.code.clone()))
                .ok_or_else(|| {
                    Violation::new(
                        "measure",
                        "not_chartable",
                        "统计值应为数据条数或数值型信息项的合计",
                        "measure must be count or sum.<numeric item>",
                    )
                })?
        }
    };
    let kind = match chosen(&ask.kind) {
        None => default_kind(dimension),
        Some(raw) => match ChartKind::parse(raw) {
            Some(ChartKind::Map) if !dimension.district => {
                return Err(Violation::new(
                    "kind",
                    "map_needs_district",
                    "只有按旗县区分组时才能绘制地图",
                    "a map needs a district item to group by",
                ));
            }
            Some(kind) => kind,
            None => {
                return Err(Violation::new(
                    "kind",
                    "invalid",
                    "图表类型应为柱状图、折线图、饼图或地图",
                    "kind must be bar, line, pie or map",
                ));
            }
        },
    };
    Ok(Some((dimension, measure, kind)))
}

/// The chart of `code` as the public sees it; `None` when no item may be charted. `items`
/// are the published revision's data items.
pub async fn chart_data(
    app: &App,
    meta: &RequestMeta,
    code: &str,
    items: &[ItemView],
    ask: &ChartAsk,
) -> Result<Option<ChartData>> {
    let offered = chartable(items);
    let Some((dimension, measure, kind)) = resolve(&offered, ask)? else {
        return Ok(None);
    };
    let query = AggregateQuery {
        group_by: vec![dimension.code.clone()],
        measures: vec![match &measure {
            ChartMeasure::Count => Measure {
                function: Function::Count,
                column: None,
            },
            ChartMeasure::Sum(item) => Measure {
                function: Function::Sum,
                column: Some(item.clone()),
            },
        }],
        filters: Vec::new(),
    };
    let read = preview_groups(
        app,
        Reader::Anonymous(meta),
        code,
        &query,
        MAX_GROUPS,
        "portal chart",
    )
    .await?;
    let groups = read
        .rows
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let label = cells.next().flatten();
            let value = cells
                .next()
                .flatten()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
            ChartGroup { label, value }
        })
        .collect();
    let measure_name = match &measure {
        ChartMeasure::Count => "数据条数".to_owned(),
        ChartMeasure::Sum(item) => {
            let name = offered.iter().find(|i| &i.code == item).map(|i| &i.name);
            format!("{}合计", name.unwrap_or(item))
        }
    };
    Ok(Some(ChartData {
        dimension: dimension.code.clone(),
        dimension_name: dimension.name.clone(),
        measure: measure.code(),
        measure_name,
        kind,
        district: dimension.district,
        groups,
        truncated: read.more,
        dimensions: offered
            .iter()
            .filter(|i| !i.numeric)
            .map(|i| ChartOption {
                value: i.code.clone(),
                label: i.name.clone(),
            })
            .collect(),
        measures: std::iter::once(ChartOption {
            value: "count".into(),
            label: "数据条数".into(),
        })
        .chain(offered.iter().filter(|i| i.numeric).map(|i| ChartOption {
            value: format!("sum.{}", i.code),
            label: format!("{}合计", i.name),
        }))
        .collect(),
        kinds: ChartKind::ALL
            .into_iter()
            .filter(|k| *k != ChartKind::Map || dimension.district)
            .map(|k| ChartOption {
                value: k.code().into(),
                label: k.zh().into(),
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, name: &str, data_type: &str) -> ItemView {
        ItemView {
            code: code.into(),
            name: name.into(),
            data_type: data_type.into(),
            data_type_zh: String::new(),
            description: String::new(),
            grade: "general_1".into(),
            grade_zh: String::new(),
            personal: false,
            sensitive_kind: None,
            sensitive_zh: None,
            masked: false,
            element_code: None,
            identifies: None,
        }
    }

    #[test]
    fn h26_people_and_identifiers_are_never_charted() {
        let mut name = item("xm", "姓名", "text");
        name.personal = true;
        let mut masked = item("dh", "联系电话", "text");
        masked.masked = true;
        let items = [
            name,
            masked,
            item("sfzh", "公民身份号码", "citizen_id"),
            item("dm", "统一社会信用代码", "credit_code"),
            item("jglb", "机构类别", "text"),
        ];
        let offered = chartable(&items);
        assert_eq!(offered.len(), 1);
        assert_eq!(offered[0].code, "jglb");
        let ask = ChartAsk {
            dimension: Some("xm".into()),
            ..ChartAsk::default()
        };
        assert_eq!(resolve(&offered, &ask).unwrap_err().field, "dimension");
    }

    #[test]
    fn the_default_chart_is_a_map_of_districts_then_a_line_of_months_then_bars() {
        let offered = chartable(&[
            item("jgmc", "机构名称", "text"),
            item("jglb", "机构类别", "text"),
            item("cws", "床位数", "integer"),
            item("szqx", "所在旗县区", "text"),
        ]);
        let (d, m, k) = resolve(&offered, &ChartAsk::default()).unwrap().unwrap();
        assert_eq!((d.code.as_str(), k), ("szqx", ChartKind::Map));
        assert_eq!(m, ChartMeasure::Sum("cws".into()));
        let offered = chartable(&[
            item("tjyf", "统计月份", "text"),
            item("sgqs", "事故起数", "integer"),
        ]);
        let (d, m, k) = resolve(&offered, &ChartAsk::default()).unwrap().unwrap();
        assert_eq!((d.code.as_str(), k), ("tjyf", ChartKind::Line));
        assert_eq!(m.code(), "sum.sgqs");
        let offered = chartable(&[item("mc", "名称", "text"), item("lx", "机构类型", "text")]);
        let (d, m, k) = resolve(&offered, &ChartAsk::default()).unwrap().unwrap();
        assert_eq!(
            (d.code.as_str(), k, m),
            ("lx", ChartKind::Bar, ChartMeasure::Count)
        );
        assert!(
            resolve(
                &chartable(&[item("n", "数量", "integer")]),
                &ChartAsk::default()
            )
            .unwrap()
            .is_none()
        );
    }

    #[test]
    fn a_map_needs_a_district_and_a_sum_a_number() {
        let offered = chartable(&[
            item("jglb", "机构类别", "text"),
            item("cws", "床位数", "integer"),
        ]);
        let ask = |kind: &str, measure: &str| ChartAsk {
            dimension: Some("jglb".into()),
            measure: Some(measure.into()),
            kind: Some(kind.into()),
        };
        assert_eq!(
            resolve(&offered, &ask("map", "count")).unwrap_err().field,
            "kind"
        );
        assert_eq!(
            resolve(&offered, &ask("radar", "count")).unwrap_err().field,
            "kind"
        );
        assert_eq!(
            resolve(&offered, &ask("pie", "sum.jglb"))
                .unwrap_err()
                .field,
            "measure"
        );
        let (_, m, k) = resolve(&offered, &ask("pie", "sum.cws")).unwrap().unwrap();
        assert_eq!((m.code(), k), ("sum.cws".to_owned(), ChartKind::Pie));
        assert!(is_district("所在旗县区") && is_district("行政区划") && !is_district("街道"));
    }
}
