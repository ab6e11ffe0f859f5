//! Password policy (口令策略): what a new password must satisfy. Hashing lives in the
//! application layer; the rule is pure.

use crate::error::{Violation, Violations};
use crate::security_policy::SecurityPolicy;

/// Longest accepted password; bounds the cost of hashing hostile input.
pub const MAX_PASSWORD_CHARS: usize = 128;

pub fn check_password(
    policy: &SecurityPolicy,
    username: &str,
    password: &str,
) -> Result<(), Violations> {
    let mut v = Violations::default();
    let chars = password.chars().count();
    if chars < policy.password_min_length as usize {
        v.push(Violation::new(
            "password",
            "password_too_short",
            format!("密码长度不能少于{}位", policy.password_min_length),
            format!(
                "password must be at least {} characters",
                policy.password_min_length
            ),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        v.push(Violation::too_long("password", "密码", MAX_PASSWORD_CHARS));
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        v.push(Violation::new(
            "password",
            "password_is_username",
            "密码不能与用户名相同",
            "password must not be the user name",
        ));
    }
    v.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_username_rules() {
        let p = SecurityPolicy::default();
        assert!(check_password(&p, "gaj-admin", "gongshu-demo").is_ok());
        assert_eq!(
            check_password(&p, "gaj-admin", "short").unwrap_err().0[0].code,
            "password_too_short"
        );
        assert_eq!(
            check_password(&p, "zhangsan-01", "ZhangSan-01")
                .unwrap_err()
                .0[0]
                .code,
            "password_is_username"
        );
    }
}
