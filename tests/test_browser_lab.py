"""The course as students meet it: JupyterLab in a real browser (Debian's Chromium).

For every notebook that exists when the tests are collected (the catalog's lessons, each
with its walkthrough, solution and exercise if the file is there), a private JupyterLab
serves a temporary copy of the course, Chromium opens the notebook, runs its cells and
the test reads what the page shows: errors, widgets, check() results. An exercise runs in
full, as a student first meets it; a solution, which the grader's reference run executes
in full, runs through its first question; a walkthrough, which nbval re-executes in full,
runs through its last widget cell (below it JupyterLab shows the stored outputs). The widgets are
live here (MLOPS_COURSE_STATIC is dropped from the server's environment). One screenshot
per notebook goes to .test-output/browser/.

Each kind of notebook is its own class, so `pytest -n 2 --dist loadscope` can give them
to different workers; each worker starts one JupyterLab and one browser for this module.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlops_course.classroom.catalog import load_catalog
from mlops_course.widgets import STATIC_RUN_MARKER

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
SCREENSHOTS = REPOSITORY / ".test-output" / "browser"
VIEWPORT = {"width": 1400, "height": 1000}
# What an untouched exercise's stubs raise: the student's prompt, not a crash.
STUB_ERROR = re.compile(r"Write your answer for \w+ here")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"the browser tests need Debian's Chromium at {CHROMIUM}; install it with "
    "`apt-get install chromium chromium-driver` (.ci/run does)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need playwright: pip install -e '.[dev]'"
)

from lab_page import (  # noqa: E402
    KERNEL_TRACEBACK,
    WIDGET_FAILURE,
    CellError,
    CheckView,
    LabNotebook,
    last_tests_cell,
    notebook_questions,
    open_document,
    widget_cells_stored,
)
from lab_server import LabServer, copy_course, start_lab  # noqa: E402


def landing_page() -> str:
    """The page `make lab` opens, as the Makefile names it."""
    found = re.search(r"^LANDING := (\S+)$", (REPOSITORY / "Makefile").read_text(), re.M)
    assert found, "the Makefile defines no LANDING page for make lab"
    return found.group(1)


def course_notebooks(kind: str) -> list[pytest.param]:
    """The `kind` notebooks ("notebook", "solution", "exercise") that exist, by lesson."""
    course = load_catalog(REPOSITORY)
    return [
        pytest.param(course.relative(getattr(lesson, kind)), id=lesson.slug)
        for lesson in course.lessons
        if getattr(lesson, kind).is_file()
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    scratch = tmp_path_factory.mktemp("lab")
    course = copy_course(REPOSITORY, scratch / "course", extra_folders=("solutions",))
    server = start_lab(course, Path(sys.prefix), scratch / "jupyter")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab_page(lab: LabServer, browser: sync_api.Browser) -> Iterator[list[sync_api.Page]]:
    """One page per worker that keeps JupyterLab loaded between notebooks (loading the app
    costs more than most notebooks take to run); empty until the first notebook opens it."""
    pages: list[sync_api.Page] = []
    yield pages
    for page in pages:
        page.close()


@pytest.fixture
def open_notebook(
    lab: LabServer, browser: sync_api.Browser, lab_page: list[sync_api.Page]
) -> Iterator[Callable[[str], LabNotebook]]:
    """Open a notebook of the course copy on a fresh kernel, in the JupyterLab the worker's
    page already shows (or in a new page); close it unsaved and shut its kernel down after.

    A page that will not close its notebook cleanly (a dialog left open, a page that
    crashed) is dropped for a new one: the next test never inherits it."""
    opened: list[LabNotebook] = []

    def open_(relative_path: str) -> LabNotebook:
        if lab_page:
            notebook = LabNotebook.open_in_app(lab_page[0], relative_path)
        else:
            lab_page.append(browser.new_page(viewport=VIEWPORT))
            workspace = Path(relative_path).stem
            notebook = LabNotebook.open(lab_page[0], lab.lab_url(relative_path, workspace))
        opened.append(notebook)
        return notebook

    yield open_
    if lab_page and not _closed_cleanly(opened):
        lab_page.pop().close()
    lab.shut_down_kernels()


def _closed_cleanly(notebooks: list[LabNotebook]) -> bool:
    """Close each notebook unsaved; False if that failed or left a dialog on the page."""
    try:
        for notebook in notebooks:
            notebook.close_unsaved()
        return all(not notebook.dialog_open() for notebook in notebooks)
    except sync_api.Error:
        return False


def screenshot_path(relative_path: str) -> Path:
    kind, name = Path(relative_path).parent.name, Path(relative_path).stem
    return SCREENSHOTS / f"{kind}-{name}.png"


def assert_widgets_render(notebook: LabNotebook) -> list[int]:
    """Every widget view in the outputs is drawn; return the cells that show widgets."""
    cells = notebook.widget_cells()
    for cell in cells:
        assert WIDGET_FAILURE not in cell.text, f"cell {cell.cell}: {cell.text}"
        assert not cell.failed, (
            f"cell {cell.cell}: {cell.failed} widget view(s) failed in the front end and show "
            "ipywidgets' error placeholder (an unknown view or module, or a JavaScript error)"
        )
        assert KERNEL_TRACEBACK not in cell.text, (
            f"cell {cell.cell}: drawing the widget's output raised in the kernel: {cell.text}"
        )
        assert cell.rendered == cell.expected, (
            f"cell {cell.cell} holds {cell.expected} widget views but the page draws "
            f"{cell.rendered}: {cell.text[:300]}"
        )
    return [cell.cell for cell in cells]


class TestLandingPage:
    def test_opens_rendered_and_its_link_starts_lesson_00_on_the_course_kernel(
        self, lab: LabServer, browser: sync_api.Browser
    ) -> None:
        course = load_catalog(REPOSITORY)
        walkthrough = course.relative(course.lesson("00").notebook)
        page = browser.new_page(viewport=VIEWPORT)
        try:
            shown = open_document(page, lab.lab_url(landing_page(), "landing"))
            assert "jp-MarkdownViewer" in shown, (
                f"{landing_page()} opens as {shown}, not rendered; the Makefile writes the "
                "JupyterLab setting that renders Markdown (make test, make lab)"
            )
            page.locator(f'.jp-RenderedMarkdown a[href*="{walkthrough}"]').first.click()

            notebook = LabNotebook.opened(page)
            assert notebook.path == walkthrough
            assert notebook.kernel_name == course.kernel
            notebook.screenshot(SCREENSHOTS / "landing-lesson-00-opened.png")
        finally:
            page.close()
            lab.shut_down_kernels()


class TestWalkthroughs:
    @pytest.mark.parametrize("notebook_path", course_notebooks("notebook"))
    def test_runs_cleanly_and_every_slider_drives_its_output(
        self, notebook_path: str, open_notebook: Callable[[str], LabNotebook]
    ) -> None:
        # Through the last widget cell: nbval re-executes every walkthrough in full and
        # compares it with its stored outputs, which JupyterLab shows below that cell.
        notebook = open_notebook(notebook_path)
        widget_cells = widget_cells_stored(REPOSITORY / notebook_path)
        if widget_cells:
            notebook.run_through(widget_cells[-1])

        errors = notebook.errors()
        assert not errors, f"{notebook_path} raised in JupyterLab: " + "; ".join(map(str, errors))
        static = [text for text in notebook.output_texts() if STATIC_RUN_MARKER in text]
        assert not static, f"widgets fell back to their static rendering: {static[0][:200]}"
        assert assert_widgets_render(notebook) == widget_cells, (
            f"the widget cells shown live are not the ones {notebook_path} stores statically"
        )
        for cell in widget_cells:
            for slider in range(notebook.slider_count(cell)):
                move = notebook.move_slider(cell, slider)
                assert move.value_after != move.value_before, (
                    f"cell {cell}: slider {slider} did not move from {move.value_before}"
                )
                assert KERNEL_TRACEBACK not in move.output_after, (
                    f"cell {cell}: moving slider {slider} to {move.value_after} raised in the "
                    f"kernel: {move.output_after[:600]}"
                )
                assert move.output_after != move.output_before, (
                    f"cell {cell}: moving slider {slider} from {move.value_before} to "
                    f"{move.value_after} left the output it drives unchanged"
                )
        assert notebook.errors() == [], "moving a slider raised"
        notebook.screenshot(
            screenshot_path(notebook_path), widget_cells[0] if widget_cells else None
        )


@dataclass(frozen=True)
class CheckedNotebook:
    """A solution or exercise after Run All and then `check()` of its first question."""

    question: str
    errors: list[CellError]  # raised by the notebook's own cells
    check_errors: list[CellError]  # raised by the check() cell
    result: CheckView | None  # what the check() cell shows


def run_then_check_first_question(
    open_notebook: Callable[[str], LabNotebook], notebook_path: str, through_first: bool = False
) -> CheckedNotebook:
    """Run all cells as a student would, on past a stub that raises (or, `through_first`,
    the cells through the first question's tests), then `check("q1")` in a new cell."""
    question = notebook_questions(REPOSITORY / notebook_path)[0]
    notebook = open_notebook(notebook_path)
    last = last_tests_cell(REPOSITORY / notebook_path, question) if through_first else None
    notebook.run_all_past_errors(last)
    errors = notebook.errors()
    assert_widgets_render(notebook)

    cell = notebook.run_new_cell(f'check("{question}")')

    notebook.screenshot(screenshot_path(notebook_path), cell, cell_at_bottom=True)
    check_errors = [error for error in notebook.errors() if error.cell == cell]
    return CheckedNotebook(question, errors, check_errors, notebook.check_result(cell))


class TestSolutions:
    @pytest.mark.parametrize("notebook_path", course_notebooks("solution"))
    def test_runs_cleanly_and_check_shows_its_first_question_passing(
        self, notebook_path: str, open_notebook: Callable[[str], LabNotebook]
    ) -> None:
        # Through the first question only: the grader's reference run executes every
        # solution in full on the course kernel; here what counts is JupyterLab showing it.
        checked = run_then_check_first_question(open_notebook, notebook_path, through_first=True)

        assert not checked.errors, f"{notebook_path} raised in JupyterLab: " + "; ".join(
            map(str, checked.errors)
        )
        assert not checked.check_errors, f'check("{checked.question}") raised'
        result = checked.result
        assert result is not None, f'check("{checked.question}") rendered no result'
        assert result.headline.startswith(f"{checked.question}: ") and "pass" in result.headline
        verdicts = [row[0] for row in result.rows]
        assert verdicts and set(verdicts) == {"pass"}, result


class TestExercises:
    @pytest.mark.parametrize("notebook_path", course_notebooks("exercise"))
    def test_untouched_check_shows_a_failure_the_student_can_act_on(
        self, notebook_path: str, open_notebook: Callable[[str], LabNotebook]
    ) -> None:
        checked = run_then_check_first_question(open_notebook, notebook_path)

        crashes = [error for error in checked.errors if not STUB_ERROR.search(error.value)]
        assert not crashes, (
            f"the untouched {notebook_path} raised more than its stubs' prompts: "
            + "; ".join(map(str, crashes))
        )
        assert not checked.check_errors, f'check("{checked.question}") raised instead of reporting'
        result = checked.result
        assert result is not None, f'check("{checked.question}") rendered no result'
        assert result.headline.startswith(f"{checked.question}: ") and "fail" in result.headline
        failures = [row for row in result.rows if row[0] == "FAIL"]
        assert failures, result
        for _, test_name, message in failures:
            assert message.strip(), f"{test_name} fails without saying why"
