"""The authoring model: a solution notebook read into questions, answers and tests.

`solutions/<slug>.ipynb` is the single source of truth of an exercise (docs/authoring.md).
Cells carry their role in `metadata["mlops_course"]`; answers sit between nbgrader's
solution markers, hidden tests between its hidden-tests markers. `read_solution` checks
all of that once, at the boundary, so the exercise generator and the grader can trust
the model they get and never re-parse markers on their own terms.

Each test is a top-level `def test_...():` function. The grader runs it as its own cell
(`Test.grading_source`: the tests cell's imports and helpers, the function without its
decorators, the call). A public test decides in the student's kernel (feedback only); a
hidden test only observes, with `observe(value, "label")` or `drive(system, judge=...)`,
and the grader judges those observations in its own process (`grading/judge.py`). So every
hidden test must observe something, and every question needs a hidden test: a question
decided by public tests alone could be passed by a kernel that lies.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mlops_course.classroom.errors import CourseError

METADATA_KEY = "mlops_course"
KERNEL_NAME = "mlops-course"

PROMPT, ANSWER, TESTS, SETUP = "prompt", "answer", "tests", "setup"
ROLES = (PROMPT, ANSWER, TESTS, SETUP)

SOLUTION, HIDDEN_TESTS = "solution", "hidden tests"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_MARKERS = {
    BEGIN_SOLUTION: (SOLUTION, True),
    END_SOLUTION: (SOLUTION, False),
    BEGIN_HIDDEN_TESTS: (HIDDEN_TESTS, True),
    END_HIDDEN_TESTS: (HIDDEN_TESTS, False),
}
_END_OF = {SOLUTION: END_SOLUTION, HIDDEN_TESTS: END_HIDDEN_TESTS}
# A near-miss marker ("# BEGIN SOLUTION") would silently ship the solution to students.
_MARKER_LOOKALIKE = re.compile(r"\b(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS?)\b", re.IGNORECASE)

PUBLIC_TEST_DECORATOR = "public_test"
OBSERVE, DRIVE = "observe", "drive"  # the calls through which a hidden test reports
TEST_PREFIX = "test_"
# Student-side calls a tests cell may end with; they are feedback, not part of grading.
_STUDENT_CALLS = frozenset({"check", "check_all"})
_QUESTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class AuthoringError(CourseError):
    """A solution notebook breaks the authoring format; the message names the file, cell and fix."""


class MarkerError(ValueError):
    """A marker problem inside one cell's source; `read_solution` adds the file and cell."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class MarkedBlock:
    """Lines `begin`..`end` (0-based, both marker lines included) of one cell's source."""

    kind: str  # SOLUTION or HIDDEN_TESTS
    begin: int
    end: int
    indent: str  # the BEGIN marker's indentation, which a stub replacing the block keeps


@dataclass(frozen=True)
class Test:
    """One test function of a question, public (in the exercise) or hidden (solution only)."""

    question: str
    name: str
    source: str  # the `def` without its decorators
    hidden: bool
    prelude: str  # the tests cell's imports, helpers and constants that this test may use
    judge: str = ""  # for a hidden test that drives a system: the judge that scores it

    @property
    def grading_source(self) -> str:
        """The cell the grader runs for this test: it passes if and only if it raises nothing."""
        body = f"{self.prelude}\n\n{self.source}" if self.prelude else self.source
        return f"{body}\n\n{self.name}()\n"


@dataclass(frozen=True)
class Question:
    """A question: its prompt and answer cells, its tests cell, its tests and points."""

    id: str
    points: float
    prompt_cells: tuple[int, ...]
    answer_cells: tuple[int, ...]
    tests_cell: int
    tests: tuple[Test, ...]

    @property
    def public_tests(self) -> tuple[Test, ...]:
        return tuple(test for test in self.tests if not test.hidden)

    @property
    def hidden_tests(self) -> tuple[Test, ...]:
        return tuple(test for test in self.tests if test.hidden)


@dataclass(frozen=True)
class Exercise:
    """A solution notebook, validated: its questions and the role of every cell."""

    path: Path
    notebook: nbformat.NotebookNode
    questions: tuple[Question, ...]
    roles: tuple[str | None, ...]  # per cell index; None for a free (untagged) cell

    @property
    def points(self) -> float:
        return sum(question.points for question in self.questions)

    @property
    def tests(self) -> tuple[Test, ...]:
        return tuple(test for question in self.questions for test in question.tests)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = ", ".join(question.id for question in self.questions)
        raise KeyError(f"{self.path} has no question {question_id!r}; its questions are {known}.")


def marked_blocks(source: str) -> list[MarkedBlock]:
    """Find the solution and hidden-tests blocks of one cell, refusing unbalanced or nested ones."""
    blocks: list[MarkedBlock] = []
    opened: MarkedBlock | None = None
    for number, line in enumerate(source.splitlines()):
        text = line.strip()
        marker = _MARKERS.get(text)
        if marker is None:
            if _MARKER_LOOKALIKE.search(line):
                raise MarkerError(
                    number,
                    f"{text!r} looks like a marker but is not one; write it exactly as "
                    f"{BEGIN_SOLUTION!r}, {END_SOLUTION!r}, {BEGIN_HIDDEN_TESTS!r} or "
                    f"{END_HIDDEN_TESTS!r}, alone on its line",
                )
            continue
        kind, begins = marker
        if begins:
            if opened is not None:
                raise MarkerError(
                    number,
                    f"{text!r} opens a block inside the {opened.kind} block opened on line "
                    f"{opened.begin + 1}; close that one with {_END_OF[opened.kind]!r} first, "
                    "blocks cannot nest",
                )
            indent = line[: len(line) - len(line.lstrip())]
            opened = MarkedBlock(kind, number, -1, indent)
        elif opened is None:
            raise MarkerError(
                number,
                f"{text!r} closes a block that was never opened; add the matching "
                "BEGIN line above it or delete this line",
            )
        elif opened.kind != kind:
            raise MarkerError(
                number,
                f"{text!r} closes a {kind} block but the open block (line "
                f"{opened.begin + 1}) is a {opened.kind} block; close it with "
                f"{_END_OF[opened.kind]!r}",
            )
        else:
            blocks.append(MarkedBlock(kind, opened.begin, number, opened.indent))
            opened = None
    if opened is not None:
        raise MarkerError(
            opened.begin,
            f"the {opened.kind} block opened here is never closed; add "
            f"{_END_OF[opened.kind]!r} after its last line",
        )
    return blocks


def read_solution(path: str | Path) -> Exercise:
    """Read and validate `solutions/<slug>.ipynb`; bad authoring raises one `AuthoringError`."""
    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise AuthoringError(f"{path} does not exist; write the solution notebook first.") from None
    except Exception as exc:  # nbformat raises JSON, validation and version errors alike
        raise AuthoringError(
            f"{path} is not a readable Jupyter notebook ({exc}); re-save it from JupyterLab."
        ) from None
    return parse_solution(notebook, path)


def parse_solution(notebook: nbformat.NotebookNode, path: Path) -> Exercise:
    """Validate an already-loaded solution notebook; `path` only names it in errors."""
    _require_course_kernel(notebook, path)
    parser = _SolutionParser(path)
    for index, cell in enumerate(notebook.cells):
        parser.add(index, cell)
    return Exercise(path, notebook, parser.questions(), tuple(parser.roles))


def _require_course_kernel(notebook: nbformat.NotebookNode, path: Path) -> None:
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != KERNEL_NAME:
        raise AuthoringError(
            f"{path} uses the kernel {kernel!r}; switch it to {KERNEL_NAME!r} (Kernel > Change "
            "Kernel > Python (mlops-course)) so students and the grader run the course environment."
        )


class _QuestionCells:
    def __init__(self, question_id: str, first_cell: int) -> None:
        self.id = question_id
        self.first_cell = first_cell
        self.last_cell = first_cell
        self.prompts: list[int] = []
        self.answers: list[int] = []
        self.tests_cell: int | None = None
        self.points: float = 0.0
        self.tests: tuple[Test, ...] = ()


class _SolutionParser:
    """Walks the cells once, collecting questions and raising at the first broken rule."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.roles: list[str | None] = []
        self.by_id: dict[str, _QuestionCells] = {}
        self.current: str | None = None
        self.test_cells: dict[str, int] = {}

    def fail(self, index: int, message: str) -> AuthoringError:
        return AuthoringError(f"{self.path} cell index {index}: {message}.")

    def add(self, index: int, cell: nbformat.NotebookNode) -> None:
        info = cell.metadata.get(METADATA_KEY)
        role = info.get("role") if isinstance(info, dict) else None
        blocks = self._blocks(index, cell, role)
        self.roles.append(role)
        if info is None:
            if blocks:
                raise self.fail(
                    index,
                    f"this cell holds {blocks[0].kind} markers but has no "
                    f"{METADATA_KEY} role; tag it as an answer or tests cell",
                )
            return
        if not isinstance(info, dict) or role not in ROLES:
            raise self.fail(
                index,
                f'the {METADATA_KEY} metadata needs a "role" out of '
                f"{', '.join(ROLES)}, not {role!r}; fix the cell's metadata",
            )
        if "points" in info and role != TESTS:
            raise self.fail(
                index,
                f"points sit on the tests cell, not on a {role} cell; move "
                '"points" to the question\'s tests cell',
            )
        if role == SETUP:
            self._add_setup(index, info, blocks)
            return
        question = self._question(index, info, role)
        kinds = {block.kind for block in blocks}
        if role == ANSWER:
            self._add_answer(index, cell, question, kinds)
        elif role == TESTS:
            self._add_tests(index, cell, question, info, blocks)
        elif kinds:
            raise self.fail(
                index,
                f"a {role} cell cannot hold markers; put solutions in an "
                "answer cell and hidden tests in a tests cell",
            )
        else:
            question.prompts.append(index)

    def _blocks(self, index: int, cell: nbformat.NotebookNode, role: str | None) -> list:
        try:
            blocks = marked_blocks(cell.source)
        except MarkerError as problem:
            raise self.fail(index, f"line {problem.line + 1}: {problem}") from None
        if blocks and cell.cell_type != "code":
            raise self.fail(
                index,
                f"markers only work in code cells and this is a "
                f"{cell.cell_type} cell; turn it into a code cell or drop the markers",
            )
        if role != TESTS and any(block.kind == HIDDEN_TESTS for block in blocks):
            raise self.fail(
                index,
                f"{BEGIN_HIDDEN_TESTS!r} sits outside a tests cell; move the "
                "hidden tests into the question's tests cell",
            )
        return blocks

    def _add_setup(self, index: int, info: dict, blocks: list) -> None:
        if blocks:
            raise self.fail(
                index,
                "a setup cell cannot hold solution markers; move the solution into an answer cell",
            )
        if "question" in info:
            raise self.fail(
                index,
                'a setup cell belongs to no question; remove its "question" '
                "or give it the role of that question's cell",
            )

    def _question(self, index: int, info: dict, role: str) -> _QuestionCells:
        question_id = info.get("question")
        if not question_id:
            raise self.fail(
                index,
                f'this {role} cell has no question id; add "question": '
                f'"q1" (the question it belongs to) to its {METADATA_KEY} metadata',
            )
        if not isinstance(question_id, str) or not _QUESTION_ID.match(question_id):
            raise self.fail(
                index,
                f"question id {question_id!r} is not a short name; use a "
                'letter followed by letters, digits, - or _ (like "q1")',
            )
        question = self.by_id.get(question_id)
        if question is None:
            question = self.by_id[question_id] = _QuestionCells(question_id, index)
        elif self.current != question_id or question.tests_cell is not None:
            # A question ends with its tests cell, so a later cell with its id is another question.
            raise self.fail(
                index,
                f"question id {question_id!r} was already used by cells "
                f"{question.first_cell}-{question.last_cell}; give this question its "
                "own id, or move the cell above that question's tests cell",
            )
        question.last_cell = index
        self.current = question_id
        return question

    def _add_answer(self, index: int, cell, question: _QuestionCells, kinds: set) -> None:
        name = question.id
        if cell.cell_type != "code":
            raise self.fail(
                index,
                f"the answer cell of {name} is a {cell.cell_type} cell; answers are code cells",
            )
        if SOLUTION not in kinds:
            raise self.fail(
                index,
                f"the answer cell of {name} has no {BEGIN_SOLUTION!r} block; "
                "wrap the solution code in the solution markers",
            )
        question.answers.append(index)

    def _add_tests(self, index: int, cell, question: _QuestionCells, info: dict, blocks) -> None:
        name = question.id
        if cell.cell_type != "code":
            raise self.fail(
                index, f"the tests cell of {name} is a {cell.cell_type} cell; tests are code cells"
            )
        if any(block.kind == SOLUTION for block in blocks):
            raise self.fail(
                index,
                f"the tests cell of {name} holds solution markers; move the "
                "solution into the question's answer cell",
            )
        if not question.answers:
            raise self.fail(
                index,
                f"the tests cell of {name} comes before any answer cell of "
                f"{name}; add an answer cell above it",
            )
        points = info.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
            raise self.fail(
                index,
                f'the tests cell of {name} needs positive "points" in its '
                f'{METADATA_KEY} metadata, not {points!r}; add e.g. "points": 2',
            )
        tests = _TestsCellParser(self, index, name).parse(cell.source, blocks)
        for test in tests:
            if test.name in self.test_cells:
                raise self.fail(
                    index,
                    f"{test.name} is already defined in cell index "
                    f"{self.test_cells[test.name]}; rename one, since every test "
                    "shares the student's kernel",
                )
            self.test_cells[test.name] = index
        question.tests_cell = index
        question.points = points
        question.tests = tests

    def questions(self) -> tuple[Question, ...]:
        result = []
        for question_id, cells in self.by_id.items():
            if cells.tests_cell is None:
                raise self.fail(
                    cells.first_cell,
                    f"question {question_id} has no tests cell; add "
                    f'a code cell with role "tests", question "{question_id}" and '
                    "points, defining at least one test_ function",
                )
            result.append(
                Question(
                    question_id,
                    cells.points,
                    tuple(cells.prompts),
                    tuple(cells.answers),
                    cells.tests_cell,
                    cells.tests,
                )
            )
        return tuple(result)


class _TestsCellParser:
    """Splits one tests cell into test functions and the prelude they may use."""

    def __init__(self, solution: _SolutionParser, index: int, question: str) -> None:
        self.solution = solution
        self.index = index
        self.question = question

    def fail(self, line: int, message: str) -> AuthoringError:
        where = f"line {line} of the tests cell of {self.question}"
        return self.solution.fail(self.index, f"{where}: {message}")

    def parse(self, source: str, blocks: list[MarkedBlock]) -> tuple[Test, ...]:
        try:
            module = ast.parse(source)
        except SyntaxError as exc:
            raise self.fail(
                exc.lineno or 0,
                f"{exc.msg}; fix the Python syntax (tests cells cannot hold IPython magics)",
            ) from None
        lines = source.splitlines()
        # Hidden block line ranges, 1-based like ast, markers excluded.
        hidden_ranges = [(block.begin + 2, block.end) for block in blocks]
        statements = []
        for node in module.body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            hidden = self._is_hidden(first, node.end_lineno or first, hidden_ranges)
            statements.append((node, first, hidden))
        public_prelude = [
            self._text(lines, n, first)
            for n, first, hidden in statements
            if not hidden and self._is_prelude(n)
        ]
        every_prelude = [
            self._text(lines, n, first) for n, first, _ in statements if self._is_prelude(n)
        ]
        tests = []
        for node, _first, hidden in statements:
            if self._is_test(node):
                self._check_signature(node, hidden)
                prelude = "\n\n".join(every_prelude if hidden else public_prelude)
                source = self._text(lines, node, node.lineno)
                judge = self._reporting(node) if hidden else ""
                tests.append(Test(self.question, node.name, source, hidden, prelude, judge))
            elif not self._is_prelude(node) and not self._is_student_call(node):
                raise self.fail(
                    node.lineno,
                    "a tests cell holds only imports, constants, helper "
                    "functions, test_ functions and a check() call; move this "
                    "statement into a test function",
                )
        if not any(test.hidden for test in tests):
            raise self.fail(
                1,
                f"{self.question} has no hidden test; add one between the hidden-tests "
                "markers that observes the answer, since public tests run in the student's "
                "kernel and cannot earn points on their own",
            )
        if not any(not test.hidden for test in tests):
            raise self.fail(
                1,
                f"{self.question} has no public test; define at least one "
                f'@{PUBLIC_TEST_DECORATOR}("{self.question}") def test_...() '
                "outside the hidden-tests markers",
            )
        return tuple(tests)

    def _reporting(self, node: ast.FunctionDef) -> str:
        """Check that a hidden test observes; returns its judge if it drives a system."""
        calls = [
            call for call in ast.walk(node)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id in (OBSERVE, DRIVE)
        ]  # fmt: skip
        drives = [call for call in calls if call.func.id == DRIVE]  # type: ignore[attr-defined]
        if not calls:
            raise self.fail(
                node.lineno,
                f"hidden test {node.name} observes nothing; a hidden test decides nothing "
                f'in the student\'s kernel, so report the values with observe(value, "label") '
                "(or drive(system, judge=...)) and let the grader compare them",
            )
        if not drives:
            return ""
        judges = [kw.value.value for call in drives for kw in call.keywords
                  if kw.arg == "judge" and isinstance(kw.value, ast.Constant)
                  and isinstance(kw.value.value, str)]  # fmt: skip
        if len(drives) > 1 or len(judges) != 1 or len(calls) > 1:
            raise self.fail(
                node.lineno,
                f"hidden test {node.name} drives a system; it makes exactly one call, "
                'drive(system, judge="name"), with the judge named by a string',
            )
        return judges[0]

    def _is_hidden(self, first: int, last: int, ranges: list[tuple[int, int]]) -> bool:
        for begin, end in ranges:
            if begin <= first and last <= end:
                return True
            if begin <= last and first <= end:
                raise self.fail(
                    first,
                    "this statement straddles a hidden-tests marker; put the "
                    "markers around whole top-level functions",
                )
        return False

    @staticmethod
    def _text(lines: list[str], node: ast.stmt, first: int) -> str:
        return "\n".join(lines[first - 1 : node.end_lineno])

    @staticmethod
    def _is_test(node: ast.stmt) -> bool:
        is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        return is_function and node.name.startswith(TEST_PREFIX)

    @staticmethod
    def _is_prelude(node: ast.stmt) -> bool:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return not node.name.startswith(TEST_PREFIX)
        definitions = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.Assign, ast.AnnAssign)
        return isinstance(node, definitions)

    @staticmethod
    def _is_student_call(node: ast.stmt) -> bool:
        call = node.value if isinstance(node, ast.Expr) else None
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id in _STUDENT_CALLS
        )

    def _check_signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef, hidden: bool) -> None:
        if isinstance(node, ast.AsyncFunctionDef):
            raise self.fail(node.lineno, f"{node.name} is async; tests are plain functions")
        arguments = node.args
        if (
            arguments.args
            or arguments.posonlyargs
            or arguments.kwonlyargs
            or arguments.vararg
            or arguments.kwarg
        ):
            raise self.fail(
                node.lineno,
                f"{node.name} takes arguments; tests take none, "
                f"because the grader calls {node.name}()",
            )
        if hidden:
            if node.decorator_list:
                raise self.fail(
                    node.lineno,
                    f"hidden test {node.name} has a decorator; hidden "
                    "tests are plain functions, the grader runs them as they are",
                )
            return
        expected = f'@{PUBLIC_TEST_DECORATOR}("{self.question}")'
        if [self._decorated_question(d) for d in node.decorator_list] != [self.question]:
            raise self.fail(
                node.lineno,
                f"public test {node.name} needs exactly the decorator "
                f'{expected}, so that check("{self.question}") runs it',
            )

    @staticmethod
    def _decorated_question(decorator: ast.expr) -> str | None:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Name)
            and decorator.func.id == PUBLIC_TEST_DECORATOR
            and len(decorator.args) == 1
            and not decorator.keywords
            and isinstance(decorator.args[0], ast.Constant)
        ):
            return decorator.args[0].value
        return None
