//! Verification and matching (核验比对, H21): an agency holding a `verification` grant sends
//! key values and the values it believes go with them, and learns per field only "matches" or
//! "does not match" — never a value. This is how data that is not shared (不予共享) can still
//! serve another agency's checks.
//!
//! A key that is not in the data answers `false` for every claimed field, in the same shape
//! as a mismatch and along the same code path (see [`gongshu_query::VerifyIndex::check`]).
//! Calls are limited per grant by a token bucket of keys (`gongshu_domain::key_bucket`) kept
//! in the database, so the limit is the grant's whatever the number of replicas and across
//! restarts; every call is audited with the grant, its purpose and the counts — never the keys
//! or values.
//!
//! Lookups go through per-version indexes of keyed digests that the query engine builds on
//! first use; each replica keeps them in memory up to a byte budget, least recently used first
//! out. They are derived data: a replica without one builds it again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use gongshu_domain::catalog::{DataType, ShareMode, Vocabulary};
use gongshu_domain::key_bucket::{KeyBucket, MICROS_PER_MINUTE};
use gongshu_domain::{Violation, Violations};
use gongshu_query::{Claim, Dataset, Digests, VerifyIndex};
use gongshu_store::{catalog, verify_buckets};
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
    take_keys(app, &bucket, input.records.len()).await?;

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

    let open: Vec<_> = r.open_read().into_iter().collect();
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
        open.as_slice(),
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

/// Takes `keys` from the key budget of `bucket` (a grant), or says when to retry. Buckets
/// that have been full for a while are forgotten on the way, so the table stays as small as
/// the set of grants that verified in the last minute.
async fn take_keys(app: &App, bucket: &str, keys: usize) -> Result<()> {
    let rate = app.config.verify_keys_per_minute;
    let now = app.now_micros();
    let mut tx = app.db.begin_write().await?;
    let current = verify_buckets::get_bucket(&mut tx, bucket)
        .await?
        .unwrap_or_else(|| KeyBucket::full(rate, now));
    let keys = u64::try_from(keys).unwrap_or(u64::MAX);
    match current.take(rate, keys, now) {
        Ok(next) => {
            verify_buckets::put_bucket(&mut tx, bucket, next).await?;
            verify_buckets::prune(&mut tx, now - MICROS_PER_MINUTE).await?;
            tx.commit().await?;
            Ok(())
        }
        Err(wait) => Err(AppError::RateLimited {
            retry_after_secs: wait.secs,
            keys_per_minute: rate,
        }),
    }
}

/// The verification state of one process: the digest key and the index cache.
#[derive(Debug)]
pub(crate) struct Verifier {
    digests: Digests,
    cache: Mutex<IndexCache<VerifyIndex>>,
    /// One build at a time: two callers of a cold index wait for one scan, and memory grows
    /// by one index at a time.
    building: tokio::sync::Mutex<()>,
}

/// The verification indexes held, least recently used first out once their bytes (as `weigh`
/// tells) pass the budget; the newest stays even if it alone is larger.
#[derive(Debug)]
struct IndexCache<V> {
    indexes: lru::LruCache<String, Arc<V>>,
    weigh: fn(&V) -> usize,
    bytes: usize,
    budget: usize,
}

impl<V> IndexCache<V> {
    fn new(budget: usize, weigh: fn(&V) -> usize) -> Self {
        Self {
            indexes: lru::LruCache::unbounded(),
            weigh,
            bytes: 0,
            budget,
        }
    }

    fn get(&mut self, id: &str) -> Option<Arc<V>> {
        self.indexes.get(id).cloned()
    }

    fn insert(&mut self, id: String, index: Arc<V>) {
        self.bytes += (self.weigh)(&index);
        if let Some(old) = self.indexes.put(id, index) {
            self.bytes -= (self.weigh)(&old);
        }
        while self.indexes.len() > 1 && self.bytes > self.budget {
            if let Some((_, out)) = self.indexes.pop_lru() {
                self.bytes -= (self.weigh)(&out);
            }
        }
    }
}

impl Verifier {
    pub(crate) fn new(cache_bytes: usize) -> Self {
        Self {
            digests: Digests::new(),
            cache: Mutex::new(IndexCache::new(cache_bytes, VerifyIndex::bytes)),
            building: tokio::sync::Mutex::new(()),
        }
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
        self.cache
            .lock()
            .expect("verification cache")
            .insert(id, Arc::clone(&index));
        Ok(index)
    }

    fn cached(&self, id: &str) -> Option<Arc<VerifyIndex>> {
        self.cache.lock().expect("verification cache").get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_index_goes_first_and_the_newest_always_stays() {
        let mut cache = IndexCache::new(20, Vec::<u8>::len);
        cache.insert("a".into(), Arc::new(vec![0; 10]));
        cache.insert("b".into(), Arc::new(vec![0; 10]));
        assert!(cache.get("a").is_some(), "a is now the most recent");
        cache.insert("c".into(), Arc::new(vec![0; 10]));
        assert!(cache.get("b").is_none(), "b was the least recently used");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        assert_eq!(cache.bytes, 20);
        cache.insert("large".into(), Arc::new(vec![0; 100]));
        assert_eq!(cache.indexes.len(), 1, "alone over the budget, it stays");
        assert_eq!(cache.bytes, 100);
    }
}
