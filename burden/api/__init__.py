"""REST API v1 (the contract in shared/API.md).

Everything common lives here: authentication and the token endpoint, pagination,
errors, unit-code fields, the record serializer and viewset every record app's
``api.py`` declares from, and the endpoints for units, people, rules, violations
and the burden summary. Records are written through the same services as the
browser, and every queryset starts from the scoping gate.
"""
