"""The worker pool, with fake jobs: results come back, a worker runs at most its share of items,
a worker that dies or overruns is reported as having none and a fresh one goes on, and a stop
leaves the rest unstarted."""

import collections
import os
import time

import pytest

from autograder.pool import run_pool


def run(items, job, workers=2, deadline=5.0, stop=lambda result: False, folder=None, per_worker=1):
    done = {}
    left = run_pool(items, job, workers, deadline, folder, lambda index, item, result, seconds: done.update(
        {item: (result, seconds)}), stop=stop, per_worker=per_worker)
    return done, left


@pytest.mark.parametrize("per_worker", [1, 3])
def test_every_item_comes_back_with_its_result(tmp_path, per_worker):
    done, left = run(list(range(7)), lambda index, item: {"square": item * item, "pid": os.getpid()}, folder=tmp_path,
                     per_worker=per_worker)
    assert left == [] and {item: result["square"] for item, (result, _) in done.items()} == {i: i * i for i in range(7)}
    items_per_process = collections.Counter(result["pid"] for result, _ in done.values())
    assert os.getpid() not in items_per_process, "jobs ran in this process"
    assert max(items_per_process.values()) == per_worker and len(items_per_process) >= -(-7 // per_worker)


@pytest.mark.parametrize("per_worker", [1, 3])
def test_a_worker_that_dies_or_overruns_has_no_result_and_the_others_go_on(tmp_path, per_worker):
    def job(index, item):
        if item == "dies":
            os._exit(3)
        if item == "hangs":
            time.sleep(60)
        return {"ok": item}

    started = time.monotonic()
    done, _ = run(["fine", "dies", "hangs", "also fine", "after them"], job, deadline=1.0, folder=tmp_path,
                  per_worker=per_worker)
    assert time.monotonic() - started < 30
    assert done["dies"][0] is None and done["hangs"][0] is None and done["hangs"][1] >= 1.0
    assert [done[item][0] for item in ("fine", "also fine", "after them")] == [
        {"ok": "fine"}, {"ok": "also fine"}, {"ok": "after them"}]


def test_a_stop_leaves_the_items_not_started(tmp_path):
    done, left = run(list("abcdef"), lambda index, item: {"item": item}, workers=1,
                     stop=lambda result: result["item"] == "b", folder=tmp_path, per_worker=4)
    assert sorted(done) == ["a", "b"] and left == list("cdef")


def test_each_item_has_its_own_log(tmp_path):
    run(list("abc"), lambda index, item: os.write(1, f"grading {item}\n".encode()) and {}, workers=1, folder=tmp_path,
        per_worker=3)
    assert [(tmp_path / "logs" / f"{index:05d}.log").read_text() for index in range(3)] == [
        "grading a\n", "grading b\n", "grading c\n"]
