//! Fresh stores for each backend and the `for_each_backend!` macro.

use lockstep_store::Store;

/// The PostgreSQL URL for tests, from `LOCKSTEP_TEST_POSTGRES`, if set.
///
/// # Panics
/// When it is unset and `CI` is set: CI must run every backend, never skip one silently.
pub(crate) fn postgres_url() -> Option<String> {
    let url = std::env::var("LOCKSTEP_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty());
    assert!(
        url.is_some() || std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "LOCKSTEP_TEST_POSTGRES is not set and CI is: run the tests through ./scripts/test, \
         which starts PostgreSQL"
    );
    url
}

/// A fresh SQLite store in a temporary directory (kept alive by the returned guard).
pub(crate) fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("lockstep.db")).expect("open sqlite");
    (dir, store)
}

/// A fresh PostgreSQL store in its own new schema, or `None` (with a notice) when
/// `LOCKSTEP_TEST_POSTGRES` is unset.
pub(crate) fn postgres(test: &str) -> Option<(String, String, Store)> {
    let Some(url) = postgres_url() else {
        eprintln!("skipped {test} on postgres: LOCKSTEP_TEST_POSTGRES is not set");
        return None;
    };
    let schema = fresh_schema(&url, test);
    let store = Store::open_postgres_in_schema(&url, &schema).expect("open postgres");
    Some((url, schema, store))
}

/// Drops (if present) and names a schema unique to this test and process.
pub(crate) fn fresh_schema(url: &str, test: &str) -> String {
    let schema = format!("t_{}_{}", test.replace(['-', ':'], "_"), std::process::id());
    let mut s = Store::open_postgres(url).expect("open postgres");
    s.raw_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .expect("drop schema");
    schema
}

/// Runs a check on every backend: `for_each_backend!(name, |store| { … })` defines
/// `name::sqlite` and `name::postgres` (the latter skipped, with a notice, unless
/// `LOCKSTEP_TEST_POSTGRES` is set). Inside, `$store` is a fresh `Store` and `$open` a closure
/// opening another connection to the same store.
macro_rules! for_each_backend {
    ($name:ident, |$store:ident, $open:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let (dir, mut $store) = $crate::common::sqlite();
                let path = dir.path().join("lockstep.db");
                #[allow(unused_variables)]
                let $open = move || lockstep_store::Store::open_sqlite(&path).expect("reopen");
                let _ = &mut $store;
                $body
            }

            #[test]
            fn postgres() {
                let Some((url, schema, mut $store)) =
                    $crate::common::postgres(concat!(stringify!($name)))
                else {
                    return;
                };
                #[allow(unused_variables)]
                let $open = move || {
                    lockstep_store::Store::open_postgres_in_schema(&url, &schema).expect("reopen")
                };
                let _ = &mut $store;
                $body
            }
        }
    };
    ($name:ident, |$store:ident| $body:block) => {
        for_each_backend!($name, |$store, _open| $body);
    };
}
