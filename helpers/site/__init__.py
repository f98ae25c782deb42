"""The site and the batch runner: `needs run` (run) executes every notebook for every area with
papermill in warm-kernel worker processes (worker), exports each to a self-contained page
(pages, templates/), and writes the landing page (index_page) and the data compendium
(compendium_page); audit then checks everything written for disclosure.

May import: helpers.core, helpers.stats, helpers.build, helpers.report."""
