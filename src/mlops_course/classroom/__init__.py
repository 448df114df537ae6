"""The teaching machinery: catalog, notebook execution, runner and the `mlops-course` CLI.

This wing imports no ML library; it runs notebooks that do.
"""
