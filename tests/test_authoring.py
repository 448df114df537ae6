"""The authoring model: reading solution notebooks and refusing broken ones with one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_course.classroom.authoring.solution import (
    HIDDEN_TESTS,
    SOLUTION,
    AuthoringError,
    MarkerError,
    marked_blocks,
    read_solution,
)

SOLUTIONS = Path(__file__).parent / "fixtures" / "solutions"
WELL_FORMED = SOLUTIONS / "well-formed-two-questions.ipynb"


def test_well_formed_solution_reads_into_questions_tests_and_points():
    exercise = read_solution(WELL_FORMED)

    assert [question.id for question in exercise.questions] == ["q1", "q2"]
    assert [question.points for question in exercise.questions] == [2, 3]
    assert exercise.points == 5
    q1 = exercise.question("q1")
    assert [test.name for test in q1.public_tests] == ["test_late_share_is_a_fraction"]
    assert [test.name for test in q1.hidden_tests] == ["test_late_share_matches_the_delays"]
    assert (q1.prompt_cells, q1.answer_cells, q1.tests_cell) == ((3,), (4,), 5)
    assert exercise.roles[:3] == (None, None, "setup")


def test_public_test_source_leaves_out_the_student_side_decorator():
    test = read_solution(WELL_FORMED).question("q1").public_tests[0]

    assert test.source.startswith("def test_late_share_is_a_fraction():")
    assert "public_test" not in test.grading_source
    assert test.grading_source.endswith("\ntest_late_share_is_a_fraction()\n")


def test_grading_source_carries_the_tests_cell_imports_and_helpers():
    q2 = read_solution(WELL_FORMED).question("q2")

    public, hidden = q2.public_tests[0], q2.hidden_tests[0]
    assert public.prelude.startswith("import math")
    assert "def _close(" in public.prelude
    assert "def _close(" in hidden.grading_source


def _run_cell(source: str, namespace: dict) -> bool:
    """True if the cell ran without raising, as a kernel's execute reply would say."""
    try:
        exec(compile(source, "<grading cell>", "exec"), namespace)
    except Exception:
        return False
    return True


def _observed(source: str, namespace: dict) -> list[tuple[str, object]]:
    """What a hidden test's grading cell observes when run in `namespace`."""
    from unittest import mock

    import mlops_course.classroom

    seen: list[tuple[str, object]] = []
    with mock.patch.object(mlops_course.classroom, "observe",
                           lambda value, label, **_: seen.append((label, value))):  # fmt: skip
        assert _run_cell(source, namespace)
    return seen


def test_a_hidden_test_observes_the_answer_and_decides_nothing():
    q2 = read_solution(WELL_FORMED).question("q2")
    right = {"mean_delay": lambda values: sum(values) / len(values), "delays": [1, 2, 6]}
    wrong = {"mean_delay": lambda values: 2.0, "delays": [1, 2, 6]}

    source = q2.hidden_tests[0].grading_source
    assert _observed(source, right) == [("mean_delay(delays)", 3.0)]
    assert _observed(source, wrong) == [("mean_delay(delays)", 2.0)]
    assert "assert" not in q2.hidden_tests[0].source


def test_grading_cell_ignores_test_machinery_the_student_redefined():
    q2 = read_solution(WELL_FORMED).question("q2")
    student_namespace = {
        "mean_delay": lambda values: 0.0,
        "public_test": lambda question: lambda test: lambda: None,  # turns tests into no-ops
        "_close": lambda actual, expected: True,  # a helper that always agrees
        "test_mean_delay_of_two_values": lambda: None,
    }

    assert not _run_cell(q2.public_tests[0].grading_source, student_namespace)


BROKEN = [
    # fixture, cell index, a phrase of the fix the sentence must give
    ("unbalanced-solution-markers", 4, "add '### END SOLUTION'"),
    ("nested-solution-markers", 7, "blocks cannot nest"),
    ("misspelled-solution-marker", 4, "write it exactly as '### BEGIN SOLUTION'"),
    ("question-without-tests", 6, 'add a code cell with role "tests", question "q2"'),
    ("answer-without-question", 7, 'add "question": "q1"'),
    ("duplicate-question-ids", 6, "give this question its own id"),
    ("duplicate-test-names", 8, "rename one"),
    ("hidden-tests-outside-test-cell", 4, "move the hidden tests into the question's tests cell"),
    ("public-test-without-decorator", 8, 'needs exactly the decorator @public_test("q2")'),
    ("tests-cell-without-points", 8, 'add e.g. "points": 2'),
    ("tests-cell-with-top-level-code", 5, "move this statement into a test function"),
    ("hidden-test-without-observation", 8, 'report the values with observe(value, "label")'),
    ("question-without-hidden-test", 8, "add one between the hidden-tests markers"),
    ("drive-without-a-judge", 8, 'drive(system, judge="name")'),
]


@pytest.mark.parametrize(("fixture", "cell_index", "fix"), BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_solution_is_refused_with_one_sentence_naming_file_cell_and_fix(
    fixture, cell_index, fix
):
    path = SOLUTIONS / f"{fixture}.ipynb"

    with pytest.raises(AuthoringError) as raised:
        read_solution(path)

    message = str(raised.value)
    assert message.startswith(f"{path} cell index {cell_index}: ")
    assert fix in message
    assert message.endswith(".") and "\n" not in message


def test_solution_on_another_kernel_is_refused():
    with pytest.raises(AuthoringError, match="switch it to 'mlops-course'"):
        read_solution(SOLUTIONS / "wrong-kernel.ipynb")


def test_missing_solution_is_refused_with_the_path(tmp_path):
    with pytest.raises(AuthoringError, match="does not exist; write the solution notebook"):
        read_solution(tmp_path / "00-nothing.ipynb")


def test_marked_blocks_keep_the_indentation_of_the_begin_marker():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"

    [block] = marked_blocks(source)

    assert (block.kind, block.begin, block.end, block.indent) == (SOLUTION, 1, 3, "    ")


def test_hidden_block_closed_by_a_solution_marker_is_refused():
    source = "### BEGIN HIDDEN TESTS\nx = 1\n### END SOLUTION\n"

    with pytest.raises(MarkerError, match=f"the open block .* is a {HIDDEN_TESTS} block"):
        marked_blocks(source)


def test_end_marker_without_begin_is_refused():
    with pytest.raises(MarkerError, match="closes a block that was never opened"):
        marked_blocks("x = 1\n### END HIDDEN TESTS\n")
