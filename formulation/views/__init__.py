"""Thin HTML views of the formulation app: access through cases.access, capabilities through
formulation.capabilities, input through formulation.forms, writes through formulation.services, reads
with logic through formulation.selectors. One module per part (the report PDFs: document_views).
"""
