"""JupyterHub's configuration for the local classroom (autograder.classroom; `make classroom`).

Every value comes from the classroom's settings (etc/classroom/classroom.toml). What a course
on Zero to JupyterHub sets instead is in the README ("A class past one machine"): the
authenticator, the spawner (KubeSpawner) and where the exchange and homes live.
"""

import os
import sys
from pathlib import Path

from autograder import classroom

room = classroom.load()
c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# The hub on loopback; its own API and the proxy's API on the next two ports.
c.JupyterHub.bind_url = room.url
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{room.port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{room.port + 2}"
c.ConfigurableHTTPProxy.command = [str(classroom.PROXY)]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = f"sqlite:///{room.hub / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(room.hub / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(room.hub / "jupyterhub.pid")

# Accounts: the instructor and the roster. The instructor teaches from their own server
# (formgrader, nbgrader's commands); running the hub itself is the machine's owner's job.
c.JupyterHub.authenticator_class = room.authenticator
if room.authenticator == "shared-password":
    c.SharedPasswordAuthenticator.user_password = room.password
c.Authenticator.allowed_users = set(room.accounts)

# Each account's server in its own home folder under the classroom's state, with its role's
# configuration: the student view (Assignment List, Validate) or the instructor's (formgrader).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(room.state / "home" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# The course's JupyterLab, as `make lab` has it: its defaults, look (custom.css, which
# classroom.prepare copies into each home) and layout rules for narrow windows.
c.Spawner.args = [f"--LabApp.app_settings_dir={classroom.LAB_SETTINGS}",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                  "--LabApp.custom_css=True", f"--LabApp.extra_labextensions_path={classroom.LAB_SETTINGS / 'labextensions'}"]
if os.geteuid() == 0:
    c.Spawner.args.append("--allow-root")
c.Spawner.environment = {name: (lambda spawner, name=name: room.server_environment(spawner.user.name)[name])
                         for name in room.server_environment(room.instructor)}
c.Spawner.start_timeout = 120   # a loaded 2-core machine starts JupyterLab slowly
c.Spawner.http_timeout = 120
