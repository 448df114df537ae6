"""Plant one fault of each kind in a fresh clone and show which checks of the suite catch it.

    .venv/bin/python tests/plant_faults.py [FAULT ...]   (e.g. widget_that_fails_to_render)

For each fault (and for a control with none), the committed course is cloned into a
temporary folder, the fault is planted in lesson 00, and the checks `make test` runs are
run there, limited to lesson 00 so the demonstration takes minutes, not an hour: the sync
check, the store check, nbval on the walkthrough, the lesson's round trip and its three
notebooks in JupyterLab in Chromium. The control must pass every check, each fault must
fail at least one; the table it prints is recorded in docs/performance.md. The clones
import the package of this checkout's .venv; no fault touches src/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
BIN = REPOSITORY / ".venv" / "bin"
SLUG = "00-mlops-lifecycle"
WALKTHROUGH = Path("notebooks") / f"{SLUG}.ipynb"
SOLUTION = Path("solutions") / f"{SLUG}.ipynb"
EXERCISE = Path("exercises") / f"{SLUG}.ipynb"
ENVIRONMENT = {
    "MLOPS_COURSE_STATIC": "1",
    "OMP_NUM_THREADS": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "CI": "true",  # the Makefile's TEST_ENV
}

# check -> the command make test runs for it, limited to lesson 00.
CHECKS = {
    "assign --check": [str(BIN / "mlops-course"), "assign", "--check"],
    "store --check": [str(BIN / "mlops-course"), "store", "--check"],
    "nbval": [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "--nbval", str(WALKTHROUGH)],
    "round trip": [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "tests/test_lesson_00.py"],
    "browser": [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "tests/test_browser_lab.py",
                "-k", SLUG],
}  # fmt: skip


def edit_notebook(path: Path, edit: Callable[[dict], None]) -> None:
    notebook = json.loads(path.read_text())
    edit(notebook)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"plant_faults: {old!r} is no longer in the lesson once; update the fault")
    return text.replace(old, new)


def stale_stored_output(clone: Path) -> None:
    """A stored output no longer what the walkthrough prints (one digit of a count)."""

    def edit(notebook: dict) -> None:
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", []))
                if "orders over 180 days" in text:
                    output["text"] = [replace_once(text, "53,993 orders", "53,994 orders")]
                    return
        raise SystemExit("plant_faults: the walkthrough no longer prints its order count")

    edit_notebook(clone / WALKTHROUGH, edit)


def exercise_out_of_sync(clone: Path) -> None:
    """The exercise edited by hand: its first prompt says one word more than the solution's."""

    def edit(notebook: dict) -> None:
        prompt = next(cell for cell in notebook["cells"] if cell["cell_type"] == "markdown")
        prompt["source"] = ["".join(prompt["source"]) + " Good luck!"]

    edit_notebook(clone / EXERCISE, edit)


def wrong_solution(clone: Path) -> None:
    """An off-by-one in the solution of q1 (the training days include day `train_days`),
    with the exercise regenerated, as an author would."""

    def edit(notebook: dict) -> None:
        cell = next(cell for cell in notebook["cells"] if cell.get("id") == "q1-answer")
        source = "".join(cell["source"])
        cell["source"] = [replace_once(source, "late_share(orders, 0, train_days - 1)",
                                       "late_share(orders, 0, train_days)")]

    edit_notebook(clone / SOLUTION, edit)
    run([str(BIN / "mlops-course"), "assign", "00"], clone, check=True)


def widget_that_fails_to_render(clone: Path) -> None:
    """A last walkthrough cell whose control's view the front end does not have, shown
    through `explore` (static runs render once without it) and stored with `mlops-course
    store` like any walkthrough: only JupyterLab can tell."""
    source = (
        "import ipywidgets\n"
        "from mlops_course.widgets import explore\n\n"
        "gauge = ipywidgets.IntSlider(value=3, min=0, max=10)\n"
        'gauge._view_name = "GaugeView"  # no such view in @jupyter-widgets/controls\n'
        "explore(lambda level: print(f'level {level}'), level=gauge)"
    )

    def edit(notebook: dict) -> None:
        notebook["cells"].append({"cell_type": "code", "execution_count": None,
                                  "id": "planted-widget", "metadata": {}, "outputs": [],
                                  "source": [source]})  # fmt: skip

    edit_notebook(clone / WALKTHROUGH, edit)
    # Stored as an author stores a walkthrough, so only the browser can tell.
    run([str(BIN / "mlops-course"), "store", "00"], clone, check=True)


FAULTS: dict[str, Callable[[Path], None] | None] = {
    "none (control)": None,
    "a stale stored output": stale_stored_output,
    "an exercise out of sync": exercise_out_of_sync,
    "a wrong solution": wrong_solution,
    "a widget that fails to render": widget_that_fails_to_render,
}


def run(command: list[str], cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    environment = os.environ | ENVIRONMENT | {"MLOPS_COURSE_ROOT": str(cwd)}
    environment.pop("MLFLOW_TRACKING_URI", None)
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(
            f"plant_faults: {' '.join(command)} failed:\n{result.stdout}{result.stderr}"
        )
    return result


def failing_summary(result: subprocess.CompletedProcess) -> str:
    """'passes', or 'fails' with the first failing test or message line."""
    if result.returncode == 0:
        return "passes"
    lines = (result.stdout + result.stderr).splitlines()
    failed = [line.split(" - ")[0].removeprefix("FAILED ").removeprefix("ERROR ")
              for line in lines if line.startswith(("FAILED ", "ERROR "))]  # fmt: skip
    if failed:
        return f"**fails**: {len(failed)} test(s), e.g. `{failed[0].split('::')[-1]}`"
    first = next((line for line in lines if line.strip()), "")
    return f"**fails**: {first.strip()[:90]}"


def main(only: list[str]) -> int:
    """Plant every fault (or those whose function names are in `only`, plus the control)."""
    faults = {fault: plant for fault, plant in FAULTS.items()
              if not only or plant is None or plant.__name__ in only}  # fmt: skip
    rows, wrong = [], []
    with tempfile.TemporaryDirectory(prefix="mlops-faults-") as scratch:
        for index, (fault, plant) in enumerate(faults.items()):
            clone = Path(scratch) / f"clone-{index}"
            run(["git", "clone", "-q", str(REPOSITORY), str(clone)], REPOSITORY, check=True)
            if plant:
                plant(clone)
            verdicts = {
                name: failing_summary(run(command, clone)) for name, command in CHECKS.items()
            }
            caught = [name for name, verdict in verdicts.items() if verdict != "passes"]
            if (plant is None) == bool(caught):
                wrong.append(fault)
            rows.append((fault, verdicts))
            print(
                f"{fault}: caught by {', '.join(caught) or 'nothing'}", file=sys.stderr, flush=True
            )
    print("| planted in lesson 00 | " + " | ".join(CHECKS) + " |")
    print("|---|" + "---|" * len(CHECKS))
    for fault, verdicts in rows:
        print(f"| {fault} | " + " | ".join(verdicts[name] for name in CHECKS) + " |")
    if wrong:
        print(f"\nnot as expected: {', '.join(wrong)}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
