"""A kind of record that only the tests know: lunches a unit is made to host.

It proves the registry of kinds (``tests/records/test_a_kind_from_a_test_app.py``): the
app registers its kind from ``ready()``, as every record app does, and is installed only
by ``tests.kindapp.settings``; no file outside this folder names it, yet it appears in
the URLs, the API, the roll-ups, the rules engine and the record pages.
"""
