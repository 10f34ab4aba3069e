"""Pool: run a job on many items in a few forked worker processes, one item at a time each.

Each worker is a fork of the calling process (so it shares what that process loaded) in its
own process session. It runs the items the pool hands it, one at a time, up to ``per_worker``
of them, then ends, and a fresh fork takes its place: what a worker builds up on its first
item (compiled queries and templates, warm caches) serves its next ones, and nothing it
gathers outlives that many items. An item's output goes to ``logs/<index>.log``; its result
is a JSON file, ``results/<index>.json``. A worker that overruns ``deadline`` seconds on an
item is killed with its whole session; one that dies leaves no result for its item, and the
caller decides what that means; either way a fresh worker takes the next items. The caller
may stop the pool after any result: items not started are returned.
"""

import json
import os
import select
import shutil
import signal
import sys
import time


def run_pool(items, job, workers, deadline, folder, on_done, stop=lambda result: False, per_worker=1):
    """Run ``job(index, item)`` (returning JSON-able data) for each of ``items`` on ``workers`` forks,
    each running at most ``per_worker`` items.

    ``on_done(index, item, result, seconds)`` is called in this process as each ends, with
    ``result`` None if the worker died or was killed. Returns the items never started
    because ``stop(result)`` said so.
    """
    for sub in ("logs", "results"):  # emptied: a stale result would stand in for a worker that died
        shutil.rmtree(folder / sub, ignore_errors=True)
        (folder / sub).mkdir(parents=True)
    pending = list(enumerate(items))[::-1]
    running = []
    stopped = False
    while (pending and not stopped) or running:
        for worker in running:
            if worker.item is None and not worker.leaving:
                if pending and not stopped and worker.given < per_worker:
                    worker.give(pending)
                else:
                    worker.leave()
        while pending and not stopped and len(running) < workers:
            worker = _Worker(job, items, folder, per_worker, running)
            running.append(worker)
            worker.give(pending)
        ready, _, _ = select.select([w.reports for w in running] + [w.pidfd for w in running], [], [], 0.1)
        for worker in [w for w in running if w.reports in ready or w.pidfd in ready]:
            for index in worker.reported():
                stopped = _finish(worker, index, folder, on_done, stop) or stopped
            if worker.pidfd in ready:  # ended: after its quota, or killed, or dead mid-item
                if worker.item is not None:
                    stopped = _finish(worker, worker.item[0], folder, on_done, stop) or stopped
                worker.close()
                running.remove(worker)
        for worker in running:
            if worker.item is not None and time.monotonic() - worker.item[2] > deadline:
                worker.kill()
    return [item for _, item in reversed(pending)]


def _finish(worker, index, folder, on_done, stop):
    """Report the end of the worker's item ``index``; whether the pool must stop."""
    _, item, started = worker.item
    worker.item = None
    result = _result(folder, index)
    on_done(index, item, result, round(time.monotonic() - started, 3))
    return result is not None and stop(result)


class _Worker:
    """A forked worker, as the pool sees it: a pipe for its orders (an item's index, one at a
    time), a pipe for its reports (the index it has finished) and a pidfd, readable once it ends."""

    def __init__(self, job, items, folder, per_worker, others):
        orders_in, self.orders = os.pipe()
        self.reports, reports_out = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            code = 0
            try:
                for fd in [self.orders, self.reports] + [fd for w in others for fd in (w.orders, w.reports, w.pidfd)]:
                    os.close(fd)  # the pool's ends of its pipes, and of the other workers'
                _serve(job, items, folder, per_worker, orders_in, reports_out)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(orders_in)
        os.close(reports_out)
        os.set_blocking(self.reports, False)  # read whenever select says so, never waited on
        self.pidfd = os.pidfd_open(self.pid)
        self.item, self.given, self.leaving, self.killed = None, 0, False, False

    def give(self, pending):
        index, item = pending.pop()
        self.item, self.given = (index, item, time.monotonic()), self.given + 1
        try:
            os.write(self.orders, f"{index}\n".encode())
        except BrokenPipeError:  # it ended meanwhile: the item goes back, its pidfd says the rest
            pending.append((index, item))
            self.item, self.leaving = None, True

    def leave(self):
        self.leaving = True
        try:
            os.write(self.orders, b"leave\n")
        except BrokenPipeError:
            pass

    def reported(self):
        """The indexes the worker has reported finished since last asked."""
        data = b""
        try:
            while chunk := os.read(self.reports, 4096):
                data += chunk
        except BlockingIOError:
            pass
        return [int(line) for line in data.split()]

    def kill(self):
        if not self.killed:
            self.killed = True
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self):
        os.waitpid(self.pid, 0)
        for fd in (self.pidfd, self.orders, self.reports):
            os.close(fd)


def _serve(job, items, folder, per_worker, orders, reports):
    """Body of a forked worker: its own session; up to ``per_worker`` items, each with its own
    log and its result written atomically, then it reports the item's index."""
    os.setsid()
    orders = os.fdopen(orders, "rb", buffering=0)
    for _ in range(per_worker):
        order = orders.readline().strip()
        if not order.isdigit():  # told to leave, or the pool is gone
            return
        index = int(order)
        _work(job, index, items[index], folder)
        os.write(reports, f"{index}\n".encode())


def _work(job, index, item, folder):
    """One item: its output to its own log, its result written atomically."""
    with open(folder / "logs" / f"{index:05d}.log", "w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        result = job(index, item)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    path = folder / "results" / f"{index:05d}.json"
    path.with_suffix(".tmp").write_text(json.dumps(result))
    path.with_suffix(".tmp").rename(path)


def _result(folder, index):
    path = folder / "results" / f"{index:05d}.json"
    return json.loads(path.read_text()) if path.exists() else None
