"""Running: papermill execution with safe defaults (IPC kernels, timeouts, cwd), the course
runner that records each run in MLflow, and storing walkthrough outputs diff-clean.

Imports the shared classroom modules only (and `authoring` if it must), never `grading`.
"""
