//! Comment text: diverse organic comments (templates × vocabulary × small human variations),
//! short generic ones, creators' tool replies, and the comment farm's spun templates.
//!
//! Texts are appended to a [`Texts`] arena; events keep an index into it.

use crate::catalog::{ADJ, EMOJI, FIRST, GENERIC, REPLIES, SPUN, TEMPLATES, TOPICS};
use crate::rng::Rng;

/// Many texts in one buffer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Texts {
    buf: String,
    ends: Vec<u32>,
}

impl Texts {
    /// Text `i`.
    #[inline]
    pub(crate) fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }

    /// Closes the text being written at the end of the buffer and returns its index.
    fn seal(&mut self) -> u32 {
        self.ends.push(self.buf.len() as u32);
        (self.ends.len() - 1) as u32
    }

    /// An organic comment about `topic` (a community index).
    pub(crate) fn organic(&mut self, rng: &mut Rng, topic: usize) -> u32 {
        let (tname, nouns) = TOPICS[topic % TOPICS.len()];
        let tpl = TEMPLATES[rng.index(TEMPLATES.len())];
        let start = self.buf.len();
        fill(&mut self.buf, rng, tpl, tname, nouns);
        humanise(&mut self.buf, start, rng);
        self.seal()
    }

    /// A short generic comment ("nice", "wow", …), sometimes with a small variation.
    pub(crate) fn generic(&mut self, rng: &mut Rng) -> u32 {
        let g = GENERIC[rng.index(GENERIC.len())];
        let start = self.buf.len();
        self.buf.push_str(g);
        match rng.below(10) {
            0 => self.buf.push('!'),
            1 => {
                self.buf.push(' ');
                self.buf.push_str(EMOJI[rng.index(EMOJI.len())]);
            }
            2 => {
                let s: String = self.buf[start..].to_uppercase();
                self.buf.truncate(start);
                self.buf.push_str(&s);
            }
            _ => {}
        }
        self.seal()
    }

    /// A reply a creator schedules through a tool.
    pub(crate) fn reply(&mut self, rng: &mut Rng, topic: usize) -> u32 {
        let (tname, nouns) = TOPICS[topic % TOPICS.len()];
        let tpl = REPLIES[rng.index(REPLIES.len())];
        fill(&mut self.buf, rng, tpl, tname, nouns);
        self.seal()
    }

    /// A spun template comment of the comment farm.
    pub(crate) fn spun(&mut self, rng: &mut Rng) -> u32 {
        let tpl = SPUN[rng.index(SPUN.len())];
        spin(&mut self.buf, rng, tpl);
        self.seal()
    }
}

/// Expands the slots of an organic template.
fn fill(out: &mut String, rng: &mut Rng, tpl: &str, topic: &str, nouns: &[&str]) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').unwrap_or(rest.len() - open - 1);
        let slot = &rest[open + 1..close];
        match slot {
            "adj" => out.push_str(ADJ[rng.index(ADJ.len())]),
            "noun" => out.push_str(nouns[rng.index(nouns.len())]),
            "emoji" => out.push_str(EMOJI[rng.index(EMOJI.len())]),
            "name" => {
                let n = FIRST[rng.index(FIRST.len())];
                out.extend(n.chars().flat_map(char::to_lowercase));
            }
            "topic" => out.push_str(topic),
            "num" => {
                use std::fmt::Write;
                let _ = write!(out, "{}", 2 + rng.below(20));
            }
            _ => out.push_str(slot),
        }
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(rest);
}

/// Small human variations: capitals, trailing punctuation, an emoji, doubled letters.
fn humanise(out: &mut String, start: usize, rng: &mut Rng) {
    match rng.below(8) {
        0 => {
            if let Some(c) = out[start..].chars().next()
                && c.is_ascii_lowercase()
            {
                out.replace_range(start..start + 1, &c.to_ascii_uppercase().to_string());
            }
        }
        1 => out.push('!'),
        2 => out.push_str("!!"),
        3 => {
            out.push(' ');
            out.push_str(EMOJI[rng.index(EMOJI.len())]);
        }
        4 => out.push_str(" haha"),
        5 => out.push('.'),
        _ => {}
    }
}

/// Expands `{a|b|c}` alternatives.
fn spin(out: &mut String, rng: &mut Rng, tpl: &str) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').unwrap_or(rest.len() - open - 1);
        let alts: Vec<&str> = rest[open + 1..close].split('|').collect();
        out.push_str(alts[rng.index(alts.len())]);
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organic_comments_are_diverse() {
        let mut t = Texts::default();
        let mut rng = Rng::new(1);
        let ids: Vec<u32> = (0..2000).map(|i| t.organic(&mut rng, i % 20)).collect();
        let distinct: std::collections::BTreeSet<&str> = ids.iter().map(|&i| t.get(i)).collect();
        assert!(distinct.len() > 1800, "{}", distinct.len());
        assert!(distinct.iter().all(|s| !s.contains('{')));
    }

    #[test]
    fn spun_comments_follow_the_templates() {
        let mut t = Texts::default();
        let mut rng = Rng::new(2);
        for _ in 0..100 {
            let i = t.spun(&mut rng);
            let s = t.get(i);
            assert!(!s.is_empty() && !s.contains('{') && !s.contains('|'), "{s}");
        }
        let g = t.generic(&mut rng);
        assert!(!t.get(g).is_empty());
    }
}
