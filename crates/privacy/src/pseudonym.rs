//! Keyed pseudonyms (假名化): a value is replaced by
//! `hex(HMAC-SM3(platform secret, policy salt ‖ value)[..16])`, 32 lowercase hex digits.
//!
//! - **Stable within a policy:** the same value under the same salt always gives the same token,
//!   so a reader can count and join people without learning who they are.
//! - **Unlinkable across policies:** each policy has its own random salt, so tokens of one reader
//!   cannot be matched with another's. Without the platform secret nobody (including a reader
//!   who knows the salt) can compute a token from a guessed ID, so the 18-digit ID space cannot
//!   be brute-forced offline.
//! - The salt is exactly 16 bytes, so `salt ‖ value` is unambiguous without a separator.
//! - 16 bytes (128 bits) of the 32-byte MAC are kept: collisions are negligible at any size the
//!   platform will see (~2⁻⁶⁴ at 2³² values) and the token stays short.
//!
//! The value is used exactly as given (no trimming or case folding): ingest already stores
//! identifiers in their canonical form.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sm3::Sm3;
use zeroize::Zeroizing;

use crate::RuleError;
/// Salts are kept with grants, so the domain owns the type; masking only reads its bytes.
pub use gongshu_domain::grant::PolicySalt;

type HmacSm3 = Hmac<Sm3>;

/// The platform's pseudonym key. It never prints (Debug and Display show `<redacted>`) and its
/// bytes are wiped from memory when dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Fewer bytes than this would make the key guessable.
    pub const MIN_LEN: usize = 16;

    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, RuleError> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.len() < Self::MIN_LEN {
            return Err(RuleError::SecretTooShort {
                len: bytes.len(),
                min: Self::MIN_LEN,
            });
        }
        Ok(Self(bytes))
    }

    fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// HMAC-SM3 (GB/T 32905 hash in the RFC 2104 construction) of `message` under `key`.
pub fn hmac_sm3(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSm3::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// What masking needs beyond the rule: the keyed state for pseudonyms of one policy. Built once
/// per query (the key and salt are absorbed once; each value only clones the state).
#[derive(Clone)]
pub struct MaskContext {
    keyed: Option<HmacSm3>,
}

impl MaskContext {
    /// The context of one policy: the platform secret and that policy's salt.
    pub fn new(secret: &Secret, salt: &PolicySalt) -> Self {
        let mut mac = HmacSm3::new_from_slice(secret.expose()).expect("any key length");
        mac.update(salt.as_bytes());
        Self { keyed: Some(mac) }
    }

    /// A context without keys, for policies that use no pseudonyms. A pseudonym rule under it
    /// masks every value to NULL (fail closed).
    pub fn without_keys() -> Self {
        Self { keyed: None }
    }

    /// The token of `value` in this policy; `None` when the context has no keys.
    pub fn pseudonym(&self, value: &str) -> Option<String> {
        let mut mac = self.keyed.clone()?;
        mac.update(value.as_bytes());
        let tag = mac.finalize().into_bytes();
        Some(hex::encode(&tag[..16]))
    }
}

impl fmt::Debug for MaskContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaskContext")
            .field("keyed", &self.keyed.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use gongshu_domain::CitizenId;
    use proptest::prelude::*;

    use super::*;

    const KEY: &[u8] = b"gongshu-test-platform-secret-01";
    const SALT: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    fn ctx(salt: [u8; 16]) -> MaskContext {
        MaskContext::new(&Secret::new(KEY).unwrap(), &PolicySalt::from_bytes(salt))
    }

    // H32–H35: HMAC-SM3 matches OpenSSL. Expected values were computed on the build machine
    // with OpenSSL 3.0.19 (`openssl list -digest-algorithms` lists SM3):
    //   printf 'abc' | openssl dgst -sm3 -hmac 'gongshu-platform-secret'
    //   printf '' | openssl dgst -sm3 -hmac 'gongshu-platform-secret'
    //   printf 'The quick brown fox jumps over the lazy dog' \
    //     | openssl dgst -sm3 -hmac "$(printf 'k%.0s' $(seq 100))"   # key longer than a block
    #[test]
    fn hmac_sm3_matches_openssl() {
        let cases: [(&[u8], &[u8], &str); 3] = [
            (
                b"gongshu-platform-secret",
                b"abc",
                "51743bcf1a111d3de45c910fb2f42131dea7f6356d8e174092b7487eb786b045",
            ),
            (
                b"gongshu-platform-secret",
                b"",
                "8bcbdc102a86e817da02e62c1b9c6f4ed35eb9cb13e0f4b5d1375eafed531b88",
            ),
            (
                &[b'k'; 100],
                b"The quick brown fox jumps over the lazy dog",
                "4d9349ab326a5e783a6c944a762b5665af9250c24c873a594bbfdaf761c0c276",
            ),
        ];
        for (key, message, expected) in cases {
            assert_eq!(hex::encode(hmac_sm3(key, message)), expected);
        }
    }

    // H32–H35, B35: a pseudonym is the first 16 bytes of HMAC-SM3(secret, salt ‖ value):
    //   ( printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f'; \
    //     printf '11010519491231002X' ) | openssl dgst -sm3 -hmac 'gongshu-test-platform-secret-01'
    //   = 5be99f9a54d404586551809f300777ea2516a49371f267e5789b69ad130d776d
    #[test]
    fn pseudonym_is_truncated_hmac_sm3_of_salt_and_value() {
        assert_eq!(
            ctx(SALT).pseudonym("11010519491231002X").as_deref(),
            Some("5be99f9a54d404586551809f300777ea")
        );
    }

    // B35: the same person gets the same token within one policy, another one in another.
    #[test]
    fn tokens_are_stable_per_policy_and_differ_across_policies() {
        let a = ctx(SALT);
        let mut other = SALT;
        other[15] ^= 1;
        let b = ctx(other);
        let id = "11010519491231002X";
        assert_eq!(a.pseudonym(id), a.pseudonym(id));
        assert_eq!(a.pseudonym(id), a.clone().pseudonym(id));
        assert_ne!(a.pseudonym(id), b.pseudonym(id));
        assert_ne!(a.pseudonym(id), a.pseudonym("321083197812162119"));
    }

    #[test]
    fn another_secret_gives_other_tokens() {
        let other = MaskContext::new(
            &Secret::new(*b"another-platform-secret!").unwrap(),
            &PolicySalt::from_bytes(SALT),
        );
        let id = "11010519491231002X";
        assert_ne!(ctx(SALT).pseudonym(id), other.pseudonym(id));
    }

    // H32–H35: the secret never prints.
    #[test]
    fn secrets_never_print() {
        let secret = Secret::new(KEY).unwrap();
        let shown = format!("{secret:?} {secret} {:?}", ctx(SALT));
        assert!(!shown.contains("gongshu-test"), "{shown}");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{secret}"), "<redacted>");
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(
            Secret::new(*b"too-short").unwrap_err(),
            RuleError::SecretTooShort { len: 9, min: 16 }
        );
    }

    #[test]
    fn without_keys_pseudonyms_fail_closed() {
        assert_eq!(
            MaskContext::without_keys().pseudonym("11010519491231002X"),
            None
        );
    }

    /// Valid citizen IDs: region, birth date, sequence, check character.
    fn citizen_ids() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["110105", "320583", "150102", "440306", "510107"]),
            0u32..36_500,
            0u32..1000,
        )
            .prop_map(|(region, day, seq)| {
                let birth = chrono::NaiveDate::from_ymd_opt(1930, 1, 1).unwrap()
                    + chrono::Duration::days(i64::from(day));
                let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
                let check = CitizenId::check_char_for(&first17).unwrap();
                format!("{first17}{check}")
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        // B35: deterministic per salt, different across salts, no collisions over thousands of
        // distinct generated IDs.
        #[test]
        fn pseudonyms_are_deterministic_distinct_and_unlinkable(
            ids in prop::collection::hash_set(citizen_ids(), 2000..3000),
            salt_a in any::<[u8; 16]>(),
            salt_b in any::<[u8; 16]>(),
        ) {
            prop_assume!(salt_a != salt_b);
            let (a, b) = (ctx(salt_a), ctx(salt_b));
            let mut tokens_a = HashSet::new();
            let mut tokens_b = HashSet::new();
            for id in &ids {
                let ta = a.pseudonym(id).unwrap();
                prop_assert_eq!(Some(ta.clone()), a.pseudonym(id));
                prop_assert_eq!(ta.len(), 32);
                let tb = b.pseudonym(id).unwrap();
                prop_assert_ne!(&ta, &tb);
                tokens_a.insert(ta);
                tokens_b.insert(tb);
            }
            prop_assert_eq!(tokens_a.len(), ids.len());
            prop_assert_eq!(tokens_b.len(), ids.len());
            prop_assert!(tokens_a.is_disjoint(&tokens_b));
        }
    }
}
