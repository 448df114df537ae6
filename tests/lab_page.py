"""Drive one notebook in JupyterLab in a real browser, the way a student works with it.

JupyterLab runs with `expose_app_in_browser`, so the page has `window.jupyterapp`. The
driver starts JupyterLab's own commands (Run All, run a cell) from there and reads the
notebook model for outputs; what the student sees (widgets, check() results) is read
from the rendered page. A command's promise is never awaited inside `page.evaluate`,
which has no timeout: it is started, its result parked on `window`, and polled with one.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mlops_course.widgets import STATIC_RUN_MARKER

NOTEBOOK = "window.jupyterapp.shell.currentWidget"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_FAILURE = "Error displaying widget"
# What ipywidgets 8 draws in place of a view that failed in the front end (an unknown view
# or module, an exception in its JavaScript): "Click to show javascript error."
WIDGET_ERROR_CLASS = "jupyter-widgets-error-widget"
# An exception raised in the kernel while a widget's output was drawn (say, an interact
# function) shows as a traceback inside the widget, not as an error output of the cell.
KERNEL_TRACEBACK = "Traceback (most recent call last)"
WIDGET_LOADING = "Loading widget"
OPEN_TIMEOUT_MS = 90_000
RUN_TIMEOUT_MS = 180_000
RENDER_TIMEOUT_MS = 30_000
SETTLE_SECONDS = 1.0

# Resolves to "ready" once the notebook's kernel is idle, or to the text of a dialog
# (say, "Select Kernel") that would block a student before any cell runs.
_KERNEL_READY = f"""() => {{
    const dialog = document.querySelector('.jp-Dialog');
    if (dialog) return 'dialog: ' + dialog.innerText;
    const panel = window.jupyterapp && {NOTEBOOK};
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return kernel && kernel.status === 'idle' && panel.content.widgets.length > 0 ? 'ready' : '';
}}"""


@dataclass(frozen=True)
class CellError:
    """An error output: the cell's index, the exception and the files its traceback names."""

    cell: int
    name: str
    value: str
    traceback: str

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.name}: {self.value}"


@dataclass(frozen=True)
class CheckView:
    """A check() result as the page shows it: its headline and its table's rows."""

    headline: str
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class SliderMove:
    """A slider moved to its far end: its value and its widget's outputs before and after."""

    value_before: str | None
    value_after: str | None
    output_before: str
    output_after: str


@dataclass(frozen=True)
class WidgetCell:
    """A cell showing ipywidgets: how many its outputs hold and what the page shows."""

    cell: int
    expected: int
    rendered: int
    failed: int  # views drawn as ipywidgets' error placeholder
    text: str


class LabNotebook:
    """One notebook open in its own JupyterLab page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def open(cls, page: Page, url: str) -> LabNotebook:
        """Load `url` and wait until the notebook's kernel is idle."""
        page.goto(url)
        return cls.opened(page)

    @classmethod
    def open_in_app(cls, page: Page, path: str) -> LabNotebook:
        """Open `path` in the JupyterLab app the page already shows, as a student opens the
        next notebook from the file browser: no second load of JupyterLab itself."""
        outcome = execute_command(page, "docmanager:open", {"path": path, "factory": "Notebook"},
                                  OPEN_TIMEOUT_MS)  # fmt: skip
        if outcome != "done":
            raise AssertionError(f"JupyterLab could not open {path}: {outcome}")
        page.wait_for_function(
            f"path => {NOTEBOOK} && {NOTEBOOK}.context && {NOTEBOOK}.context.path === path",
            arg=path,
            timeout=OPEN_TIMEOUT_MS,
        )
        return cls.opened(page)

    def close_unsaved(self) -> None:
        """Close the notebook without saving, as "Discard" would: the course copy stays as it
        was, and the next notebook becomes the page's current document."""
        self.page.evaluate(f"() => {{ const panel = {NOTEBOOK}; if (panel) panel.dispose(); }}")

    def dialog_open(self) -> bool:
        return self.page.evaluate("() => document.querySelector('.jp-Dialog') !== null")

    @classmethod
    def opened(cls, page: Page) -> LabNotebook:
        """The notebook that is the page's current document, once its kernel is idle."""
        state = page.wait_for_function(_KERNEL_READY, timeout=OPEN_TIMEOUT_MS).json_value()
        if state != "ready":
            raise AssertionError(f"JupyterLab asked before the notebook could run: {state}")
        return cls(page)

    @property
    def path(self) -> str:
        """The notebook's path, relative to the folder JupyterLab serves."""
        return self.page.evaluate(f"() => {NOTEBOOK}.context.path")

    @property
    def kernel_name(self) -> str:
        return self.page.evaluate(f"() => {NOTEBOOK}.sessionContext.session.kernel.name")

    @property
    def cell_count(self) -> int:
        return self.page.evaluate(f"() => {NOTEBOOK}.content.widgets.length")

    def run_all_past_errors(self, last: int | None = None) -> None:
        """Run All (or the cells through `last`); after a cell that raises, go on below it.

        JupyterLab stops Run All at the first error. A student with an untouched exercise
        meets its first stub there and runs on; so does this, so that every cell runs.
        """
        end = self.cell_count - 1 if last is None else last
        self.run_through(end)
        start = self._first_error_from(0)
        while start is not None and start < end:
            self.run_through(end, first=start + 1)
            start = self._first_error_from(start + 1)

    def run_through(self, last: int, first: int = 0) -> None:
        """Run the cells from `first` (the top) through cell `last`, with the command a
        student would use: Run All, Run All Below `first`, Run All Above the cell after
        `last`, or Run on the cells selected from `first` to `last`."""
        if last + 1 >= self.cell_count:
            self._select(first)
            self._run("notebook:run-all-below" if first else "notebook:run-all-cells")
        elif first == 0:
            self._select(last + 1)
            self._run("notebook:run-all-above")
        else:
            self._select(first, through=last)
            self._run("notebook:run-cell")

    def run_new_cell(self, source: str) -> int:
        """Append a code cell with `source` at the end, run it, and return its index."""
        index = self.cell_count
        self.page.evaluate(
            f"source => {NOTEBOOK}.content.model.sharedModel.insertCell("
            f"{NOTEBOOK}.content.model.sharedModel.cells.length,"
            "{cell_type: 'code', source: source})",
            source,
        )
        self._select(index)
        self._run("notebook:run-cell")
        return index

    def errors(self) -> list[CellError]:
        """Every error output in the notebook, in cell order."""
        outputs = self.page.evaluate(
            f"""() => {NOTEBOOK}.content.widgets.map(cell => cell.model.type === 'code'
                ? cell.model.outputs.toJSON() : [])"""
        )
        return [
            CellError(index, output["ename"], output["evalue"], "\n".join(output["traceback"]))
            for index, cell_outputs in enumerate(outputs)
            for output in cell_outputs
            if output["output_type"] == "error"
        ]

    def widget_cells(self) -> list[WidgetCell]:
        """Cells whose outputs hold widget views, once each view has left "Loading widget"."""
        self.page.wait_for_function(
            f"""() => {NOTEBOOK}.content.widgets.every(cell =>
                !cell.node.innerText.includes('{WIDGET_LOADING}'))""",
            timeout=RENDER_TIMEOUT_MS,
        )
        found = self.page.evaluate(
            f"""([mime, errorClass]) => {NOTEBOOK}.content.widgets.map((cell, index) => {{
                if (cell.model.type !== 'code') return null;
                const expected = cell.model.outputs.toJSON()
                    .filter(output => output.data && output.data[mime]).length;
                if (!expected) return null;
                const area = cell.node.querySelector('.jp-Cell-outputArea');
                const rendered = area.querySelectorAll(
                    ':scope > .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets'
                ).length;
                const failed = area.querySelectorAll('.' + errorClass).length;
                return [index, expected, rendered, failed, area.innerText];
            }}).filter(Boolean)""",
            [WIDGET_MIME, WIDGET_ERROR_CLASS],
        )
        return [WidgetCell(*row) for row in found]

    def slider_count(self, cell: int) -> int:
        return self._cell(cell).locator(".widget-slider .noUi-handle").count()

    def move_slider(self, cell: int, slider: int) -> SliderMove:
        """Move a slider of `cell` to its far end and wait until its outputs settle.

        The far end (End, or Home when it sits at its maximum) is the largest move, so a
        slider whose effect is real shows it, not a rounding away from the old picture.
        The outputs are the text and images of the widget's output areas, so the slider's
        own readout does not count. They are read once settled before the move too: a
        widget may re-render on its own once after display (a value off the step grid is
        snapped), and that must not pass for the slider's effect.
        """
        handle = self._cell(cell).locator(".widget-slider .noUi-handle").nth(slider)
        output_before = self._settled_widget_outputs(cell)
        value_before = handle.get_attribute("aria-valuenow")
        at_maximum = value_before == handle.get_attribute("aria-valuemax")
        handle.scroll_into_view_if_needed()
        handle.press("Home" if at_maximum else "End")
        # On a timeout the caller compares before and after and says what did not change.
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_function(
                f"""([index, before]) => ({_WIDGET_OUTPUTS_JS})(
                    {NOTEBOOK}.content.widgets[index].node) !== before""",
                arg=[cell, output_before],
                timeout=RUN_TIMEOUT_MS,
            )
        return SliderMove(
            value_before,
            handle.get_attribute("aria-valuenow"),
            output_before,
            self._settled_widget_outputs(cell),
        )

    def check_result(self, cell: int) -> CheckView | None:
        """The check() result rendered in `cell`, or None when the cell shows none."""
        result = self._cell(cell).locator(".mlops-course-check")
        if result.count() == 0:
            return None
        rows = [
            tuple(row.locator("td").all_inner_texts()) for row in result.first.locator("tr").all()
        ]
        return CheckView(result.first.locator("p").first.inner_text(), rows)

    def output_texts(self) -> list[str]:
        """The text of every stream and text/plain output, in cell order."""
        return self.page.evaluate(
            f"""() => {NOTEBOOK}.content.widgets.flatMap(cell => cell.model.type === 'code'
                ? cell.model.outputs.toJSON().map(output => [].concat(
                    output.text || (output.data && output.data['text/plain']) || '').join(''))
                : [])"""
        )

    def screenshot(
        self, path: Path, cell: int | None = None, *, cell_at_bottom: bool = False
    ) -> None:
        """Save the page as the student sees it, scrolled to the outputs of `cell` if given.

        The outputs go to the top of the view, or with `cell_at_bottom` the cell goes to
        the bottom, under what led to it. The file browser is folded away so that the
        notebook fills the picture.
        """
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        if cell is not None:
            self.page.evaluate(
                f"""([index, atBottom]) => {{
                    const node = {NOTEBOOK}.content.widgets[index].node;
                    if (atBottom) node.scrollIntoView({{block: 'end'}});
                    else (node.querySelector('.jp-Cell-outputArea') || node).scrollIntoView();
                }}""",
                [cell, cell_at_bottom],
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))

    def _cell(self, index: int) -> Locator:
        # JupyterLab nests cells in a windowed list; a marker finds the index-th one.
        self.page.evaluate(
            f"index => {NOTEBOOK}.content.widgets[index].node.dataset.testCell = index", index
        )
        return self.page.locator(f'[data-test-cell="{index}"]')

    def _select(self, index: int, through: int | None = None) -> None:
        """Make cell `index` the active one; with `through`, select the cells up to it too."""
        self.page.evaluate(
            f"""([index, through]) => {{
                const notebook = {NOTEBOOK}.content;
                notebook.activeCellIndex = index;
                notebook.deselectAll();
                if (through !== null) notebook.extendContiguousSelectionTo(through);
            }}""",
            [index, through],
        )

    def _run(self, command: str) -> None:
        """Start a JupyterLab command, wait until its promise settles and the kernel is idle."""
        outcome = execute_command(self.page, command, {}, RUN_TIMEOUT_MS)
        if outcome != "done":
            raise AssertionError(f"JupyterLab command {command} {outcome}")
        self._wait_until_idle()

    def _wait_until_idle(self) -> None:
        self.page.wait_for_function(
            f"() => {NOTEBOOK}.sessionContext.session.kernel.status === 'idle'",
            timeout=RUN_TIMEOUT_MS,
        )

    def _first_error_from(self, start: int) -> int | None:
        return next((error.cell for error in self.errors() if error.cell >= start), None)

    def _settled_widget_outputs(self, cell: int) -> str:
        """The cell's widget outputs once they and the kernel have been quiet for a while."""
        deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
        last, quiet_since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = (self._widget_outputs(cell), self._kernel_status())
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif now[1] == "idle" and time.monotonic() - quiet_since >= SETTLE_SECONDS:
                return now[0]
            time.sleep(0.1)
        raise AssertionError(
            f"cell {cell}: its widget outputs kept changing or the kernel stayed busy"
        )

    def _kernel_status(self) -> str:
        return self.page.evaluate(f"() => {NOTEBOOK}.sessionContext.session.kernel.status")

    def _widget_outputs(self, cell: int) -> str:
        return self.page.evaluate(
            f"index => ({_WIDGET_OUTPUTS_JS})({NOTEBOOK}.content.widgets[index].node)", cell
        )


# What a cell's widget output areas show: their text and their images' sources.
_WIDGET_OUTPUTS_JS = """node => JSON.stringify(
    Array.from(node.querySelectorAll('.widget-output')).map(output => [
        output.innerText,
        Array.from(output.querySelectorAll('img')).map(image => image.src),
    ]))"""


def execute_command(page: Page, command: str, args: dict, timeout_ms: int) -> str:
    """Start a JupyterLab command and wait, with a timeout, until its promise settles:
    "done", or "failed: <error>". The promise is parked on `window`, never awaited inside
    `page.evaluate`, which has no timeout."""
    page.evaluate(
        """([command, args]) => {
            window.__mlopsCommand = null;
            window.jupyterapp.commands.execute(command, args).then(
                () => { window.__mlopsCommand = 'done'; },
                error => { window.__mlopsCommand = 'failed: ' + error; });
        }""",
        [command, args],
    )
    page.wait_for_function("() => window.__mlopsCommand !== null", timeout=timeout_ms)
    return page.evaluate("() => window.__mlopsCommand")


def open_document(page: Page, url: str) -> str:
    """Load `url` and return the class names of the document JupyterLab shows."""
    page.goto(url)
    page.wait_for_function(
        f"() => window.jupyterapp && {NOTEBOOK} && {NOTEBOOK}.context"
        f" && {NOTEBOOK}.context.isReady",
        timeout=OPEN_TIMEOUT_MS,
    )
    return page.evaluate(f"() => {NOTEBOOK}.content.node.className")


def last_tests_cell(path: Path, question: str) -> int:
    """The index of the last tests cell of `question` in a solution or exercise notebook."""
    cells = json.loads(path.read_text())["cells"]
    found = [index for index, cell in enumerate(cells)
             if cell.get("metadata", {}).get("mlops_course", {}).get("role") == "tests"
             and cell["metadata"]["mlops_course"].get("question") == question]  # fmt: skip
    assert found, f"{path.name} has no tests cell for {question}"
    return found[-1]


def notebook_questions(path: Path) -> list[str]:
    """The question ids of a solution or exercise notebook, in notebook order."""
    cells = json.loads(path.read_text())["cells"]
    ids = (cell.get("metadata", {}).get("mlops_course", {}).get("question") for cell in cells)
    return list(dict.fromkeys(question for question in ids if question))


def widget_cells_stored(path: Path) -> list[int]:
    """The cells of a walkthrough whose stored outputs are a widget's static rendering
    (`mlops-course store` runs without a front end): where the live widgets will be."""
    cells = json.loads(path.read_text())["cells"]
    return [index for index, cell in enumerate(cells)
            if STATIC_RUN_MARKER in json.dumps(cell.get("outputs", []))]  # fmt: skip
