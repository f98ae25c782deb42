"""The site and the batch runner: `needs run` executes every notebook for every area with
papermill in warm kernels (run), exports each to a self-contained page (pages, templates/),
and writes the index and the data compendium page (compendium_page).

May import: helpers.core, helpers.stats, helpers.build, helpers.report."""
