//! The verification key budget (核验限额, H21): how many keys one verification grant may check,
//! as a token bucket that holds one minute's allowance and refills continuously. Enough for
//! batch checks, too few to enumerate a register.
//!
//! The bucket is counted in exact integers: one key is [`MICROS_PER_MINUTE`] units and every
//! microsecond adds `keys_per_minute` units, so a refill or a wait never rounds. The rule is
//! pure so that every replica reading a bucket from the database decides alike; the caller
//! reads, decides and writes back under the platform's write lock.

/// Units of one key (a minute in microseconds).
pub const MICROS_PER_MINUTE: i64 = 60_000_000;

/// A bucket as stored: its level in units at the instant `at` (microseconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBucket {
    pub units: i64,
    pub at: i64,
}

/// A refusal: the keys asked for come back after this many whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    pub secs: u64,
}

impl KeyBucket {
    /// A bucket full at `now`: what a grant that has checked nothing for a minute has.
    pub fn full(keys_per_minute: u32, now: i64) -> Self {
        Self {
            units: capacity(keys_per_minute),
            at: now,
        }
    }

    /// Takes `keys` at `now`: the bucket afterwards, or when to retry. An instant before the
    /// bucket's own (another replica's clock running ahead) counts as no time passed, so a
    /// refill is never counted twice.
    pub fn take(self, keys_per_minute: u32, keys: u64, now: i64) -> Result<Self, RetryAfter> {
        let rate = i128::from(keys_per_minute.max(1));
        let capacity = i128::from(capacity(keys_per_minute));
        let elapsed = i128::from(now.saturating_sub(self.at).max(0));
        let level = (i128::from(self.units) + elapsed * rate).min(capacity);
        let at = self.at.max(now);
        let wanted = i128::from(keys) * i128::from(MICROS_PER_MINUTE);
        if level >= wanted {
            let units = i64::try_from(level - wanted).expect("at most the capacity, which fits");
            return Ok(Self { units, at });
        }
        let wait_micros = (wanted - level + rate - 1) / rate;
        Err(RetryAfter {
            secs: u64::try_from((wait_micros + 999_999) / 1_000_000).unwrap_or(u64::MAX),
        })
    }

    /// Whether the bucket has refilled completely by `now`, and so can be forgotten: it then
    /// answers exactly like a [`KeyBucket::full`] one. True at the latest a minute after `at`.
    pub fn is_full_at(self, keys_per_minute: u32, now: i64) -> bool {
        let elapsed = i128::from(now.saturating_sub(self.at).max(0));
        i128::from(self.units) + elapsed * i128::from(keys_per_minute.max(1))
            >= i128::from(capacity(keys_per_minute))
    }
}

/// One minute's allowance in units; at most `u32::MAX × 6·10⁷`, well inside an `i64`.
fn capacity(keys_per_minute: u32) -> i64 {
    i64::from(keys_per_minute.max(1)) * MICROS_PER_MINUTE
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn h21_the_key_budget_refills_over_the_minute() {
        let full = KeyBucket::full(1200, 0);
        let after = full.take(1200, 1000, 0).expect("a full bucket");
        // 800 keys missing at 20 keys/s.
        assert_eq!(after.take(1200, 1000, 0), Err(RetryAfter { secs: 40 }));
        after
            .take(1200, 1000, 40_000_000)
            .expect("refilled after the wait");
        assert!(!after.is_full_at(1200, 40_000_000));
        assert!(after.is_full_at(1200, 50_000_000));
    }

    #[test]
    fn h21_a_clock_behind_the_bucket_refills_nothing() {
        let empty = KeyBucket::full(60, 10_000_000)
            .take(60, 60, 10_000_000)
            .unwrap();
        assert_eq!(empty.take(60, 1, 9_000_000), Err(RetryAfter { secs: 1 }));
        assert_eq!(
            empty.take(60, 1, 11_000_000),
            Ok(KeyBucket {
                units: 0,
                at: 11_000_000
            })
        );
    }

    proptest! {
        // H21: whatever the calls, no minute lets through more than one minute's allowance
        // plus what refilled in it, and a refusal's wait is enough.
        #[test]
        fn h21_a_window_never_passes_more_than_the_bucket_and_its_refill(
            rate in 1u32..5_000,
            calls in prop::collection::vec((0i64..3_000_000, 1u64..2_000), 1..40),
        ) {
            let mut bucket = KeyBucket::full(rate, 0);
            let mut now = 0i64;
            let mut taken = 0u64;
            for (step, keys) in calls {
                now += step;
                match bucket.take(rate, keys, now) {
                    Ok(next) => {
                        bucket = next;
                        taken += keys;
                    }
                    Err(wait) => {
                        // More than a minute's allowance never fits; anything else does then.
                        let later = now + i64::try_from(wait.secs).unwrap() * 1_000_000;
                        if keys <= u64::from(rate) {
                            prop_assert!(bucket.take(rate, keys, later).is_ok());
                        }
                    }
                }
                let allowed = u64::from(rate) + (now as u64 * u64::from(rate)) / 60_000_000;
                prop_assert!(taken <= allowed, "{taken} > {allowed}");
            }
        }
    }
}
