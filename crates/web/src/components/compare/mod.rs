//! Compare mode's views (the model is `crate::compare`): the "Compare with…" menu items and
//! the bar that says what the workspace is compared with (`bar`), the paste dialog
//! (`paste`), the Changes tab (`list`) and one change in detail, before and after
//! (`detail`, also the inspector's panel). The diagram's marks are the diagram's own
//! layer (`components::diagram`'s `changes`).

mod bar;
mod detail;
mod list;
mod paste;

pub use bar::{compare_items, CompareBar};
pub use detail::change_panel;
pub use list::ChangesTab;
pub use paste::PasteToCompare;
