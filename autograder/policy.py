"""Policy: what a course decides about its submissions, read from its nbgrader configuration.

Two decisions, each an nbgrader-style configurable with ``help=``:

- ``LatePenalty``, nbgrader's ``LateSubmissionPlugin`` with two more methods: points off per
  hour late (``per_hour``), and nothing after a cutoff (``cutoff``). nbgrader's own
  ``AssignLatePenalties`` step calls it, so the gradebook, formgrader and ``nbgrader export``
  all see the same penalty.
- ``Roster``: whether only the students in the gradebook (``nbgrader db student import``)
  are graded.

``grade`` reads them where nbgrader reads its own settings (``course_config``): the
``nbgrader_config.py`` files on Jupyter's config path and in the current folder, so the
instructor's terminal and nbgrader's commands agree.
"""

import math
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Bool, Enum, Float
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

HOUR = 3600.0


class LatePenalty(LateSubmissionPlugin):
    """Points off a late notebook: none, all of them, some per hour late, or all after a cutoff."""

    penalty_method = Enum(
        ("none", "zero", "per_hour", "cutoff"), default_value="none",
        help="'none': no penalty; 'zero': a late notebook scores 0; 'per_hour': points_per_hour off for each "
             "hour or part of one, all of them past cutoff_hours; 'cutoff': no penalty until cutoff_hours, "
             "then a score of 0").tag(config=True)
    points_per_hour = Float(1.0, help="points off per hour or part of an hour late ('per_hour')").tag(config=True)
    cutoff_hours = Float(48.0, help="hours late after which a notebook scores 0 ('per_hour', 'cutoff')").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if self.penalty_method in ("none", "zero"):
            return super().late_submission_penalty(student_id, score, total_seconds_late)
        if total_seconds_late > self.cutoff_hours * HOUR:
            return score
        if self.penalty_method == "cutoff":
            return 0.0
        return min(score, self.points_per_hour * math.ceil(total_seconds_late / HOUR))


class Roster(Configurable):
    """Who may be graded."""

    required = Bool(
        False, help="grade only the students in the course gradebook (nbgrader db student add / import); a "
                    "submission from anyone else gets status 'not on roster' and stays where it is").tag(config=True)


def course_config(folder=None):
    """The nbgrader configuration in force in ``folder`` (default: the current one): every
    ``nbgrader_config.py`` on Jupyter's config path, then the folder's own, later ones winning."""
    config = Config()
    folders = [*reversed(jupyter_config_path()), str(Path(folder or ".").resolve())]
    for path in folders:
        if (Path(path) / "nbgrader_config.py").is_file():
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=path).load_config())
    return config


def late_config(config):
    """The part of ``config`` a grading worker needs to assign late penalties as the course says."""
    late = Config()
    for section in ("AssignLatePenalties", "LateSubmissionPlugin", "LatePenalty"):
        if section in config:
            late[section] = config[section]
    return late
