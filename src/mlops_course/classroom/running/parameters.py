"""Notebook parameters: what a notebook's `parameters` cell declares, and values converted to it.

A lesson declares its parameters typed and commented (`seed: int = 42  # random seed`).
Values from the command line arrive as text; they are converted to the declared type
here, so the notebook gets `seed = 7`, not `seed = "7"`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.text import display_path

TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})
ANY_TYPE = "None"  # papermill's name for "no annotation and no literal default"


class BadParameter(CourseError):
    """A parameter the notebook does not declare, or a value that does not fit its type."""


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Return the notebook's parameters as {name: type name}, in the order it declares them."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    return {name: _type_name(spec) for name, spec in declared.items()}


def resolve_parameters(notebook: Path, given: Mapping[str, Any]) -> dict[str, Any]:
    """Return `given` with each value converted to the type `notebook` declares for it.

    Raises BadParameter, naming the parameter, the notebook and its known parameters, for
    a name the notebook does not declare or a value that does not convert.
    """
    if not given:
        return {}
    declared = declared_parameters(notebook)
    resolved = {}
    for name, value in given.items():
        if name not in declared:
            raise BadParameter(
                f"{display_path(notebook)} has no parameter '{name}'; {_known(declared)}."
            )
        type_name = declared[name]
        try:
            resolved[name] = CONVERTERS.get(type_name, _literal)(value)
        except (ValueError, SyntaxError, TypeError):
            raise BadParameter(
                f"parameter '{name}' of {display_path(notebook)} must be {type_name}, "
                f"not {value!r}; {_known(declared)}."
            ) from None
    return resolved


def _type_name(spec: Mapping[str, str]) -> str:
    """The annotation if there is one, else the type of the default value."""
    if spec["inferred_type_name"] != ANY_TYPE:
        return spec["inferred_type_name"]
    try:
        return type(ast.literal_eval(spec["default"])).__name__
    except (ValueError, SyntaxError):
        return ANY_TYPE


def _to_int(value: Any) -> int:
    if isinstance(value, str):
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(value)


def _to_float(value: Any) -> float:
    if isinstance(value, str):
        return float(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValueError(value)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(value)


def _literal(value: Any) -> Any:
    """Lists, dicts and unannotated parameters: text is read as a Python literal."""
    return ast.literal_eval(value) if isinstance(value, str) else value


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "str": _to_str,
}


def _known(declared: Mapping[str, str]) -> str:
    if not declared:
        return "it declares none (tag its first code cell 'parameters')"
    listed = ", ".join(f"{name} ({type_name})" for name, type_name in declared.items())
    return f"its parameters are {listed}"
