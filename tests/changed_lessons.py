"""Print the pytest arguments for the lessons changed since a git ref (default: main).

`make check` runs them: for each lesson whose own files changed (its walkthrough,
solution, exercise, instructor notes or round trip, committed since the ref or not yet
committed), its round trip `tests/test_lesson_NN.py` and its walkthrough under nbval.
Prints nothing when no lesson changed, and no git (a student bundle) counts as none.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from suite_parts import lesson_of

REPOSITORY = Path(__file__).resolve().parent.parent


def changed_files(ref: str) -> set[str]:
    commands = (["git", "diff", "--name-only", f"{ref}...HEAD"],
                ["git", "diff", "--name-only", "HEAD"],
                ["git", "ls-files", "--others", "--exclude-standard"])  # fmt: skip
    found: set[str] = set()
    for command in commands:
        try:
            result = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
        except OSError:
            return set()
        if result.returncode == 0:
            found.update(line for line in result.stdout.splitlines() if line)
    return found


def lesson_arguments(files: set[str]) -> list[str]:
    lessons = sorted({lesson for file in files if (lesson := lesson_of(file))})
    arguments = []
    for lesson in lessons:
        round_trip = REPOSITORY / "tests" / f"test_lesson_{lesson}.py"
        if round_trip.exists():
            arguments.append(str(round_trip.relative_to(REPOSITORY)))
        arguments += [str(path.relative_to(REPOSITORY))
                      for path in sorted((REPOSITORY / "notebooks").glob(f"{lesson}-*.ipynb"))]
    return arguments


if __name__ == "__main__":
    print(" ".join(lesson_arguments(changed_files(sys.argv[1] if len(sys.argv) > 1 else "main"))))
