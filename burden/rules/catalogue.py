"""Imports every rule module so that each rule registers itself."""

from . import common, datarequests, documents, inspections, meetings, secondments  # noqa: F401
