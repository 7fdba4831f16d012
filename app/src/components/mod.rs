pub mod field;
pub mod inspector;
pub mod mode_toggle;
pub mod nav;
