"""Command line: ``python -m autograder {release,grade,demo,check,workspace,classroom,translate} ...``."""

import argparse
import sys

from pathlib import Path

from . import check as check_stage
from . import grade as grade_stage
from . import release as release_stage
from . import report as report_stage
from . import translate as translate_stage
from . import workspace as workspace_stage
from .course import LESSON_IDS
from .tables import GRADED, lateness


def _release(args):
    if args.check:
        stale = release_stage.stale_lessons(args.lesson)
        problems, notes = translate_stage.check(args.lesson or release_stage.available_lessons())
        for note in notes:
            print(note)
        for problem in problems:
            print(problem, file=sys.stderr)
        for lesson, reasons in stale.items():
            print(f"{lesson} is stale: " + "; ".join(reasons), file=sys.stderr)
        if problems:
            print("a catalogue is incomplete: translate, then `python -m autograder release`", file=sys.stderr)
        if stale:
            print("lessons/ is out of date with solutions/: run `python -m autograder release`", file=sys.stderr)
        if stale or problems:
            return 1
        print("lessons/ is up to date with solutions/")
        return 0
    for path in release_stage.release(args.lesson):
        print(f"released {path}")
    return 0


def print_table(rows, stream=sys.stdout):
    """The grade table: one line per student and lesson."""
    width = max([len(r.student_id) for r in rows] + [10])
    stream.write(f"{'student':<{width}}  {'lesson':<22} {'score':>11}  status\n")
    for r in sorted(rows, key=lambda r: (r.student_id, r.assignment_id)):
        score = f"{r.score:g} / {r.max_score:g}"
        detail = f" ({r.detail})" if r.detail and r.status != GRADED else ""
        if r.seconds_late > 0:
            detail += f" (late {lateness(r.seconds_late)}, −{r.late_penalty:g} point{'s' if r.late_penalty != 1 else ''})"
        stream.write(f"{r.student_id:<{width}}  {r.assignment_id:<22} {score:>11}  {r.status}{detail}\n")


LIMIT_OPTIONS = ("cell_timeout", "notebook_timeout", "memory_mb", "max_tasks", "disk_mb", "max_output_bytes",
                 "max_submission_bytes", "isolation")


def _grade(args):
    limits = grade_stage.Limits(**{name: getattr(args, name) for name in LIMIT_OPTIONS})
    stopped = None
    try:
        rows = grade_stage.grade(args.submissions, args.out, lessons=args.assignment, students=args.student,
                                 jobs=args.jobs, limits=limits, every_cell=args.every_cell,
                                 scheduler=args.scheduler)
    except grade_stage.GradingStopped as error:  # the tables hold who was graded: show them, then fail
        rows, stopped = error.rows, error
    except grade_stage.GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print_table(rows)
    out = Path(args.out)
    report_stage.write_report(out, None if args.report_language == "en" else args.report_language)
    print(f"\ngrades: {out / 'grades.csv'}\nfeedback: {out / 'feedback'}\nreport: {out / 'report.html'}")
    if stopped:
        print(f"error: {stopped}", file=sys.stderr)
        return 3
    return 0


def _demo(args):
    from . import demo

    return demo.run_demo(args.out, jobs=args.jobs)


def _translate(args):
    for lesson in args.update:
        counts = translate_stage.update(lesson, args.language)
        path = translate_stage.catalogue_path(lesson, args.language)
        print(f"{path}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def _check(args):
    """Exit 0 when every visible test passes, 1 when one fails (as pytest does), 2 when the
    notebook could not be checked at all."""
    try:
        on_result = None if args.json else check_stage.progress(args.notebook, sys.stdout)
        results = check_stage.run(args.notebook, timeout=args.timeout, on_result=on_result)
    except check_stage.CheckError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(check_stage.as_json(args.notebook, results) if args.json
          else check_stage.score_line(results, check_stage.speaker(check_stage.read_notebook(args.notebook))))
    return 0 if all(result.passed for result in results) else 1


def _workspace(args):
    where = "/".join(["work", *([args.language] if args.language else [])])
    for lesson in args.fresh:
        kept = workspace_stage.fresh(lesson, language=args.language)
        print(f"{where}/{lesson}: a fresh copy" + (f"; your previous work is in {where}/{kept.name}" if kept else ""))
    for lesson in workspace_stage.prepare(language=args.language):
        print(f"{where}/{lesson}: copied from {where.replace('work', 'lessons', 1)}/")
    return 0


def _classroom(args):
    from . import classroom

    try:
        return classroom.start(classroom.load(args.settings))
    except (FileNotFoundError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _add_grade_options(parser):
    defaults = grade_stage.Limits()
    parser.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the machine's cores)")
    parser.add_argument("--assignment", action="append", choices=LESSON_IDS, help="only this lesson (repeatable)")
    parser.add_argument("--student", action="append", help="only this student (repeatable)")
    parser.add_argument("--cell-timeout", type=int, default=defaults.cell_timeout, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=float, default=defaults.notebook_timeout,
                        help="seconds per notebook")
    parser.add_argument("--memory-mb", type=int, default=defaults.memory_mb,
                        help="memory of a kernel and everything it starts, MiB")
    parser.add_argument("--max-tasks", type=int, default=defaults.max_tasks,
                        help="processes and threads a kernel may run at once")
    parser.add_argument("--disk-mb", type=int, default=defaults.disk_mb, help="bytes a kernel may write, MiB")
    parser.add_argument("--max-output-bytes", type=int, default=defaults.max_output_bytes,
                        help="output a notebook may produce")
    parser.add_argument("--max-submission-bytes", type=int, default=defaults.max_submission_bytes,
                        help="size of a submitted notebook")
    parser.add_argument("--isolation", choices=["auto", "bwrap", "none"], default=defaults.isolation,
                        help="bwrap: each kernel sees only its own files; auto: bwrap where installed")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the workers of this Dask cluster (tcp://host:8786) instead of this machine")
    parser.add_argument("--every-cell", action="store_true",
                        help="run the cells that only teach (tagged teaching-only) too, as the student did")


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="regenerate lessons/ from solutions/")
    release.add_argument("--check", action="store_true", help="only report stale lessons; exit 1 if any")
    release.add_argument("--lesson", action="append", choices=LESSON_IDS, help="only this lesson (repeatable)")
    release.set_defaults(run=_release)

    grade = commands.add_parser("grade", help="grade a class of submissions with nbgrader autograde")
    grade.add_argument("submissions", help="folder of <student_id>/<lesson>/<lesson>.ipynb")
    grade.add_argument("--out", required=True, help="folder for the gradebook, tables, feedback and report")
    grade.add_argument("--report-language", choices=["en", *translate_stage.LANGUAGES], default="en",
                       help="the language of report.html, the instructor's page")
    _add_grade_options(grade)
    grade.set_defaults(run=_grade)

    demo = commands.add_parser("demo", help="grade a synthetic class built from the solutions")
    demo.add_argument("--out", default="demo-output", help="folder for the class and its grades")
    demo.add_argument("--jobs", type=int, default=None, help="parallel workers (default: the machine's cores)")
    demo.set_defaults(run=_demo)

    work = commands.add_parser("workspace", help="copy the lessons you have not started into work/ (never overwrites)")
    work.add_argument("--fresh", action="append", choices=LESSON_IDS, default=[],
                      help="a new copy of this lesson; your old one is kept beside it (repeatable)")
    work.add_argument("--language", choices=translate_stage.LANGUAGES,
                      help="the lessons of this edition, from lessons/<language>/ into work/<language>/")
    work.set_defaults(run=_workspace)

    room = commands.add_parser("classroom", help="run the course on JupyterHub with nbgrader's exchange, on this machine")
    room.add_argument("--settings", help="the classroom's settings (default: etc/classroom/classroom.toml)")
    room.set_defaults(run=_classroom)

    words = commands.add_parser("translate", help="write or merge a lesson's catalogue (locale/) from solutions/")
    words.add_argument("--update", action="append", choices=[*LESSON_IDS, *translate_stage.MODULES], required=True,
                       help="merge this lesson's catalogue (or checks', feedback's, report's) with its source, "
                       "as msgmerge does (repeatable)")
    words.add_argument("--language", choices=translate_stage.LANGUAGES, default="zh_CN")
    words.set_defaults(run=_translate)

    check = commands.add_parser("check", help="run one lesson notebook and report its visible tests")
    check.add_argument("notebook", help="the notebook, e.g. lessons/04_relu_backprop/04_relu_backprop.ipynb")
    check.add_argument("--timeout", type=int, default=check_stage.DEFAULT_TIMEOUT,
                       help="seconds a cell may run before it is interrupted")
    check.add_argument("--json", action="store_true",
                       help="print only one JSON document: notebook, passed, total and each test")
    check.set_defaults(run=_check)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)
