"""The one exception family the classroom raises for bad input at its boundary.

Each message is one sentence naming the thing that is wrong and how to fix it; the CLI
prints it as `mlops-course: error: <message>` with exit status 2 and no traceback.
"""


class CourseError(Exception):
    """Bad input from the course's user: a catalog, a lesson id, a parameter, a notebook."""
