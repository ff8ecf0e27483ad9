//! Small reusable pieces of component behaviour, one per file.

pub mod latest_load;
