"""Benchmark: grade a synthetic class with plain serial nbgrader and with ``autograder grade``.

Run with ``make bench``. In one run it measures

- plain ``nbgrader autograde`` over the whole class (serial, as nbgrader runs it);
- ``python -m autograder grade --jobs 2`` over the same class (which also writes the
  feedback pages and the report, work plain autograde does not do);
- a bare kernel start-and-shutdown, as jupyter_client (and so plain nbgrader) makes one per notebook;
- the per-notebook cost, both ways: the class's wall time over its size with ``--jobs 2``,
  and the mean time a worker spends on one notebook (autograde, including the kernel, and
  feedback page) with ``--jobs 1`` on part of the class, so on one core;
- the peak memory of the grading process tree for half the class and for the whole class;

checks that both graders gave every student the same score, and prints the figures. Its
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

from autograder import synthetic
from autograder.course import SOLUTIONS, put_scripts_on_path

LESSON = "01_computation_graphs"


def build_class(submissions, size):
    """``size`` students: complete answers, untouched stubs and the corpus's mistakes, in turn."""
    kinds = [synthetic.complete(LESSON, lean=True), synthetic.stubs(LESSON)]
    kinds += [synthetic.with_variant(v) for v in synthetic.corpus(LESSON, "wrong")]
    for index, notebook in zip(range(size), itertools.cycle(kinds)):
        synthetic.write_submission(submissions, f"student{index:04d}", LESSON, notebook)


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


def plain_nbgrader(submissions, course):
    """Serial ``nbgrader autograde``, configured only with the course's folders."""
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.source_directory = {str(SOLUTIONS)!r}\n"
        f"c.CourseDirectory.submitted_directory = {str(submissions)!r}\n"
        # Its own gradebook, whatever other nbgrader configuration is on the path.
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(course / 'gradebook.db')!r}\n"
        f"c.CourseDirectory.release_directory = {str(course / 'release')!r}\n")
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run(nbgrader + ["generate_assignment", LESSON, "--force"], cwd=course, check=True,
                   capture_output=True)
    env = dict(os.environ, MPLBACKEND="Agg")
    seconds, _ = timed(nbgrader + ["autograde", LESSON, "--force", f"--CourseDirectory.root={course}"], env)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(LESSON)}
    return seconds, scores


def our_grader(submissions, out, jobs):
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
               "--jobs", str(jobs), "--assignment", LESSON]
    seconds, peak = timed(command)
    with open(out / "grades.csv", newline="") as handle:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
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
    parser.add_argument("--students", type=int, default=100, help="class size (default 100)")
    parser.add_argument("--one-core-sample", type=int, default=20,
                        help="notebooks graded with --jobs 1 for the per-notebook cost")
    args = parser.parse_args()
    put_scripts_on_path()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        scratch = Path(scratch)
        full, half, sample = scratch / "class", scratch / "half", scratch / "sample"
        build_class(full, args.students)
        build_class(half, args.students // 2)
        build_class(sample, args.one_core_sample)
        print(f"class: {args.students} notebooks of {LESSON} on {os.cpu_count()} cores", flush=True)

        kernel = bare_kernel()
        print(f"bare kernel start-and-shutdown: {kernel:.3f} s (median of 10)", flush=True)

        serial, serial_scores = plain_nbgrader(full, scratch / "plain")
        print(f"plain nbgrader autograde, serial: {serial:.1f} s, "
              f"{args.students / serial:.2f} notebooks/s", flush=True)

        ours, peak_full, our_scores = our_grader(full, scratch / "ours", jobs=2)
        print(f"autograder grade --jobs 2: {ours:.1f} s, {args.students / ours:.2f} notebooks/s "
              f"(with feedback pages and report): {ours / args.students:.3f} s a notebook = "
              f"{ours / args.students / kernel:.2f}x a bare kernel", flush=True)

        our_grader(sample, scratch / "one-core", jobs=1)
        with open(scratch / "one-core" / "timings.csv", newline="") as handle:
            per_notebook = statistics.mean(float(row["seconds"]) for row in csv.DictReader(handle))
        print(f"per-notebook cost on one core (--jobs 1, mean of {args.one_core_sample} notebooks, "
              f"autograde and feedback page): {per_notebook:.3f} s = {per_notebook / kernel:.2f}x "
              "a bare kernel", flush=True)

        _, peak_half, _ = our_grader(half, scratch / "ours-half", jobs=2)
        print(f"peak memory of the grading process tree: {peak_half / 2**20:.0f} MiB for "
              f"{args.students // 2} notebooks, {peak_full / 2**20:.0f} MiB for {args.students} "
              f"(ratio {peak_full / peak_half:.2f})", flush=True)

        students = sorted(set(serial_scores) | set(our_scores))
        mismatched = [s for s in students if serial_scores.get(s) != our_scores.get(s)]
        if mismatched:
            print("scores differ: " + ", ".join(f"{s} (nbgrader {serial_scores.get(s)}, ours {our_scores.get(s)})"
                                                for s in mismatched[:10]), file=sys.stderr)
            return 1
        print(f"speedup over serial nbgrader: {serial / ours:.2f}x (identical scores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
