"""Documents on the case: files uploaded to a child's case (court reports, education and health plans, signed
consent forms, earlier assessments), checked by content, held until a virus check passes, kept in versions,
shown to each person as the access module allows (cases/access/documents.py)."""
