//! Verification key budgets (核验限额, H21), one row per bucket. The rule that reads and
//! changes a bucket is `gongshu_domain::key_bucket`; callers hold the platform's write lock
//! while they read, decide and write back, so replicas never interleave on one bucket.

use gongshu_domain::key_bucket::KeyBucket;

use crate::{Conn, Result};

/// The bucket under `key`, if one is remembered (none means full).
pub async fn get_bucket(conn: &mut Conn, key: &str) -> Result<Option<KeyBucket>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT units, at FROM verify_buckets WHERE bucket = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(units, at)| KeyBucket { units, at }))
}

/// Writes the bucket under `key`.
pub async fn put_bucket(conn: &mut Conn, key: &str, bucket: KeyBucket) -> Result<()> {
    sqlx::query(
        "INSERT INTO verify_buckets (bucket, units, at) VALUES ($1, $2, $3) \
         ON CONFLICT (bucket) DO UPDATE SET units = excluded.units, at = excluded.at",
    )
    .bind(key)
    .bind(bucket.units)
    .bind(bucket.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the buckets last changed before `before` (a minute ago: they are full again).
pub async fn prune(conn: &mut Conn, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM verify_buckets WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
