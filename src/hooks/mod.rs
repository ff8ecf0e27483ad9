//! Small reusable pieces of component behaviour, one per file: redrawing when
//! a canvas changes size, loads where only the newest lands, and a Web Lock
//! held while a component lives.

pub mod canvas_size;
pub mod latest_load;
pub mod web_lock;
