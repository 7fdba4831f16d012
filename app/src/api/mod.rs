//! Server functions, by area. Each is a thin wrapper: read the request's principal, call the
//! auth core, map its errors; each checks authorization itself.

mod account;
mod admin;
mod auth;
mod inspect;

pub use account::*;
pub use admin::*;
pub use auth::*;
pub use inspect::*;
