"""Per-student feedback: one HTML page per submission, from its gradebook record.

It lists each question's points and every test's verdict and message, public and hidden
alike, by name. It never shows a test's source: the record holds none, only the verdict
and the exception message the kernel replied with. File names come from
`submissions.student_slug`, never from the raw student id.
"""

from __future__ import annotations

import html
from pathlib import Path

from mlops_course.classroom.grading.results import SubmissionGrade
from mlops_course.classroom.grading.submissions import student_slug

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
td, th { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; }
.passed { color: #1a7f37; } .failed { color: #cf222e; }
"""


def feedback_path(grade: SubmissionGrade, folder: Path) -> Path:
    return folder / grade.lesson / f"{student_slug(grade.student_id)}.html"


def render_feedback(grade: SubmissionGrade) -> str:
    """The feedback page of one submission as HTML text."""
    esc = html.escape
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>Lesson {esc(grade.lesson)} feedback</title>",
        f"<style>{_STYLE}</style>",
        f"<h1>Lesson {esc(grade.lesson)}: {grade.score:g} / {grade.max_score:g} points</h1>",
        f"<p>Student: <b>{esc(grade.student_id)}</b> — status <b>{esc(grade.status)}</b>"
        + (f": {esc(grade.reason)}" if grade.reason else "") + "</p>",
    ]
    if grade.notes:
        items = "".join(f"<li>{esc(note)}</li>" for note in grade.notes)
        parts.append(f"<p>What the grader changed before running it:</p><ul>{items}</ul>")
    for question in grade.questions:
        parts.append(
            f"<h2>{esc(question.question)}: {question.points:g} / {question.max_points:g}</h2>"
            f"<p>{esc(question.reason)}</p>"
            "<table><tr><th>test</th><th>kind</th><th>result</th><th>message</th></tr>"
        )
        for test in (t for t in grade.tests if t.question == question.question):
            verdict = "passed" if test.passed else "failed"
            parts.append(
                f"<tr><td>{esc(test.name)}</td><td>{'hidden' if test.hidden else 'public'}</td>"
                f"<td class='{verdict}'>{verdict}</td><td>{esc(test.message)}</td></tr>"
            )
        parts.append("</table>")
    return "\n".join(parts) + "\n"


def write_feedback(grade: SubmissionGrade, folder: Path) -> Path:
    """Write the submission's feedback page under `folder/<lesson>/`; returns its path."""
    path = feedback_path(grade, Path(folder))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_feedback(grade), encoding="utf-8")
    return path
