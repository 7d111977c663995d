"""The project's number formats, over Django's own (``FORMAT_MODULE_PATH``)."""
