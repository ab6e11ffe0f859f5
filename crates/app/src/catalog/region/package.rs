//! The submission package (报送包) of the city catalog: one ZIP holding the two exports the
//! platform already produces of every published entry — `catalog.json` (the entries as the
//! API shows them, with a header naming the city authority and the date) and `catalog.xlsx`
//! (the catalog template) — and its SM3 digest, which is kept with the submission so anyone can
//! check later that the stored package is the one sent.

use std::io::Write;

use chrono::{Datelike, Timelike};
use serde::Serialize;
use sm3::{Digest, Sm3};
use zip::write::SimpleFileOptions;

use crate::catalog::EntryView;
use crate::catalog::excel::{Reader, export_json, export_xlsx};
use crate::{App, AppError, Ctx, Result};

/// A built package.
pub struct Package {
    pub bytes: Vec<u8>,
    /// SM3 of `bytes`, lowercase hex.
    pub sm3: String,
    pub entry_count: usize,
}

/// The header and entries of `catalog.json`.
#[derive(Serialize)]
struct CatalogDocument<'a> {
    format: &'static str,
    city_authority: &'a str,
    submitted_on: String,
    entry_count: usize,
    entries: &'a [EntryView],
}

/// Builds the package of every published entry of the city, as of now. Refused when nothing
/// is published: an empty catalog is not a submission.
pub(crate) async fn build(app: &App, ctx: Ctx<'_>, city_authority: &str) -> Result<Package> {
    let entries = export_json(app, Some(ctx)).await?;
    if entries.is_empty() {
        return Err(AppError::conflict(
            "empty_catalog",
            "全市目录中还没有已发布的条目，无法报送",
            "the city catalog has no published entry to submit",
        ));
    }
    let workbook = export_xlsx(app, Reader::Operator, None).await?;
    let today = crate::calendar::today(app);
    let document = serde_json::to_vec_pretty(&CatalogDocument {
        format: "gongshu.city-catalog-submission/1",
        city_authority,
        submitted_on: today.to_string(),
        entry_count: entries.len(),
        entries: &entries,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let local = app.now() + chrono::Duration::hours(8);
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).unwrap_or(1980),
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .unwrap_or_default();
    let bytes = zip_of(
        &[("catalog.json", &document), ("catalog.xlsx", &workbook)],
        stamp,
    )
    .map_err(|e| AppError::Internal(format!("submission package: {e}")))?;
    Ok(Package {
        sm3: hex::encode(Sm3::digest(&bytes)),
        bytes,
        entry_count: entries.len(),
    })
}

fn zip_of(files: &[(&str, &[u8])], stamp: zip::DateTime) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp);
    for (name, bytes) in files {
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
