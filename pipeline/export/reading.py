"""A per-document JSON file read as it streams, its restoration items kept compactly.

A text without marks has a restoration item for nearly every word: the JSON of
a 5 MB text holds a million of them, and json.load with Document.from_dict
took over a gigabyte to read it. Here the file is parsed event by event
(ijson), each item goes into a pipeline.model.TokenRestorations as soon as it
is read, and the rest of the document is built as json.load would build it and
read by Document.from_dict. The document is the one from_dict gives for the
whole file; items the compact form cannot hold exactly (see
TokenRestorations.holds) are kept as TokenRestoration objects instead.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import ijson

from pipeline.model import Document, TokenRestoration, TokenRestorations

_ITEMS = "restoration.items"
_ITEM = _ITEMS + ".item"
_REQUIRED = ("line", "start", "original", "restored", "confidence")  # TokenRestoration's fields but alternatives


def load_document(handle: IO[bytes]) -> Document:
    """The document in the JSON file `handle` (bytes); ijson.JSONError when the file is not JSON,
    TypeError or KeyError (as Document.from_dict) when it is not a document."""
    events = ijson.parse(handle, use_float=True)
    builder = ijson.ObjectBuilder()
    items: TokenRestorations | list[TokenRestoration] | None = None
    for prefix, event, value in events:
        if prefix == _ITEMS and event == "start_array" and items is None:
            items = _items(events)
            value = None
            builder.event("start_array", None)  # an empty list where the items were: from_dict reads the rest
            event = "end_array"
        builder.event(event, value)
    document = Document.from_dict(builder.value)
    if items is not None and document.restoration is not None:
        document.restoration.items = items
    return document


def _items(events: Iterator[tuple[str, str, Any]]) -> TokenRestorations | list[TokenRestoration]:
    """The items of the array just begun, up to its end: each item's fields are taken from the events
    as they come (an ObjectBuilder for each would take most of the reading's time)."""
    items: TokenRestorations | list[TokenRestoration] = TokenRestorations()
    item: dict[str, Any] | None = None
    nested = key = None
    for prefix, event, value in events:
        if nested is not None:  # a list or an object inside an item: its alternatives
            nested.event(event, value)
            if not nested.containers:
                item[key] = nested.value
                nested = None
        elif event == "map_key":
            key = value
        elif prefix == _ITEMS:  # the array's end
            return items
        elif prefix != _ITEM:  # a value of the item's
            if event in ("start_map", "start_array"):
                nested = ijson.ObjectBuilder()
                nested.event(event, value)
            else:
                item[key] = value
        elif event == "start_map":
            item = {}
        else:  # the item's end, or an item that is no object
            fields = _fields(item if event == "end_map" else value)
            if isinstance(items, TokenRestorations) and not TokenRestorations.holds(*fields):
                items = list(items)
            if isinstance(items, TokenRestorations):
                items.append(*fields)
            else:
                items.append(TokenRestoration(*fields))
    raise ijson.IncompleteJSONError("the restoration items end early")


def _fields(value: Any) -> tuple:
    """An item's fields in TokenRestoration's order; TypeError or KeyError where Document.from_dict
    would raise one."""
    if not isinstance(value, dict):
        raise TypeError(f"TokenRestoration: expected an object, not {type(value).__name__}")
    missing = [name for name in _REQUIRED if name not in value]
    if missing:
        raise TypeError(f"TokenRestoration: missing {', '.join(missing)}")
    return (*(value[name] for name in _REQUIRED), value.get("alternatives", []))
