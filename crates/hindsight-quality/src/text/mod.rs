//! Text analysis shared by the language rules: tokens, sentences, people,
//! clock times.

pub mod clock;
pub mod people;
pub mod tokens;

/// A field's text cut into tokens and sentences.
pub struct Analysed<'a> {
    pub text: &'a str,
    pub tokens: Vec<tokens::Token>,
    pub sentences: Vec<std::ops::Range<usize>>,
}

impl<'a> Analysed<'a> {
    pub fn new(text: &'a str) -> Self {
        let tokens = tokens::tokenize(text);
        let sentences = tokens::sentences(text, &tokens);
        Analysed {
            text,
            tokens,
            sentences,
        }
    }

    /// The byte range of tokens `range` (inclusive of both ends).
    pub fn span(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.tokens.get(range.start).map_or(0, |t| t.start);
        let end = range
            .end
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(start, |t| t.end);
        start..end.max(start)
    }
}

/// A contraction typed without its apostrophe ("didnt"), written out as
/// the patterns expect it.
fn contraction(word: &str) -> Option<&'static str> {
    Some(match word {
        "didnt" => "didn't",
        "doesnt" => "doesn't",
        "dont" => "don't",
        "wasnt" => "wasn't",
        "werent" => "weren't",
        "hadnt" => "hadn't",
        "hasnt" => "hasn't",
        "havent" => "haven't",
        "couldnt" => "couldn't",
        "wouldnt" => "wouldn't",
        "shouldnt" => "shouldn't",
        "isnt" => "isn't",
        "arent" => "aren't",
        "cant" => "can't",
        "wont" => "won't",
        _ => return None,
    })
}

/// A sentence as lower-case words and punctuation joined by single spaces,
/// for phrase patterns, with the way back to tokens.
pub struct Norm {
    pub text: String,
    /// Offset in `text` of each token of the sentence.
    starts: Vec<usize>,
    /// Offset in `text` where each token's own word ends (before an added `'s`).
    ends: Vec<usize>,
    /// Index of the sentence's first token.
    first: usize,
}

impl Norm {
    pub fn new(tokens: &[tokens::Token], range: std::ops::Range<usize>) -> Norm {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(range.len());
        let mut ends = Vec::with_capacity(range.len());
        for t in &tokens[range.clone()] {
            if !text.is_empty() {
                text.push(' ');
            }
            starts.push(text.len());
            match t.kind {
                tokens::Kind::Code => text.push_str("x-code"),
                _ => text.push_str(contraction(&t.lower).unwrap_or(&t.lower)),
            }
            ends.push(text.len());
            if t.possessive {
                text.push_str(" 's");
            }
        }
        Norm {
            text,
            starts,
            ends,
            first: range.start,
        }
    }

    /// The token holding `offset` of `text`.
    pub fn token_at(&self, offset: usize) -> usize {
        self.first
            + self
                .starts
                .partition_point(|&s| s <= offset)
                .saturating_sub(1)
    }

    /// The tokens covered by `range` of `text`.
    pub fn tokens(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.token_at(range.start);
        let end = self.token_at(range.end.saturating_sub(1).max(range.start));
        start..end + 1
    }

    /// Offset in `text` where token `index`'s own word ends.
    pub fn end(&self, index: usize) -> usize {
        self.ends
            .get(index.saturating_sub(self.first))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Offset in `text` where token `index` starts (or the end).
    pub fn offset(&self, index: usize) -> usize {
        self.starts
            .get(index.saturating_sub(self.first))
            .copied()
            .unwrap_or(self.text.len())
    }
}
