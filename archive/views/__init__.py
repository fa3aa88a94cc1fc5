"""Public HTML pages, one module per family of pages."""
