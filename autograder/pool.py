"""Pool: run a job on many items, each in a forked worker process of its own, a few at once.

Each worker is a fork of the calling process (so it shares what that process loaded) in its
own process session, with its output going to ``logs/<index>.log``. It returns its result
as a JSON file, ``results/<index>.json``. A worker that overruns ``deadline`` seconds is
killed with its whole session; one that dies leaves no result, and the caller decides what
that means. The caller may stop the pool after any result: items not started are returned.
"""

import json
import os
import select
import shutil
import signal
import time


def run_pool(items, job, workers, deadline, folder, on_done, stop=lambda result: False):
    """Run ``job(index, item)`` (returning JSON-able data) for each of ``items`` on ``workers`` forks.

    ``on_done(index, item, result, seconds)`` is called in this process as each ends, with
    ``result`` None if the worker died or was killed. Returns the items never started
    because ``stop(result)`` said so.
    """
    for sub in ("logs", "results"):  # emptied: a stale result would stand in for a worker that died
        shutil.rmtree(folder / sub, ignore_errors=True)
        (folder / sub).mkdir(parents=True)
    pending = list(enumerate(items))[::-1]
    running = {}  # pidfd (readable once the worker has ended) -> (pid, index, item, started)
    stopped = False
    while (pending and not stopped) or running:
        while pending and not stopped and len(running) < workers:
            index, item = pending.pop()
            pid = _fork(job, index, item, folder)
            running[os.pidfd_open(pid)] = (pid, index, item, time.monotonic())
        ended, _, _ = select.select(list(running), [], [], 0.1)
        for pidfd in ended:
            pid, index, item, started = running.pop(pidfd)
            os.close(pidfd)
            os.waitpid(pid, 0)
            result = _result(folder, index)
            on_done(index, item, result, round(time.monotonic() - started, 3))
            stopped = stopped or (result is not None and stop(result))
        _kill_overrunning(running, deadline)
    return [item for _, item in reversed(pending)]


def _fork(job, index, item, folder):
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _work(job, index, item, folder)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def _work(job, index, item, folder):
    """Body of a forked worker: its own session and log; its result written atomically."""
    os.setsid()
    log = open(folder / "logs" / f"{index:05d}.log", "w")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    result = job(index, item)
    path = folder / "results" / f"{index:05d}.json"
    path.with_suffix(".tmp").write_text(json.dumps(result))
    path.with_suffix(".tmp").rename(path)


def _result(folder, index):
    path = folder / "results" / f"{index:05d}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _kill_overrunning(running, deadline):
    now = time.monotonic()
    for pid, _, _, started in running.values():
        if now - started > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
