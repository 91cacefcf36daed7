"""Turn scanned or badly OCR'd Vietnamese administrative documents into clean text and task tables.

Stages (one module each): ingest -> restore -> normalize -> parse -> export.
The Python API is pipeline.process; the command line is pipeline.cli.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vn-directives-pipeline")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
