"""The upload size limit, enforced while the request body streams in.

Django's own upload handlers keep a file in memory or in a temporary file as it
arrives, and a form only sees the file's size once all of it is stored. This handler
comes first in ``FILE_UPLOAD_HANDLERS`` and counts the bytes as they arrive: past
``LEDGER_MAX_UPLOAD_MB`` it stops the upload, the part already received is dropped
(Django closes, and so deletes, the temporary file), and the form is told why the
file is missing. The limit covers every upload of the site, the admin's included; a
ledger is the only file the product takes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

REFUSED = "_upload_limit_exceeded"


def upload_limit_bytes() -> int:
    return settings.LEDGER_MAX_UPLOAD_MB * 1024 * 1024


def upload_limit_exceeded(request) -> bool:
    """True when the upload handler stopped this request's file for its size."""
    return getattr(request, REFUSED, False)


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops an upload once the files of one request pass ``LEDGER_MAX_UPLOAD_MB``."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = upload_limit_bytes()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            setattr(self.request, REFUSED, True)
            # Not a connection reset: Django reads the rest of the body and throws it
            # away, so the browser gets the page with the error rather than a broken
            # connection. The reverse proxy caps the body first (README, Production).
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file
