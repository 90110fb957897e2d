"""/api/docs/: the interactive API documentation (Swagger UI) for signed-in people.

Swagger UI's files come from the installed drf-spectacular-sidecar package, served by the app itself
(no internet at run time); its start-up script is a separate request (`?script`), so the page needs no
inline script. Swagger UI styles its elements inline: this one page allows inline styles (never scripts).
The page is the project's own template (templates/api/docs.html): the page's language, a main landmark, and
static/ecm/api-docs.css darkening Swagger UI's colours that fall below WCAG AA contrast.
"""

from __future__ import annotations

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView

api_docs = csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", title="ECM API", template_name="api/docs.html")
)
