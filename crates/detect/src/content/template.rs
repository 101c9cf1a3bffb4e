//! Template recovery: the words all variants of a spun comment share, and the alternatives
//! at each slot between them, written like `{great|amazing} {post|pic} keep it up {🔥|}`.

/// At most this many alternatives are listed per slot (the rest as `…`).
const MAX_ALTS: usize = 8;

/// Recovers a template from the variants of one cluster: `(tokens, copies)`, any order.
///
/// Anchors are the words of the most copied variant that more than two thirds of the variants
/// contain, in its order; each variant holding all anchors in that order is cut at them, and
/// the pieces between two anchors are aligned by position. A slot lists its alternatives,
/// most copied first, with an empty alternative (`{!|}`) when some variants leave it out.
pub(crate) fn recover(variants: &[(Vec<String>, usize)]) -> String {
    let mut vs: Vec<&(Vec<String>, usize)> = variants.iter().filter(|v| !v.0.is_empty()).collect();
    vs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    vs.truncate(200);
    let Some(pivot) = vs.first() else {
        return String::new();
    };
    let quorum = 2 * vs.len() / 3 + 1;
    let mut anchors: Vec<&str> = Vec::new();
    for t in &pivot.0 {
        if anchors.contains(&t.as_str()) {
            continue;
        }
        let n = vs.iter().filter(|v| v.0.iter().any(|x| x == t)).count();
        if n >= quorum {
            anchors.push(t);
        }
    }
    // Each variant cut at the anchors (in order), or left out when it lacks one.
    let mut segments: Vec<Vec<(Vec<&str>, usize)>> = vec![Vec::new(); anchors.len() + 1];
    for v in &vs {
        let mut cuts = Vec::with_capacity(anchors.len());
        let mut pos = 0;
        let mut ok = true;
        for a in &anchors {
            match v.0[pos..].iter().position(|x| x == a) {
                Some(p) => {
                    cuts.push(pos + p);
                    pos += p + 1;
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            continue;
        }
        let mut start = 0;
        for (s, &c) in cuts.iter().chain(std::iter::once(&v.0.len())).enumerate() {
            let piece: Vec<&str> = v.0[start..c].iter().map(String::as_str).collect();
            segments[s].push((piece, v.1));
            start = c + 1;
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (s, seg) in segments.iter().enumerate() {
        render_segment(seg, &mut out);
        if let Some(a) = anchors.get(s) {
            out.push((*a).to_string());
        }
    }
    out.join(" ")
}

/// Appends one segment's slots: position by position, alternatives most copied first.
fn render_segment(seg: &[(Vec<&str>, usize)], out: &mut Vec<String>) {
    let longest = seg.iter().map(|p| p.0.len()).max().unwrap_or(0);
    for i in 0..longest {
        let mut alts: Vec<(&str, usize)> = Vec::new();
        let mut missing = 0usize;
        for (piece, n) in seg {
            match piece.get(i) {
                Some(t) => match alts.iter_mut().find(|x| x.0 == *t) {
                    Some(x) => x.1 += n,
                    None => alts.push((t, *n)),
                },
                None => missing += n,
            }
        }
        alts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        if alts.len() == 1 && missing == 0 {
            out.push(alts[0].0.to_string());
            continue;
        }
        let mut s = String::from("{");
        for (k, (t, _)) in alts.iter().take(MAX_ALTS).enumerate() {
            if k > 0 {
                s.push('|');
            }
            s.push_str(t);
        }
        if alts.len() > MAX_ALTS {
            s.push_str("|…");
        }
        if missing > 0 {
            s.push('|');
        }
        s.push('}');
        out.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str, n: usize) -> (Vec<String>, usize) {
        (s.split(' ').map(str::to_string).collect(), n)
    }

    #[test]
    fn slots_between_anchors() {
        let t = recover(&[
            v("so inspiring keep it up", 5),
            v("so cool keep going", 3),
            v("super inspiring keep it up 🙌", 2),
            v("really creative keep shining", 1),
        ]);
        assert_eq!(
            t,
            "{so|super|really} {inspiring|cool|creative} keep {it|going|shining} {up|} {🙌|}"
        );
    }

    #[test]
    fn no_anchor_is_all_slots() {
        let t = recover(&[
            v("great post 🔥", 4),
            v("amazing pic", 2),
            v("great shot", 1),
        ]);
        assert_eq!(t, "{great|amazing} {post|pic|shot} {🔥|}");
        assert_eq!(recover(&[]), "");
    }
}
