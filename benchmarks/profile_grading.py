"""Profile where grading a notebook's time goes, stage by stage, lesson by lesson.

Run with ``python benchmarks/profile_grading.py [--per-lesson 4]`` (the Jupyter environment
of ``make bench``). It builds the bench's class (whole submissions: complete answers, stubs,
the corpus's mistakes), times the run's fixed costs in the grading process, then grades the
class with one worker at a time, each under ``cProfile`` (wall clock), and prints per lesson
the mean seconds a notebook spends in each stage of the grading worker. Stages nest (the
autograde pass holds the kernel's start, the cells and the judge); ``--dump FILE`` writes the
merged profile of every worker for ``pstats``.
"""

import argparse
import cProfile
import importlib
import inspect
import pstats
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from grade_class import build_class

from autograder import grade
from autograder.course import available_lessons, put_scripts_on_path

# (stage, "module:qualified name" of the function that is the stage), in the order a notebook
# meets them; an indented stage is part of the one above it.
STAGES = [
    ("staging (read, check, write)", "autograder.submissions:stage"),
    ("nbgrader configuration", "autograder.autograde:worker_config"),
    ("autograde, both passes", "nbgrader.apps.api:NbGraderAPI.autograde"),
    ("  gradebook: student, submission", "nbgrader.converters.autograde:Autograde.init_assignment"),
    ("  notebook reads", "nbformat:read"),
    ("  sanitize: overwrite cells", "autograder.overrides:OverwriteCellsAtOnce.preprocess"),
    ("  sanitize/autograde: check metadata", "autograder.overrides:CheckCellMetadataCompiled.preprocess"),
    ("  execute", "autograder.execute:BoundedExecute.preprocess"),
    ("    sandbox (bwrap)", "autograder.sandbox:Sandbox.__init__"),
    ("    kernel start (fork server)", "nbclient.client:NotebookClient.async_start_new_kernel"),
    ("    kernel client ready", "nbclient.client:NotebookClient.async_start_new_kernel_client"),
    ("    cells: notebook + hidden phases", "autograder.execute:BoundedExecute.run_phase"),
    ("    kernel shutdown", "nbclient.client:NotebookClient._async_cleanup_kernel"),
    ("  judge: hidden tests vs reference", "autograder.judge:JudgeHiddenTests.preprocess"),
    ("  save auto grades", "autograder.overrides:SaveAutoGradesAtOnce.preprocess"),
    ("  late penalties", "nbgrader.preprocessors:AssignLatePenalties.preprocess"),
    ("  nbformat validation", "nbformat.validator:validate"),
    ("  notebook writes", "nbconvert.writers:FilesWriter.write"),
    ("gradebook: submission found (scores, page)", "nbgrader.api:Gradebook.find_submission"),
    ("gradebook: cell scores read back", "autograder.autograde:cell_scores"),
    ("failure messages", "autograder.autograde:failure_messages"),
    ("feedback page", "nbgrader.apps.api:NbGraderAPI.generate_feedback"),
    ("  feedback: grades read", "autograder.overrides:GetGradesAtOnce.preprocess"),
    ("  feedback: summary table", "autograder.feedback:SummariseFunctions.preprocess"),
    ("  feedback: outputs cleaned", "autograder.overrides:SanitizeOutputs.preprocess_cell"),
    ("  feedback: exporter made", "nbconvert.exporters.templateexporter:TemplateExporter.__init__"),
    ("  feedback: template loaded", "nbconvert.exporters.templateexporter:TemplateExporter._load_template"),
    ("  feedback: render", "autograder.overrides:FeedbackExporter.from_notebook_node"),
    ("    markdown", "autograder.overrides:FeedbackExporter.markdown2html"),
    ("    code highlighted", "autograder.overrides:RememberedHighlight.__call__"),
    ("scratch emptied", "autograder.autograde:_empty"),
    ("whole worker (grade_submission)", "autograder.autograde:grade_submission"),
]


def _code_key(target):
    """The (file, first line, name) by which ``pstats`` knows the function ``module:qualname``."""
    module, qualname = target.split(":")
    function = importlib.import_module(module)
    for part in qualname.split("."):
        function = getattr(function, part)
    code = inspect.unwrap(function).__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def stage_seconds(stats):
    """Cumulative wall seconds of each stage in ``stats`` (a ``pstats.Stats``)."""
    return {name: stats.stats.get(_code_key(target), (0, 0, 0, 0.0))[3] for name, target in STAGES}


def profiled(function, folder):
    """``function`` run under cProfile, its profile written to ``folder`` per call."""
    def run(out, root, student, lesson, *args):
        profile = cProfile.Profile()
        try:
            return profile.runcall(function, out, root, student, lesson, *args)
        finally:
            profile.dump_stats(folder / f"{lesson}--{student}.prof")
    return run


@contextmanager
def timer(figures, name):
    started = time.perf_counter()
    yield
    figures[name] = time.perf_counter() - started


def start_session(out, lessons):
    """A grading session on ``out``, entered, and the seconds its two steps took."""
    figures = {}
    with timer(figures, "session made (release, pages remembered)"):
        session = grade.Session(out, lessons, grade.Limits().resolved())
    with timer(figures, "session entered (judge remembers, fork server)"):
        session.__enter__()
    return session, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-lesson", type=int, default=4, help="submissions of each lesson (default 4)")
    parser.add_argument("--lesson", action="append", help="profile only this lesson (repeatable)")
    parser.add_argument("--dump", type=Path, help="write the merged profile here")
    args = parser.parse_args()
    put_scripts_on_path()
    lessons = args.lesson or available_lessons()
    with tempfile.TemporaryDirectory(prefix="profile-") as scratch:
        scratch = Path(scratch)
        build_class(scratch / "class", lessons, args.per_lesson)
        out, profiles = scratch / "out", scratch / "profiles"
        out.mkdir()
        profiles.mkdir()
        session, figures = start_session(out, lessons)
        for name, seconds in figures.items():
            print(f"{name:<52}{seconds:>8.3f} s")
        grade.grade_submission = profiled(grade.grade_submission, profiles)
        to_grade = sorted((f"student{i:04d}", lesson) for lesson in lessons for i in range(args.per_lesson))
        walls = {}
        try:
            started = time.perf_counter()
            session.grade_batch(scratch / "class", to_grade, 1,
                                lambda row, seconds: walls.setdefault(row.assignment_id, []).append(seconds))
            total = time.perf_counter() - started
        finally:
            session.__exit__(None, None, None)
        print(f"graded {len(to_grade)} notebooks one at a time in {total:.2f} s: {total / len(to_grade):.3f} s a notebook "
              "(handed out to result, in the pool)")
        per_lesson = {}
        for lesson in lessons:
            files = sorted(str(p) for p in profiles.glob(f"{lesson}--*.prof"))
            per_lesson[lesson] = {k: v / len(files) for k, v in stage_seconds(pstats.Stats(*files)).items()}
        print(f"\n{'mean seconds a notebook':<40}" + "".join(f"{lesson[:2]:>8}" for lesson in lessons))
        print(f"{'pool: handed out to result':<40}" + "".join(f"{sum(walls[l]) / len(walls[l]):>8.3f}" for l in lessons))
        for name, _ in STAGES:
            print(f"{name:<40}" + "".join(f"{per_lesson[lesson][name]:>8.3f}" for lesson in lessons))
        if args.dump:
            pstats.Stats(*map(str, profiles.glob("*.prof"))).dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
