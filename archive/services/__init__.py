"""Writes that span many records: loading and exporting editions as natural-key fixtures.

The management commands and the admin call these functions; neither repeats their rules.
"""

from .exporting import export_edition
from .loading import FixtureError, LoadReport, NamedFile, Problem, load_edition

__all__ = [
    "FixtureError",
    "LoadReport",
    "NamedFile",
    "Problem",
    "export_edition",
    "load_edition",
]
