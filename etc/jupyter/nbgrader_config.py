"""nbgrader's configuration for `make lab` and for instructors running nbgrader by hand.

The course's paths come from autograder.course, the one place that defines them; course
state (the gradebook, submissions, the exchange) lives in .course/, which git ignores.
"""

from autograder.course import ROOT, nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(nbgrader_config(ROOT / ".course", ROOT / ".course" / "gradebook.db"))
