//! Where queries run (查询执行器): never on the runtime that serves HTTP. Two copies of a heavy
//! join once froze `/healthz` for 36 s because the queries ran on the same threads as every
//! request. Queries run here instead, on runtimes of their own whose threads run at nice 10:
//! one for reader-written SQL, with fewer threads than the machine has cores, so a flood of SQL
//! leaves a core to the rest of the platform; one for the platform's own reads (pages,
//! aggregates, statistics, exports), with a thread per core, as their plans are the platform's
//! and bounded by their lanes.
//!
//! Each query enters through a [`Lane`] (admission control): a bounded number run at once, a
//! bounded number wait (for a bounded time), and one reader has a bounded number in flight.
//! Beyond that the query is refused at once with [`QueryError::Busy`] or
//! [`QueryError::TooManyQueries`] (429 with `Retry-After`), never queued without end. A query
//! keeps its place until its task has really stopped, so a stopped query's CPU is not counted
//! as free before it is.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SendableRecordBatchStream;
use futures::{FutureExt, Stream, StreamExt};
use gongshu_query::{Batches, LaneLimits, QueryError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::time::Instant;

use crate::error::from_engine;

/// The queue a query waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    /// Reader-written SQL: unknown cost, its own runtime.
    Sql,
    /// Pages, aggregates, statistics and index builds: shapes the platform chose.
    Rows,
    /// Whole exports: long-lived (as slow as the client reads), so they have their own places.
    Export,
}

/// A query runtime, shut down without waiting when the engine goes (dropping a runtime inside
/// another one's task would panic).
struct QueryRuntime(Option<tokio::runtime::Runtime>);

impl Drop for QueryRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

struct LaneState {
    limits: LaneLimits,
    /// Wall time of one query from planning to its last row; `None` for exports, which go
    /// as fast as the client reads.
    deadline: Option<Duration>,
    places: Arc<Semaphore>,
    waiting: AtomicUsize,
    /// In-flight queries per reader; a reader with none has no entry, so the map holds at
    /// most `running + queued` keys.
    readers: Mutex<HashMap<String, usize>>,
}

/// The query runtimes and their lanes.
pub(crate) struct Executor {
    sql_threads: usize,
    read_threads: usize,
    sql: OnceLock<QueryRuntime>,
    reads: OnceLock<QueryRuntime>,
    lanes: [Arc<LaneState>; 3],
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("sql_threads", &self.sql_threads)
            .field("read_threads", &self.read_threads)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// `threads`: of the SQL runtime and of the reads runtime; `lanes`: the SQL, rows and export
    /// lanes' limits and deadlines.
    pub(crate) fn new(
        (sql_threads, read_threads): (usize, usize),
        lanes: [(LaneLimits, Option<Duration>); 3],
    ) -> Self {
        let [sql, rows, export] = lanes.map(|(limits, deadline)| {
            Arc::new(LaneState {
                places: Arc::new(Semaphore::new(limits.running.max(1))),
                limits,
                deadline,
                waiting: AtomicUsize::new(0),
                readers: Mutex::new(HashMap::new()),
            })
        });
        Self {
            sql_threads: sql_threads.max(1),
            read_threads: read_threads.max(1),
            sql: OnceLock::new(),
            reads: OnceLock::new(),
            lanes: [sql, rows, export],
        }
    }

    fn state(&self, lane: Lane) -> &Arc<LaneState> {
        &self.lanes[match lane {
            Lane::Sql => 0,
            Lane::Rows => 1,
            Lane::Export => 2,
        }]
    }

    /// The runtime of a lane, started on first use.
    fn runtime(&self, lane: Lane) -> Result<&tokio::runtime::Runtime, QueryError> {
        let (cell, name, threads) = match lane {
            Lane::Sql => (&self.sql, "gongshu-sql", self.sql_threads),
            Lane::Rows | Lane::Export => (&self.reads, "gongshu-reads", self.read_threads),
        };
        if cell.get().is_none() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .max_blocking_threads(4 * threads)
                .thread_name(name)
                .on_thread_start(lower_priority)
                .enable_all()
                .build()
                .map_err(|e| QueryError::Engine(format!("query runtime: {e}")))?;
            // Another query may have started it meanwhile; the extra one shuts down.
            let _ = cell.set(QueryRuntime(Some(runtime)));
        }
        cell.get()
            .and_then(|r| r.0.as_ref())
            .ok_or_else(|| QueryError::Engine("query runtime unavailable".into()))
    }

    /// Tasks alive on the query runtimes (what the queries are doing right now), for tests
    /// and metrics.
    pub(crate) fn alive_tasks(&self) -> usize {
        [&self.sql, &self.reads]
            .iter()
            .filter_map(|cell| cell.get().and_then(|r| r.0.as_ref()))
            .map(|r| r.metrics().num_alive_tasks())
            .sum()
    }

    /// Waits for a place in the lane, or refuses at once.
    async fn admit(&self, lane: Lane, reader: &str) -> Result<Admitted, QueryError> {
        let state = Arc::clone(self.state(lane));
        let limits = &state.limits;
        {
            let mut readers = state.readers.lock().expect("reader counts");
            let n = readers.entry(reader.to_owned()).or_default();
            if *n >= limits.per_reader {
                if *n == 0 {
                    readers.remove(reader);
                }
                return Err(QueryError::TooManyQueries {
                    per_reader: limits.per_reader,
                });
            }
            *n += 1;
        }
        let slot = ReaderSlot {
            state: Arc::clone(&state),
            reader: reader.to_owned(),
        };
        let busy = || QueryError::Busy {
            retry_after_secs: limits.queue_wait.as_secs().clamp(1, 10),
        };
        let place = match Arc::clone(&state.places).try_acquire_owned() {
            Ok(place) => place,
            Err(_) => {
                if state.waiting.fetch_add(1, Ordering::SeqCst) >= limits.queued {
                    state.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(busy());
                }
                let waiting = Waiting(&state.waiting);
                let place = tokio::time::timeout(
                    limits.queue_wait,
                    Arc::clone(&state.places).acquire_owned(),
                )
                .await;
                drop(waiting);
                match place {
                    Ok(Ok(place)) => place,
                    _ => return Err(busy()),
                }
            }
        };
        Ok(Admitted {
            _place: place,
            _slot: slot,
        })
    }

    /// Runs a query on its lane: `plan` builds the stream (and anything the caller needs from
    /// planning) on the query runtime; the batches come back through a small channel.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        lane: Lane,
        reader: &str,
        memory_limit: usize,
        plan: F,
    ) -> Result<(Batches, T), QueryError>
    where
        T: Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(SendableRecordBatchStream, T), QueryError>> + Send + 'static,
    {
        let admitted = self.admit(lane, reader).await?;
        let deadline = self
            .state(lane)
            .deadline
            .map(|d| (Instant::now() + d, d.as_secs().max(1)));
        let (ready_send, ready) = oneshot::channel::<Result<(SchemaRef, T), QueryError>>();
        let (send, received) = mpsc::channel(2);
        let on_timeout = send.clone();
        let work = async move {
            let (mut stream, extra) = match plan().await {
                Ok(planned) => planned,
                Err(e) => {
                    let _ = ready_send.send(Err(e));
                    return;
                }
            };
            if ready_send.send(Ok((stream.schema(), extra))).is_err() {
                return;
            }
            while let Some(batch) = stream.next().await {
                let batch = batch.map_err(|e| from_engine(e, memory_limit));
                let failed = batch.is_err();
                if send.send(batch).await.is_err() || failed {
                    break;
                }
            }
        };
        let task = self.runtime(lane)?.spawn(async move {
            // The place is held until the work has really stopped.
            let _admitted = admitted;
            let work = std::panic::AssertUnwindSafe(work).catch_unwind();
            let outcome = match deadline {
                Some((at, seconds)) => match tokio::time::timeout_at(at, work).await {
                    Ok(done) => done,
                    Err(_) => {
                        let _ = on_timeout.try_send(Err(QueryError::Timeout { seconds }));
                        Ok(())
                    }
                },
                None => work.await,
            };
            // A panic must not look like the end of a complete result.
            if outcome.is_err() {
                let stopped = QueryError::Engine("the query stopped unexpectedly".into());
                let _ = on_timeout.send(Err(stopped)).await;
            }
        });
        let abort = AbortOnDrop(Some(task.abort_handle()));
        let planned = match deadline {
            Some((at, seconds)) => tokio::time::timeout_at(at, ready)
                .await
                .map_err(|_| QueryError::Timeout { seconds })?,
            None => ready.await,
        };
        let (schema, extra) = match planned {
            Ok(planned) => planned?,
            Err(_) => {
                return Err(match deadline {
                    Some((at, seconds)) if Instant::now() >= at => QueryError::Timeout { seconds },
                    _ => QueryError::Engine("the query stopped unexpectedly".into()),
                });
            }
        };
        let running = Running::new(received, abort.disarm(), deadline);
        Ok((Batches::new(schema, running), extra))
    }
}

/// Query threads yield the CPU to the threads that serve requests: at nice 10 a busy query
/// thread gets about a tenth of a core when an HTTP thread wants it, and all of it otherwise.
/// Where the system refuses (it never should: lowering one's own priority needs no privilege),
/// the thread runs at normal priority.
fn lower_priority() {
    use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};
    // 22 on the crate's 0–99 scale is nice 10 on Linux.
    if let Ok(value) = ThreadPriorityValue::try_from(22u8)
        && let Err(e) = set_current_thread_priority(ThreadPriority::Crossplatform(value))
    {
        tracing::debug!(error = ?e, "query thread priority not lowered");
    }
}

/// A query's place in its lane and its count against its reader.
struct Admitted {
    _place: OwnedSemaphorePermit,
    _slot: ReaderSlot,
}

struct ReaderSlot {
    state: Arc<LaneState>,
    reader: String,
}

impl Drop for ReaderSlot {
    fn drop(&mut self) {
        let mut readers = self.state.readers.lock().expect("reader counts");
        if let Some(n) = readers.get_mut(&self.reader) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                readers.remove(&self.reader);
            }
        }
    }
}

/// Counts a query waiting for a place, also when the waiting caller goes away.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Stops the query's task if the caller goes away before the result is handed over.
struct AbortOnDrop(Option<tokio::task::AbortHandle>);

impl AbortOnDrop {
    fn disarm(mut self) -> tokio::task::AbortHandle {
        self.0.take().expect("armed")
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

/// The batches of a running query, with engine errors already sorted and an optional
/// deadline. The plan runs in its own task on the query runtime feeding a small channel: the
/// deadline is kept by the reader's side even while the plan is busy, and dropping the result
/// (a client that went away, a timeout) aborts the plan.
struct Running {
    received: mpsc::Receiver<Result<RecordBatch, QueryError>>,
    task: tokio::task::AbortHandle,
    deadline: Option<(Pin<Box<tokio::time::Sleep>>, u64)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Running {
    fn new(
        received: mpsc::Receiver<Result<RecordBatch, QueryError>>,
        task: tokio::task::AbortHandle,
        deadline: Option<(Instant, u64)>,
    ) -> Self {
        Self {
            received,
            task,
            deadline: deadline.map(|(at, s)| (Box::pin(tokio::time::sleep_until(at)), s)),
        }
    }
}

impl Stream for Running {
    type Item = Result<RecordBatch, QueryError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some((sleep, seconds)) = self.deadline.as_mut()
            && sleep.as_mut().poll(cx).is_ready()
        {
            let seconds = *seconds;
            self.deadline = None;
            self.task.abort();
            self.received.close();
            return Poll::Ready(Some(Err(QueryError::Timeout { seconds })));
        }
        self.received.poll_recv(cx)
    }
}
