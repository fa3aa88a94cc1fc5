"""HTTP plumbing: path converters, lookups, the page cache, login throttling and the
cross-origin headers of public data (archive/security.py has the other response headers)."""
