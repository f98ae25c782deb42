"""Report content: what a notebook shows. `content` and `views` are pure functions that take the
store's frames and return values, sentences and table frames; `narrative` words them; `charts`
draws; `html_tables` lays out tables; `display.Report` only arranges and displays all of it.

May import: helpers.core, helpers.stats, helpers.build (the store, read-only)."""
