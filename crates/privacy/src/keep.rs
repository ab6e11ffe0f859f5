//! Partial display (部分屏蔽): keep the first and last few characters of a value and show one
//! `*` for every character hidden, so the masked value has the same length as the original.
//!
//! Characters are Unicode scalar values (`char`), not bytes: `张三` is two characters.
//!
//! **Never the whole value.** When the window does not fit (first + last ≥ length), the rule
//! shrinks what it keeps until at least one character is hidden: first `last` gives way, then
//! `first`. So `keep(3, 4)` on `12345` gives `123*5`, `keep(1, 0)` on `张` gives `*`, and every
//! non-empty value loses at least one character. The empty string stays empty.

use serde::{Deserialize, Serialize};

use crate::RuleError;

/// Keep the first `first` and the last `last` characters; a valid rule keeps at most
/// [`Keep::MAX_KEPT`] characters in all. Fields are private: build it with [`Keep::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "KeepSpec", into = "KeepSpec")]
pub struct Keep {
    first: usize,
    last: usize,
}

/// The unchecked wire form of [`Keep`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeepSpec {
    first: usize,
    last: usize,
}

impl Keep {
    /// A rule that keeps more than this many characters is not hiding much of anything a reader
    /// would miss; it is refused as a likely mistake.
    pub const MAX_KEPT: usize = 32;

    pub fn new(first: usize, last: usize) -> Result<Self, RuleError> {
        match first.checked_add(last) {
            Some(kept) if kept <= Self::MAX_KEPT => Ok(Self { first, last }),
            _ => Err(RuleError::KeepTooMuch {
                first,
                last,
                max: Self::MAX_KEPT,
            }),
        }
    }

    /// For constants of this crate that are known to be valid.
    pub(crate) const fn new_unchecked(first: usize, last: usize) -> Self {
        Self { first, last }
    }

    pub fn first(self) -> usize {
        self.first
    }

    pub fn last(self) -> usize {
        self.last
    }

    /// How many characters this rule actually keeps at the start and at the end of a value of
    /// `len` characters: the configured window, shrunk (last first) so that at least one
    /// character is hidden.
    pub fn window(self, len: usize) -> (usize, usize) {
        if len == 0 {
            return (0, 0);
        }
        let first = self.first.min(len - 1);
        let last = self.last.min(len - 1 - first);
        (first, last)
    }

    /// Masks `value`. Total: every string has a masked form, of the same length in characters.
    pub fn apply(self, value: &str) -> String {
        let len = value.chars().count();
        let (first, last) = self.window(len);
        let hidden = len - first - last;
        let mut out = String::with_capacity(value.len());
        let mut chars = value.chars();
        out.extend(chars.by_ref().take(first));
        out.extend(std::iter::repeat_n('*', hidden));
        out.extend(chars.skip(hidden));
        out
    }
}

impl TryFrom<KeepSpec> for Keep {
    type Error = RuleError;

    fn try_from(spec: KeepSpec) -> Result<Self, Self::Error> {
        Keep::new(spec.first, spec.last)
    }
}

impl From<Keep> for KeepSpec {
    fn from(k: Keep) -> Self {
        KeepSpec {
            first: k.first,
            last: k.last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keep(first: usize, last: usize, value: &str) -> String {
        Keep::new(first, last).unwrap().apply(value)
    }

    // H19, B35: the issue's examples.
    #[test]
    fn citizen_id_keeps_three_and_four() {
        assert_eq!(keep(3, 4, "11010519491231002X"), "110***********002X");
    }

    #[test]
    fn mobile_keeps_three_and_four() {
        assert_eq!(keep(3, 4, "13812345678"), "138****5678");
    }

    #[test]
    fn names_keep_the_first_character() {
        assert_eq!(keep(1, 0, "张三"), "张*");
        assert_eq!(keep(1, 0, "张三丰"), "张**");
        assert_eq!(keep(1, 0, "欧阳娜娜"), "欧***");
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        assert_eq!(keep(2, 2, "内蒙古自治区"), "内蒙**治区");
        assert_eq!(keep(1, 1, "a中b"), "a*b");
    }

    // H19: never the whole value; `last` gives way before `first`.
    #[test]
    fn a_window_that_does_not_fit_still_hides_a_character() {
        assert_eq!(keep(3, 4, "12345"), "123*5");
        assert_eq!(keep(3, 4, "1234"), "123*");
        assert_eq!(keep(3, 4, "123"), "12*");
        assert_eq!(keep(1, 0, "张"), "*");
        assert_eq!(keep(0, 4, "1234"), "*234");
        assert_eq!(keep(0, 0, "abc"), "***");
        assert_eq!(keep(3, 4, ""), "");
    }

    #[test]
    fn too_wide_a_window_is_refused() {
        assert_eq!(Keep::new(16, 16).map(Keep::first), Ok(16));
        assert!(matches!(
            Keep::new(30, 3),
            Err(RuleError::KeepTooMuch { .. })
        ));
        assert!(Keep::new(usize::MAX, 1).is_err());
    }

    #[test]
    fn wire_form_is_validated() {
        let k: Keep = serde_json::from_str(r#"{"first":3,"last":4}"#).unwrap();
        assert_eq!((k.first(), k.last()), (3, 4));
        assert!(serde_json::from_str::<Keep>(r#"{"first":40,"last":0}"#).is_err());
        assert!(serde_json::from_str::<Keep>(r#"{"first":1,"last":0,"x":1}"#).is_err());
    }

    proptest! {
        // H19, B35: Keep never reveals more than first + last characters, never the whole
        // value, and keeps the length.
        #[test]
        fn keep_reveals_at_most_its_window(
            value in "\\PC{0,40}",
            first in 0usize..=16,
            last in 0usize..=16,
        ) {
            let masked = keep(first, last, &value);
            let orig: Vec<char> = value.chars().collect();
            let out: Vec<char> = masked.chars().collect();
            prop_assert_eq!(out.len(), orig.len());
            // Positions shown as themselves (not replaced by the mask character).
            let kept = out.iter().zip(&orig).filter(|(o, i)| o == i && **o != '*').count();
            prop_assert!(kept <= first + last);
            if !orig.is_empty() {
                prop_assert!(out.contains(&'*'));
                prop_assert!(kept < orig.len());
            }
            // What is shown is exactly a prefix and a suffix of the original.
            let (f, l) = Keep::new(first, last).unwrap().window(orig.len());
            prop_assert_eq!(&out[..f], &orig[..f]);
            prop_assert_eq!(&out[orig.len() - l..], &orig[orig.len() - l..]);
            prop_assert!(out[f..orig.len() - l].iter().all(|c| *c == '*'));
        }
    }
}
