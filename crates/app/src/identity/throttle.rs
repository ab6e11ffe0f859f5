//! The login throttle's counters in the database: admitting a login (reserving its places)
//! and settling it once its password has been checked. The rules are
//! `gongshu_domain::login_throttle`; both steps run inside a write transaction, which holds the
//! platform's write lock, so a read-decide-write is never interleaved with another replica's.

use gongshu_domain::login_throttle::{Admission, Block, ThrottleLimits, Verdict, admit, settle};
use gongshu_store::login_throttle::{self, ThrottleKey};
use gongshu_store::{Conn, Result};

/// Reads the counters of `keys`, decides, and writes back those that changed (a place is
/// reserved under each on [`Admission::Check`]). Nothing is written while the login must wait.
pub(super) async fn admit_in(
    conn: &mut Conn,
    keys: &[ThrottleKey; 3],
    limits: &ThrottleLimits,
    now: i64,
) -> Result<Admission> {
    let mut before = Vec::with_capacity(keys.len());
    for key in keys {
        before.push((key.scope, login_throttle::get_counter(conn, key).await?));
    }
    let mut after = before.clone();
    let admission = admit(limits, now, &mut after);
    if admission != Admission::Wait {
        for ((key, (_, old)), (_, new)) in keys.iter().zip(&before).zip(&after) {
            if old != new {
                login_throttle::put_counter(conn, key, new, now).await?;
            }
        }
    }
    Ok(admission)
}

/// Gives back the places of a checked login and counts its outcome; returns the lock a wrong
/// password set, the account-wide one first. Also forgets counters untouched for a day.
pub(super) async fn settle_in(
    conn: &mut Conn,
    keys: &[ThrottleKey; 3],
    limits: &ThrottleLimits,
    now: i64,
    verdict: Verdict,
) -> Result<Option<Block>> {
    let mut set: Option<Block> = None;
    for key in keys {
        let counter = login_throttle::get_counter(conn, key).await?;
        let (counter, lock) = settle(limits, now, key.scope, counter, verdict);
        login_throttle::put_counter(conn, key, &counter, now).await?;
        set = match (set, lock) {
            (Some(a), Some(b)) => Some(a.stronger(b)),
            (a, b) => a.or(b),
        };
    }
    login_throttle::prune(conn, now).await?;
    Ok(set)
}
