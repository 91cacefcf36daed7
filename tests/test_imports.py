"""The shape of the package: imports point one way, and pyproject.toml lists exactly what pipeline/ imports."""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
WEB = {"flask", "werkzeug", "waitress"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function, as an absolute dotted name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: {target for target in imports(path) if target in MODULES and target != name}
         for name, path in MODULES.items()}


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_no_import_cycles():
    cycles = sorted(name for name in MODULES if name in reachable(name))
    assert cycles == []


def test_export_and_process_import_no_review_and_no_web_framework():
    for start in ("pipeline.export", "pipeline.process", "pipeline.batch", "pipeline.corrections"):
        modules = reachable(start) | {start}
        assert not [m for m in modules if m.startswith("pipeline.review")], start
        third_party = {name.split(".")[0] for module in modules for name in imports(MODULES[module])}
        assert not third_party & WEB, start


def test_a_headless_run_loads_no_web_framework():
    script = ("import sys, pipeline.cli, pipeline.export, pipeline.batch; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in %r or m.startswith('pipeline.review')))"
              % sorted(WEB))
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_cli_and_a_batch_worker_load_no_reader_or_writer_they_may_not_need():
    # Every CLI call and every batch worker imports these; a PDF, a scan, a Word file, a spreadsheet, a calendar
    # or the HTML report loads its library when it comes.
    optional = ["PIL", "cv2", "docx", "icalendar", "jinja2", "openpyxl", "pdfminer", "pdfplumber", "pypdfium2"]
    script = ("import sys, pipeline.cli, pipeline.execute.local; "
              "print(sorted(m for m in %r if m in sys.modules))" % optional)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_pyproject_lists_exactly_what_the_package_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_distribution(requirement) for requirement in project["dependencies"]}
    optional = {_distribution(requirement) for requirement in project["optional-dependencies"]["dask"]}
    distributions = packages_distributions()
    imported = set()
    for path in MODULES.values():
        for name in imports(path):
            top = name.split(".")[0]
            if top != "pipeline" and top not in sys.stdlib_module_names:
                imported.update(_distribution(d) for d in distributions.get(top, [top]))
    assert imported - declared - optional == set()  # imported but not declared
    assert declared - imported == set()  # declared but never imported


def _distribution(requirement: str) -> str:
    return regex.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
