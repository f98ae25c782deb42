"""Needs-assessment helpers: readers, build, statistics, charts and the batch runner."""
