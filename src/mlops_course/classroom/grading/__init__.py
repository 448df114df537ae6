"""Grading: intake of untrusted submissions, restoring locked cells, the sandboxed kernel
pool, the cell runner, scoring, the gradebook, feedback and the batch that ties them.

May import `authoring` (the solution model, the exercise builder) and the shared modules.
"""
