"""Per-page quality of scanned documents: which pages a clerk should look at.

Ingest records each OCR'd page's mean word confidence (pipeline.model.PageQuality);
once restored, the share of the page's words the restorer is unsure of is added,
and a page low on either count is flagged rather than passed on silently.
"""
from __future__ import annotations

from collections import Counter

from pipeline.model import Document
from pipeline.restore import LOW_CONFIDENCE

# More than this share of doubted words flags a page: clean scans have 1-3 %.
MAX_DOUBTED = 0.08


def record_doubted_words(doc: Document) -> Document:
    if not doc.source.scan_pages or doc.restoration is None:
        return doc
    page_of_line = {line.number: line.page for line in doc.lines}
    words = Counter()
    for line in doc.lines:
        words[line.page] += len(line.text.split())
    doubted = Counter(page_of_line.get(item.line) for item in doc.restoration.items
                      if item.confidence < LOW_CONFIDENCE)
    for page in doc.source.scan_pages:
        if words[page.page]:
            page.doubted = round(doubted[page.page] / words[page.page], 3)
            page.flagged = page.flagged or page.doubted > MAX_DOUBTED
    return doc
