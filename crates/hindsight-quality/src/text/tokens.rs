//! Words of a Markdown text with their byte offsets, and its sentences.
//!
//! Markdown emphasis is skipped, code spans and URLs become opaque tokens
//! (nothing inside them is a name or a blame word), a link keeps its text
//! and drops its target.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// `.`, `,`, `;`, `:`, `!`, `?`, `(`, `)`, dashes, quotes.
    Punct,
    /// A code span, a URL or an HTML comment: opaque.
    Code,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Lower case, with typographic apostrophes made plain.
    pub lower: String,
    pub start: usize,
    pub end: usize,
    /// Starts with an upper-case letter.
    pub capital: bool,
    /// Followed by `'s` (the `'s` is not part of the token).
    pub possessive: bool,
    /// Two or more letters, all upper case (`EVE`, `SRE`).
    pub all_caps: bool,
    /// Upper case after the first letter but not all of it: a product's
    /// spelling (`PagerDuty`, `PGAudit`), never a given name's.
    pub camel: bool,
}

impl Token {
    pub fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.lower == word
    }

    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
}

/// Lower case with typographic apostrophes made plain.
fn plain_lower(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.contains('’') {
        lower.replace('’', "'")
    } else {
        lower
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_whitespace() || matches!(c, '*' | '_' | '~' | '#' | '|' | '>' | '[' | ']') {
            i += c.len_utf8();
            continue;
        }
        if c == '`' {
            let run = rest.bytes().take_while(|&b| b == b'`').count();
            let fence = &rest[..run];
            let end = rest[run..]
                .find(fence)
                .map_or(text.len(), |e| i + run + e + run);
            out.push(opaque(i, end));
            i = end;
            continue;
        }
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(text.len(), |e| i + e + 3);
            out.push(opaque(i, end));
            i = end;
            continue;
        }
        if rest.starts_with("](") {
            // A link target: skip it whole.
            let end = rest.find(')').map_or(text.len(), |e| i + e + 1);
            i = end;
            continue;
        }
        if c == '<' && rest[1..].starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '/') {
            // An autolink or inline HTML tag.
            let end = rest.find('>').map_or(text.len(), |e| i + e + 1);
            out.push(opaque(i, end));
            i = end;
            continue;
        }
        if c.is_alphanumeric() || c == '@' {
            let end = word_end(text, i);
            let word = &text[i..end];
            if word.contains("://") || word.starts_with("www.") {
                out.push(opaque(i, end));
                i = end;
                continue;
            }
            let (core, possessive) = strip_possessive(word);
            out.push(Token {
                kind: Kind::Word,
                lower: plain_lower(core),
                start: i,
                end: i + core.len(),
                capital: core.chars().next().is_some_and(char::is_uppercase),
                possessive,
                all_caps: core.chars().filter(|c| c.is_alphabetic()).count() > 1
                    && core
                        .chars()
                        .filter(|c| c.is_alphabetic())
                        .all(char::is_uppercase),
                camel: core.chars().skip(1).any(char::is_uppercase)
                    && core.chars().any(char::is_lowercase),
            });
            i = end;
            continue;
        }
        out.push(Token {
            kind: Kind::Punct,
            lower: c.to_string(),
            start: i,
            end: i + c.len_utf8(),
            capital: false,
            possessive: false,
            all_caps: false,
            camel: false,
        });
        i += c.len_utf8();
    }
    out
}

fn opaque(start: usize, end: usize) -> Token {
    Token {
        kind: Kind::Code,
        lower: String::new(),
        start,
        end,
        capital: false,
        possessive: false,
        all_caps: false,
        camel: false,
    }
}

/// The end of the word at `start`: letters, digits and the joiners `' ’ - . _ / @ :`
/// when a letter or digit follows them (so `on-call`, `priya.raman`,
/// `didn't`, `v2.3` and URLs stay whole, and a full stop does not).
fn word_end(text: &str, start: usize) -> usize {
    let mut end = start;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        let joiner = matches!(c, '\'' | '’' | '-' | '.' | '_' | '/' | '@' | ':' | '+');
        if c.is_alphanumeric() || c == '@' && off == 0 {
            end = start + off + c.len_utf8();
        } else if joiner {
            let next_ok = chars.peek().is_some_and(|(_, n)| {
                n.is_alphanumeric() || (c == ':' && *n == '/') || (*n == '/' && c == '/')
            });
            if !next_ok {
                break;
            }
            end = start + off + c.len_utf8();
        } else {
            break;
        }
    }
    end.max(start + text[start..].chars().next().map_or(1, char::len_utf8))
}

/// `Bob's` is `Bob`, possessive; `it's` and `let's` are not possessives.
fn strip_possessive(word: &str) -> (&str, bool) {
    for suffix in ["'s", "’s", "'S"] {
        if let Some(core) = word.strip_suffix(suffix) {
            let lower = core.to_lowercase();
            if !core.is_empty()
                && !matches!(
                    lower.as_str(),
                    "it" | "let" | "that" | "what" | "there" | "here" | "who" | "he" | "she"
                )
            {
                return (core, true);
            }
        }
    }
    (word, false)
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "approx", "incl", "no", "fig", "cf", "a.m",
    "p.m", "st", "jr", "sr",
];

/// The sentences of `tokens`, as ranges of token indices. A sentence ends
/// at `.`, `!` or `?` before a capital, a digit or the end, at a blank line,
/// and before a list item or table row.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..tokens.len() {
        let t = &tokens[i];
        let next = tokens.get(i + 1);
        let mut ends = false;
        if t.kind == Kind::Punct && matches!(t.lower.as_str(), "." | "!" | "?") {
            let prev_abbrev = i
                .checked_sub(1)
                .and_then(|p| tokens.get(p))
                .is_some_and(|p| {
                    p.end == t.start
                        && (ABBREVIATIONS.contains(&p.lower.as_str())
                            || p.lower.chars().count() == 1 && p.capital)
                });
            ends = !prev_abbrev
                && next.is_none_or(|n| {
                    n.capital
                        || n.kind != Kind::Word
                        || n.lower.starts_with(|c: char| c.is_ascii_digit())
                });
        }
        if let Some(n) = next {
            let gap = text.get(t.end..n.start).unwrap_or_default();
            if gap.contains("\n\n") {
                ends = true;
            } else if let Some(nl) = gap.rfind('\n') {
                ends = starts_block(text.get(t.end + nl + 1..).unwrap_or_default());
            }
        }
        if ends || next.is_none() {
            if start <= i {
                out.push(start..i + 1);
            }
            start = i + 1;
        }
    }
    out
}

/// Whether `line` starts a list item, a table row, a quote or a heading.
fn starts_block(line: &str) -> bool {
    let line = line.trim_start();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    line.starts_with(['-', '*', '+', '|', '#', '>'])
        || digits > 0 && line[digits..].starts_with(['.', ')'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.lower)
            .collect()
    }

    #[test]
    fn words_keep_joiners_and_drop_markdown() {
        assert_eq!(
            words("**Bob's** on-call change to `x.y` at [v2.3](http://a.b/c), didn't"),
            ["bob", "on-call", "change", "to", "at", "v2.3", "didn't"]
        );
        let t = tokenize("Bob's");
        assert!(t[0].possessive && t[0].capital);
        assert_eq!(&"Bob's"[t[0].start..t[0].end], "Bob");
    }

    #[test]
    fn sentences_split_at_stops_and_blocks() {
        let text = "Alice rolled back at 12:00. Then e.g. Bob paged.\n- item one\n- item two";
        let tokens = tokenize(text);
        let s = sentences(text, &tokens);
        let firsts: Vec<&str> = s.iter().map(|r| tokens[r.start].lower.as_str()).collect();
        assert_eq!(firsts, ["alice", "then", "-", "-"]);
    }
}
