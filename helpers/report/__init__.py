"""Report content: what a notebook shows. `content` (the decisions: which figure, which
benchmark, which areas, the table frames) and `wording` (alt texts, notes, gap and source
lines) are pure functions on the store's frames; `views` selects those frames from the store
(`then_now` the earlier assessment's table); `narrative` words the headlines; `charts` draws;
`html_tables` lays out tables; `markup` builds the HTML of words with data escaped; `ledger`
records every cell a page publishes; `display.Report` only fetches, arranges and displays (the
overview's own parts are in `overview_display`, the opening list in `first_display` and the
changes since the last edition in `edition_display`). Issue 15's parts: `act_first` ranks what
to act on first; `crime_health` words the national crime-health links; `police_trend` says why
police.uk has no recent trend; `since_last` compares two editions and `editions` keeps their
record in outputs/; `inequality_words` words the slope index of inequality.

May import: helpers.core, helpers.stats, helpers.build (the store, read-only)."""
