"""The package's layering, read from its import statements (no module is imported here).

- the toolkit (`world`, `tracking`, `widgets`, `paths`) imports nothing from `classroom`;
- `classroom.authoring` imports neither `running` nor `grading`;
- `classroom.running` does not import `grading`;
- the shared modules at the top of `classroom` import no room (only the CLI, the front
  door, reaches into all three);
- no `classroom` module imports an ML library at module level (inside a function is fine:
  the CLI and the student-side checks stay fast to import).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mlops_course"
CLASSROOM = "mlops_course.classroom"
ROOMS = ("authoring", "running", "grading")
FRONT_DOOR = f"{CLASSROOM}.cli"
ENTRY_POINT = "mlops_course.__main__"  # `python -m mlops_course` runs the CLI
ML_LIBRARIES = frozenset({
    "numpy", "pandas", "sklearn", "scipy", "mlflow", "matplotlib", "pandera", "skops",
    "onnx", "onnxruntime", "torch", "dask", "distributed", "river", "fairlearn", "shap",
})  # fmt: skip


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted and absolute
    line: int
    at_module_level: bool

    def __str__(self) -> str:
        where = "at module level" if self.at_module_level else "inside a function"
        return f"{self.module} imports {self.target} (line {self.line}, {where})"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, source: str | None = None) -> list[Import]:
    """Every import in `path` (or in `source`, read as if it stood at `path`), relative ones
    made absolute, with whether it runs when the module is imported."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text() if source is None else source, str(path))
    function_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            function_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import room` imports the room too: name each imported name as well.
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        top = node.lineno not in function_lines
        found += [Import(name, target, node.lineno, top) for target in targets]
    return found


def all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in imports_of(path)]


def room_of(dotted: str) -> str | None:
    """'authoring', 'running' or 'grading' for a module inside a room; None elsewhere."""
    for room in ROOMS:
        prefix = f"{CLASSROOM}.{room}"
        if dotted == prefix or dotted.startswith(prefix + "."):
            return room
    return None


def is_inside(dotted: str, package: str) -> bool:
    return dotted == package or dotted.startswith(package + ".")


def violations(imports: list[Import]) -> list[str]:
    broken = []
    for imp in imports:
        source_room, target_room = room_of(imp.module), room_of(imp.target)
        toolkit = not is_inside(imp.module, CLASSROOM) and imp.module != ENTRY_POINT
        if toolkit and is_inside(imp.target, CLASSROOM):
            broken.append(f"{imp}: the toolkit must not import the classroom")
        if source_room == "authoring" and target_room in ("running", "grading"):
            broken.append(f"{imp}: authoring imports neither running nor grading")
        if source_room == "running" and target_room == "grading":
            broken.append(f"{imp}: running does not import grading")
        shared_top = is_inside(imp.module, CLASSROOM) and source_room is None
        if shared_top and imp.module not in (FRONT_DOOR, CLASSROOM) and target_room:
            broken.append(f"{imp}: shared classroom modules import no room; only the CLI does")
        if imp.module == CLASSROOM and target_room and target_room != "authoring":
            broken.append(f"{imp}: the classroom package re-exports only the student side")
        library = imp.target.split(".")[0]
        if is_inside(imp.module, CLASSROOM) and imp.at_module_level and library in ML_LIBRARIES:
            broken.append(f"{imp}: the classroom imports ML libraries inside functions only")
    return broken


def test_the_package_keeps_its_import_rules():
    broken = violations(all_imports())
    assert not broken, "import rules broken:\n" + "\n".join(broken)


def test_every_room_is_a_package_with_a_docstring():
    for room in ROOMS:
        init = PACKAGE / "classroom" / room / "__init__.py"
        assert init.exists(), f"{init} is missing"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init} needs a docstring"


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        ("classroom/authoring/assign.py", "from mlops_course.classroom.grading import batch",
         "authoring imports neither"),
        ("classroom/running/store.py", "from ..grading.results import GRADED",
         "running does not import"),
        ("world/generator.py", "from mlops_course.classroom import catalog",
         "toolkit must not import"),
        ("classroom/catalog.py", "import mlops_course.classroom.running.runner",
         "shared classroom modules"),
        ("classroom/grading/grade.py", "import pandas as pd", "ML libraries"),
    ],
)  # fmt: skip
def test_a_forbidden_import_is_caught(module, source, rule):
    """Each rule fails on a planted import of the kind it forbids, added to a real module."""
    path = PACKAGE / module
    assert path.exists(), f"{path} is missing; update this test"
    planted = imports_of(path, path.read_text() + f"\n{source}\n")
    assert not violations(imports_of(path))
    assert any(rule in line for line in violations(planted)), violations(planted)
