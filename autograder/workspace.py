"""Workspace: the student's own copies of the lessons, so ``lessons/`` stays the release.

``make lab`` opens ``work/`` (ignored by git). Each lesson is copied there from
``lessons/`` the first time and never overwritten afterwards, whatever a later release
brings. ``fresh`` gives one lesson a new copy and keeps the old one beside it under a
dated name, so nothing the student wrote is lost.
"""

import shutil
import time
from pathlib import Path

from .course import LESSONS, ROOT, available_lessons

WORK = ROOT / "work"


def prepare(work=None, lessons=LESSONS):
    """Copy every released lesson that ``work`` (``WORK``) does not hold yet; return the ones copied."""
    work = Path(work or WORK)
    work.mkdir(parents=True, exist_ok=True)
    copied = []
    for lesson in available_lessons():
        if not (work / lesson).exists():
            shutil.copytree(Path(lessons) / lesson, work / lesson)
            copied.append(lesson)
    return copied


def fresh(lesson, work=None, lessons=LESSONS):
    """A new copy of ``lesson`` in ``work`` (``WORK``); the old copy is kept as ``<lesson>.before-<time>``."""
    work = Path(work or WORK)
    kept = None
    if (work / lesson).exists():
        kept = work / f"{lesson}.before-{time.strftime('%Y%m%d-%H%M%S')}"
        (work / lesson).rename(kept)
    shutil.copytree(Path(lessons) / lesson, work / lesson)
    return kept
