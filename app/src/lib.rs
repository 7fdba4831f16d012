//! The Leptos application: pages, components and server functions, shared by the server
//! (feature `ssr`) and the browser bundle (feature `hydrate`).

pub mod api;
pub mod app;
pub mod codec;
pub mod components;
pub mod error;
pub mod form_post;
pub mod next;
pub mod pages;
pub mod paths;
pub mod refresh;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{shell, App};
