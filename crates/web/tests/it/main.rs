//! Black-box tests of the whole server: each test starts the real router on a random port
//! against a fresh database (SQLite, or PostgreSQL when the test run selects it) and speaks
//! HTTP to it. One test binary, to keep link times down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod api;
mod audit;
mod auth;
mod browser;
mod cases;
// Shared link charts and requests for analytical support (issue 24)
mod charts;
mod families;
mod forms;
mod helpers;
mod hope_bags;
// Intake (issue 24): hotline calls, providers' submissions, tipsters' follow-ups
mod hotline;
mod intake;
mod jobs;
mod leads;
mod links;
mod pages;
mod phone;
mod recovery_plans;
mod resources;
mod slow;
mod tips;
mod triage;
// Awareness and partners (issue 22)
mod awareness;
// Training (issue 22)
mod training;
// Public statistics
mod statistics;
// Watchlists (issue 24)
mod watchlists;
// Retention: legal holds and purges (issue 25)
mod retention;
