"""pyproject.toml is the one place that pins dependencies; environment.yml mirrors it."""

import re
import tomllib

from autograder.course import ROOT


def pinned(requirements):
    pins = {}
    for requirement in requirements:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", requirement.strip()).groups()
        pins[name.lower().replace("_", "-")] = version
    return pins


def conda_pins():
    pins, in_pip = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        item = re.fullmatch(r"\s*-\s*([A-Za-z0-9_.-]+)=([^=\s]+)\s*", line)
        if re.fullmatch(r"\s*-\s*pip:\s*", line):
            in_pip = True
        elif item and not in_pip:
            pins[item.group(1).lower().replace("_", "-")] = item.group(2)
    return pins


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert pinned(project["dependencies"])  # raises on any requirement that is not name==version
    assert pinned(project["optional-dependencies"]["test"])


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    conda = conda_pins()
    assert conda.pop("python") == "3.11"
    assert conda == pinned(project["dependencies"])


def test_environment_yml_installs_the_course_package():
    assert re.search(r"^\s*-\s*-e \.\s*$", (ROOT / "environment.yml").read_text(), re.M)
