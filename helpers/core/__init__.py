"""The small core every stage uses: the one exception family (errors), parameters (config),
where things live (paths), atomic writes (files), period labels (periods), and what a run
records about itself (provenance).

May import: nothing else in helpers."""
