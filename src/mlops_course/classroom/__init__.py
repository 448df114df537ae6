"""The teaching machinery: three rooms and a front door, split as instructors split their work.

- `authoring/` turns solutions into exercises and student bundles; it also holds what runs
  in a student's kernel: `check("q1")` (public tests) and `observe`/`drive` (hidden tests),
  which this package re-exports for the exercises' setup cells and the hidden tests.
- `running/` executes notebooks with papermill and stores walkthrough outputs.
- `grading/` grades batches of untrusted submissions in a sandbox.

The catalog, the CLI and small shared helpers sit here at the top. No module of this wing
imports an ML library at module level; it runs notebooks that do.
"""

from mlops_course.classroom.authoring.checks import check, check_all, public_test
from mlops_course.classroom.authoring.observe import drive, observe

__all__ = ["check", "check_all", "public_test", "observe", "drive"]
