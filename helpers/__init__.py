"""The needs assessment's tested Python package, one subpackage per stage of the data flow:

    sources  ->  build (the store)  ->  report (content, charts)  ->  site (batch run, pages)
    fetch (live downloads, beside sources)        stats (PHE methods, disclosure control)
    core (errors, config, paths, files, periods, provenance: used by every stage)

Imports flow one way, down the stages: a stage imports only the stages below it
(tests/test_layout.py checks this). `cli` is the `needs` command and may import any stage.
"""
