"""Tables in born-digital documents: data, or the layout of a header or signature block.

Word processors and web pages lay out the header (issuer | national motto, number | place and date)
and the signature block ("Nơi nhận" | signer) as tables without borders, two columns wide, a spacer
column at most between them: those are read column by column. A table of data is drawn with borders,
but not always (a page styled elsewhere, a document exported by another program): a table with
rows of three filled cells or more holds data whatever its borders, since no layout block has them.
"""
from __future__ import annotations

MIN_DATA_CELLS = 3  # filled cells in a row of data: more than a layout block's two columns
MIN_DATA_ROWS = 3  # such rows: a header row and two rows of data at least


def shaped_like_data(rows: list[list[str]]) -> bool:
    """Whether a table, as the text of each row's cells, holds data by its shape alone."""
    full = sum(1 for texts in rows if sum(1 for text in texts if text.strip()) >= MIN_DATA_CELLS)
    return full >= MIN_DATA_ROWS
