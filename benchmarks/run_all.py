"""Run every benchmark in this folder and print one table (`make bench`).

A benchmark is a `bench_*.py` module with `measure() -> dict | list[dict]`; each dict has
"name" and "seconds", optionally "target_seconds", and any other keys as details. A
benchmark that raises is shown as an error row; the others still run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
SHOWN_KEYS = {"name", "seconds", "target_seconds"}


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows_of(path: Path) -> list[tuple[str, str, str, str]]:
    """The table rows of one benchmark module; an "error" row if it raises."""
    try:
        measured = load(path).measure()
    except Exception as error:  # one broken benchmark must not hide the others' figures
        return [(path.stem, "-", "-", f"error: {type(error).__name__}: {error}")]
    rows = []
    for result in measured if isinstance(measured, list) else [measured]:
        target = result.get("target_seconds")
        verdict = "" if target is None else ("meets" if result["seconds"] <= target else "MISSES")
        details = ", ".join(
            f"{key}={_shown(value)}" for key, value in result.items() if key not in SHOWN_KEYS
        )
        rows.append(
            (
                result["name"],
                f"{result['seconds']:.3f}",
                "-" if target is None else f"≤ {target:g} ({verdict})",
                details,
            )
        )
    return rows


def _shown(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main() -> int:
    from mlops_course.classroom.text import format_table

    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"running {path.name} …", file=sys.stderr, flush=True)
        rows += rows_of(path)
    print(format_table(("benchmark", "seconds", "target", "details"), rows))
    return 1 if any(row[1] == "-" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
