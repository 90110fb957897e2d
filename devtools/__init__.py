"""Development-only tools, kept out of the product (CONVENTIONS.md section 1).

- ``devtools/demo/``: the invented demo world (``manage.py seed_demo``) and the demo people's fixed
  authenticator keys (``manage.py demo_code <username>``).
- ``devtools/scale/``: a large invented dataset for the reports (``manage.py seed_scale``).
- ``devtools/management/commands/benchmark_*``: timings of the report PDF, the reminder sweep and
  the reports dashboard.

Production settings do not install this app, so none of these commands exist there.
"""
