//! Integration tests of `lockstep-report`.

// The small hand-built log and findings directory the other tests share.
mod fixture;
// The page's sections, escaping, self-containment, caps and write_report.
mod page;
// The rendered page against tests/golden/small.html (LOCKSTEP_BLESS=1 rewrites it).
mod golden;
// Sections by what an operation does: a harvest's victims and hours, a drip's customers, codes
// given only to events, the infrastructure against operations.json.
mod kinds;
// The page in headless Chromium: it loads, shows its sections, and screenshots non-trivially.
mod browser;
