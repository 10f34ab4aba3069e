"""Benchmark: grade whole submissions of every lesson with plain serial nbgrader and with ``autograder grade``.

Run with ``make bench``. A class is what students submit: for each lesson, whole notebooks
(every cell kept: figures, sweeps, training runs) with complete answers, untouched stubs and
the corpus's mistakes in turn. In one run it measures

- per lesson, plain ``nbgrader autograde`` (serial, as nbgrader runs it) and
  ``python -m autograder grade --jobs 2`` (which also writes the feedback pages and the
  report, and does not run again the cells tagged teaching-only): seconds per notebook
  both ways and their ratio;
- a bare kernel start-and-shutdown, as jupyter_client (and so plain nbgrader) makes one per notebook;
- every lesson in one run, for one notebook of each, half the class and the whole class: the
  time (so what a run costs once and what each notebook adds) and, for the last two, the peak
  memory of the grading process tree;
- the same class graded through Dask (a scheduler and two single-threaded workers on
  loopback, ``grade --scheduler``) against the local pool's wall time; the workers start with
  ``--preload autograder.cluster``, so their grading agents are ready before the run (the time
  the workers took to join is printed);
- the projection of a 500-student course's five lessons on this machine, graded in one run:
  the run's fixed cost once, plus the measured cost of each notebook;

checks that both graders gave every submission the same score, and prints the figures. Its
last line is ``speedup over serial nbgrader: X.XXx (identical scores)``.
"""

import argparse
import csv
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from jupyter_client.manager import start_new_kernel
from nbgrader.api import Gradebook

from autograder import cluster, synthetic
from autograder.course import SOLUTIONS, available_lessons, put_scripts_on_path

def build_class(submissions, lessons, per_lesson):
    """``per_lesson`` whole submissions of each lesson: complete answers, untouched stubs and the
    corpus's mistakes, in turn."""
    for lesson in lessons:
        kinds = [synthetic.complete(lesson), synthetic.stubs(lesson)]
        kinds += [synthetic.with_variant(v, lean=False) for v in synthetic.corpus(lesson, "wrong")]
        for index, notebook in zip(range(per_lesson), itertools.cycle(kinds)):
            synthetic.write_submission(submissions, f"student{index:04d}", lesson, notebook)


class PeakMemory:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid, every=0.1):
        self.process, self.every, self.peak = psutil.Process(pid), every, 0
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        while self.process.is_running() and self.process.status() != psutil.STATUS_ZOMBIE:
            try:
                tree = [self.process] + self.process.children(recursive=True)
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(self.every)


def timed(command, env=None):
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    _, errors = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{errors[-3000:]}")
    return time.perf_counter() - started, memory.peak


def plain_nbgrader(submissions, course, lesson):
    """Serial ``nbgrader autograde`` of one lesson, configured only with the course's folders."""
    course.mkdir(exist_ok=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.source_directory = {str(SOLUTIONS)!r}\n"
        f"c.CourseDirectory.submitted_directory = {str(submissions)!r}\n"
        # Its own gradebook, whatever other nbgrader configuration is on the path.
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n"
        f"c.CourseDirectory.release_directory = {str(course / 'release')!r}\n")
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run(nbgrader + ["generate_assignment", lesson, "--force"], cwd=course, check=True,
                   capture_output=True)
    env = dict(os.environ, MPLBACKEND="Agg")
    seconds, _ = timed(nbgrader + ["autograde", lesson, "--force", f"--CourseDirectory.root={course}"], env)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {(s.student.id, lesson): s.score for s in gradebook.assignment_submissions(lesson)}
    return seconds, scores


def our_grader(submissions, out, jobs, lessons, scheduler=None):
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--jobs", str(jobs)]
    command += [option for lesson in lessons for option in ("--assignment", lesson)]
    command += ["--scheduler", scheduler] if scheduler else []
    seconds, peak = timed(command)
    with open(out / "grades.csv", newline="") as handle:
        scores = {(row["student_id"], row["assignment_id"]): float(row["score"]) for row in csv.DictReader(handle)}
    return seconds, peak, scores


def bare_kernel(times=10):
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"])
        client.stop_channels()
        manager.shutdown_kernel()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-lesson", type=int, default=20, help="submissions of each lesson (default 20)")
    parser.add_argument("--course-students", type=int, default=500, help="class size of the projection (default 500)")
    args = parser.parse_args()
    put_scripts_on_path()
    lessons = available_lessons()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        scratch = Path(scratch)
        full, half, one = scratch / "class", scratch / "half", scratch / "one"
        build_class(full, lessons, args.per_lesson)
        build_class(half, lessons, args.per_lesson // 2)
        build_class(one, lessons, 1)
        print(f"class: {args.per_lesson} whole submissions of each of {len(lessons)} lessons "
              f"on {os.cpu_count()} cores", flush=True)

        kernel = bare_kernel()
        print(f"bare kernel start-and-shutdown: {kernel:.3f} s (median of 10)", flush=True)

        # Plain nbgrader's generate_assignment runs, untimed, before each of its timed runs: the
        # first run of ours, untimed too, reads and compiles the package as that does nbgrader's.
        our_grader(one, scratch / "ours-warm-up", 2, lessons[:1])
        serial_scores, our_scores, serial_total, ours_total = {}, {}, 0.0, 0.0
        print(f"{'lesson':<24}{'nbgrader s/notebook':>21}{'ours --jobs 2':>15}{'ratio':>8}", flush=True)
        for lesson in lessons:
            serial, scores = plain_nbgrader(full, scratch / "plain", lesson)
            serial_scores.update(scores)
            ours, _, scores = our_grader(full, scratch / f"ours-{lesson}", 2, [lesson])
            our_scores.update(scores)
            serial_total, ours_total = serial_total + serial, ours_total + ours
            print(f"{lesson:<24}{serial / args.per_lesson:>19.2f} s{ours / args.per_lesson:>13.2f} s"
                  f"{serial / ours:>7.2f}x", flush=True)

        notebooks, half_notebooks = args.per_lesson * len(lessons), args.per_lesson // 2 * len(lessons)
        whole, peak_full, whole_scores = our_grader(full, scratch / "ours-all", 2, lessons)
        half_seconds, peak_half, _ = our_grader(half, scratch / "ours-half", 2, lessons)
        print(f"autograder grade --jobs 2, every lesson in one run: {whole:.1f} s for {notebooks} notebooks, "
              f"{whole / notebooks:.3f} s a notebook = {whole / notebooks / kernel:.2f}x a bare kernel", flush=True)
        # What a run costs once (start, the lessons' release, the fork server) and what each notebook
        # adds: the least-squares line through one notebook of each lesson, half and the whole class.
        few_seconds, _, _ = our_grader(one, scratch / "ours-one", 2, lessons)
        per_notebook, fixed = statistics.linear_regression([len(lessons), half_notebooks, notebooks],
                                                           [few_seconds, half_seconds, whole])
        print(f"one notebook of each lesson: {few_seconds:.1f} s; half the class: {half_seconds:.1f} s for "
              f"{half_notebooks} notebooks; so a run costs {fixed:.1f} s once and {per_notebook:.3f} s a notebook",
              flush=True)
        print(f"peak memory of the grading process tree: {peak_half / 2**20:.0f} MiB for {notebooks // 2} "
              f"notebooks, {peak_full / 2**20:.0f} MiB for {notebooks} (ratio {peak_full / peak_half:.2f})", flush=True)
        started = time.perf_counter()
        with cluster.LocalCluster(scratch) as local:
            local.workers(2)
            joined = time.perf_counter() - started
            through_dask, _, dask_scores = our_grader(full, scratch / "ours-dask", 2, lessons, scheduler=local.address)
        print(f"through Dask (a scheduler and two single-threaded workers on loopback, which started their grading "
              f"agents before joining: {joined:.1f} s, untimed): {through_dask:.1f} s = "
              f"{through_dask / whole:.2f}x the local pool's {whole:.1f} s, "
              f"{'identical' if dask_scores == whole_scores else 'DIFFERENT'} scores", flush=True)
        projected = fixed + args.course_students * len(lessons) * per_notebook
        print(f"{args.course_students} students x {len(lessons)} lessons on this machine: "
              f"{projected / 60:.1f} min (once {fixed:.0f} s, then {per_notebook:.3f} s a notebook)", flush=True)

        keys = sorted(set(serial_scores) | set(our_scores))
        mismatched = [k for k in keys if serial_scores.get(k) != our_scores.get(k)]
        mismatched += [k for k in sorted(whole_scores) if dask_scores.get(k) != whole_scores[k]]
        if mismatched:
            print("scores differ: " + ", ".join(f"{k} (nbgrader {serial_scores.get(k)}, ours {our_scores.get(k)})"
                                                for k in mismatched[:10]), file=sys.stderr)
            return 1
        print(f"speedup over serial nbgrader: {serial_total / ours_total:.2f}x (identical scores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
