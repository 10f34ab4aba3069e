"""nbgrader's configuration in the instructor's server on the classroom hub, and in the
instructor's terminal there: formgrader, `nbgrader release_assignment / collect /
release_feedback / export`, and `python -m autograder grade` all read it.

The course's own settings are here, for the instructor to change.
"""

from autograder import classroom, overrides, release

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(classroom.load().instructor_config())
release.configure(c)  # later lessons get earlier lessons' functions written out
overrides.use_one_line_validator()

# Late submissions, after the due date `nbgrader db assignment add LESSON --duedate=...` set:
# 'none', 'zero', 'per_hour' (points_per_hour off per hour or part of one, all past cutoff_hours)
# or 'cutoff' (no penalty until cutoff_hours, then 0). nbgrader's own step applies it.
c.AssignLatePenalties.plugin_class = "autograder.policy.LatePenalty"
c.LatePenalty.penalty_method = "per_hour"
c.LatePenalty.points_per_hour = 1.0
c.LatePenalty.cutoff_hours = 48.0

# Grade the roster only (roster.csv, imported into the gradebook when the classroom starts);
# anyone else's submission gets status 'not on roster' and stays in submitted/.
c.Roster.required = True
