"""Clerk review: see what the pipeline guessed, correct it, hand the tasks on.

The per-document JSON files in an output folder are the machine result and
are never rewritten here. The clerk's corrections live beside them in a
SQLite file (corrections.py) and are laid over the machine result wherever
it is shown or exported (documents.py), so both stay visible.

- app.py: the local web app (`python -m pipeline serve`)
- uploads.py: untrusted uploads checked, then processed in a worker of the batch pool
- lines.py: each line's words with what the restorer did to them
- crops.py: the scanned image of a line
- report.py: the static HTML report per document and its index
"""
