"""The read-only JSON API under /api/: every public record, looked up by its natural key.

Django REST framework serves it and drf-spectacular describes it (OpenAPI 3 at /api/schema/,
Swagger UI at /api/docs/, served from this site's own static files). It is anonymous by design:
no authentication class runs, so drafts and everything under them are never listed, whoever asks.
"""
