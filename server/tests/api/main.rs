//! HTTP integration tests: each starts the real server on a random port with a fresh database.

mod account;
mod attacks;
mod bad_input;
mod expiry;
mod helpers;
mod inspect;
mod jwt_attacks;
mod jwt_flows;
mod jwt_refresh;
mod pages;
mod session_flow;
