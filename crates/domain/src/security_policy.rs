//! Security policy (安全策略) set by the security admin: password length, lockout and session
//! lifetime. Bounds keep a policy from being weakened below the platform's floor.

use serde::{Deserialize, Serialize};

use crate::error::{Violation, Violations};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Minimum password length; never below 10.
    pub password_min_length: u32,
    /// Failed logins in a row of one account name from one client address that stop that
    /// address trying the name; four times it from one address, or ten times it from all
    /// addresses, stop more (see `login_throttle`).
    pub lockout_threshold: u32,
    /// How long such a stop lasts (the window the wider counters count in, too).
    pub lockout_minutes: u32,
    /// A session unused this long expires.
    pub session_idle_minutes: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            password_min_length: 10,
            lockout_threshold: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
        }
    }
}

impl SecurityPolicy {
    pub fn validate(&self) -> Result<(), Violations> {
        let mut v = Violations::default();
        let mut range = |field: &str, zh: &str, value: u32, lo: u32, hi: u32| {
            if !(lo..=hi).contains(&value) {
                v.push(Violation::new(
                    field,
                    "out_of_range",
                    format!("{zh}必须在{lo}到{hi}之间"),
                    format!("{field} must be between {lo} and {hi}"),
                ));
            }
        };
        range(
            "password_min_length",
            "密码最小长度",
            self.password_min_length,
            10,
            64,
        );
        range(
            "lockout_threshold",
            "锁定前允许的失败次数",
            self.lockout_threshold,
            3,
            10,
        );
        range(
            "lockout_minutes",
            "锁定时长（分钟）",
            self.lockout_minutes,
            5,
            1440,
        );
        range(
            "session_idle_minutes",
            "会话空闲超时（分钟）",
            self.session_idle_minutes,
            5,
            480,
        );
        v.into_result()
    }
}
