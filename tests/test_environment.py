"""pyproject.toml is the one place that pins dependencies; environment.yml mirrors it."""

import ast
import importlib.metadata
import re
import sys
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


def imported_distributions():
    """The installed distributions that the course package's modules import directly."""
    providers = importlib.metadata.packages_distributions()
    imported = {}
    for path in (ROOT / "autograder").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module]
            else:
                continue
            for top in {module.split(".")[0] for module in modules} - sys.stdlib_module_names - {"autograder"}:
                for distribution in providers.get(top, [f"(no installed distribution has {top})"]):
                    imported.setdefault(distribution.lower().replace("_", "-"), set()).add(path.name)
    return imported


def test_every_library_the_package_imports_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    unpinned = {name: sorted(files) for name, files in imported_distributions().items()
                if name not in pinned(project["dependencies"])}
    assert not unpinned, f"imported by autograder/ but not pinned in pyproject.toml's dependencies: {unpinned}"
