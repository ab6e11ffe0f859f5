//! 公民身份号码 (citizen ID) per GB 11643-1999: 6-digit address code, 8-digit birth date,
//! 3-digit sequence and an ISO 7064 MOD 11-2 check character. Natural persons are keyed by it
//! (H13), so a value of this type is always well formed.

use std::fmt;

use chrono::NaiveDate;

use crate::error::IdDefect;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// A checksum-valid citizen ID, normalised to upper-case `X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId(String);

impl CitizenId {
    /// Parses against a given "today" so the future-birth-date rule stays a pure function.
    pub fn parse_at(raw: &str, today: NaiveDate) -> Result<Self, IdDefect> {
        Self::check_at(raw, today)?;
        Ok(Self(raw.trim().to_ascii_uppercase()))
    }

    /// The checks of [`CitizenId::parse_at`] without building the value: `Ok` exactly when
    /// `parse_at` would succeed, and the same defect when it would not. The valid value is
    /// `raw` trimmed, with a lower-case `x` upper-cased. Allocates nothing, for ingest, which
    /// checks every cell of an ID column.
    pub fn check_at(raw: &str, today: NaiveDate) -> Result<(), IdDefect> {
        let value = raw.trim();
        let bytes = value.as_bytes();
        // Upper-casing changes only ASCII letters, so it changes no count of characters.
        let chars = if value.is_ascii() {
            bytes.len()
        } else {
            value.chars().count()
        };
        if chars != 18 {
            return Err(IdDefect::Length);
        }
        if bytes.len() != 18 {
            // 18 characters in more than 18 bytes: one of them is not ASCII.
            return Err(IdDefect::Alphabet);
        }
        let last = bytes[17].to_ascii_uppercase();
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
            return Err(IdDefect::Alphabet);
        }
        let number = |from: usize, to: usize| {
            bytes[from..to]
                .iter()
                .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'))
        };
        let birth = NaiveDate::from_ymd_opt(number(6, 10) as i32, number(10, 12), number(12, 14))
            .ok_or(IdDefect::BirthDate)?;
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid constant date") {
            return Err(IdDefect::BirthDate);
        }
        if birth > today {
            return Err(IdDefect::FutureBirthDate);
        }
        if check_char(&bytes[..17]) != last {
            return Err(IdDefect::Checksum);
        }
        Ok(())
    }

    /// Parses against today's date in China Standard Time.
    pub fn parse(raw: &str) -> Result<Self, IdDefect> {
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
        Self::parse_at(raw, today)
    }

    /// Builds the check character for 17 leading digits; used to make valid demo data.
    pub fn check_char_for(first17: &str) -> Option<char> {
        let bytes = first17.as_bytes();
        (bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit))
            .then(|| char::from(check_char(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated at parse")
    }
}

fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    // H13: natural persons are keyed by a checksum-valid citizen ID.
    #[test]
    fn published_valid_numbers_parse() {
        for id in ["11010519491231002X", "321083197812162119"] {
            assert_eq!(CitizenId::parse_at(id, today()).unwrap().as_str(), id);
        }
    }

    #[test]
    fn lowercase_x_is_accepted_and_normalised() {
        let id = CitizenId::parse_at("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn published_invalid_number_is_refused_for_its_checksum() {
        assert_eq!(
            CitizenId::parse_at("440308199901101513", today()),
            Err(IdDefect::Checksum)
        );
    }

    #[test]
    fn each_defect_is_named() {
        assert_eq!(
            CitizenId::parse_at("1101051949123100", today()),
            Err(IdDefect::Length)
        );
        assert_eq!(
            CitizenId::parse_at("11010519491231002Y", today()),
            Err(IdDefect::Alphabet)
        );
        assert_eq!(
            CitizenId::parse_at("110105194902300021", today()),
            Err(IdDefect::BirthDate)
        );
        let future = "11010520991231002";
        let check = CitizenId::check_char_for(future).unwrap();
        assert_eq!(
            CitizenId::parse_at(&format!("{future}{check}"), today()),
            Err(IdDefect::FutureBirthDate)
        );
        assert_eq!(
            CitizenId::parse_at("１１０１０５１９４９１２３１００２X", today()),
            Err(IdDefect::Alphabet)
        );
    }

    fn valid_id() -> impl Strategy<Value = String> {
        (100000u32..999999, 0i64..37000, 0u32..1000).prop_map(|(area, days, seq)| {
            let birth = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{area:06}{}{seq:03}", birth.format("%Y%m%d"));
            let check = CitizenId::check_char_for(&first17).unwrap();
            format!("{first17}{check}")
        })
    }

    /// `parse_at` as it was before [`CitizenId::check_at`]: the checks must agree with it.
    fn reference(raw: &str, today: NaiveDate) -> Result<String, IdDefect> {
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if value.chars().count() != 18 {
            return Err(IdDefect::Length);
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdDefect::Alphabet);
        }
        let birth =
            NaiveDate::parse_from_str(&value[6..14], "%Y%m%d").map_err(|_| IdDefect::BirthDate)?;
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() {
            return Err(IdDefect::BirthDate);
        }
        if birth > today {
            return Err(IdDefect::FutureBirthDate);
        }
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(IdDefect::Checksum);
        }
        Ok(value)
    }

    proptest! {
        #[test]
        fn check_at_agrees_with_the_reference(
            raw in "[ ]?[0-9xX号]{16,19}[ ]?",
            dated in "[0-9]{6}(18|19|20|21)[0-9]{2}[0-3][0-9][0-3][0-9][0-9]{3}[0-9xX]",
            id in valid_id(),
            lower in any::<bool>(),
        ) {
            let id = if lower { id.to_ascii_lowercase() } else { id };
            for s in [raw.as_str(), dated.as_str(), id.as_str()] {
                prop_assert_eq!(
                    CitizenId::parse_at(s, today()).map(|c| c.0),
                    reference(s, today()),
                    "{}", s
                );
            }
        }

        #[test]
        fn generated_ids_are_valid(id in valid_id()) {
            prop_assert!(CitizenId::parse_at(&id, today()).is_ok());
        }

        // H13: any single-character change is caught.
        #[test]
        fn any_single_change_is_invalid(id in valid_id(), pos in 0usize..18, c in "[0-9A-Z]") {
            let c = c.chars().next().unwrap();
            let mut chars: Vec<char> = id.chars().collect();
            prop_assume!(chars[pos] != c);
            chars[pos] = c;
            let changed: String = chars.into_iter().collect();
            prop_assert!(CitizenId::parse_at(&changed, today()).is_err(), "{changed} accepted");
        }
    }
}
