//! Chinese word segmentation for the index and for queries.
//!
//! Documents are cut in jieba's *search* mode, which also emits the shorter dictionary words
//! inside a long one (社会保险 → 社会, 保险, 社会保险), so a query for a part finds the whole.
//! Queries are cut in the coarser *default* mode (社会保险 stays one word), which is always a
//! word the search-mode cut of the same text produced. Both sides drop tokens without a letter
//! or digit (spaces, punctuation, query syntax such as `"` `:` `(`) and lower-case Latin text.
//!
//! One jieba dictionary (a few MB) is loaded once per process and shared by every tokenizer
//! clone through an [`Arc`]; tantivy clones tokenizers per indexing thread and we clone one per
//! query, so cloning must be cheap.

use std::sync::{Arc, LazyLock};

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the index tokenizer is registered under in every index.
pub(crate) const TOKENIZER_NAME: &str = "gongshu_jieba";

static JIEBA: LazyLock<Arc<Jieba>> = LazyLock::new(|| Arc::new(Jieba::new()));

/// A tantivy tokenizer over the shared jieba dictionary.
#[derive(Clone)]
pub(crate) struct ChineseTokenizer {
    jieba: Arc<Jieba>,
    mode: TokenizeMode,
}

impl ChineseTokenizer {
    /// The tokenizer documents are indexed with (jieba search mode).
    pub(crate) fn for_index() -> Self {
        Self {
            jieba: Arc::clone(&JIEBA),
            mode: TokenizeMode::Search,
        }
    }
}

/// Cuts user input into the words a query must match, in order, without duplicates.
///
/// Never fails: text with no letters or digits gives no words.
pub(crate) fn query_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for token in JIEBA.tokenize(text, TokenizeMode::Default, true) {
        if is_searchable(token.word) {
            let word = token.word.to_lowercase();
            if !words.contains(&word) {
                words.push(word);
            }
        }
    }
    words
}

/// A token is worth indexing when it holds at least one letter or digit (CJK counts as letters).
fn is_searchable(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream<'a> {
        let words = self
            .jieba
            .tokenize(text, self.mode, true)
            .into_iter()
            .filter(|token| is_searchable(token.word))
            .map(|token| token.word)
            .collect();
        ChineseTokenStream {
            text,
            words,
            next: 0,
            token: Token::default(),
        }
    }
}

/// Tokens of one text; jieba's words are slices of `text`, which gives byte offsets.
pub(crate) struct ChineseTokenStream<'a> {
    text: &'a str,
    words: Vec<&'a str>,
    next: usize,
    token: Token,
}

impl TokenStream for ChineseTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(word) = self.words.get(self.next) else {
            return false;
        };
        let offset_from = word.as_ptr() as usize - self.text.as_ptr() as usize;
        self.token.offset_from = offset_from;
        self.token.offset_to = offset_from + word.len();
        self.token.position = self.next;
        self.token.position_length = 1;
        self.token.text.clear();
        for c in word.chars() {
            self.token.text.extend(c.to_lowercase());
        }
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_tokens(text: &str) -> Vec<String> {
        let mut tokenizer = ChineseTokenizer::for_index();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(
                &text[token.offset_from..token.offset_to].to_lowercase(),
                &token.text
            );
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn search_mode_indexes_the_parts_of_long_words() {
        let tokens = index_tokens("社会保险参保信息");
        for word in ["社会", "保险", "社会保险", "参保", "信息"] {
            assert!(
                tokens.iter().any(|t| t == word),
                "{word} missing from {tokens:?}"
            );
        }
    }

    #[test]
    fn query_words_are_the_coarse_cut() {
        assert_eq!(query_words("社会保险"), ["社会保险"]);
        assert_eq!(query_words("户籍人口"), ["户籍", "人口"]);
    }

    #[test]
    fn punctuation_spaces_and_syntax_are_dropped_and_latin_is_lower_cased() {
        assert_eq!(query_words("AbC 12 (x:y)"), ["abc", "12", "x", "y"]);
        assert_eq!(index_tokens("AbC, 12!"), ["abc", "12"]);
        assert!(query_words("\"\":()[]{}!！，。 -+*?~^").is_empty());
        assert!(query_words("").is_empty());
    }

    #[test]
    fn repeated_words_are_asked_once() {
        assert_eq!(query_words("企业 企业"), ["企业"]);
    }
}
