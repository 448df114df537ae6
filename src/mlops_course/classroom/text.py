"""Text for people at a terminal: aligned tables and paths written the way they would type them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

GAP = "  "


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return `rows` under `header` as aligned columns, one line per row."""
    cells = [[str(value) for value in row] for row in rows]
    numeric = [
        all(_is_number(row[column]) for row in rows) and bool(rows) for column in range(len(header))
    ]
    widths = [max(len(text) for text in column) for column in zip(header, *cells, strict=True)]

    def line(values: Sequence[str]) -> str:
        padded = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return GAP.join(padded).rstrip()

    return "\n".join([line(header), *(line(row) for row in cells)])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def display_path(path: Path) -> str:
    """`path` relative to the current folder when it lies below it, else absolute."""
    path = Path(path)
    here = Path.cwd()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)
