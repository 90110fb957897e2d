"""``make bench`` (``manage.py bench``): every page at national scale, each timed against its floor B.

- `dataset`: the bench's own database (``ecm_bench``), made once with seed_scale's dataset and what
  the measurements add to it (`extras`), reused on later runs;
- `floors`: floor B for each page (one indexed query and a plain template rendering the same
  rows) and the same rows through a Django admin changelist, served by the bench URLconf (`urls`);
- `measure`: the timings, the checks against the targets of issue 14, the table and
  ``bench-results/latest.json``.
"""
