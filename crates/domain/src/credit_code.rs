//! 统一社会信用代码 (unified social credit code) per GB 32100-2015: 18 characters from a
//! 31-symbol alphabet (no I, O, Z, S, V), the last one a check character computed with
//! weights 3^i mod 31. Organisations are keyed by it (H14).

use std::fmt;

use crate::error::IdDefect;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A checksum-valid credit code in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(raw: &str) -> Result<Self, IdDefect> {
        Self::check(raw)?;
        Ok(Self(raw.trim().to_ascii_uppercase()))
    }

    /// The checks of [`CreditCode::parse`] without building the value: `Ok` exactly when
    /// `parse` would succeed, and the same defect when it would not. The valid value is `raw`
    /// trimmed and upper-cased. Allocates nothing, for ingest, which checks every cell of a
    /// credit-code column.
    pub fn check(raw: &str) -> Result<(), IdDefect> {
        let value = raw.trim();
        // Upper-casing changes only ASCII letters, so it changes no count of characters.
        let chars = if value.is_ascii() {
            value.len()
        } else {
            value.chars().count()
        };
        if chars != 18 {
            return Err(IdDefect::Length);
        }
        let mut values = [0u32; 18];
        if value.len() != 18 {
            // 18 characters in more than 18 bytes: one of them is not in the alphabet.
            return Err(IdDefect::Alphabet);
        }
        for (v, b) in values.iter_mut().zip(value.bytes()) {
            *v = value_of(b.to_ascii_uppercase()).ok_or(IdDefect::Alphabet)?;
        }
        if check_value(&values[..17]) != values[17] {
            return Err(IdDefect::Checksum);
        }
        Ok(())
    }

    /// Completes 17 leading characters with their check character; used to make demo data.
    pub fn complete(first17: &str) -> Option<Self> {
        let upper = first17.to_ascii_uppercase();
        let values: Vec<u32> = upper.bytes().map(value_of).collect::<Option<_>>()?;
        if values.len() != 17 {
            return None;
        }
        let check = char::from(ALPHABET[check_value(&values) as usize]);
        Some(Self(format!("{upper}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn value_of(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
}

fn check_value(first17: &[u32]) -> u32 {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for v in first17 {
        sum += v * weight;
        weight = weight * 3 % 31;
    }
    (31 - sum % 31) % 31
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // H14: organisations are keyed by a checksum-valid credit code.
    #[test]
    fn published_valid_codes_parse() {
        for code in [
            "91350100M000100Y43",
            "91110000600037341L",
            "121200004013590816",
        ] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn published_invalid_codes_are_refused() {
        assert_eq!(
            CreditCode::parse("91110000600037341N"),
            Err(IdDefect::Checksum)
        );
        assert_eq!(
            CreditCode::parse("9111000060003IOZSV"),
            Err(IdDefect::Alphabet)
        );
        assert_eq!(CreditCode::parse("9111000060003734"), Err(IdDefect::Length));
    }

    #[test]
    fn lower_case_is_normalised() {
        assert_eq!(
            CreditCode::parse("91350100m000100y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn complete_matches_published_check_characters() {
        assert_eq!(
            CreditCode::complete("91110000600037341").unwrap().as_str(),
            "91110000600037341L"
        );
    }

    fn valid_code() -> impl Strategy<Value = String> {
        "[0-9A-HJ-NPQRTUWXY]{17}".prop_map(|s| CreditCode::complete(&s).unwrap().0)
    }

    /// `parse` as it was before [`CreditCode::check`]: the checks must agree with it.
    fn reference(raw: &str) -> Result<String, IdDefect> {
        let value = raw.trim().to_ascii_uppercase();
        if value.chars().count() != 18 {
            return Err(IdDefect::Length);
        }
        let values: Vec<u32> = value
            .bytes()
            .map(value_of)
            .collect::<Option<_>>()
            .ok_or(IdDefect::Alphabet)?;
        if check_value(&values[..17]) != values[17] {
            return Err(IdDefect::Checksum);
        }
        Ok(value)
    }

    proptest! {
        #[test]
        fn check_agrees_with_the_reference(
            raw in "[ ]?[0-9A-Za-z代码]{16,19}[ ]?",
            code in valid_code(),
            lower in any::<bool>(),
        ) {
            let code = if lower { code.to_ascii_lowercase() } else { code };
            for s in [raw.as_str(), code.as_str()] {
                prop_assert_eq!(
                    CreditCode::parse(s).map(|c| c.0),
                    reference(s),
                    "{}", s
                );
            }
        }

        #[test]
        fn generated_codes_are_valid(code in valid_code()) {
            prop_assert!(CreditCode::parse(&code).is_ok());
        }

        // H14: any single-character change is caught.
        #[test]
        fn any_single_change_is_invalid(code in valid_code(), pos in 0usize..18, c in "[0-9A-Z]") {
            let c = c.chars().next().unwrap();
            let mut chars: Vec<char> = code.chars().collect();
            prop_assume!(chars[pos] != c);
            chars[pos] = c;
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{changed} accepted");
        }
    }
}
