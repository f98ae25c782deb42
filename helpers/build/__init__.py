"""Building the store: `needs build` turns data/raw into the tidy store in data/processed.
pipeline runs it (incremental, atomic through writing); police_counts counts the police.uk
street files; indicators adds confidence intervals, comparisons and trends to the rows that
source_values makes from each kind of source; police_summaries makes the police.uk tables the
reports chart; protection marks, once for every report, the cells that disclosure control hides;
benchmarks ranks every area within England and finds its statistical neighbours;
deprivation gives every LSOA its IMD decile in the edition of its vintage (IMD 2019 for 2011
LSOAs, IMD 2025 for 2021 LSOAs) and the districts their IMD 2025 summaries;
police_inequality gives the slope index of inequality of crime across deprivation deciles per
resident; links_table works out the crime-health links of params/links.yaml across England.
`store` is the read-only access the report stage uses; area_listing is what `needs areas` prints.

May import: helpers.core, helpers.stats, helpers.sources."""
