//! Throwaway PostgreSQL databases for tests: every test of the store, the CLI
//! and the server gets a database of its own on one server, so tests run in
//! parallel without seeing each other, and the database is dropped afterwards.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use crate::{Result, StoreError};

/// The variable naming the test server (`scripts/with-postgres` starts a
/// throwaway one and sets it).
pub const TEST_SERVER_VAR: &str = "HINDSIGHT_TEST_POSTGRES_URL";

/// A database created on the test server and dropped with this value, even
/// when the test fails.
pub struct ScratchDatabase {
    server: PgConnectOptions,
    name: String,
}

impl ScratchDatabase {
    /// Creates a database on the server named by [`TEST_SERVER_VAR`].
    pub async fn create() -> Result<Self> {
        let url = std::env::var(TEST_SERVER_VAR).map_err(|_| {
            StoreError::Invalid(format!(
                "{TEST_SERVER_VAR} is not set: the PostgreSQL tests need a server. Run \
                 ./scripts/test, or scripts/with-postgres cargo test, which start a throwaway \
                 one; or set {TEST_SERVER_VAR} to a server where you may CREATE DATABASE."
            ))
        })?;
        let server = PgConnectOptions::from_str(&url)?;
        let name = format!("hs_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(&server).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(ScratchDatabase { server, name })
    }

    /// Connection options for this database.
    pub fn options(&self) -> PgConnectOptions {
        self.server.clone().database(&self.name)
    }

    /// A `postgres://` URL of this database.
    pub fn url(&self) -> String {
        self.options().to_url_lossy().to_string()
    }
}

impl Drop for ScratchDatabase {
    /// Drops the database from a thread of its own: `Drop` cannot await, and the
    /// test's runtime may be shutting down.
    fn drop(&mut self) {
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || -> Result<(), sqlx::Error> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect_with(&server).await?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await?;
                conn.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}: {dropped:?}", self.name);
        }
    }
}
