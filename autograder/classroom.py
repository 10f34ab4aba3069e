"""Classroom: a course on one machine with JupyterHub, nbgrader's exchange, an instructor and a
roster of students, laid out under one state folder and started by ``python -m autograder
classroom`` (``make classroom``).

The settings are ``etc/classroom/classroom.toml`` (or the file ``$BACKPROP_CLASSROOM`` names).
Everything that reads them goes through ``load``: the hub's configuration
(``etc/classroom/jupyterhub_config.py``) and each role's nbgrader configuration
(``etc/classroom/student/``, ``etc/classroom/instructor/``), which the hub puts on each
server's Jupyter config path. Layout of the state folder::

    hub/                 the hub's database, cookie secret and log
    exchange/            nbgrader's exchange (unless the settings name another folder)
    home/<account>/      each account's server root; the instructor's holds the course:
    home/<instructor>/<course_id>/   gradebook.db, submitted/, autograded/, feedback/, grades
"""

import csv
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .course import LESSONS, ROOT, SOLUTIONS, nbgrader_config, put_scripts_on_path

SETTINGS = ROOT / "etc" / "classroom" / "classroom.toml"
HUB_CONFIG = ROOT / "etc" / "classroom" / "jupyterhub_config.py"
ROLE_CONFIG = ROOT / "etc" / "classroom"
LAB_SETTINGS = ROOT / "etc" / "jupyterlab"
# configurable-http-proxy, the hub's proxy, installed from npm into the checkout (package.json).
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
INSTALL_PROXY = "npm ci (make classroom does it; Node.js from Debian: apt-get install nodejs npm)"


@dataclass(frozen=True)
class Classroom:
    """The settings of one classroom, and the paths they imply."""

    course_id: str
    instructor: str
    roster: Path
    authenticator: str
    password: str
    ip: str
    port: int
    state: Path
    exchange: Path
    settings: Path

    @property
    def students(self):
        """The roster's rows (nbgrader's student import format), in its order."""
        with open(self.roster, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    @property
    def accounts(self):
        return [self.instructor] + [student["id"] for student in self.students]

    @property
    def hub(self):
        return self.state / "hub"

    def home(self, account):
        return self.state / "home" / account

    @property
    def course_root(self):
        """The instructor's nbgrader course: gradebook, collected submissions, grades, feedback."""
        return self.home(self.instructor) / self.course_id

    @property
    def url(self):
        return f"http://{self.ip}:{self.port}"

    def role(self, account):
        return "instructor" if account == self.instructor else "student"

    def server_environment(self, account):
        """What a server's process needs beyond the hub's own variables: its role's nbgrader and
        Jupyter configuration, Jupyter's files inside its home, these settings, this Python."""
        home = self.home(account)
        return {
            "BACKPROP_CLASSROOM": str(self.settings),
            "JUPYTER_CONFIG_PATH": str(ROLE_CONFIG / self.role(account)),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter" / "config"),
            "JUPYTER_DATA_DIR": str(home / ".jupyter" / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / ".jupyter" / "runtime"),
            "IPYTHONDIR": str(home / ".jupyter" / "ipython"),
            "MPLCONFIGDIR": str(home / ".jupyter" / "matplotlib"),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        }

    def student_config(self):
        """nbgrader's settings in a student's server: the course and its exchange."""
        config = nbgrader_config(self.course_root, self.course_root / "gradebook.db")
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(self.exchange)
        return config

    def instructor_config(self):
        """nbgrader's settings for the instructor: the course root, its gradebook (formgrader's),
        solutions/ as the source and lessons/ as the release, the exchange."""
        config = nbgrader_config(self.course_root, self.course_root / "gradebook.db", release_dir=LESSONS)
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(self.exchange)
        return config


def load(settings=None):
    """The classroom of ``settings`` (default: ``$BACKPROP_CLASSROOM``, else etc/classroom/classroom.toml)."""
    settings = Path(settings or os.environ.get("BACKPROP_CLASSROOM") or SETTINGS).resolve()
    with open(settings, "rb") as handle:
        values = tomllib.load(handle)

    def path(value):
        return (ROOT / value).resolve() if not Path(value).is_absolute() else Path(value)

    state = path(values["state"])
    return Classroom(course_id=values["course_id"], instructor=values["instructor"], roster=path(values["roster"]),
                     authenticator=values["authenticator"], password=values.get("password", ""), ip=values["ip"],
                     port=int(values["port"]), state=state,
                     exchange=path(values["exchange"]) if values.get("exchange") else state / "exchange",
                     settings=settings)


def prepare(room):
    """Make the state folder, the homes and the exchange, and put the roster and the lessons in the
    course gradebook (nbgrader's own ``db`` commands). Run again, it keeps what is there."""
    for folder in (room.hub, room.course_root, *(room.home(account) for account in room.accounts)):
        folder.mkdir(parents=True, exist_ok=True)
    for account in room.accounts:  # JupyterLab reads custom.css from the server's config folder only
        custom = Path(room.server_environment(account)["JUPYTER_CONFIG_DIR"]) / "custom"
        custom.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(LAB_SETTINGS / "custom.css", custom / "custom.css")
    room.exchange.mkdir(parents=True, exist_ok=True)
    room.exchange.chmod(0o777)  # nbgrader's exchange: every student's server writes its inbound folder
    instructor_nbgrader("db", "student", "import", str(room.roster), room=room)


def instructor_environment(room):
    """The instructor's server's environment, for nbgrader's commands and ``grade`` run outside it."""
    return {**os.environ, **room.server_environment(room.instructor), "JUPYTERHUB_USER": room.instructor,
            "HOME": str(room.home(room.instructor))}


def instructor_nbgrader(*args, room):
    """Run ``nbgrader ARGS`` as the instructor would in a terminal of their server: in the course
    folder, with the instructor's configuration. Returns the completed process; ``RuntimeError``
    with nbgrader's log if it failed."""
    put_scripts_on_path()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=room.course_root,
                          env=instructor_environment(room), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit code {done.returncode}):\n{done.stderr[-3000:]}")
    return done


def hub_command(room):
    """The command that starts the hub on ``room``'s settings."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)]


def start(room, stream=sys.stdout):
    """Prepare the classroom and run its hub in the foreground until interrupted."""
    if not PROXY.exists():
        raise FileNotFoundError(f"the hub's proxy is not installed at {PROXY}: {INSTALL_PROXY}")
    prepare(room)
    stream.write(f"JupyterHub for {room.course_id} at {room.url}\n"
                 f"  instructor: {room.instructor}    students: {', '.join(room.accounts[1:])}\n"
                 + (f"  password (every account; demo only): {room.password}\n" if room.authenticator == "shared-password" else "")
                 + f"  the course: {room.course_root}\n  the exchange: {room.exchange}\n")
    stream.flush()
    env = {**os.environ, "BACKPROP_CLASSROOM": str(room.settings)}
    return subprocess.call(hub_command(room), cwd=room.hub, env=env)
