"""Reading sources: one reader per raw source (police.uk, ONS population, IMD, lookups,
boundaries, Fingertips extracts, Health Index, recorded crime, the 2017 baseline, partner
files), the police force table (data/police_forces.csv), the compendium's YAML, and the
sources manifest with its sha256 checks. Each reader
validates columns and types and fails with a DataError naming the file, the column and the fix.

May import: helpers.core, helpers.stats."""
