pub mod field;
pub mod mode_toggle;
pub mod nav;
