"""mlops-course: the toolkit that the course's lesson notebooks import.

Importing this package is kept cheap (no pandas, scikit-learn or MLflow at import time);
the submodules load their heavy libraries when first used.
"""

__version__ = "0.1.0"
