"""The `mlops-course` command: a thin layer that parses, calls one API function, prints.

Each subcommand is an `add_<name>(commands)` that declares its arguments and a handler
`<name>(args) -> exit status` that calls one function of the classroom API. Bad input
from our API (a CourseError) is printed as one line `mlops-course: error: …` with exit
status 2, like argparse's own usage errors; a failing notebook gives exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mlops_course import __version__
from mlops_course.classroom.catalog import Lesson, load_catalog
from mlops_course.classroom.errors import CourseError
from mlops_course.classroom.running.execute import DEFAULT_TIMEOUT_PER_CELL
from mlops_course.classroom.running.reporting import progress_line, summary
from mlops_course.classroom.text import display_path, format_table
from mlops_course.paths import CourseRootNotFound

# assign, store and release import nbformat (about a second with jsonschema); their
# handlers import them, so `mlops-course list` and `--help` start at once.
if TYPE_CHECKING:
    from mlops_course.classroom.running.store import StoreResult

PROG = "mlops-course"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CourseError, CourseRootNotFound) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Run, assign and grade the notebooks of the MLOps course."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add_command in SUBCOMMANDS:
        add_command(commands)
    return parser


def add_list(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("list", help="show the lessons with their status and points")
    parser.set_defaults(handler=list_lessons)


def list_lessons(args: argparse.Namespace) -> int:
    course = load_catalog()
    rows = [(lesson.id, lesson.title, lesson.status, lesson.points) for lesson in course.lessons]
    print(format_table(("id", "title", "status", "points"), rows))
    return EXIT_OK


def add_run(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="execute lessons' notebooks with papermill, each recorded as an MLflow run",
        description="Execute lesson notebooks into runs/<timestamp>/ (default: every "
        "written lesson) and record each execution in MLflow's 'course-runs' experiment.",
    )
    parser.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson id or slug")
    parser.add_argument("--all", action="store_true", help="every written lesson")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        dest="parameters",
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter (repeatable); the value is converted to its type",
    )
    parser.add_argument(
        "-j", "--jobs", type=_positive(int), default=1, help="worker processes (default: 1)"
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=DEFAULT_TIMEOUT_PER_CELL,
        metavar="SECONDS",
        help=f"per-cell time limit (default: {DEFAULT_TIMEOUT_PER_CELL:g})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mlops_course.classroom.running.runner import run_lessons

    if args.all and args.lessons:
        raise CourseError("give lesson ids or --all, not both.")
    report = run_lessons(
        args.lessons or None,
        dict(args.parameters),
        jobs=args.jobs,
        timeout_per_cell=args.timeout,
        on_finished=lambda done, total, run: print(
            progress_line(done, total, run), file=sys.stderr, flush=True
        ),
    )
    print(summary(report))
    return EXIT_OK if report.ok else EXIT_FAILED


def add_assign(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "assign",
        help="generate exercises/ from solutions/, or check that they are in sync",
        description="Write exercises/<slug>.ipynb from solutions/<slug>.ipynb (default: every "
        "lesson that has a solution). With --check, write nothing and exit 1 naming each "
        "lesson whose exercise is missing, stale or edited by hand.",
    )
    parser.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson id or slug")
    parser.add_argument(
        "--check", action="store_true", help="only report exercises out of sync (for CI)"
    )
    parser.set_defaults(handler=assign_exercises)


def assign_exercises(args: argparse.Namespace) -> int:
    from mlops_course.classroom.authoring.assign import assign, check_assignments

    if not args.check:
        for path in assign(args.lessons or None):
            print(f"wrote {path}")
        return EXIT_OK
    if args.lessons:
        raise CourseError("assign --check checks every lesson; give no lesson ids with it.")
    course = load_catalog()
    out_of_sync = [course.lesson(lesson_id) for lesson_id in check_assignments()]
    for lesson in out_of_sync:
        exercise, solution = (
            path.relative_to(course.root) for path in (lesson.exercise, lesson.solution)
        )
        problem = (
            f"differs from what {solution} generates (stale or edited by hand)"
            if lesson.exercise.is_file()
            else "is missing"
        )
        print(
            f"lesson {lesson.id}: {exercise} {problem}; run `{PROG} assign {lesson.id}` "
            "and commit it.",
            file=sys.stderr,
        )
    if not out_of_sync:
        print("every exercise is in sync with its solution")
    return EXIT_FAILED if out_of_sync else EXIT_OK


def add_store(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "store",
        help="re-execute walkthroughs and store their outputs diff-clean, or check them",
        description="Re-execute notebooks/<slug>.ipynb statically (MLOPS_COURSE_STATIC=1) with "
        "its own default parameters, strip papermill's and nbclient's run metadata and the "
        "ipywidgets state, and replace the committed notebook only if the run succeeded. "
        "With --check, execute nothing and exit 1 naming each walkthrough (default: every "
        "written lesson) that is not stored clean.",
    )
    parser.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson id or slug")
    parser.add_argument("--all", action="store_true", help="every written lesson")
    parser.add_argument(
        "--check", action="store_true", help="only report notebooks not stored clean (for CI)"
    )
    parser.set_defaults(handler=store)


def store(args: argparse.Namespace) -> int:
    from mlops_course.classroom.running.store import store_lessons

    if args.all and args.lessons:
        raise CourseError("give lesson ids or --all, not both.")
    if args.check:
        return _check_stored(args.lessons or None)
    if not (args.all or args.lessons):
        raise CourseError(
            "give lesson ids or --all; store rewrites committed notebooks, so it picks none "
            "by itself."
        )
    stored = store_lessons(args.lessons or None, on_finished=_print_stored)
    failed = sum(not result.ok for _, result in stored)
    if failed:
        print(f"{failed} of {len(stored)} notebooks not stored", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _print_stored(lesson: Lesson, result: StoreResult) -> None:
    shown = display_path(result.notebook)
    if result.ok:
        done = "stored" if result.changed else "unchanged (already stored as this run gives it)"
        print(f"lesson {lesson.id}: {shown} {done} ({result.duration:.1f} s)", flush=True)
        return
    if result.error is not None:
        reason = f"it failed in {result.error}"
    else:
        # Only problems that storing cannot fix survive a successful run and cleaning.
        reason = "the run left a notebook that " + "; it also ".join(
            f"{problem.what}: {problem.fix}" if problem.fix else problem.what
            for problem in result.problems
        )
    print(
        f"lesson {lesson.id}: {shown} not stored, {reason}; the committed notebook is unchanged.",
        file=sys.stderr,
        flush=True,
    )


def _check_stored(lesson_ids: list[str] | None) -> int:
    from mlops_course.classroom.running.store_check import check_stored

    checked = check_stored(lesson_ids)
    for lesson, problems in checked.items():
        for problem in problems:
            print(
                f"lesson {lesson.id}: {display_path(lesson.notebook)} {problem.what}; "
                f"{problem.fix or f'run `{PROG} store {lesson.id}` and commit it'}.",
                file=sys.stderr,
            )
    if any(checked.values()):
        return EXIT_FAILED
    count = f"{len(checked)} notebook{'s' if len(checked) != 1 else ''}"
    print(f"every checked walkthrough is stored clean ({count})")
    return EXIT_OK


def add_release(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "release",
        help="write the student bundle (no solutions, no tests) into DIR",
        description="Write what students get - README, Makefile, pyproject, requirements, "
        "course (without instructor notes), notebooks, exercises, the package - into DIR, "
        "a new or empty folder outside the repository.",
    )
    parser.add_argument("dest", metavar="DIR", help="a new or empty folder outside the repo")
    parser.set_defaults(handler=release_bundle)


def release_bundle(args: argparse.Namespace) -> int:
    from mlops_course.classroom.authoring.release import release

    files = release(args.dest)
    print(f"wrote the student bundle ({len(files)} files) to {args.dest}")
    return EXIT_OK


def add_grade(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "grade",
        help="grade a lesson's submissions in the sandbox into an SQLite gradebook",
        description="Grade SUBMISSIONS (a folder of <student_id>/<exercise file> or an LMS "
        "zip) for LESSON with its grading parameters, each notebook in a fresh sandboxed "
        "kernel. A rerun skips submissions already graded with identical content.",
    )
    parser.add_argument("lesson", metavar="LESSON", help="lesson id or slug")
    parser.add_argument("submissions", metavar="SUBMISSIONS", help="folder or zip")
    parser.add_argument("--gradebook", required=True, metavar="PATH", help="SQLite gradebook")
    parser.add_argument("--csv", metavar="PATH", help="also write the lesson's grades as CSV")
    parser.add_argument("--feedback", metavar="DIR", help="write one HTML page per student")
    parser.add_argument(
        "-j", "--jobs", type=_positive(int), default=1, help="worker processes (default: 1)"
    )
    parser.add_argument("--dask", metavar="ADDRESS", help="grade on this Dask scheduler instead")
    parser.set_defaults(handler=grade)


def grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlops_course.classroom.grading.batch import grade_lesson
    from mlops_course.classroom.grading.grade_report import summary_table
    from mlops_course.classroom.grading.results import ERROR, TAMPERED

    result = grade_lesson(
        args.lesson,
        Path(args.submissions),
        Path(args.gradebook),
        jobs=args.jobs,
        dask_address=args.dask,
        feedback_dir=Path(args.feedback) if args.feedback else None,
        csv_path=Path(args.csv) if args.csv else None,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(summary_table(result.lesson_grades))
    print(f"graded {len(result.graded)}, skipped {len(result.skipped)} unchanged")
    for passed_over in result.passed_over:
        print(f"passed over {passed_over}")
    for tampered in (g for g in result.graded if g.status == TAMPERED):
        print(f"review {tampered.student_id!r}: {tampered.reason}")
    for label, path in (("csv", result.csv_path), ("plot", result.plot_path)):
        if path is not None:
            print(f"{label}: {path}")
    return EXIT_FAILED if any(g.status == ERROR for g in result.graded) else EXIT_OK


def add_tracking_server(commands: argparse._SubParsersAction) -> None:
    from mlops_course.classroom.tracking_server import DEFAULT_HOST, DEFAULT_PORT

    parser = commands.add_parser(
        "tracking-server",
        help="run a shared MLflow tracking server for a class (until Ctrl-C)",
        description="Start `mlflow server` with one MLflow workspace per student: SQLite "
        "(default: runs/tracking-server/) or PostgreSQL for runs, artifacts proxied through "
        "the server. Students set MLFLOW_TRACKING_URI to its URL and MLFLOW_WORKSPACE to "
        "their id; their lessons then log there, each in their own workspace.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"interface (default: {DEFAULT_HOST}; 0.0.0.0: all)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="folder of mlflow.db and mlartifacts/ (default: runs/tracking-server/)",
    )
    parser.add_argument(
        "--backend-store-uri",
        metavar="URI",
        help="keep runs in this sqlite:/// or postgresql://user:password@host/db database instead",
    )
    parser.add_argument(
        "--artifacts-destination",
        metavar="URI",
        help="keep artifacts in this folder or s3:// or gs:// URI instead",
    )
    parser.add_argument("--workers", type=_positive(int), help="server worker processes")
    parser.add_argument(
        "--allowed-hosts",
        metavar="HOSTS",
        help="the host names students use to reach it, "
        "comma-separated (MLflow refuses names other than localhost and private IPs)",
    )
    parser.set_defaults(handler=tracking_server)


def tracking_server(args: argparse.Namespace) -> int:
    from mlops_course.classroom.tracking_server import server_settings, start_tracking_server

    settings = server_settings(
        host=args.host,
        port=args.port,
        store=args.store,
        backend_store_uri=args.backend_store_uri,
        artifacts_destination=args.artifacts_destination,
        workers=args.workers,
        allowed_hosts=args.allowed_hosts,
    )
    server = start_tracking_server(settings)
    print(
        f"MLflow tracking server on {settings.url} (runs: {settings.backend_store_uri}, "
        f"artifacts: {settings.artifacts_destination}).\n"
        f"Each student sets: MLFLOW_TRACKING_URI={settings.student_url} "
        "MLFLOW_WORKSPACE=<their id: lowercase letters, digits, hyphens>\n"
        "Press Ctrl-C to stop it.",
        flush=True,
    )
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        server.stop()


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: a number of `kind` greater than zero."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    return parse


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_list,
    add_run,
    add_assign,
    add_store,
    add_release,
    add_grade,
    add_tracking_server,
]

if __name__ == "__main__":
    sys.exit(main())
