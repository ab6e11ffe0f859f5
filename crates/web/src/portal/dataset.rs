//! `/open/datasets/{code}`: one open dataset. The application hands over the dataset (metadata,
//! items, history, quality, licence, usage, and for unconditionally open data the first rows
//! and the chart); this page adds what is about the web: the download links of the data API,
//! the API call with a copyable `curl` example, the chart's data for the script, and the
//! schema.org JSON-LD.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use gongshu_app::open::{self, ChartAsk, OpenDataset};
use gongshu_query::XLSX_MAX_ROWS;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::jsonld::dataset_jsonld;
use super::page::{Origin, PortalError, PortalQuery, bounded, render};
use crate::console::catalog::labels::labels;
use crate::console::data::preview::Preview;
use crate::extract::Meta;
use crate::state::AppState;

/// The chart a visitor chose (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChartParams {
    /// The item to group by.
    dimension: String,
    /// `count` or `sum.<item>`.
    measure: String,
    /// `bar`, `line`, `pie`, `map`.
    kind: String,
}

/// Longest accepted chart choice (item codes are short).
const MAX_CHOICE_CHARS: usize = 64;

impl ChartParams {
    fn ask(&self) -> ChartAsk {
        let some = |s: &str| Some(bounded(s, MAX_CHOICE_CHARS)).filter(|s| !s.is_empty());
        ChartAsk {
            dimension: some(&self.dimension),
            measure: some(&self.measure),
            kind: some(&self.kind),
        }
    }
}

/// One download: the data API's address for a format, and its label.
#[derive(Serialize)]
struct Download {
    label: &'static str,
    href: String,
}

/// The formats offered, in order: (format parameter, label).
const FORMATS: &[(&str, &str)] = &[
    ("csv", "CSV（UTF-8）"),
    ("csv_gbk", "CSV（GBK）"),
    ("xlsx", "Excel（xlsx）"),
    ("json", "JSON"),
    ("parquet", "Parquet"),
];

pub async fn show(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Origin(origin): Origin,
    Path(code): Path<String>,
    PortalQuery(chart): PortalQuery<ChartParams>,
) -> Result<Response, PortalError> {
    let dataset = open::open_dataset(&state.app, &meta, &code, &chart.ask()).await?;
    let page_url = format!("{origin}/open/datasets/{}", dataset.entry.code);
    let jsonld = dataset_jsonld(&dataset, &origin, &page_url);
    let names: HashMap<String, String> = dataset
        .entry
        .items
        .iter()
        .map(|i| (i.code.clone(), i.name.clone()))
        .collect();
    let preview = dataset.preview.clone().map(|p| Preview::new(p, &names));
    let downloads = downloads(&dataset);
    let api_example = format!(
        "curl \"{origin}/api/v1/entries/{}/data?mode=api_query&limit=100\"",
        dataset.entry.code
    );
    let chart_json = dataset
        .chart
        .as_ref()
        .map(|c| serde_json::to_string(c).unwrap_or_default());
    Ok(render(
        "portal_dataset.html",
        context! {
            section => "datasets",
            d => dataset,
            preview => preview,
            downloads => downloads,
            api_example => api_example,
            chart_json => chart_json,
            jsonld => jsonld,
            page_url => page_url,
            labels => labels(),
        },
    ))
}

/// The download links of an unconditionally open dataset with data; XLSX only while the
/// current version fits one worksheet (the API refuses it otherwise).
fn downloads(d: &OpenDataset) -> Vec<Download> {
    let Some(current) = d.versions.iter().find(|v| v.current) else {
        return Vec::new();
    };
    if !d.unconditional {
        return Vec::new();
    }
    let fits_xlsx = usize::try_from(current.rows).is_ok_and(|r| r <= XLSX_MAX_ROWS);
    FORMATS
        .iter()
        .filter(|(format, _)| *format != "xlsx" || fits_xlsx)
        .map(|(format, label)| Download {
            label,
            href: format!(
                "/api/v1/entries/{}/data?mode=bulk_download&format={format}",
                d.entry.code
            ),
        })
        .collect()
}
