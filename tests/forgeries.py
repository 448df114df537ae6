"""Forgeries: one cell of student code that tries to fake the grader's verdicts.

Each is appended as the last cell of an exercise. In a grader that takes a test's verdict
from its cell's execute reply, each of them earns full marks: it makes every later cell
(the grader's tests among them) run as `pass`, or report success whatever happened. Our
grader judges observations outside the kernel and places canaries among the tests, so
each must score 0, and those that fake replies must be flagged `tampered`.

The first seven (`MEASURED`) are the ones measured against the old grader, tried as a
student would from IPython's documentation: each lesson's round trip grades one of them on
its own exercise, the next one per lesson, so the written lessons together grade all seven
(`lesson_round_trip.forgeries_for`). The rest were found on the way; the fixture course's
hostile suite grades all of them.
"""

from __future__ import annotations

FORGERIES = {
    "forges-input-transformers": (
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"
    ),
    "forges-ast-transformers": """\
import ast


class Nothing(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Pass()], type_ignores=[])


get_ipython().ast_transformers.append(Nothing())
""",
    "forges-execution-result": """\
from IPython.core.interactiveshell import ExecutionResult

ExecutionResult.success = property(lambda self: True)
ExecutionResult.raise_error = lambda self: None
""",
    "forges-run-cell": """\
shell = get_ipython()
real_run_cell = shell.run_cell
shell.run_cell = lambda raw_cell, *args, **kwargs: real_run_cell("pass", *args, **kwargs)
""",
    "forges-run-cell-on-the-class": """\
from IPython.core.interactiveshell import InteractiveShell

real_run_cell = InteractiveShell.run_cell
InteractiveShell.run_cell = lambda self, raw_cell, *a, **k: real_run_cell(self, "pass", *a, **k)
""",
    "forges-do-execute": """\
import ipykernel.ipkernel

real_do_execute = ipykernel.ipkernel.IPythonKernel.do_execute


def do_execute(self, code, *args, **kwargs):
    return real_do_execute(self, "pass", *args, **kwargs)


ipykernel.ipkernel.IPythonKernel.do_execute = do_execute
""",
    "forges-input-transformers-obfuscated": """\
shell = globals()["get_" + "ipython"]()
getattr(shell, "input_transformers_" + "cleanup").append(lambda lines: ["pass\\n"])
""",
    "forges-input-transformers-post": (
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"
    ),
    "forges-custom-exception-handler": """\
def swallow(shell, etype, evalue, tb, tb_offset=None):
    return None


get_ipython().set_custom_exc((BaseException,), swallow)
""",
    # Knows the protocol: lets every cell run, then answers ok and sends plausible values.
    "forges-observations": """\
from IPython.core.interactiveshell import ExecutionResult, InteractiveShell
from IPython.display import display

MIME = "application/vnd.mlops-course.observation+json"
real_run_cell = InteractiveShell.run_cell


def run_cell(self, raw_cell, *args, **kwargs):
    result = real_run_cell(self, raw_cell, *args, **kwargs)
    if "observe(" in raw_cell:
        for label in ("late_share", "late_rate", "value", "decision"):
            display({MIME: {"label": label, "value": 0.5, "rtol": 1.0, "atol": 1.0}}, raw=True)
    result.error_before_exec = result.error_in_exec = None
    return result


InteractiveShell.run_cell = run_cell
ExecutionResult.success = property(lambda self: True)
""",
    # Rewrites how an assertion fails, so a failing test would look like a pass.
    "forges-assertion-error": """\
import builtins


class Quiet(Exception):
    pass


builtins.AssertionError = Quiet
get_ipython().set_custom_exc((Quiet, NotImplementedError), lambda *args, **kwargs: None)
""",
}

MEASURED = tuple(list(FORGERIES)[:7])
