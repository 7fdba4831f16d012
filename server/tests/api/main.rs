//! HTTP integration tests: each starts the real server on a random port with a fresh database.

mod bad_input;
mod expiry;
mod helpers;
mod pages;
mod session_flow;
