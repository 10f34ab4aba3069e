"""The student's copies of the lessons (`make lab` opens work/): made once, never overwritten."""

from autograder import cli, workspace
from autograder.course import LESSONS, available_lessons


def test_lessons_are_copied_once_and_the_students_work_is_never_overwritten(tmp_path):
    work = tmp_path / "work"
    assert workspace.prepare(work) == available_lessons()
    lesson = available_lessons()[0]
    notebook = work / lesson / f"{lesson}.ipynb"
    assert notebook.read_bytes() == (LESSONS / lesson / f"{lesson}.ipynb").read_bytes()
    notebook.write_text("the student's answers")

    assert workspace.prepare(work) == []
    assert notebook.read_text() == "the student's answers"


def test_a_fresh_copy_keeps_the_old_one_beside_it(tmp_path):
    work = tmp_path / "work"
    workspace.prepare(work)
    lesson = available_lessons()[-1]
    (work / lesson / f"{lesson}.ipynb").write_text("my first try")

    kept = workspace.fresh(lesson, work)

    assert kept.parent == work and kept.name.startswith(f"{lesson}.before-")
    assert (kept / f"{lesson}.ipynb").read_text() == "my first try"
    assert (work / lesson / f"{lesson}.ipynb").read_bytes() == (LESSONS / lesson / f"{lesson}.ipynb").read_bytes()


def test_the_command_copies_into_the_checkouts_work_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(workspace, "WORK", tmp_path / "work")
    assert cli.main(["workspace"]) == 0
    assert capsys.readouterr().out.count("copied from lessons/") == len(available_lessons())
