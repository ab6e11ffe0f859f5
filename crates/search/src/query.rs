//! Turning user text into a tantivy query, without ever parsing query syntax.
//!
//! The text is cut into words ([`crate::tokenizer::query_words`]); each word becomes a
//! disjunction over the text fields, weighted name > summary > item names > agency/category
//! labels, and the words are combined with AND (or OR for the fallback, see
//! [`crate::SearchQuery`]). A few common abbreviations also match their full form and back
//! ([`ABBREVIATIONS`]). An exact resource code always matches, boosted above any text match.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::schema::Fields;
use crate::tokenizer::query_words;

/// Abbreviations people type and the full forms catalogs write (or the other way round). A query
/// word equal to an abbreviation also matches its full form (all of the full form's words); a
/// query word equal to a one-word full form also matches the abbreviation. jieba keeps each
/// abbreviation as a word of its own (社保 is not cut into 社会保险's parts), so without this
/// 社保 would miss 社会保险参保信息.
pub(crate) const ABBREVIATIONS: &[(&str, &str)] = &[
    ("社保", "社会保险"),
    ("医保", "医疗保险"),
    ("户口", "户籍"),
    ("低保", "最低生活保障"),
];

/// Relative weight of a match in each text field.
const NAME_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const ITEMS_BOOST: f32 = 1.0;
const CONTEXT_BOOST: f32 = 0.5;
/// A word found in several fields scores its best field plus this share of the others.
const TIE_BREAKER: f32 = 0.1;
/// An exact code match outranks any text match.
const CODE_BOOST: f32 = 100.0;

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Combine {
    /// Every word must match (the normal case).
    All,
    /// Any word may match (fallback when no entry holds every word).
    Any,
}

/// The words of one user text and the exact code it might be.
pub(crate) struct TextQuery {
    pub(crate) words: Vec<String>,
    code: String,
}

impl TextQuery {
    /// `text` must already be trimmed and non-empty.
    pub(crate) fn parse(text: &str) -> Self {
        Self {
            words: query_words(text),
            code: text.to_owned(),
        }
    }

    /// The tantivy query: the words combined as asked, or the exact code.
    pub(crate) fn build(&self, fields: &Fields, combine: Combine) -> Box<dyn Query> {
        let code: Box<dyn Query> = Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(fields.code, &self.code),
                IndexRecordOption::Basic,
            )),
            CODE_BOOST,
        ));
        if self.words.is_empty() {
            return code;
        }
        let occur = match combine {
            Combine::All => Occur::Must,
            Combine::Any => Occur::Should,
        };
        let words = BooleanQuery::new(
            self.words
                .iter()
                .map(|word| (occur, word_with_synonyms(fields, word)))
                .collect(),
        );
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(words)),
            (Occur::Should, code),
        ]))
    }
}

/// A word, or any of its abbreviation pairs (each of which may be several words, all required).
fn word_with_synonyms(fields: &Fields, word: &str) -> Box<dyn Query> {
    let mut alternatives = vec![word_in_fields(fields, word)];
    for (short, long) in ABBREVIATIONS {
        let other = if word == *short {
            long
        } else if word == *long {
            short
        } else {
            continue;
        };
        let words = query_words(other);
        let alternative: Box<dyn Query> = match words.as_slice() {
            [] => Box::new(EmptyQuery),
            [one] => word_in_fields(fields, one),
            _ => Box::new(BooleanQuery::new(
                words
                    .iter()
                    .map(|w| (Occur::Must, word_in_fields(fields, w)))
                    .collect(),
            )),
        };
        alternatives.push(alternative);
    }
    if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Box::new(BooleanQuery::union(alternatives))
    }
}

/// One word in any text field, scored by its best field.
fn word_in_fields(fields: &Fields, word: &str) -> Box<dyn Query> {
    let disjuncts = [
        (fields.name, NAME_BOOST),
        (fields.summary, SUMMARY_BOOST),
        (fields.items, ITEMS_BOOST),
        (fields.context, CONTEXT_BOOST),
    ]
    .into_iter()
    .map(|(field, boost)| -> Box<dyn Query> {
        Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::WithFreqs,
            )),
            boost,
        ))
    })
    .collect();
    Box::new(DisjunctionMaxQuery::with_tie_breaker(
        disjuncts,
        TIE_BREAKER,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_single_query_words() {
        // The table only works if jieba keeps each abbreviation whole.
        for (short, _) in ABBREVIATIONS {
            assert_eq!(query_words(short), [*short], "{short}");
        }
    }
}
