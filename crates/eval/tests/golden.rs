//! The rendered table of the hand-computed example against `tests/golden/hand.txt`.
//!
//! After an intended change, rewrite the expected text with
//! `LOCKSTEP_BLESS=1 cargo test -p lockstep-eval --test tests golden`, review the diff and
//! commit it.

use std::path::PathBuf;

use crate::util::Fixture;

#[test]
fn hand_table_matches_golden() {
    let got = Fixture::hand().eval().render_table();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/hand.txt");
    if std::env::var_os("LOCKSTEP_BLESS").is_some() {
        std::fs::write(&path, &got).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if got != expected {
        panic!(
            "render_table differs from {}\n--- expected ---\n{expected}\n--- got ---\n{got}\n\
             (rerun with LOCKSTEP_BLESS=1 to accept)",
            path.display()
        );
    }
}
