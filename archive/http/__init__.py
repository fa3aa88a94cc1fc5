"""HTTP plumbing: path converters, the page cache and response headers."""
