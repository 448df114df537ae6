"""Authoring: a solution notebook read into questions and tests, turned into the exercise
students get (`assign`) and into the student bundle (`release`); plus the student side,
`check("q1")`, that runs in the student's kernel.

Imports the shared classroom modules only, never `running` or `grading`.
"""
