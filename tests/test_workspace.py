"""The student's copies of the lessons (`make lab` opens work/): made once, never overwritten."""

import shutil

import pytest

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


def test_an_edition_in_another_language_is_copied_into_its_own_folder_once(tmp_path):
    first, second = available_lessons()[:2]
    lessons, work = tmp_path / "lessons", tmp_path / "work"
    for lesson in (first, second):   # released in English; only the first in Chinese so far
        shutil.copytree(LESSONS / lesson, lessons / lesson)
    (lessons / "zh_CN" / first).mkdir(parents=True)
    chinese = lessons / "zh_CN" / first / f"{first}.ipynb"
    chinese.write_text("the Chinese edition")

    assert workspace.prepare(work, lessons, language="zh_CN") == [first]
    copy = work / "zh_CN" / first / f"{first}.ipynb"
    assert copy.read_text() == "the Chinese edition" and sorted(p.name for p in work.iterdir()) == ["zh_CN"]
    copy.write_text("我的答案")
    chinese.write_text("a later release")
    assert workspace.prepare(work, lessons, language="zh_CN") == []
    assert copy.read_text() == "我的答案"

    kept = workspace.fresh(first, work, lessons, language="zh_CN")
    assert kept.parent == work / "zh_CN" and (kept / f"{first}.ipynb").read_text() == "我的答案"
    assert copy.read_text() == "a later release"
    assert workspace.prepare(work, lessons) == [first, second]   # English, beside it, as before


def test_a_language_with_no_release_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no lesson is released in fr"):
        workspace.prepare(tmp_path / "work", language="fr")
