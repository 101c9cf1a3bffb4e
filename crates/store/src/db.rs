//! The two backends behind one small SQL interface: values, transactions and migrations.
//!
//! SQL is written once, in PostgreSQL's `$1` placeholder style; for SQLite the placeholders are
//! rewritten to `?1`. Every write runs in a transaction that excludes other writers (SQLite
//! `BEGIN IMMEDIATE`, PostgreSQL a transaction-scoped advisory lock), so the audit chain is
//! appended by one writer at a time.

use std::time::Duration;

use crate::{Error, Result};

/// Which database a [`crate::Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (or memory).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// One SQL value, as bound or read. Integers are `BIGINT`, reals `DOUBLE PRECISION`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub(crate) fn text(&self) -> Result<&str> {
        match self {
            Value::Text(s) => Ok(s),
            other => Err(internal_err!("expected a text column, got {other:?}")),
        }
    }
    pub(crate) fn opt_text(&self) -> Result<Option<String>> {
        match self {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            other => Err(internal_err!("expected a text column, got {other:?}")),
        }
    }
    pub(crate) fn int(&self) -> Result<i64> {
        match self {
            Value::Int(i) => Ok(*i),
            other => Err(internal_err!("expected an integer column, got {other:?}")),
        }
    }
    pub(crate) fn real(&self) -> Result<f64> {
        match self {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(internal_err!("expected a real column, got {other:?}")),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Real(f)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

/// A row read back: one [`Value`] per selected column.
pub(crate) type Row = Vec<Value>;

/// What store code sees of an open transaction.
pub(crate) trait Tx {
    /// Runs a statement that returns no rows; returns the number of rows changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs a query (or a statement with `RETURNING`).
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// Runs several statements without parameters (migrations, tests).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// The backend, for the few dialect differences.
    fn backend(&self) -> Backend;
}

/// `$1`, `$2` … → `?1`, `?2` … (SQLite's numbered parameters).
fn to_sqlite(sql: &str) -> String {
    sql.replace('$', "?")
}

struct SqliteTx<'a>(&'a rusqlite::Connection);

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Value::Text(String::from_utf8_lossy(t).into_owned())
        }
    }
}

impl Tx for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut st = self.0.prepare(&to_sqlite(sql))?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut st = self.0.prepare(&to_sqlite(sql))?;
        let n = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(from_sqlite(r.get_ref(i)?));
            }
            out.push(row);
        }
        Ok(out)
    }
    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        match self {
            Value::Null => Ok(postgres::types::IsNull::Yes),
            Value::Int(i) => i.to_sql(ty, out),
            Value::Real(f) => f.to_sql(ty, out),
            Value::Text(s) => s.as_str().to_sql(ty, out),
        }
    }
    fn accepts(_ty: &postgres::types::Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

fn from_pg(row: &postgres::Row, i: usize) -> Result<Value> {
    use postgres::types::Type;
    let ty = row.columns()[i].type_().clone();
    Ok(if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(i)?
            .map_or(Value::Null, Value::Real)
    } else if ty == Type::FLOAT4 {
        row.try_get::<_, Option<f32>>(i)?
            .map_or(Value::Null, |v| Value::Real(v.into()))
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::VOID {
        Value::Null
    } else {
        row.try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text)
    })
}

struct PgTx<'a, 'b>(&'a mut postgres::Transaction<'b>);

type PgParams<'p> = Vec<&'p (dyn postgres::types::ToSql + Sync)>;

fn pg_params(params: &[Value]) -> PgParams<'_> {
    params
        .iter()
        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl Tx for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        Ok(self.0.execute(sql, &pg_params(params))?)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let rows = self.0.query(sql, &pg_params(params))?;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| from_pg(r, i)).collect())
            .collect()
    }
    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.batch_execute(sql)?)
    }
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
}

/// Advisory lock id that serialises writers on PostgreSQL ("lockstep" in a few hex digits).
const PG_WRITE_LOCK: i64 = 0x10c_57e9;

/// An open connection to one backend.
pub(crate) enum Conn {
    Sqlite(Box<rusqlite::Connection>),
    Postgres(Box<postgres::Client>),
}

impl Conn {
    pub(crate) fn open_sqlite(path: &std::path::Path) -> Result<Conn> {
        let c = rusqlite::Connection::open(path)?;
        Self::setup_sqlite(c)
    }

    pub(crate) fn open_sqlite_memory() -> Result<Conn> {
        Self::setup_sqlite(rusqlite::Connection::open_in_memory()?)
    }

    fn setup_sqlite(c: rusqlite::Connection) -> Result<Conn> {
        c.busy_timeout(Duration::from_secs(60))?;
        // WAL survives a killed process without losing committed transactions; NORMAL sync
        // can lose the last commits on power loss, which re-delivery covers (see ENFORCEMENT.md).
        c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        c.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        Ok(Conn::Sqlite(Box::new(c)))
    }

    pub(crate) fn open_postgres(url: &str, schema: Option<&str>) -> Result<Conn> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        if let Some(schema) = schema {
            if schema.is_empty()
                || !schema
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(invalid_input_err!(
                    "schema name {schema:?}: use letters, digits and '_'"
                ));
            }
            client.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))?;
        }
        Ok(Conn::Postgres(Box::new(client)))
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a transaction that excludes every other writer; commits if `f` succeeds and
    /// rolls back if it fails.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        match self {
            Conn::Sqlite(c) => {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let out = f(&mut SqliteTx(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Conn::Postgres(c) => {
                let mut tx = c.transaction()?;
                tx.execute(
                    &format!("SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})"),
                    &[],
                )?;
                let out = f(&mut PgTx(&mut tx))?;
                tx.commit()?;
                Ok(out)
            }
        }
    }

    /// Runs `f` in a read transaction (a consistent snapshot on both backends).
    pub(crate) fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        match self {
            Conn::Sqlite(c) => {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
                let out = f(&mut SqliteTx(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Conn::Postgres(c) => {
                let mut tx = c
                    .build_transaction()
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()?;
                let out = f(&mut PgTx(&mut tx))?;
                tx.commit()?;
                Ok(out)
            }
        }
    }

    /// Runs raw SQL outside the store's bookkeeping (repairs and tamper tests).
    pub(crate) fn raw(&mut self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(c) => Ok(c.batch_execute(sql)?),
        }
    }
}

/// One numbered migration from `migrations/`.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, oldest first. Add a file `migrations/NNNN_name.sql` and a line here.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "ban_fingerprints",
        sql: include_str!("../migrations/0002_ban_fingerprints.sql"),
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 2;

/// Rewrites the few dialect tokens the migration files use.
fn dialect(sql: &str, backend: Backend) -> String {
    let auto_id = match backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    sql.replace("@AUTO_ID@", auto_id)
}

/// Brings the schema up to [`SCHEMA_VERSION`]; returns the version found before.
pub(crate) fn migrate(conn: &mut Conn, now: &str) -> Result<i64> {
    conn.write(|tx| {
        tx.batch(
            "CREATE TABLE IF NOT EXISTS schema_version (
                version    BIGINT PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )?;
        let rows = tx.query("SELECT MAX(version) FROM schema_version", &[])?;
        let found = match rows.first().and_then(|r| r.first()) {
            Some(Value::Int(v)) => *v,
            _ => 0,
        };
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                known: SCHEMA_VERSION,
            });
        }
        let backend = tx.backend();
        for m in MIGRATIONS.iter().filter(|m| m.version > found) {
            tx.batch(&dialect(m.sql, backend))?;
            tx.exec(
                "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                &[m.version.into(), m.name.into(), now.into()],
            )?;
        }
        Ok(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(SCHEMA_VERSION));
    }

    #[test]
    fn placeholders_become_sqlite_numbered() {
        assert_eq!(to_sqlite("a = $1 AND b = $12"), "a = ?1 AND b = ?12");
    }
}
