"""`python -m mlops_course …` is the `mlops-course` command."""

import sys

from mlops_course.classroom.cli import main

sys.exit(main())
