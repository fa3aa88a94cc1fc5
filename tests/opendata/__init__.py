"""Tests of archive/opendata/, one module per module."""
