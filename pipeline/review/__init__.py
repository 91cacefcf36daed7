"""Clerk review: the local web app (`python -m pipeline serve`); Flask lives here and nowhere else.

The per-document JSON files in an output folder are the machine result and
are never rewritten here. The clerk's corrections live beside them in a
SQLite file (pipeline.corrections) and are laid over the machine result
wherever it is shown or exported (pipeline.export.folder), so both stay visible.

- app.py: the web app
- uploads.py: untrusted uploads checked, then processed in a worker of the batch pool
- crops.py: the scanned image of a line
- templates/, static/: the pages, also rendered by the static report (pipeline.export.report)
"""
