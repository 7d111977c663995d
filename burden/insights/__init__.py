"""Insights: monthly roll-ups of the burden, the dashboard and the burden ledger of source departments.

``models`` holds the roll-up table (and the reduction targets), ``rollups`` keeps it
current, ``selectors`` reads it for the pages in ``views``. ``reports`` assembles the
monthly summaries and quarterly briefings from the same selectors (pages in
``report_views``, spreadsheets in ``report_xlsx``, background builds in ``report_jobs``).
Everything a person sees comes through the scoping gate; the pages read roll-ups, never
the records.
"""
