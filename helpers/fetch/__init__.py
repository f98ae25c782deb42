"""Fetching: `needs fetch`, the only code that goes online. One HTTP session (timeouts, retries,
proxies, TLS always verified), the Fingertips API and the data.police.uk archive, staged in
data/.fetch and committed to data/raw all-or-nothing. Each download is checked with the
build's own reader before it is kept.

May import: helpers.core, helpers.sources."""
