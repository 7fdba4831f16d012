pub mod field;
pub mod nav;
