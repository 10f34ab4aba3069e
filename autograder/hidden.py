"""Hidden tests: written once, run twice, judged where the student's code cannot reach.

A hidden test cell holds one function, decorated with ``@hidden_test`` and named after its
cell's grade id. Its body calls the lesson's functions by their plain names and passes
every value worth checking through ``expect``::

    from autograder.hidden import hidden_test

    @hidden_test
    def hidden_max_backward(expect):
        rng = np.random.default_rng(505)
        x, y, dout = rng.standard_normal((3, 4, 5))
        dx, dy = expect("max_backward(x, y, dout)", max_backward(x, y, dout), tol=1e-12)
        expect.unchanged("max_backward", x=x, y=y, dout=dout)

When a notebook is graded the body runs twice:

1. In the student's kernel (``BACKPROP_RECORDS`` names a folder): the plain names are the
   student's, and ``expect`` only records each value, as plain numbers and arrays, into
   ``<folder>/<test name>.json``. Nothing in the kernel knows a reference value.
2. In the grader (``judge``, from ``autograder.judge``): the same source runs with the
   reference solution as its globals, so ``expect`` receives the reference's value and
   compares the student's recorded one with it, failing with the course's usual message.
   No student code runs there: records are decoded into plain numbers and arrays. The
   grader also records the reference's own run once per grading run (``recording``), so
   that a record identical to it is judged once (``judge.remember``).

Anywhere else (an instructor running the solutions notebook) the decorator does both in
the notebook's own process, the reference read from the lesson's solutions notebook.

For the two runs to stay in step, the body may branch only on what ``expect`` returned
(in the grader that is the student's recorded value) and must feed the student's
functions only inputs made by the body itself, never a value from ``expect``.
"""

import base64
import contextlib
import json
import os
import stat
import types
from pathlib import Path

import numpy as np

from .checks import CheckFailure, compare_results, fail

RECORDS_ENV = "BACKPROP_RECORDS"
MAX_RECORD_BYTES = 64 * 2**20
NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: the only arrays a record holds


# --- the record: plain data only ----------------------------------------------------------

class NotPlainData:
    """Stands, in a decoded record, for a value that was not a number, string or array."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<a {self.type_name}>"


def encode(value, depth=0):
    """A JSON-ready form of ``value``: numbers, strings, arrays, and tuples, lists and dicts of them."""
    if depth > 20:
        return {"unrecordable": "structure nested too deep"}
    if value is None or type(value) in (bool, str, int):
        return value
    if type(value) is float:
        return value if np.isfinite(value) else {"float": repr(value)}
    if isinstance(value, (np.generic, np.ndarray)):
        array = np.asarray(value)
        if array.dtype.kind not in NUMERIC_KINDS:
            return {"unrecordable": f"array of {array.dtype}"}
        return {"array": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii"),
                "dtype": array.dtype.str, "shape": list(array.shape), "scalar": isinstance(value, np.generic)}
    if type(value) is tuple:
        return {"tuple": [encode(v, depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is dict and all(type(k) is str for k in value):
        return {"dict": {k: encode(v, depth + 1) for k, v in value.items()}}
    return {"unrecordable": type(value).__name__}


class MalformedRecord(ValueError):
    """A record that is not what ``encode`` writes."""


class RecordedFailure(CheckFailure):
    """A failure whose message quotes what the kernel recorded (a label, an error, a type
    name): the kernel's words, not the grader's. The instructor reads it; a student's
    feedback page shows none of it, since the kernel wrote it after seeing the hidden tests."""


def decode(data):
    """The plain value ``encode`` made ``data`` from; ``MalformedRecord`` for anything else."""
    if data is None or type(data) in (bool, str, int, float):
        return data
    if type(data) is list:
        return [decode(v) for v in data]
    if type(data) is not dict or len(data) == 0:
        raise MalformedRecord(f"unexpected {type(data).__name__}")
    if set(data) == {"tuple"} and type(data["tuple"]) is list:
        return tuple(decode(v) for v in data["tuple"])
    if set(data) == {"dict"} and type(data["dict"]) is dict:
        return {str(k): decode(v) for k, v in data["dict"].items()}
    if set(data) == {"float"} and data["float"] in ("nan", "inf", "-inf"):
        return float(data["float"])
    if set(data) == {"unrecordable"} and type(data["unrecordable"]) is str:
        return NotPlainData(data["unrecordable"][:80])
    if set(data) == {"array", "dtype", "shape", "scalar"}:
        return _decode_array(data)
    raise MalformedRecord(f"unexpected keys {sorted(data)[:5]}")


def _decode_array(data):
    try:
        dtype = np.dtype(data["dtype"])
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["array"], validate=True)
    except (TypeError, ValueError) as error:
        raise MalformedRecord(f"bad array: {error}") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or any(n < 0 for n in shape):
        raise MalformedRecord(f"bad array dtype or shape: {data['dtype']!r} {shape}")
    if len(raw) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise MalformedRecord("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if data["scalar"] is True else array


def record_path(folder, test_name):
    return Path(folder) / f"{test_name}.json"


def _read_plain_file(path, max_bytes):
    """The bytes of ``path`` if it is a regular file of one name, no link, FIFO or device,
    and no larger than ``max_bytes``, in a folder that is no link either: the kernel wrote
    both and may have put anything there (a link to another student's records, say)."""
    no_follow = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        folder = os.open(path.parent, no_follow | os.O_DIRECTORY)
        try:
            fd = os.open(path.name, no_follow, dir_fd=folder)
        finally:
            os.close(folder)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise MalformedRecord(f"not a plain file ({error.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            raise MalformedRecord("not a plain file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise MalformedRecord(f"larger than {max_bytes} bytes")
    return data


def read_record(folder, test_name):
    """The entries and error a kernel recorded for one test. Raises ``FileNotFoundError``
    when there is none, ``MalformedRecord`` for anything but what ``_record`` writes."""
    return parse_record(_read_plain_file(record_path(folder, test_name), MAX_RECORD_BYTES), test_name)


def parse_record(data, test_name):
    """The entries and error of a record's bytes ``data``; ``MalformedRecord`` for anything but
    what ``record_text`` makes."""
    try:
        data = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedRecord(f"not JSON ({error})") from None
    if type(data) is not dict or data.get("test") != test_name or type(data.get("entries")) is not list:
        raise MalformedRecord("not a record of this test")
    error = data.get("error")
    if error is not None and type(error) is not str:
        raise MalformedRecord("bad error field")
    entries = []
    for entry in data["entries"]:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not str:
            raise MalformedRecord("bad entry")
        entries.append((entry[0], entry[1]))
    return entries, error


# --- the two sides of expect ----------------------------------------------------------------

class _Expect:
    """What the body calls; ``unchanged`` is shared, ``__call__`` differs by side."""

    def unchanged(self, function_name, **arguments):
        """Expect the caller's arguments to be as they were before ``function_name`` ran."""
        for name, value in arguments.items():
            self(f"{name} after {function_name}", value, tol=0,
                 explain=lambda yours, value=value: [(np.ones(np.shape(value), dtype=bool),
                     f"{function_name} modified {name} in place — work on a copy "
                     "(np.where, x.copy()) so the caller's arrays stay intact")])


class Recorder(_Expect):
    """The kernel's side: keep each value as plain data and hand it back unchanged."""

    def __init__(self):
        self.entries = []

    def __call__(self, label, value, tol=1e-7, explain=()):
        self.entries.append([str(label), encode(value)])
        return value


class Judge(_Expect):
    """The grader's side: compare the recorded value for each label with the reference's."""

    def __init__(self, entries, error):
        self.entries, self.error, self.position = list(entries), error, 0
        self.tests = []  # the names of the hidden tests that ran against this record

    def __call__(self, label, value, tol=1e-7, explain=()):
        if self.position == len(self.entries):
            if self.error:
                raise RecordedFailure(_raised(self.error, label))
            fail(f"{label}: nothing was recorded for this check — the hidden tests did not run to the end")
        recorded_label, data = self.entries[self.position]
        self.position += 1
        if recorded_label != label:
            raise RecordedFailure(f"{label}: the record holds {recorded_label[:100]!r} here instead — "
                                  "code in the notebook changed what the hidden tests saw")
        try:
            yours = decode(data)
        except MalformedRecord as error:
            raise RecordedFailure(f"{label}: the recorded value is malformed ({error})") from None
        _reject_not_plain(label, yours)
        compare_results(label, yours, value, tol=tol, explain=_hints(explain, yours))
        return yours

    def finish(self):
        if self.error:
            raise RecordedFailure(_raised(self.error, "after its last check"))
        if self.position != len(self.entries):
            fail("the record holds more values than the hidden tests check — "
                 "code in the notebook changed what the hidden tests saw")


def _hints(explain, yours):
    """``explain``, or what it returns for the student's value; none if it cannot be built from it."""
    if not callable(explain):
        return explain
    try:
        return explain(yours)
    except Exception:  # a value of the wrong shape or type: the comparison says so itself
        return ()


def _raised(error, where):
    """What the student's code raised in the kernel: a course check's sentence stands alone."""
    if error.startswith(f"{CheckFailure.__name__}: "):
        return error.split(": ", 1)[1]
    return f"{where}: your code raised {error}"


def _reject_not_plain(label, value):
    if isinstance(value, NotPlainData):
        raise RecordedFailure(f"{label} is {value!r}, not a number or an array of numbers")
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (tuple, list)) else ()
    for item in items:
        _reject_not_plain(label, item)


# --- the decorator ------------------------------------------------------------------------------

_judging = []  # the grader pushes a Judge here while it runs one cell's source
_recording = []  # the grader pushes a dict here while it records the reference's own answers


def hidden_test(body):
    """Run ``body(expect)`` as this process's side of the hidden test: see the module's docstring."""
    if _judging:
        judge = _judging[-1]
        judge.tests.append(body.__name__)
        body(judge)
        judge.finish()
    elif _recording:
        _recording[-1][body.__name__] = record_text(body)
    elif os.environ.get(RECORDS_ENV):
        _record(body, Path(os.environ[RECORDS_ENV]))
    else:
        _record_and_judge_here(body)
    return body


def _run_recording(body):
    recorder, error = Recorder(), None
    try:
        body(recorder)
    except Exception as exc:  # the student's code failed: the grader says so at the right check
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500]
    return recorder.entries, error


def record_text(body):
    """The record of ``body``'s run in this process, as a kernel writes it to its file."""
    entries, error = _run_recording(body)
    return json.dumps({"test": body.__name__, "entries": entries, "error": error})


def _record(body, folder):
    record_path(folder, body.__name__).write_text(record_text(body))


def _record_and_judge_here(body):
    from .course import LESSON_IDS
    from .reference import reference

    lesson = Path.cwd().name
    if lesson not in LESSON_IDS:
        raise RuntimeError(f"hidden tests run in a lesson's folder (one of {', '.join(LESSON_IDS)}); "
                           f"this kernel runs in {Path.cwd()}")
    entries, error = _run_recording(body)
    entries = json.loads(json.dumps(entries))  # the judge sees what a record file would hold
    namespace = dict(vars(reference(lesson)), __builtins__=__builtins__)
    judged = types.FunctionType(body.__code__, namespace, body.__name__, body.__defaults__, body.__closure__)
    judge = Judge(entries, error)
    judged(judge)
    judge.finish()
    print(f"{body.__name__}: passed")


@contextlib.contextmanager
def recording():
    """The grader's context for recording as a kernel does: ``hidden_test`` runs the body with
    a ``Recorder`` and puts its record's text in the yielded dict, under the test's name."""
    records = {}
    _recording.append(records)
    try:
        yield records
    finally:
        _recording.pop()


@contextlib.contextmanager
def judging(entries, error):
    """The grader's context: ``hidden_test`` judges against this record while it is open.

    Yields the ``Judge``, whose ``tests`` lists the hidden tests that ran.
    """
    judge = Judge(entries, error)
    _judging.append(judge)
    try:
        yield judge
    finally:
        _judging.pop()
