//! Login throttling (登录失败处置): how failed password logins are counted and when new
//! password logins are refused. Pure rules; the application keeps the counters in the database
//! so that every replica sees the same ones.
//!
//! Failures, not attempts, are counted, under three keys:
//!
//! * **an account name at a client address** ([`ThrottleScope::AccountAtAddress`]): after
//!   `lockout_threshold` failures in a row, that address may not try that name for
//!   `lockout_minutes`; each further lock of the same pair doubles (up to 24 hours) until a
//!   login from there succeeds. This is the lock an attacker normally reaches, and it does not
//!   stop the owner logging in from anywhere else.
//! * **a client address** across all names ([`ThrottleScope::Address`]): `4 × threshold`
//!   failures within `lockout_minutes` stop new password logins from that address for
//!   `lockout_minutes` (password spraying). A success does not reset it.
//! * **an account name** across all addresses ([`ThrottleScope::Account`]): `10 × threshold`
//!   failures within `lockout_minutes` lock new password logins of that name for
//!   `lockout_minutes` (guessing from many addresses). One address alone cannot get there.
//!
//! Keys are the user name as typed, whether or not such an account exists, so an unknown name
//! is throttled exactly like a known one and the answers reveal nothing. No lock ends a
//! session or an API token: locks refuse new password logins only.
//!
//! Parallel guesses cannot get more passwords checked than a limit allows: a login reserves a
//! place under each key before its password is checked (`failures + in_flight < limit`) and
//! gives it back when it is settled; a right password adds no failure. When the places are
//! taken by logins still being checked, a new one waits rather than being refused, so correct
//! logins in parallel all succeed.

use crate::security_policy::SecurityPolicy;

const MINUTE: i64 = 60_000_000;
/// The longest lock of an account name at one address, however often it is repeated.
pub const MAX_LOCK_MICROS: i64 = 24 * 60 * MINUTE;
/// Failures of one address across names that stop it, as a multiple of the threshold.
pub const ADDRESS_FACTOR: i64 = 4;
/// Failures of one name across addresses that lock it, as a multiple of the threshold.
pub const ACCOUNT_FACTOR: i64 = 10;
/// A reservation not settled after this long belongs to a process that died; it is given up.
pub const STALE_IN_FLIGHT_MICROS: i64 = MINUTE;
/// Counters untouched for this long (and not blocking) are forgotten.
pub const KEEP_MICROS: i64 = 24 * 60 * MINUTE;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleScope {
    /// One account name tried from one client address.
    AccountAtAddress,
    /// One client address, whatever names it tries.
    Address,
    /// One account name, from whatever address.
    Account,
}

impl ThrottleScope {
    /// In the order their counters are taken, so concurrent logins never wait on each other
    /// in a circle.
    pub const ALL: [ThrottleScope; 3] = [
        ThrottleScope::AccountAtAddress,
        ThrottleScope::Account,
        ThrottleScope::Address,
    ];

    /// As stored and audited.
    pub fn as_str(self) -> &'static str {
        match self {
            ThrottleScope::AccountAtAddress => "account_address",
            ThrottleScope::Address => "address",
            ThrottleScope::Account => "account",
        }
    }
}

/// The counter under one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    /// Failures counted in the current window (in a row, for a name at an address).
    pub failures: i64,
    /// When the current window began (its first failure).
    pub window_start: i64,
    /// New password logins under this key are refused until then.
    pub blocked_until: Option<i64>,
    /// Locks so far (since the last success, for a name at an address): doubles the next one.
    pub locks: i64,
    /// Logins whose password is being checked right now.
    pub in_flight: i64,
    /// When `in_flight` last changed.
    pub in_flight_at: i64,
}

impl Counter {
    /// Nothing to remember: the row may go.
    pub fn is_idle(&self) -> bool {
        self.failures == 0 && self.locks == 0 && self.in_flight == 0 && self.blocked_until.is_none()
    }

    fn blocked_at(&self, now: i64) -> Option<i64> {
        self.blocked_until.filter(|u| *u > now)
    }
}

/// The limits the security policy sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// Failures in a row of one name at one address before it is locked there.
    pub threshold: i64,
    /// The first lock, and the window and lock of the address-wide and account-wide counters.
    pub lock_micros: i64,
}

impl ThrottleLimits {
    pub fn of(policy: &SecurityPolicy) -> Self {
        Self {
            threshold: i64::from(policy.lockout_threshold.max(1)),
            lock_micros: i64::from(policy.lockout_minutes.max(1)) * MINUTE,
        }
    }

    /// Failures under `scope` that set its lock.
    pub fn limit(&self, scope: ThrottleScope) -> i64 {
        match scope {
            ThrottleScope::AccountAtAddress => self.threshold,
            ThrottleScope::Address => self.threshold * ADDRESS_FACTOR,
            ThrottleScope::Account => self.threshold * ACCOUNT_FACTOR,
        }
    }

    /// How long failures count before they are forgotten; a name at an address counts them in
    /// a row, until a success.
    fn window(&self, scope: ThrottleScope) -> Option<i64> {
        match scope {
            ThrottleScope::AccountAtAddress => None,
            ThrottleScope::Address | ThrottleScope::Account => Some(self.lock_micros),
        }
    }

    /// The length of the next lock under `scope`, after `locks` earlier ones.
    pub fn lock_length(&self, scope: ThrottleScope, locks: i64) -> i64 {
        match scope {
            ThrottleScope::AccountAtAddress => {
                let doubled = self.lock_micros.saturating_mul(1_i64 << locks.clamp(0, 20));
                doubled.min(MAX_LOCK_MICROS.max(self.lock_micros))
            }
            ThrottleScope::Address | ThrottleScope::Account => self.lock_micros,
        }
    }

    /// The counter as it stands at `now`: ended locks and windows, and reservations of dead
    /// processes, are dropped; failures at or past a (lowered) limit become a lock.
    fn current(&self, scope: ThrottleScope, mut c: Counter, now: i64) -> Counter {
        if c.blocked_until.is_some_and(|u| u <= now) {
            c.blocked_until = None;
        }
        if let Some(window) = self.window(scope)
            && c.failures > 0
            && now.saturating_sub(c.window_start) >= window
        {
            c.failures = 0;
        }
        if c.in_flight > 0 && now.saturating_sub(c.in_flight_at) >= STALE_IN_FLIGHT_MICROS {
            c.in_flight = 0;
        }
        if c.failures >= self.limit(scope) && c.blocked_until.is_none() {
            c.blocked_until = Some(now + self.lock_length(scope, c.locks));
            c.locks += 1;
            c.failures = 0;
        }
        c
    }
}

/// A refusal: new password logins under `scope` wait until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub scope: ThrottleScope,
    pub until: i64,
}

impl Block {
    /// Of two locks, the one a refusal names: the account-wide one, since it holds wherever
    /// the owner is, else the longer.
    pub fn stronger(self, other: Block) -> Block {
        let rank = |b: &Block| (b.scope == ThrottleScope::Account, b.until);
        if rank(&other) > rank(&self) {
            other
        } else {
            self
        }
    }
}

/// What a login may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A place is reserved under every key: check the password, then [`settle`].
    Check,
    /// Every place is taken by logins still being checked: ask again shortly.
    Wait,
    /// Refused without checking the password.
    Refused(Block),
}

/// Decides whether a login may have its password checked, updating the counters (given in
/// [`ThrottleScope::ALL`] order) as they stand at `now`; on [`Admission::Check`] a place is
/// reserved under each. Of several locks, the [`Block::stronger`] is named.
pub fn admit(
    limits: &ThrottleLimits,
    now: i64,
    counters: &mut [(ThrottleScope, Counter)],
) -> Admission {
    for (scope, c) in counters.iter_mut() {
        *c = limits.current(*scope, *c, now);
    }
    let block = counters
        .iter()
        .filter_map(|(scope, c)| {
            c.blocked_at(now).map(|until| Block {
                scope: *scope,
                until,
            })
        })
        .reduce(Block::stronger);
    if let Some(block) = block {
        return Admission::Refused(block);
    }
    if counters
        .iter()
        .any(|(scope, c)| c.failures + c.in_flight >= limits.limit(*scope))
    {
        return Admission::Wait;
    }
    for (_, c) in counters.iter_mut() {
        c.in_flight += 1;
        c.in_flight_at = now;
    }
    Admission::Check
}

/// Whether the checked password was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Right,
    Wrong,
}

/// Gives back the place a checked login reserved and counts its outcome. A wrong password
/// that reaches a limit sets its lock, which is returned.
pub fn settle(
    limits: &ThrottleLimits,
    now: i64,
    scope: ThrottleScope,
    counter: Counter,
    verdict: Verdict,
) -> (Counter, Option<Block>) {
    let mut c = counter;
    c.in_flight = (c.in_flight - 1).max(0);
    c.in_flight_at = now;
    let mut c = limits.current(scope, c, now);
    match verdict {
        Verdict::Right => {
            match scope {
                ThrottleScope::AccountAtAddress | ThrottleScope::Account => {
                    c.failures = 0;
                    c.locks = 0;
                }
                // Else one valid account would let its holder spray others from the address.
                ThrottleScope::Address => {}
            }
            (c, None)
        }
        Verdict::Wrong => {
            if c.failures == 0 {
                c.window_start = now;
            }
            c.failures += 1;
            if c.failures < limits.limit(scope) {
                return (c, None);
            }
            let until = now + limits.lock_length(scope, c.locks);
            // A lock set meanwhile by another login is extended, never shortened.
            c.blocked_until = Some(c.blocked_until.map_or(until, |u| u.max(until)));
            c.locks += 1;
            c.failures = 0;
            (
                c,
                Some(Block {
                    scope,
                    until: c.blocked_until.unwrap_or(until),
                }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_000_000_000_000;

    fn limits() -> ThrottleLimits {
        ThrottleLimits::of(&SecurityPolicy::default())
    }

    fn fresh() -> Vec<(ThrottleScope, Counter)> {
        ThrottleScope::ALL
            .iter()
            .map(|s| (*s, Counter::default()))
            .collect()
    }

    /// One login, admitted then settled at once.
    fn attempt(
        counters: &mut [(ThrottleScope, Counter)],
        now: i64,
        verdict: Verdict,
    ) -> Result<Option<Block>, Admission> {
        let l = limits();
        match admit(&l, now, counters) {
            Admission::Check => {
                let mut lock = None;
                for (scope, c) in counters.iter_mut() {
                    let (next, set) = settle(&l, now, *scope, *c, verdict);
                    *c = next;
                    lock = lock.or(set);
                }
                Ok(lock)
            }
            other => Err(other),
        }
    }

    #[test]
    fn the_policy_sets_the_limits_of_each_scope() {
        let l = limits();
        assert_eq!(l.limit(ThrottleScope::AccountAtAddress), 5);
        assert_eq!(l.limit(ThrottleScope::Address), 20);
        assert_eq!(l.limit(ThrottleScope::Account), 50);
        assert_eq!(
            l.lock_length(ThrottleScope::AccountAtAddress, 0),
            15 * MINUTE
        );
        assert_eq!(
            l.lock_length(ThrottleScope::AccountAtAddress, 1),
            30 * MINUTE
        );
        assert_eq!(
            l.lock_length(ThrottleScope::AccountAtAddress, 3),
            120 * MINUTE
        );
        assert_eq!(
            l.lock_length(ThrottleScope::AccountAtAddress, 40),
            MAX_LOCK_MICROS
        );
        assert_eq!(l.lock_length(ThrottleScope::Account, 7), 15 * MINUTE);
    }

    #[test]
    fn the_fifth_failure_in_a_row_locks_the_name_at_that_address() {
        let mut c = fresh();
        for _ in 0..4 {
            assert_eq!(attempt(&mut c, T0, Verdict::Wrong), Ok(None));
        }
        let lock = attempt(&mut c, T0, Verdict::Wrong).unwrap().unwrap();
        assert_eq!(lock.scope, ThrottleScope::AccountAtAddress);
        assert_eq!(lock.until, T0 + 15 * MINUTE);
        // Refused without a check, the right password too, until the lock ends.
        assert_eq!(
            attempt(&mut c, T0 + 15 * MINUTE - 1, Verdict::Right),
            Err(Admission::Refused(lock))
        );
        assert_eq!(attempt(&mut c, T0 + 15 * MINUTE, Verdict::Right), Ok(None));
    }

    #[test]
    fn repeated_locks_of_a_pair_double_until_a_success() {
        let mut c = fresh();
        let mut now = T0;
        let mut lengths = Vec::new();
        for _ in 0..3 {
            let mut lock = None;
            for _ in 0..5 {
                lock = attempt(&mut c, now, Verdict::Wrong).unwrap();
            }
            let lock = lock.expect("the fifth failure locks");
            lengths.push((lock.until - now) / MINUTE);
            now = lock.until;
        }
        assert_eq!(lengths, [15, 30, 60]);
        assert_eq!(attempt(&mut c, now, Verdict::Right), Ok(None));
        for _ in 0..4 {
            attempt(&mut c, now, Verdict::Wrong).unwrap();
        }
        let lock = attempt(&mut c, now, Verdict::Wrong).unwrap().unwrap();
        assert_eq!(
            lock.until - now,
            15 * MINUTE,
            "a success starts again at the base"
        );
    }

    #[test]
    fn a_success_clears_the_name_but_not_the_address() {
        let mut c = fresh();
        for _ in 0..3 {
            attempt(&mut c, T0, Verdict::Wrong).unwrap();
        }
        attempt(&mut c, T0, Verdict::Right).unwrap();
        let by_scope = |s| c.iter().find(|(x, _)| *x == s).unwrap().1;
        assert_eq!(by_scope(ThrottleScope::AccountAtAddress).failures, 0);
        assert_eq!(by_scope(ThrottleScope::Account).failures, 0);
        assert_eq!(by_scope(ThrottleScope::Address).failures, 3);
    }

    #[test]
    fn address_and_account_failures_are_forgotten_after_the_window() {
        let l = limits();
        let counter = Counter {
            failures: 19,
            window_start: T0,
            ..Counter::default()
        };
        let (after, lock) = settle(
            &l,
            T0 + 15 * MINUTE,
            ThrottleScope::Address,
            Counter {
                in_flight: 1,
                ..counter
            },
            Verdict::Wrong,
        );
        assert_eq!((after.failures, lock), (1, None));
        let (_, lock) = settle(
            &l,
            T0 + 15 * MINUTE - 1,
            ThrottleScope::Address,
            Counter {
                in_flight: 1,
                ..counter
            },
            Verdict::Wrong,
        );
        assert_eq!(lock.map(|b| b.scope), Some(ThrottleScope::Address));
    }

    #[test]
    fn logins_being_checked_make_others_wait_not_fail() {
        let l = limits();
        let mut c = fresh();
        for _ in 0..5 {
            assert_eq!(admit(&l, T0, &mut c), Admission::Check);
        }
        assert_eq!(admit(&l, T0, &mut c), Admission::Wait);
        // A right password gives its place back and adds no failure.
        for (scope, counter) in c.iter_mut() {
            *counter = settle(&l, T0, *scope, *counter, Verdict::Right).0;
        }
        assert_eq!(admit(&l, T0, &mut c), Admission::Check);
    }

    #[test]
    fn reservations_of_a_dead_process_are_given_up_after_a_minute() {
        let l = limits();
        let mut c = fresh();
        for _ in 0..5 {
            admit(&l, T0, &mut c);
        }
        assert_eq!(admit(&l, T0 + MINUTE - 1, &mut c), Admission::Wait);
        assert_eq!(admit(&l, T0 + MINUTE, &mut c), Admission::Check);
    }

    #[test]
    fn a_lowered_threshold_locks_at_once() {
        let strict = ThrottleLimits::of(&SecurityPolicy {
            lockout_threshold: 3,
            ..SecurityPolicy::default()
        });
        let mut c = fresh();
        c[0].1.failures = 4;
        match admit(&strict, T0, &mut c) {
            Admission::Refused(b) => assert_eq!(b.scope, ThrottleScope::AccountAtAddress),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_account_lock_is_named_first() {
        let l = limits();
        let mut c = fresh();
        c[0].1.blocked_until = Some(T0 + 100 * MINUTE);
        c[1].1.blocked_until = Some(T0 + MINUTE);
        match admit(&l, T0, &mut c) {
            Admission::Refused(b) => assert_eq!(b.scope, ThrottleScope::Account),
            other => panic!("{other:?}"),
        }
    }

    proptest! {
        /// However admissions and settlements interleave, no key gets more wrong passwords
        /// checked before its lock than its limit, and right passwords are never refused
        /// while no lock stands.
        #[test]
        fn parallel_logins_never_get_more_than_the_limit_checked(
            steps in proptest::collection::vec((any::<bool>(), any::<bool>()), 1..200)
        ) {
            let l = limits();
            let mut c = fresh();
            let mut pending: Vec<Verdict> = Vec::new();
            let mut wrong_checked = 0;
            let mut locked = false;
            for (admit_now, wrong) in steps {
                if admit_now || pending.is_empty() {
                    let verdict = if wrong { Verdict::Wrong } else { Verdict::Right };
                    match admit(&l, T0, &mut c) {
                        Admission::Check => pending.push(verdict),
                        Admission::Wait => prop_assert!(!pending.is_empty()),
                        Admission::Refused(_) => prop_assert!(locked),
                    }
                } else {
                    let verdict = pending.remove(0);
                    if verdict == Verdict::Wrong {
                        wrong_checked += 1;
                    }
                    for (scope, counter) in c.iter_mut() {
                        let (next, lock) = settle(&l, T0, *scope, *counter, verdict);
                        *counter = next;
                        locked |= lock.is_some();
                    }
                    if verdict == Verdict::Right && !locked {
                        wrong_checked = 0;
                    }
                }
                prop_assert!(wrong_checked <= l.limit(ThrottleScope::AccountAtAddress));
            }
        }
    }
}
