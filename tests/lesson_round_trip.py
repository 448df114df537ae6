"""Grade a lesson's real exercise filled in with known answers: the parts every
tests/test_lesson_NN.py round trip needs, and `LessonRoundTrip`, the tests lessons 05 on
share.

A submission is the generated exercise with its answer cells replaced: by the solution's
answers with the markers removed (what a perfect student writes), by those answers with one
piece of text or one whole cell changed (a known mistake, or a value typed in from a default
run), or left untouched. They are graded in one batch with the lesson's grading parameters,
as an instructor would grade them, but the known mistakes: those are graded in this process
by the grader's own pieces against the batch's reference run (`graded_here`), as a kernel
each would cost more than the lesson's own work. That an answer typed in from a default run
is right there is shown here, in process and without a second batch: `run_with_defaults`
runs the solution's cells with other answers, `observations_in_process` records what its
hidden tests observe, and `assert_same_observations` judges them as the grader would.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from forgeries import FORGERIES, MEASURED
from graded_here import grade_here, job_with_kernel_reference, mlflow_and_environment_restored

from mlops_course.classroom.authoring.solution import ANSWER, TESTS, Exercise, read_solution
from mlops_course.classroom.catalog import Lesson, load_catalog
from mlops_course.classroom.grading.batch import grade_lesson
from mlops_course.classroom.grading.results import SubmissionGrade

REPOSITORY = Path(__file__).resolve().parent.parent
MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}
# Two workers grade two notebooks at a time: the machine has two cores.
WORKERS = 2

# The key of `grade_submissions`' answers under which a cell is appended to the exercise.
APPENDED_CELL = "(appended cell)"

# One change of the solution's answers: (answer cell id, text in the solution, text instead).
Change = tuple[str, str, str]


@functools.cache
def lesson_and_solution(lesson_id: str) -> tuple[Lesson, Exercise]:
    """The course's lesson `lesson_id` and its solution, read and validated (once)."""
    lesson = load_catalog(REPOSITORY).lesson(lesson_id)
    return lesson, read_solution(lesson.solution)


def solution_answers(solution: Exercise) -> dict[str, str]:
    """The solution's answer cells by cell id, markers removed."""
    answers = {}
    for question in solution.questions:
        for index in question.answer_cells:
            cell = solution.notebook.cells[index]
            lines = [line for line in cell.source.splitlines() if line.strip() not in MARKERS]
            answers[cell.id] = "\n".join(lines)
    return answers


def changed_answers(solution: Exercise, change: Change) -> dict[str, str]:
    """The solution's answers with one text replaced; fails when the solution moved on."""
    answers = solution_answers(solution)
    cell_id, right, instead = change
    assert answers[cell_id].count(right) == 1, f"{cell_id} no longer holds {right!r} once"
    answers[cell_id] = answers[cell_id].replace(right, instead)
    return answers


def answers_with(solution: Exercise, cells: dict[str, str]) -> dict[str, str]:
    """The solution's answers with whole answer cells (by cell id) rewritten as `cells` says."""
    answers = solution_answers(solution)
    unknown = sorted(cells.keys() - answers.keys())
    assert not unknown, f"{unknown} are not answer cells of {solution.path.name}"
    return answers | {cell_id: source.strip() for cell_id, source in cells.items()}


def answer_cell(solution: Exercise, question: str) -> str:
    """The id of the answer cell of a question that has exactly one."""
    [index] = solution.question(question).answer_cells
    return solution.notebook.cells[index].id


# How many of the measured forgeries each lesson's round trip grades. Every forgery goes
# after the kernel, not the lesson, and the fixture course's hostile suite grades all of
# them; each lesson grades the next one, so seven written lessons or more together grade
# every one on real exercises (tests/test_round_trip_coverage.py) at one submission a lesson.
FORGERIES_PER_LESSON = 1


def forgeries_for(lesson_id: str) -> list[str]:
    """The measured forgeries lesson `lesson_id`'s round trip grades, moving on by
    FORGERIES_PER_LESSON with each lesson id (00: the first, 01: the second, ...)."""
    start = int(lesson_id) * FORGERIES_PER_LESSON
    return [MEASURED[(start + k) % len(MEASURED)] for k in range(FORGERIES_PER_LESSON)]


def forged_submissions(lesson_id: str) -> dict[str, dict[str, str]]:
    """The untouched exercise with one forgery appended, for each of `forgeries_for`."""
    return {name: {APPENDED_CELL: FORGERIES[name]} for name in forgeries_for(lesson_id)}


def assert_forgery_earned_nothing(grade: SubmissionGrade) -> None:
    """A forgery scores 0; one that fakes replies is also caught lying by a canary."""
    assert grade.score == 0, f"{grade.student_id} earned {grade.score}: {grade.reason}"
    assert grade.status in ("tampered", "graded"), grade.reason


def filled_in(lesson: Lesson, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The exercise with `answers` (by cell id; `APPENDED_CELL` adds a last cell) in place."""
    notebook = nbformat.read(lesson.exercise, as_version=4)
    for cell in notebook.cells:
        cell.source = answers.get(cell.id, cell.source)
    if APPENDED_CELL in answers:
        notebook.cells.append(nbformat.v4.new_code_cell(answers[APPENDED_CELL]))
    return notebook


def grade_submissions(lesson: Lesson, submissions: dict[str, dict[str, str]], folder: Path,
                      root: Path = REPOSITORY, here: Collection[str] = ()) -> dict:  # fmt: skip
    """Grade the exercise filled in with each submission's answers (by cell id; an empty
    dict leaves the exercise untouched; `APPENDED_CELL` adds a last cell); returns the
    grades by submission name.

    Every submission is graded in one batch, in sandboxed kernels, but those named in
    `here`: they are graded afterwards in this process (`graded_here`), against the
    reference the batch's kernel run of the solution stored. Known-wrong answers go there:
    a kernel each would cost its start and imports only to fail one question's tests."""
    unknown = sorted(set(here) - submissions.keys())
    assert not unknown, f"{unknown} are not among the submissions"
    in_batch = {name: answers for name, answers in submissions.items() if name not in here}
    assert in_batch, "the batch grades at least one submission: its reference run is needed"
    for name, answers in in_batch.items():
        (folder / "in" / name).mkdir(parents=True)
        nbformat.write(filled_in(lesson, answers), folder / "in" / name / lesson.exercise.name)
    # One submission graded by one worker saves starting a second, idle one.
    jobs = min(WORKERS, len(in_batch))
    gradebook = folder / "gradebook.db"
    result = grade_lesson(lesson.id, folder / "in", gradebook, root=root, jobs=jobs)
    grades = {grade.student_id: grade for grade in result.graded}
    if here:
        job = job_with_kernel_reference(lesson.id, lesson.solution, gradebook, root)
        for name in here:
            notebook = filled_in(lesson, submissions[name])
            grades[name] = grade_here(job, notebook, name, folder / "here" / name)
    return grades


def points_by_question(grade: SubmissionGrade) -> dict[str, float]:
    assert grade.status == "graded", grade.reason
    return {score.question: score.points for score in grade.questions}


def assert_loses_exactly(grade: SubmissionGrade, lost: set[str], points: dict[str, float]) -> None:
    """The submission scores 0 on the questions in `lost` and full points on every other."""
    expected = {question: 0 if question in lost else full for question, full in points.items()}
    assert points_by_question(grade) == expected, failed_tests(grade)


def assert_full_marks(grade: SubmissionGrade, points: dict[str, float]) -> None:
    """Every test passed, every point earned, and the grade is not flagged (status graded)."""
    assert grade.status == "graded", grade.reason
    assert not failed_tests(grade)
    assert grade.score == sum(points.values())


def failed_tests(grade: SubmissionGrade) -> list[tuple[str, str, str]]:
    return [(test.question, test.name, test.message) for test in grade.tests if not test.passed]


# A free cell that only calls the student-side checks: nothing to run outside a kernel.
ONLY_CHECKS = re.compile(r"\s*(check_all\(\)|check\([\"']q\d+[\"']\))\s*")


def run_with_defaults(solution: Exercise, answers: dict[str, str]) -> dict:
    """Every code cell of `solution` but its tests and check calls, executed here in order
    with the default parameters and `answers` in place of its answer cells: the namespace."""
    namespace: dict = {}
    for index, cell in enumerate(solution.notebook.cells):
        role = solution.roles[index]
        if cell.cell_type != "code" or role == TESTS or ONLY_CHECKS.fullmatch(cell.source):
            continue
        exec(answers[cell.id] if role == ANSWER else cell.source, namespace)
    return namespace


def with_cells_replaced(namespace: dict, cells: dict[str, str]) -> dict:
    """A copy of a run's `namespace` with the answer `cells` (by cell id) run again in it.

    Cheaper than a second run from the top when answers that come later never read what
    these cells assign, e.g. the last questions' answers typed in from a default run."""
    replaced = dict(namespace)
    for source in cells.values():
        exec(source, replaced)
    return replaced


@contextmanager
def mlflow_in(folder: Path) -> Iterator[None]:
    """MLflow in this process pointed at a fresh SQLite store in `folder`, and back after.

    For setup cells that call `tracking.configure` when a lesson is run here, not in a
    kernel: nothing reaches the repository's runs/, and later tests find MLflow as before
    (`mlflow.set_experiment` leaves the experiment's id in the environment, too)."""
    with mlflow_and_environment_restored():
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder / 'mlflow.db'}"
        yield


def observations_in_process(namespace: dict, solution: Exercise) -> dict[str, list]:
    """Run every hidden test of `solution` in `namespace` (here, not in a kernel), with an
    `observe` that records instead of displaying: {test name: [Observation, ...]}.

    Cheap enough to compare two sets of answers under the default parameters, e.g. answers
    hard-coded from a default run against the solution's own, with the grader's judge."""
    from unittest import mock

    import mlops_course.classroom
    from mlops_course.classroom.authoring.observe import encode
    from mlops_course.classroom.grading.judge import Observation

    recorded: dict[str, list] = {}
    current: list = []

    def observe(value, label, *, rtol=1e-9, atol=1e-12, hint=""):
        current.append(Observation(label, encode(value), rtol, atol, hint))

    # Hidden tests import observe from the package: patch it where they find it.
    with mock.patch.object(mlops_course.classroom, "observe", observe):
        for test in solution.tests:
            if test.hidden:
                current = recorded.setdefault(test.name, [])
                exec(test.grading_source, namespace | {"observe": observe})
    return recorded


def assert_same_observations(expected: dict[str, list], observed: dict[str, list]) -> None:
    """The grader's judge finds every test's observations matching (as with full marks)."""
    from mlops_course.classroom.grading.judge import judge_observations

    for test, reference in expected.items():
        mismatch = judge_observations(tuple(reference), observed.get(test, []))
        assert not mismatch, f"{test}: {mismatch}"


# The parts every one-batch round trip (lessons 05 on) shares; each lesson's tests call them.


def lost_questions(changes: dict[str, Change], points: dict[str, float]) -> dict[str, set[str]]:
    """The questions each submission must lose: none when solved, every one untouched, and
    for a changed case the question its name ends with ('wrong-q2', 'hard-coded-q4')."""
    return {"solved": set(), "untouched-exercise": set(points)} | {
        case: {case.rsplit("-", 1)[1]} for case in changes
    }


def known_wrong(cases: Collection[str]) -> list[str]:
    """The cases known to be wrong under grading among `cases`, graded in this process: the
    mistakes ('wrong-q2', ...) and the answers hard-coded from the defaults ('hard-coded-...').
    Both are changed answers whose verdicts tests/test_grading_round_trip.py shows grading in
    process gives as a kernel does; the batch's kernels grade the rest."""
    return [case for case in cases if case.startswith(("wrong-", "hard-coded"))]


def grade_round_trip(lesson: Lesson, solution: Exercise, changes: dict[str, Change],
                     folder: Path) -> dict[str, SubmissionGrade]:  # fmt: skip
    """The solution's answers, the untouched exercise, each changed case and each measured
    forgery, graded in one batch but the known-wrong cases ('wrong-qN', 'hard-coded-...'),
    which are graded in this process against the batch's reference; the grades by case name."""
    submissions = {
        "solved": solution_answers(solution),
        "untouched-exercise": {},
        **{case: changed_answers(solution, change) for case, change in changes.items()},
        **forged_submissions(lesson.id),
    }
    return grade_submissions(lesson, submissions, folder, here=known_wrong(submissions))


def assert_fails_only(grade: SubmissionGrade, hidden_test: str, message_start: str,
                      public: tuple[str, str] | None = None) -> None:  # fmt: skip
    """The submission fails exactly one hidden test, `hidden_test`, whose feedback starts
    with `message_start` (what was observed, never the reference) — and, if `public` names
    one (test, message start), that public test as well, and no other."""
    failed = {test.name: test for test in grade.tests if not test.passed}
    expected = {hidden_test: (True, message_start)}
    if public is not None:
        expected[public[0]] = (False, public[1])
    assert set(failed) == set(expected), failed_tests(grade)
    for name, (hidden, start) in expected.items():
        assert failed[name].hidden == hidden, f"{name} is {'not ' * hidden}a hidden test"
        assert failed[name].message.startswith(start), failed[name].message


def assert_points_add_up(lesson: Lesson, solution: Exercise, points: dict[str, float]) -> None:
    assert {question.id: question.points for question in solution.questions} == points
    assert sum(points.values()) == lesson.points


def assert_grading_changes(lesson: Lesson, names: tuple[str, ...]) -> None:
    """Grading sets each of `names` to another value than the solution's default, and the
    catalog's defaults are the solution's own."""
    import papermill

    declared = papermill.inspect_notebook(str(lesson.solution))
    for name in names:
        default = int(declared[name]["default"])
        assert lesson.grading_parameters[name] != default, f"grading keeps {name}"
        assert lesson.parameters[name] == default, f"the catalog's {name} is not the solution's"


def assert_right_under_the_defaults(solution: Exercise, change: Change,
                                    rerun_only: bool = False) -> None:  # fmt: skip
    """With the default parameters, run here, the hidden tests observe for the changed
    answers what they observe for the solution's: such an answer (typed in from a default
    run) loses points under grading only because grading runs with other parameters.

    `rerun_only`: run just the changed cell again on the solution's namespace instead of
    the whole solution a second time (when no later answer reads what it assigns)."""
    answers = changed_answers(solution, change)
    if rerun_only:
        assert_cells_right_under_the_defaults(solution, {change[0]: answers[change[0]]})
        return
    solved = run_with_defaults(solution, solution_answers(solution))
    expected = observations_in_process(solved, solution)
    changed = run_with_defaults(solution, answers)
    assert_same_observations(expected, observations_in_process(changed, solution))


def assert_cells_right_under_the_defaults(solution: Exercise, cells: dict[str, str]) -> None:
    """`assert_right_under_the_defaults` for whole answer cells (by cell id) run again on
    the solution's namespace; wrap it in `mlflow_in` when the setup logs to MLflow."""
    solved = run_with_defaults(solution, solution_answers(solution))
    expected = observations_in_process(solved, solution)
    changed = with_cells_replaced(solved, cells)
    assert_same_observations(expected, observations_in_process(changed, solution))


class LessonRoundTrip:
    """The round trip every lesson from 05 on shares, as tests of one class per lesson.

    A lesson's `TestLessonNN(LessonRoundTrip)` sets what differs: the lesson, its points,
    its CHANGES (one 'wrong-qN' per question, at least one 'hard-coded-qN'), the hidden
    test a hard-coded answer fails and how its feedback starts, and the parameters grading
    must change; it adds the tests only its lesson needs. One grading batch per class."""

    LESSON_ID: str
    POINTS: dict[str, float]
    CHANGES: dict[str, Change]
    HARD_CODED: str  # the case typed in from a default run, e.g. "hard-coded-q4"
    HARD_CODED_FAILS: tuple[str, str]  # (hidden test, how its feedback starts)
    # A public test the hard-coded answer fails too under the grading parameters, when one
    # compares the answer with the world's own values: (test, how its message starts).
    HARD_CODED_PUBLIC_FAILS: tuple[str, str] | None = None
    GRADING_CHANGES: tuple[str, ...]  # parameters grading sets to other values
    # The hard-coded case is checked under the defaults by running only its cell again on
    # the solution's namespace (when no later answer reads what it assigns).
    RERUN_ONLY = False

    @classmethod
    def lesson(cls) -> Lesson:
        return lesson_and_solution(cls.LESSON_ID)[0]

    @classmethod
    def solution(cls) -> Exercise:
        return lesson_and_solution(cls.LESSON_ID)[1]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "case" in metafunc.fixturenames:
            metafunc.parametrize("case", lost_questions(self.CHANGES, self.POINTS))
        if "forgery" in metafunc.fixturenames:
            metafunc.parametrize("forgery", forgeries_for(self.LESSON_ID))

    @pytest.fixture(scope="class")
    @classmethod
    def grades(cls, tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionGrade]:
        # A class method: the fixture runs once per class, not on the instance a test gets.
        folder = tmp_path_factory.mktemp(f"lesson-{cls.LESSON_ID}")
        return grade_round_trip(cls.lesson(), cls.solution(), cls.CHANGES, folder)

    def test_each_submission_loses_exactly_its_wrong_questions(self, grades: dict,
                                                               case: str) -> None:  # fmt: skip
        lost = lost_questions(self.CHANGES, self.POINTS)[case]
        assert_loses_exactly(grades[case], lost, self.POINTS)

    def test_the_solution_is_graded_with_full_marks(self, grades: dict) -> None:
        assert_full_marks(grades["solved"], self.POINTS)

    def test_the_hard_coded_answer_fails_the_hidden_test_that_names_it(self, grades: dict) -> None:
        assert_fails_only(grades[self.HARD_CODED], *self.HARD_CODED_FAILS,
                          public=self.HARD_CODED_PUBLIC_FAILS)

    def test_the_hard_coded_answer_passes_the_hidden_tests_under_the_defaults(self) -> None:
        change = self.CHANGES[self.HARD_CODED]
        assert_right_under_the_defaults(self.solution(), change, rerun_only=self.RERUN_ONLY)

    def test_a_forgery_on_the_untouched_exercise_earns_nothing(self, grades: dict,
                                                               forgery: str) -> None:  # fmt: skip
        assert_forgery_earned_nothing(grades[forgery])

    def test_points_add_up_to_the_lesson(self) -> None:
        assert_points_add_up(self.lesson(), self.solution(), self.POINTS)

    def test_grading_changes_the_parameters_the_answers_depend_on(self) -> None:
        assert_grading_changes(self.lesson(), self.GRADING_CHANGES)
