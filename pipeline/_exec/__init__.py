"""Wrappers for the external programs the pipeline runs.

Each program is called from exactly one module here, which checks that it is
installed and recent enough and turns its failures into `MissingDependencyError`
or `InputError` with a one-line reason, so no other module runs a subprocess.
"""
