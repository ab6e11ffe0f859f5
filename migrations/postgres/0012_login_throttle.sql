-- B8, H35: login throttling (登录失败处置). Failed password logins are counted per account name
-- at a client address, per client address and per account name (see
-- crates/domain/src/login_throttle.rs), here rather than in memory so every replica counts
-- alike. Keys are the name as typed, whether or not such an account exists, so an unknown name
-- is throttled exactly like a known one. Rows untouched for a day are pruned.
CREATE TABLE login_throttle (
    -- account_address | address | account
    scope         TEXT NOT NULL,
    -- The user name as typed ('' for the address scope).
    username      TEXT NOT NULL,
    -- The client address ('' for the account scope).
    client_addr   TEXT NOT NULL,
    failures      BIGINT NOT NULL DEFAULT 0,
    window_start  BIGINT NOT NULL DEFAULT 0,
    blocked_until BIGINT,
    locks         BIGINT NOT NULL DEFAULT 0,
    -- Logins whose password is being checked: reserved before, given back after.
    in_flight     BIGINT NOT NULL DEFAULT 0,
    in_flight_at  BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, username, client_addr)
);
CREATE INDEX login_throttle_username ON login_throttle (username);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- A lock in force at the upgrade stays, as a lock of the account name. The old counters on
-- accounts are no longer read or written (kept so replicas of the previous release keep
-- running during a rolling upgrade; a later migration drops them).
INSERT INTO login_throttle (scope, username, client_addr, blocked_until, locks, updated_at)
SELECT 'account', username, '', locked_until, 1, locked_until
FROM accounts WHERE locked_until IS NOT NULL;
