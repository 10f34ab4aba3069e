"""Workspace: the student's own copies of the lessons, so ``lessons/`` stays the release.

``make lab`` opens ``work/`` (ignored by git). Each lesson is copied there from
``lessons/`` the first time and never overwritten afterwards, whatever a later release
brings; a lesson's edition in another language (``make lab LAB_LANGUAGE=zh_CN``) likewise,
from ``lessons/<language>/`` into ``work/<language>/``. ``fresh`` gives one lesson a new copy
and keeps the old one beside it under a dated name, so nothing the student wrote is lost.
"""

import shutil
import time
from pathlib import Path

from .course import LESSONS, ROOT, available_lessons

WORK = ROOT / "work"


def _folders(work, lessons, language):
    """``(work, lessons)``: where the copies of ``language``'s edition (None: English) go and come from."""
    work, lessons = Path(work or WORK), Path(lessons)
    if language is None:
        return work, lessons
    if not (lessons / language).is_dir():
        raise FileNotFoundError(f"no lesson is released in {language}: {lessons / language} does not exist")
    return work / language, lessons / language


def prepare(work=None, lessons=LESSONS, language=None):
    """Copy every lesson released in ``language`` (None: English) that ``work`` (``WORK``), or its
    ``<language>`` folder, does not hold yet; return the ones copied."""
    work, lessons = _folders(work, lessons, language)
    work.mkdir(parents=True, exist_ok=True)
    copied = []
    for lesson in available_lessons():
        if (lessons / lesson).is_dir() and not (work / lesson).exists():
            shutil.copytree(lessons / lesson, work / lesson)
            copied.append(lesson)
    return copied


def fresh(lesson, work=None, lessons=LESSONS, language=None):
    """A new copy of ``lesson`` (in ``language``) in ``work`` (``WORK``); the old copy is kept as
    ``<lesson>.before-<time>``."""
    work, lessons = _folders(work, lessons, language)
    kept = None
    if (work / lesson).exists():
        kept = work / f"{lesson}.before-{time.strftime('%Y%m%d-%H%M%S')}"
        (work / lesson).rename(kept)
    shutil.copytree(lessons / lesson, work / lesson)
    return kept
