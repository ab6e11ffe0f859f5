//! What queries may take: memory, time, sizes, threads, and the admission of each lane. Every
//! limit is bounded, so no reader can take the platform's capacity; the engine keeps them.

use std::time::Duration;

/// What queries may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Memory the operators of all running queries of one kind may hold together — SQL
    /// queries in one pool, the platform's reads in another (sorts and aggregates spill beyond
    /// it where they can, and fail with `query_out_of_memory` where they cannot).
    pub memory_bytes: usize,
    /// The most bytes one expression may add to a column of a batch (string growth, `||`,
    /// padding): a function may return as much as it was given plus this. With the lanes'
    /// running queries and `partitions`, this bounds what expressions hold beside the pool.
    pub max_value_bytes: usize,
    /// Wall time of one SQL query, from planning to its last row.
    pub sql_timeout: Duration,
    /// Wall time of one page, aggregate or statistics read.
    pub read_timeout: Duration,
    /// The longest SQL text accepted.
    pub max_sql_bytes: usize,
    /// The largest page of rows (the `limit` parameter).
    pub max_page_rows: usize,
    /// The most row pairs a join without an equality condition may compare.
    pub max_join_pairs: u64,
    /// Threads one query uses.
    pub partitions: usize,
    /// Threads of the runtime of reader-written SQL: fewer than the cores, so SQL never takes
    /// them all, however much of it arrives.
    pub threads: usize,
    /// Threads of the runtime of the platform's own reads (pages, aggregates, statistics,
    /// exports): every core. Their plans are the platform's, bounded by their lanes, and their
    /// threads run at nice 10, so the threads that serve requests still come first; with one
    /// core fewer a group-by took twice DuckDB's time on two cores.
    pub read_threads: usize,
    /// Admission of reader-written SQL.
    pub sql_lane: LaneLimits,
    /// Admission of pages, aggregates and statistics.
    pub rows_lane: LaneLimits,
    /// Admission of whole exports.
    pub export_lane: LaneLimits,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = cores.saturating_sub(1).max(1);
        Self {
            memory_bytes: 512 * 1024 * 1024,
            max_value_bytes: 64 * 1024 * 1024,
            sql_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            max_sql_bytes: 64 * 1024,
            max_page_rows: 10_000,
            max_join_pairs: 100_000_000,
            partitions: cores,
            threads,
            read_threads: cores,
            sql_lane: LaneLimits {
                running: threads + 1,
                queued: 8 * threads,
                per_reader: 2,
                queue_wait: Duration::from_secs(5),
            },
            rows_lane: LaneLimits {
                running: 4 * threads,
                queued: 64,
                per_reader: 8,
                queue_wait: Duration::from_secs(10),
            },
            export_lane: LaneLimits {
                running: 4 * threads,
                queued: 16,
                per_reader: 2,
                queue_wait: Duration::from_secs(5),
            },
        }
    }
}

/// Admission limits of one lane.
#[derive(Debug, Clone)]
pub struct LaneLimits {
    /// Queries that run at once.
    pub running: usize,
    /// Queries that may wait for a place; more are refused at once.
    pub queued: usize,
    /// Queries one reader may have running or waiting.
    pub per_reader: usize,
    /// How long a query waits for a place before it is refused.
    pub queue_wait: Duration,
}
