"""Fixtures for the operations tests: the log lines a request writes, as production formats them."""

import io
import json
import logging

import pytest

from burden.logs import JsonFormatter, RequestContextFilter


class Lines:
    """The JSON lines written to a handler set up as ``LOGGING``'s console one (its filter, the JSON formatter)."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.addFilter(RequestContextFilter())
        self.handler.setFormatter(JsonFormatter())

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def of(self, logger: str) -> list[dict]:
        return [line for line in self.all() if line["logger"] == logger]


@pytest.fixture
def log_lines():
    lines = Lines()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(lines.handler)
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(lines.handler)
    root.setLevel(previous)
