//! The attack suite: each module attacks the running server in one category and asserts the
//! precise refusal. The JWT attacks are in `jwt_attacks`, bad input in `bad_input`.

mod caching;
mod csrf;
mod headers;
mod limits;
mod passwords;
mod rate_limits;
