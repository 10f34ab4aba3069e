"""nbgrader's configuration in a student's server on the classroom hub (autograder.classroom).

The Assignment List fetches and submits through the course's exchange; Validate lists one
line per failing function, as `check` does.
"""

from autograder import classroom, overrides

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(classroom.load().student_config())
overrides.use_hub_username()  # every server here runs as one system user: name the student by the hub
overrides.use_one_line_validator()
