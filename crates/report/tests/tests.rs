//! Integration tests of `lockstep-report`.

// The small hand-built log and findings directory the other tests share.
mod fixture;
// The page's sections, escaping, self-containment, caps and write_report.
mod page;
// The rendered page against tests/golden/small.html (LOCKSTEP_BLESS=1 rewrites it).
mod golden;
// The page in headless Chromium: it loads, shows its sections, and screenshots non-trivially.
mod browser;
