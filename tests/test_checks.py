"""The student side: check("q1") and check_all(), as functions and inside a real kernel."""

from __future__ import annotations

import linecache
from pathlib import Path

import nbformat
import pytest

from mlops_course.classroom.authoring import checks
from mlops_course.classroom.authoring.assign import build_exercise
from mlops_course.classroom.authoring.checks import check, check_all, public_test
from mlops_course.classroom.authoring.solution import read_solution

WELL_FORMED = Path(__file__).parent / "fixtures" / "solutions" / "well-formed-two-questions.ipynb"


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch):
    """Each test starts like a fresh kernel: no tests cell has run yet."""
    monkeypatch.setattr(checks, "_registry", {})


def _register_passing_and_failing_q1():
    @public_test("q1")
    def test_passes():
        pass

    @public_test("q1")
    def test_fails_with_a_message():
        raise AssertionError("late_share should lie between 0 and 1")


def test_check_passes_when_every_public_test_passes():
    @public_test("q1")
    def test_one():
        assert 1 + 1 == 2

    @public_test("q1")
    def test_two():
        pass

    result = check("q1")

    assert result.passed and bool(result)
    assert repr(result).splitlines()[0] == "q1: all 2 public tests pass"
    assert "all 2 public tests pass" in result._repr_html_()


def test_check_fails_and_shows_the_failing_tests_message():
    _register_passing_and_failing_q1()

    result = check("q1")

    assert not result.passed
    assert [(outcome.name, outcome.passed) for outcome in result.outcomes] == [
        ("test_passes", True),
        ("test_fails_with_a_message", False),
    ]
    text = repr(result)
    assert text.splitlines()[0] == "q1: 1 of 2 public tests fail"
    assert "FAIL  test_fails_with_a_message - late_share should lie between 0 and 1" in text
    html = result._repr_html_()
    assert "<table>" in html and "late_share should lie between 0 and 1" in html


def test_bare_assert_is_explained_by_its_own_source_line(monkeypatch):
    # Defined like IPython defines a cell (source cached in linecache), and out of reach
    # of pytest's assert rewriting, which would put its own message on a bare assert.
    cell = '@public_test("q1")\ndef test_bare():\n    answer = 3\n    assert answer == 4\n'
    filename = "<ipython-input-7>"
    monkeypatch.setitem(
        linecache.cache, filename, (len(cell), None, cell.splitlines(True), filename)
    )
    exec(compile(cell, filename, "exec"), {"public_test": public_test})

    assert check("q1").outcomes[0].message == "assertion failed: assert answer == 4"


def test_unanswered_stub_reads_as_not_answered_yet():
    @public_test("q2")
    def test_calls_the_stub():
        raise NotImplementedError("Write your answer for q2 here")

    assert check("q2").outcomes[0].message == "not answered yet (Write your answer for q2 here)"


def test_other_errors_show_their_type_and_message():
    @public_test("q1")
    def test_uses_an_undefined_name():
        return late_share  # noqa: F821 - the answer cell has not run

    assert check("q1").outcomes[0].message == "NameError: name 'late_share' is not defined"


def test_interrupting_a_test_is_not_swallowed():
    @public_test("q1")
    def test_interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("q1")


def test_check_of_a_question_whose_tests_have_not_run_says_what_to_do():
    _register_passing_and_failing_q1()

    result = check("q3")

    assert not result.passed and result.outcomes == ()
    assert repr(result) == (
        "q3: no public tests have run yet; run the tests cell of q3 first (tests have run for: q1)"
    )


def test_rerunning_a_tests_cell_replaces_its_tests():
    for _ in range(2):

        @public_test("q1")
        def test_same_name():
            pass

    assert len(check("q1").outcomes) == 1


def test_check_all_summarises_every_question_in_notebook_order():
    _register_passing_and_failing_q1()

    @public_test("q2")
    def test_fine():
        pass

    summary = check_all()

    assert not summary.passed
    lines = repr(summary).splitlines()
    assert lines[0] == "1 of 2 questions pass their public tests (the grade also uses hidden tests)"
    assert lines[1] == (
        "  FAIL  q1  1/2  test_fails_with_a_message: late_share should lie between 0 and 1"
    )
    assert lines[2] == "  pass  q2  1/1"
    html = summary._repr_html_()
    assert html.count("<tr>") == 3 and "first failure" in html


def test_check_all_before_any_tests_cell_ran_says_to_run_the_notebook():
    summary = check_all()

    assert not summary.passed
    assert "run the notebook's cells from the top first" in repr(summary)


def test_html_escapes_what_the_student_code_said():
    @public_test("q1")
    def test_echoes_markup():
        raise AssertionError("<script>alert(1)</script>")

    html = check("q1")._repr_html_()

    assert "<script>" not in html and "&lt;script&gt;" in html


def _outputs(cell) -> dict[str, str]:
    """The text/plain and text/html of a cell's result; errors as 'error'."""
    shown = {}
    for output in cell.outputs:
        if output.output_type == "error":
            shown["error"] = f"{output.ename}: {output.evalue}"
        elif output.output_type in ("execute_result", "display_data"):
            shown.update({key: output.data[key] for key in ("text/plain", "text/html")})
    return shown


def test_student_runs_an_exercise_in_the_course_kernel_and_checks_it(tmp_path):
    """The student experience end to end: q1 answered, q2 still the stub, Run All.

    Executed by papermill (nbclient underneath) in the mlops-course kernel, which also
    proves the stub rule's promise: the whole exercise runs without an error.
    """
    from mlops_course.classroom.running.execute import execute

    notebook = build_exercise(read_solution(WELL_FORMED))
    answer = next(cell for cell in notebook.cells if cell["id"] == "q1-answer")
    answer.source = "late_share = sum(d > 2 for d in delays) / len(delays)"
    nbformat.write(notebook, tmp_path / "exercise.ipynb")

    run = execute(tmp_path / "exercise.ipynb", tmp_path / "executed.ipynb", cwd=tmp_path)

    assert run.ok, run.error
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    cells = {cell["id"]: cell for cell in executed.cells}
    q1 = _outputs(cells["q1-tests"])
    assert q1["text/plain"] == "q1: all 1 public tests pass\n  pass  test_late_share_is_a_fraction"
    assert "all 1 public tests pass" in q1["text/html"]
    summary = _outputs(cells["summary"])
    assert summary["text/plain"].splitlines()[1:] == [
        "  pass  q1  1/1",
        "  FAIL  q2  0/1  test_mean_delay_of_two_values: not answered yet "
        "(Write your answer for q2 here)",
    ]
    assert "<table>" in summary["text/html"]
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert not any("error" in _outputs(cell) for cell in code_cells)


def test_in_a_grading_kernel_check_and_check_all_run_no_test(monkeypatch) -> None:
    # The grader runs every test as a cell of its own; the notebook's calls would only
    # run them again. A test that would fail must not even be called.
    called = []

    @public_test("q1")
    def test_that_would_fail():
        called.append("q1")
        raise AssertionError("should not run in a grading kernel")

    monkeypatch.setenv(checks.GRADING_ENV, "1")
    result, summary = check("q1"), check_all()

    assert called == []
    assert result.headline == f"q1: {checks.GRADED_RUN}" and not result.passed
    assert [row.headline for row in summary.results] == [f"q1: {checks.GRADED_RUN}"]
