//! Comment text normalisation: tokens (lower-case words, each emoji a token of its own,
//! punctuation dropped) and their 64-bit hashes.

/// A 64-bit mix (SplitMix64's finaliser): cheap and well spread.
#[inline]
pub(crate) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Characters that only modify the emoji before them (variation selectors, the zero-width
/// joiner, skin tones): dropped, so `❤️` and `❤` are one token.
#[inline]
fn is_modifier(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{20E3}')
}

/// Punctuation a person varies freely (`!`, `!!`, `...`, quotes, dashes): dropped.
#[inline]
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{2010}'
                ..='\u{205E}'
                    | '\u{00A1}'
                    | '\u{00BF}'
                    | '\u{00AB}'
                    | '\u{00BB}'
                    | '\u{3001}'
                    | '\u{3002}'
        )
}

/// One token of a normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    /// A run of letters, digits and inner apostrophes (compared case-insensitively).
    Word(&'a str),
    /// One symbol or emoji.
    Symbol(char),
}

/// Calls `f` with each token of `text`, in order.
///
/// Words are maximal runs of alphanumeric characters (an apostrophe inside a word is kept:
/// `don't`); every other non-space, non-punctuation character (emoji, symbols) is a token of
/// its own; modifiers of emoji and punctuation are dropped.
pub(crate) fn for_each_token<'a>(text: &'a str, mut f: impl FnMut(Tok<'a>)) {
    let mut start: Option<usize> = None;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let inner_apostrophe = (c == '\'' || c == '\u{2019}')
            && start.is_some()
            && it.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_apostrophe {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            f(Tok::Word(&text[s..i]));
        }
        if c.is_whitespace() || is_modifier(c) || is_punct(c) || c.is_control() {
            continue;
        }
        f(Tok::Symbol(c));
    }
    if let Some(s) = start {
        f(Tok::Word(&text[s..]));
    }
}

/// The hash of a token, case-insensitive for words.
#[inline]
pub(crate) fn token_hash(t: Tok<'_>) -> u64 {
    match t {
        Tok::Word(w) => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for c in w.chars().flat_map(char::to_lowercase) {
                h = (h ^ u64::from(c as u32)).wrapping_mul(0x0100_0000_01b3);
            }
            mix(h)
        }
        Tok::Symbol(c) => mix(0x5359_4d42_0000_0000 ^ u64::from(c as u32)),
    }
}

/// A text's tokens as hashes: fills `out` (cleared first) in order and returns the number of
/// word tokens.
pub(crate) fn token_hashes(text: &str, out: &mut Vec<u64>) -> usize {
    out.clear();
    let mut words = 0;
    for_each_token(text, |t| {
        if matches!(t, Tok::Word(_)) {
            words += 1;
        }
        out.push(token_hash(t));
    });
    words
}

/// The key of a normalised text (order-sensitive): two texts with the same key are the same
/// comment up to case, punctuation and emoji modifiers.
pub(crate) fn text_key(tokens: &[u64]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    for &t in tokens {
        h = mix(h ^ t).wrapping_add(0x9e37_79b9_7f4a_7c15);
    }
    h
}

/// A text's shingles: its distinct words and pairs of consecutive words (as hashes), sorted.
/// Two variants of a spun template that differ in one slot share most of both; two texts that
/// only share common words ("this", "is", "the") share few pairs.
pub(crate) fn shingles(tokens: &[u64]) -> Vec<u64> {
    let mut s = tokens.to_vec();
    s.extend(tokens.windows(2).map(|w| mix(w[0].rotate_left(17) ^ w[1])));
    s.sort_unstable();
    s.dedup();
    s
}

/// Jaccard similarity of two sorted, deduplicated sets.
pub(crate) fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// A text's tokens as display strings (words lower-cased), for templates.
pub(crate) fn token_strings(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    for_each_token(text, |t| match t {
        Tok::Word(w) => v.push(w.to_lowercase()),
        Tok::Symbol(c) => v.push(c.to_string()),
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_drop_case_punctuation_and_modifiers() {
        assert_eq!(
            token_strings("Great POST!! ❤️🔥 don't... stop"),
            vec!["great", "post", "❤", "🔥", "don't", "stop"]
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        assert_eq!(token_hashes("Nice pic!", &mut a), 2);
        assert_eq!(token_hashes("nice   PIC", &mut b), 2);
        assert_eq!(text_key(&a), text_key(&b));
        token_hashes("pic nice", &mut b);
        assert_ne!(text_key(&a), text_key(&b));
        assert_eq!(shingles(&a).len(), 3);
        assert_ne!(shingles(&a), shingles(&b));
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
    }
}
