"""pytest settings for anyone who runs the suite by hand, as `make test` runs it.

`make test` sets these variables itself; a maintainer who types `pytest --nbval notebooks/`
gets the same: static widgets (a slider cannot move in a kernel without a front end, so
the stored outputs are the static rendering), one numerical thread per kernel (notebooks
run side by side on few cores) and no MLflow telemetry (the course runs offline). Kernels
started by the tests inherit them. The nbval sanitizer file is set in pyproject.toml.
"""

import os

for name, value in {"MLOPS_COURSE_STATIC": "1", "OMP_NUM_THREADS": "1",
                    "MLFLOW_DISABLE_TELEMETRY": "true"}.items():  # fmt: skip
    os.environ.setdefault(name, value)
