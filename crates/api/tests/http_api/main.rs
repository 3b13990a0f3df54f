//! Black-box tests of the HTTP API over real TCP, against every configured database
//! (SQLite always; PostgreSQL when `PLANWRIGHT_TEST_POSTGRES_URL` is set).

mod auth;
mod cors;
mod docs;
mod errors;
mod health;
mod jobs;
mod metrics;
mod models;
mod support;
