"""Interactive controls that still give a deterministic picture in non-interactive runs.

In JupyterLab a lesson shows live ipywidgets. Where no front end can show them — a run
by papermill, nbclient or nbconvert, a plain Python process — a slider cannot move and
widget views are not stored, so `explore` renders once with every control's default value
instead. The course's own runs (`mlops-course run`, nbval, grading) also say so outright
with MLOPS_COURSE_STATIC=1; MLOPS_COURSE_STATIC=0 forces live widgets for a front end
this module does not recognise. The lesson code still builds the real ipywidgets
controls, so students see the API they will use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

STATIC_ENV = "MLOPS_COURSE_STATIC"


class NotAWidget(TypeError):
    """Raised when a control passed to `explore` is not an ipywidgets value widget."""

# How a static rendering's line begins: the browser test finds the widget cells by it.
STATIC_RUN_MARKER = "Static run ("

def is_static() -> bool:
    """Return True when no one can move a widget here (see `_static_reason`)."""
    return _static_reason() is not None


def _static_reason() -> str | None:
    """Why this run is static, as the static rendering says it, or None when it is live.

    MLOPS_COURSE_STATIC=1 says static, =0 says live; otherwise live only while the cell
    runs at the request of a front end that shows widgets. JupyterLab (and Notebook 7,
    built on it) sends the running cell's id with each execute request; papermill,
    nbclient and nbconvert send none, and a process without a kernel has no front end.
    """
    setting = os.environ.get(STATIC_ENV)
    if setting in ("0", "1"):
        return f"{STATIC_ENV}=1" if setting == "1" else None
    return None if _front_end_shows_widgets() else "no front end shows widgets"


def _front_end_shows_widgets() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return False
    request = kernel.get_parent("shell") or {}
    return bool(request.get("metadata", {}).get("cellId"))


def explore(render: Callable[..., Any], /, **controls: Any) -> None:
    """Show `render` driven by ipywidgets `controls`, or render once with their defaults.

    Each keyword names a parameter of `render` and gives its widget, e.g.
    `explore(plot_cost, drift_day=IntSlider(value=90, min=30, max=170))`.
    Live (JupyterLab): displays `ipywidgets.interactive(render, **controls)`.
    Static (see `is_static`): prints which values were used and calls `render` with
    them, so the stored output is the same on every run.
    """
    defaults = {name: _default_value(name, control) for name, control in controls.items()}
    why = _static_reason()
    if why is not None:
        used = ", ".join(f"{name}={value!r}" for name, value in defaults.items())
        print(f"{STATIC_RUN_MARKER}{why}) with {used}; open the notebook in JupyterLab "
              "to move the controls.")
        render(**defaults)
        return
    from IPython.display import display
    from ipywidgets import interactive

    display(interactive(render, **controls))


def _default_value(name: str, control: Any) -> Any:
    # Abbreviations such as (0, 10) would work live but give no single default to render
    # statically, so only widgets (which carry .value) are accepted, in both modes alike.
    if not hasattr(control, "value") or not hasattr(control, "observe"):
        raise NotAWidget(
            f"explore() control {name!r} is {type(control).__name__}, not an ipywidgets "
            f"widget; pass one such as ipywidgets.IntSlider(value=..., min=..., max=...)."
        )
    return control.value
