"""Thin HTML views for cases: access through cases.access, input through cases.forms, writes through
cases.services, reads with logic through cases.selectors. One module per part of the record."""
