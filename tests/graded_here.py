"""Grade a submission in this process: the grader's own notebook, scoring and judge, with
`exec` in place of the sandboxed kernel.

A round trip grades every case in a real kernel but the known-wrong answers: each of
those would pay a kernel start and the imports of pandas, scikit-learn and MLflow (4-5 s
of CPU) only to show that one question's tests fail. Here the grader builds the graded
notebook itself (`build_graded_notebook`: papermill's injected parameters, the grader's
fresh-helpers cell, the grading parameters again, every test in question order), its
cells run one after the other in one namespace, each cell's reply and observations go
into a `RunRecord`, and `score_tests`/`score_questions` score it against the reference
the batch's kernel run of the solution stored in the gradebook. What a kernel does and
`exec` does not (display of a last expression, magics, interrupts, the sandbox) decides
nothing a test checks: the cells' replies and observations are the whole verdict.

What a run leaves in this process is put back: the environment (a grading kernel's own,
`sandbox.kernel_environment`, during the run), the working folder, MLflow's tracking URI
and active experiment, warning filters, sys.path, the course package's modules (the
fresh-helpers cell imports them anew) and modules imported from the run's folder.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from nbformat import NotebookNode

from mlops_course.classroom.authoring.observe import MIME_TYPE
from mlops_course.classroom.grading.batch import load_job
from mlops_course.classroom.grading.cell_runner import CellReply, RunRecord
from mlops_course.classroom.grading.grade import GradingJob, build_graded_notebook
from mlops_course.classroom.grading.gradebook import Gradebook
from mlops_course.classroom.grading.reference import reference_key
from mlops_course.classroom.grading.results import GRADED, SubmissionGrade
from mlops_course.classroom.grading.sandbox import kernel_environment, prepare_workdir
from mlops_course.classroom.grading.scoring import Reference, score_questions, score_tests

PACKAGE = "mlops_course"


def job_with_kernel_reference(lesson_id: str, solution: Path, gradebook: Path,
                              root: Path) -> GradingJob:  # fmt: skip
    """The lesson's grading job with the reference its batch stored: the solution's
    observations from a real kernel, under the grading parameters."""
    job = load_job(lesson_id, root)
    key = reference_key(job, solution.read_bytes())
    with Gradebook(gradebook) as book:
        stored = book.reference(key)
    assert stored is not None, f"{gradebook} holds no reference run of {solution.name}"
    return dataclasses.replace(job, reference=Reference.from_json(key, stored))


def grade_here(job: GradingJob, notebook: NotebookNode, name: str,
               workdir: Path) -> SubmissionGrade:  # fmt: skip
    """Grade `notebook` (a filled-in exercise) in this process, as the grader scores a
    kernel's run; `workdir` becomes the run's working folder, laid out as a kernel's."""
    graded, placed = build_graded_notebook(job, notebook, canaries=False)
    record = run_cells_here(graded.cells, workdir)
    grade = SubmissionGrade(name, job.lesson, GRADED, "", job.max_score)
    grade.tests = score_tests(placed, record, job.judging)
    grade.questions = score_questions(job.questions, grade.tests)
    return grade


def run_cells_here(cells: list[NotebookNode], workdir: Path) -> RunRecord:
    """Every code cell run in order in one namespace, as a kernel with `allow_errors` runs
    them: each cell's reply (ok, or the exception's name and message) and observations."""
    record = RunRecord()
    observed: list = []

    def display(*objects: object, raw: bool = False, **_: object) -> None:
        # An observation leaves a kernel as a raw display bundle of its own MIME type;
        # anything else a cell displays is output nobody grades.
        for bundle in objects:
            if raw and isinstance(bundle, dict) and MIME_TYPE in bundle:
                observed.append(bundle[MIME_TYPE])

    # IPython gives every kernel `display` as a builtin; a cell may call it unimported.
    namespace: dict = {"__name__": "__main__", "display": display}
    with kernel_like(workdir), mock.patch("IPython.display.display", display):
        for index, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            observed = record.observations.setdefault(index, [])
            try:
                exec(compile(cell.source, f"<cell {index}>", "exec"), namespace)
            except Exception as error:  # noqa: BLE001 - the kernel's reply, as a kernel sends it
                reply = CellReply("error", type(error).__name__, str(error)[:500])
            else:
                reply = CellReply("ok")
            record.replies[index] = reply
    return record


@contextmanager
def mlflow_and_environment_restored() -> Iterator[None]:
    """This process's environment and MLflow's globals (tracking URI, active experiment, no
    run left open) as the block found them, whatever it set."""
    import mlflow
    import mlflow.tracking.fluent
    from mlflow.tracking._tracking_service import utils

    environment = dict(os.environ)
    tracking_uri, experiment_id = utils._tracking_uri, mlflow.tracking.fluent._active_experiment_id
    try:
        yield
    finally:
        while mlflow.active_run():
            mlflow.end_run()
        mlflow.set_tracking_uri(tracking_uri)  # (None unsets the variable: restored below)
        mlflow.tracking.fluent._active_experiment_id = experiment_id
        os.environ.clear()
        os.environ.update(environment)


@contextmanager
def kernel_like(workdir: Path) -> Iterator[None]:
    """This process made to look like a grading kernel in `workdir`, and put back after."""
    import matplotlib.pyplot as plt
    import mlflow
    import mlflow.tracking.fluent

    prepare_workdir(workdir, uid=None)
    cwd, path = Path.cwd(), list(sys.path)
    package = {name: module for name, module in sys.modules.items() if _in_package(name)}
    with mlflow_and_environment_restored():
        # The store is the kernel's (MLFLOW_TRACKING_URI): forget the one this process chose.
        mlflow.set_tracking_uri(None)
        mlflow.tracking.fluent._active_experiment_id = None
        os.environ.clear()
        os.environ.update(kernel_environment(workdir))
        os.chdir(workdir)
        sys.path.insert(0, str(workdir))  # a kernel imports modules from its working folder
        try:
            with warnings.catch_warnings():
                yield
        finally:
            plt.close("all")
            os.chdir(cwd)
            sys.path[:] = path
            for name, module in list(sys.modules.items()):
                if _in_package(name) or _from_folder(module, workdir):
                    del sys.modules[name]
            sys.modules.update(package)


def _in_package(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def _from_folder(module: object, folder: Path) -> bool:
    file = getattr(module, "__file__", None)
    return bool(file) and Path(file).resolve().is_relative_to(folder.resolve())
