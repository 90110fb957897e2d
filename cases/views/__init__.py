"""Thin HTML views for cases: access through cases.access, what the page offers through cases.capabilities
(passed to templates as `caps`), input through cases.forms, writes through cases.services, reads with logic
through cases.selectors. One module per part of the record."""
