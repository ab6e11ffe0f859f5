//! Verification and matching (核验比对, H21): an agency holding a `verification` grant sends
//! key values and the values it believes go with them, and learns per field only "matches" or
//! "does not match" — never a value. This is how data that is not shared (不予共享) can still
//! serve another agency's checks.
//!
//! A key that is not in the data answers `false` for every claimed field, in the same shape
//! as a mismatch and along the same code path (see [`gongshu_query::VerifyIndex::check`]).
//! Calls are limited per grant by a token bucket of keys, and every call is audited with the
//! grant, its purpose and the counts — never the keys or values.
//!
//! Lookups go through per-version indexes of keyed digests that the query engine builds on
//! first use; they are kept in memory up to a byte budget, least recently used first out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use gongshu_domain::catalog::{DataType, ShareMode, Vocabulary};
use gongshu_domain::{Violation, Violations};
use gongshu_query::{Claim, Dataset, Digests, VerifyIndex};
use gongshu_store::catalog;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::read::{Access, Readable, Reader, readable, record_read};
use crate::{App, AppError, Ctx, Result};

/// The most keys one call may verify.
pub const MAX_VERIFY_RECORDS: usize = 1000;

/// Whom the query executor counts index builds against: they are shared by every grant and
/// built one at a time.
const VERIFY_INDEX_BUILDER: &str = "platform:verification-index";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The item the records are keyed by (e.g. `sfzh`); an item of the grant.
    pub key: String,
    /// At most 1,000 records.
    pub records: Vec<VerifyRecord>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRecord {
    /// The key value (e.g. a citizen ID).
    pub key: String,
    /// Item → the value the caller believes the record holds; items of the grant.
    pub claims: BTreeMap<String, String>,
}

/// The answer, in the order of the request's records.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerifyAnswer {
    pub results: Vec<VerifyResult>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerifyResult {
    /// Item → whether the record holds the claimed value. `false` also when the key is absent.
    pub fields: BTreeMap<String, bool>,
}

/// Verifies a batch of records against the current version of an entry.
pub async fn verify(
    app: &App,
    ctx: Ctx<'_>,
    code: &str,
    input: VerifyInput,
) -> Result<VerifyAnswer> {
    if input.records.len() > MAX_VERIFY_RECORDS {
        return Err(Violation::new(
            "records",
            "too_many_records",
            format!("每次核验最多{MAX_VERIFY_RECORDS}条记录，请分批提交"),
            format!("at most {MAX_VERIFY_RECORDS} records per call; send them in batches"),
        )
        .into());
    }
    let reader = Reader::Signed(ctx);
    let access = Access {
        action: "verify_data",
        mode: ShareMode::Verification,
    };
    let r = readable(app, reader, code, None, access).await?;
    let granted = |item: &str| r.policy.columns.iter().any(|(c, _)| c == item);
    let items: BTreeSet<&str> = input
        .records
        .iter()
        .flat_map(|rec| rec.claims.keys().map(String::as_str))
        .collect();
    let mut violations = Violations::default();
    for item in std::iter::once(input.key.as_str()).chain(items.iter().copied()) {
        if !granted(item) {
            let field = if item == input.key { "key" } else { "claims" };
            violations.push(Violation::new(
                field,
                "item_not_granted",
                format!("数据项“{item}”不在核验授权范围内"),
                format!("item `{item}` is not an item of the verification grant"),
            ));
        }
    }
    violations.into_result()?;
    let identifiers = identifier_items(app, &r).await?;

    let bucket = match &r.policy.grant {
        Some((grant, _)) => grant.clone(),
        None => format!("{}:{}", r.policy.source.code(), ctx.principal.account_id),
    };
    app.verifier
        .take(&bucket, input.records.len(), app.now_micros())?;

    let mut results: Vec<VerifyResult> = input
        .records
        .iter()
        .map(|_| VerifyResult {
            fields: BTreeMap::new(),
        })
        .collect();
    let mut matches = 0usize;
    for item in &items {
        let columns: Vec<&str> = [input.key.as_str(), item]
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let dataset = Dataset {
            name: r.dataset.name.clone(),
            files: r.dataset.files.clone(),
            view: r.dataset.view.clear_columns(&columns),
        };
        let index = app.verifier.index(app, &dataset, &input.key, item).await?;
        let canonical = |item: &str, value: &str| -> String {
            if identifiers.contains(item) {
                value.trim().to_ascii_uppercase()
            } else {
                value.to_owned()
            }
        };
        let (at, owned): (Vec<usize>, Vec<(String, String)>) = input
            .records
            .iter()
            .enumerate()
            .filter_map(|(i, rec)| {
                let value = rec.claims.get(*item)?;
                Some((i, (canonical(&input.key, &rec.key), canonical(item, value))))
            })
            .unzip();
        let claims: Vec<Claim<'_>> = owned
            .iter()
            .map(|(key, value)| Claim { key, value })
            .collect();
        for (i, hit) in at
            .into_iter()
            .zip(index.check(&app.verifier.digests, &claims)?)
        {
            matches += usize::from(hit);
            results[i].fields.insert((*item).to_owned(), hit);
        }
    }

    record_read(
        app,
        reader,
        "verify_data",
        &format!("{}/v{}", r.entry.code, r.version.version),
        r.policy.audit(json!({
            "key": input.key,
            "items": items,
            "keys": input.records.len(),
            "matches": matches,
        })),
    )
    .await?;
    Ok(VerifyAnswer { results })
}

/// The items of `r` that hold identifiers (citizen IDs, credit codes): the ingest stores them
/// upper-cased, so claims are upper-cased too and `…x` matches a stored `…X`.
async fn identifier_items(app: &App, r: &Readable) -> Result<BTreeSet<String>> {
    let Some(revision) = r.entry.published_revision else {
        return Ok(BTreeSet::new());
    };
    let mut conn = app.db.acquire().await?;
    Ok(catalog::list_items(&mut conn, &r.entry.id, revision)
        .await?
        .into_iter()
        .filter(|i| {
            matches!(
                DataType::parse(&i.data_type),
                Ok(DataType::CitizenId | DataType::CreditCode)
            )
        })
        .map(|i| i.code)
        .collect())
}

/// The verification state of the process: the digest key, the index cache and the rate
/// limits.
#[derive(Debug)]
pub(crate) struct Verifier {
    digests: Digests,
    keys_per_minute: u32,
    cache_bytes: usize,
    /// Most recently used last.
    cache: Mutex<Vec<(String, Arc<VerifyIndex>)>>,
    /// One build at a time: two callers of a cold index wait for one scan, and memory grows
    /// by one index at a time.
    building: tokio::sync::Mutex<()>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A token bucket of keys: full at one minute's allowance, refilled continuously. Counted in
/// key-microseconds-per-minute (one key is [`MICROS_PER_MINUTE`] units, and every microsecond
/// adds `keys_per_minute` units), so refill and waits are exact integers.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    units: i128,
    at: i64,
}

const MICROS_PER_MINUTE: i128 = 60_000_000;

impl Verifier {
    pub(crate) fn new(keys_per_minute: u32, cache_bytes: usize) -> Self {
        Self {
            digests: Digests::new(),
            keys_per_minute,
            cache_bytes,
            cache: Mutex::new(Vec::new()),
            building: tokio::sync::Mutex::new(()),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `keys` tokens from the bucket of `grant`, or says when to retry.
    fn take(&self, grant: &str, keys: usize, now: i64) -> Result<()> {
        let rate = i128::from(self.keys_per_minute.max(1));
        let capacity = rate * MICROS_PER_MINUTE;
        let mut buckets = self.buckets.lock().expect("verification buckets");
        let bucket = buckets.entry(grant.to_owned()).or_insert(Bucket {
            units: capacity,
            at: now,
        });
        let elapsed = i128::from((now - bucket.at).max(0));
        bucket.units = (bucket.units + elapsed * rate).min(capacity);
        bucket.at = now;
        let wanted = keys as i128 * MICROS_PER_MINUTE;
        if bucket.units >= wanted {
            bucket.units -= wanted;
            return Ok(());
        }
        let wait_micros = (wanted - bucket.units + rate - 1) / rate;
        Err(AppError::RateLimited {
            retry_after_secs: u64::try_from((wait_micros + 999_999) / 1_000_000)
                .unwrap_or(u64::MAX),
            keys_per_minute: self.keys_per_minute,
        })
    }

    /// The index of `item` keyed by `key` over `dataset`, built on first use.
    async fn index(
        &self,
        app: &App,
        dataset: &Dataset,
        key: &str,
        item: &str,
    ) -> Result<Arc<VerifyIndex>> {
        let id = format!(
            "{:?}|{:?}|{key}|{item}",
            dataset.files, dataset.view.row_filter
        );
        if let Some(index) = self.cached(&id) {
            return Ok(index);
        }
        let _building = self.building.lock().await;
        if let Some(index) = self.cached(&id) {
            return Ok(index);
        }
        let index = Arc::new(
            app.engine
                .verify_index(VERIFY_INDEX_BUILDER, dataset, key, item, &self.digests)
                .await?,
        );
        tracing::info!(
            entry.code = %dataset.name,
            verify.key = key,
            verify.item = item,
            verify.rows = index.len(),
            verify.bytes = index.bytes(),
            "verification index built"
        );
        let mut cache = self.cache.lock().expect("verification cache");
        cache.push((id, Arc::clone(&index)));
        // Oldest out while over budget; the new index stays even if it alone is larger.
        while cache.len() > 1
            && cache.iter().map(|(_, i)| i.bytes()).sum::<usize>() > self.cache_bytes
        {
            cache.remove(0);
        }
        Ok(index)
    }

    fn cached(&self, id: &str) -> Option<Arc<VerifyIndex>> {
        let mut cache = self.cache.lock().expect("verification cache");
        let at = cache.iter().position(|(k, _)| k == id)?;
        let hit = cache.remove(at);
        let index = Arc::clone(&hit.1);
        cache.push(hit);
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h21_the_key_budget_refills_over_the_minute() {
        let v = Verifier::new(1200, 0);
        v.take("g", 1000, 0).expect("a full bucket");
        let Err(AppError::RateLimited {
            retry_after_secs, ..
        }) = v.take("g", 1000, 0)
        else {
            panic!("an empty bucket refuses");
        };
        // 800 keys missing at 20 keys/s.
        assert_eq!(retry_after_secs, 40);
        v.take("other", 1000, 0)
            .expect("each grant has its own bucket");
        v.take("g", 1000, 40_000_000)
            .expect("refilled after the wait");
    }
}
