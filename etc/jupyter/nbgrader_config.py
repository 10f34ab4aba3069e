"""nbgrader's configuration for `make lab` and for instructors running nbgrader by hand.

The course's paths come from autograder.course, the one place that defines them; course
state (the gradebook, submissions, the exchange) lives in .course/, which git ignores.
"""

from autograder import overrides, release
from autograder.course import ROOT, nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(nbgrader_config(ROOT / ".course", ROOT / ".course" / "gradebook.db"))
c.CourseDirectory.course_id = "backprop-lab"  # as the classroom's (etc/classroom/classroom.toml)
release.configure(c)  # later lessons get earlier lessons' functions written out
overrides.use_one_line_validator()  # Validate lists one line per failing function, as `check` does
# nbgrader's exchange must be an existing, writable folder, or the Assignment List in
# JupyterLab reports it as unwritable: make it here, where every nbgrader command and the
# lab's server extensions read their configuration.
(ROOT / ".course" / "exchange").mkdir(parents=True, exist_ok=True)
