"""The worker pool, with fake jobs: results come back, a worker that dies or overruns is
reported as having none, and a stop leaves the rest unstarted."""

import os
import time

from autograder.pool import run_pool


def run(items, job, workers=2, deadline=5.0, stop=lambda result: False, folder=None):
    done = {}
    left = run_pool(items, job, workers, deadline, folder, lambda index, item, result, seconds: done.update(
        {item: (result, seconds)}), stop=stop)
    return done, left


def test_every_item_comes_back_with_its_result(tmp_path):
    done, left = run(list(range(7)), lambda index, item: {"square": item * item, "pid": os.getpid()}, folder=tmp_path)
    assert left == [] and {item: result["square"] for item, (result, _) in done.items()} == {i: i * i for i in range(7)}
    assert os.getpid() not in {result["pid"] for result, _ in done.values()}, "jobs ran in this process"


def test_a_worker_that_dies_or_overruns_has_no_result_and_the_others_go_on(tmp_path):
    def job(index, item):
        if item == "dies":
            os._exit(3)
        if item == "hangs":
            time.sleep(60)
        return {"ok": item}

    started = time.monotonic()
    done, _ = run(["fine", "dies", "hangs", "also fine"], job, deadline=1.0, folder=tmp_path)
    assert time.monotonic() - started < 30
    assert done["dies"][0] is None and done["hangs"][0] is None and done["hangs"][1] >= 1.0
    assert done["fine"][0] == {"ok": "fine"} and done["also fine"][0] == {"ok": "also fine"}


def test_a_stop_leaves_the_items_not_started(tmp_path):
    done, left = run(list("abcdef"), lambda index, item: {"item": item}, workers=1,
                     stop=lambda result: result["item"] == "b", folder=tmp_path)
    assert sorted(done) == ["a", "b"] and left == list("cdef")
