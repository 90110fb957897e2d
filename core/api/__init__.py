"""The REST API's framework (issue 19): what every endpoint under /api/v1/ shares.

- `authentication`: bearer tokens (accounts/api_tokens.py) and the session for the browsable API.
- `permissions`: the token's scopes (read for GET, write for the rest).
- `throttling`: the rate limit per token, failing open when Redis is down.
- `pagination`: cursor (keyset) pages.
- `etags`: ETag on reads, If-Match on updates (412 stale, 428 missing).
- `exceptions`: a service's ValidationError as a 400 with field errors.
- `audit`: every API read in the access log, like a page.
- `views`: the base classes endpoints subclass; `schema`: how they appear in the OpenAPI schema.

Nothing here knows a case: the endpoints (each app's api.py) ask the access module.
"""
