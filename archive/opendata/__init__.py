"""Open data: calendars, feeds, downloads (public CSVs), sitemaps, JSON-LD and social cards."""
