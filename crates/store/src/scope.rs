//! One database connection per request. A request that holds a pooled connection and then
//! asks for a second one can deadlock the pool: with N connections, N such requests each hold
//! one and wait forever for another (eight anonymous catalog reads once stalled every database
//! call for 30 s this way). The web layer runs each request inside [`one_connection_per_request`];
//! within it, taking a connection or transaction while the request still holds one fails at
//! once with [`StoreError::NestedAcquire`] — loudly, in every test that reaches the code —
//! instead of waiting. Outside a request (the CLI, background jobs, tests' own queries) nothing
//! is counted.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Result, StoreError};

tokio::task_local! {
    static HELD: Arc<AtomicUsize>;
}

/// Runs one request's work with the one-connection rule in force.
pub async fn one_connection_per_request<F: Future>(work: F) -> F::Output {
    HELD.scope(Arc::new(AtomicUsize::new(0)), work).await
}

/// A connection counted against its request. It may be dropped on another task (a body
/// stream, a spawned delivery record): the count travels with it.
pub(crate) struct Held(Option<Arc<AtomicUsize>>);

impl Held {
    pub(crate) fn take() -> Result<Self> {
        let Ok(held) = HELD.try_with(Arc::clone) else {
            return Ok(Self(None));
        };
        if held.fetch_add(1, Ordering::SeqCst) > 0 {
            held.fetch_sub(1, Ordering::SeqCst);
            tracing::error!(
                backtrace = %std::backtrace::Backtrace::force_capture(),
                "a request asked for a second database connection while holding one; \
                 pass the connection or transaction down instead"
            );
            return Err(StoreError::NestedAcquire);
        }
        Ok(Self(Some(held)))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(held) = &self.0 {
            held.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_connection_in_one_request_is_refused_and_freed_ones_are_reusable() {
        one_connection_per_request(async {
            let first = Held::take().expect("the first connection");
            assert!(matches!(Held::take(), Err(StoreError::NestedAcquire)));
            drop(first);
            let again = Held::take().expect("one at a time is fine");
            drop(again);
        })
        .await;
        // Outside a request nothing is counted.
        let a = Held::take().expect("outside a request");
        let b = Held::take().expect("outside a request");
        drop((a, b));
    }
}
