"""Hidden tests' two runs: the record the kernel writes and the judge that reads it."""

import json

import nbformat
import numpy as np
import pytest

from autograder import hidden, judge
from autograder.checks import CheckFailure
from autograder.course import solution_notebook
from autograder.reference import reference

LESSON = "01_computation_graphs"


# --- the record ----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, "text", float("nan"), float("-inf"),
    np.arange(6, dtype=np.int32).reshape(2, 3), np.float32(1.5), np.float64(2.0), np.array(True),
    np.linspace(0, 1, 5)[::2], np.zeros((0, 3)), np.array([1 + 2j]),
    (np.ones(2), [1, (2.0, "x")], {"W1": np.eye(2), "b1": np.zeros(2)}),
])
def test_plain_values_come_back_as_they_were(value):
    back = hidden.decode(json.loads(json.dumps(hidden.encode(value))))
    assert type(back) is type(value) or isinstance(value, np.generic) and np.asarray(back).dtype == value.dtype
    if isinstance(value, (np.ndarray, np.generic)):
        assert np.asarray(back).dtype == np.asarray(value).dtype and np.shape(back) == np.shape(value)
        np.testing.assert_array_equal(back, value)
    elif isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    elif not isinstance(value, tuple):
        assert back == value


class Sly(np.ndarray):
    """An array subclass a student could return, with a comparison that always agrees."""

    def __eq__(self, other):
        return True


def test_an_array_subclass_is_recorded_as_a_plain_array():
    back = hidden.decode(hidden.encode(np.arange(3.0).view(Sly)))
    assert type(back) is np.ndarray and back.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("value,type_name", [
    (object(), "object"), (lambda: 1, "function"), (np.array([object()]), "array of object"),
    ({1: 2}, "dict"), (Sly, "type"),
])
def test_anything_else_is_recorded_as_not_plain_data(value, type_name):
    back = hidden.decode(hidden.encode(value))
    assert isinstance(back, hidden.NotPlainData) and type_name in repr(back)


@pytest.mark.parametrize("data", [
    {"array": "AAAA", "dtype": "|O", "shape": [1], "scalar": False},          # object dtype
    {"array": "AAAA", "dtype": "<f8", "shape": [2], "scalar": False},         # wrong byte count
    {"array": "not base64!", "dtype": "<f8", "shape": [1], "scalar": False},
    {"array": "", "dtype": "<f8", "shape": [-1], "scalar": False},
    {"pickle": "gASVAAAA"}, {"tuple": "abc"}, {"float": "1e308"}, {},
])
def test_a_forged_record_entry_is_refused(data):
    with pytest.raises(hidden.MalformedRecord):
        hidden.decode(data)


# --- the judge ------------------------------------------------------------------------------

def record(body):
    """What the kernel's run of ``body`` records, read back as the judge reads it."""
    entries, error = hidden._run_recording(body)
    return json.loads(json.dumps(entries)), error


def judged(body, entries, error=None):
    with hidden.judging(entries, error) as judge_:
        body(judge_)
        judge_.finish()


def square_test(square):
    def body(expect):
        x = np.arange(4.0)
        expect("square(x)", square(x), explain=[(x > 1, "only the large entries are off")])
        expect.unchanged("square", x=x)
    return body


def test_judge_passes_a_record_that_matches_the_reference():
    judged(square_test(np.square), *record(square_test(np.square)))


def test_judge_fails_a_wrong_value_with_the_course_message():
    wrong = square_test(lambda x: np.where(x > 1, 0.0, x * x))
    with pytest.raises(CheckFailure, match=r"square\(x\) differs at index \(2,\).* — only the large entries are off"):
        judged(square_test(np.square), *record(wrong))


def test_judge_fails_an_argument_modified_in_place():
    def in_place(x):
        x *= x
        return x
    with pytest.raises(CheckFailure, match="square modified x in place"):
        judged(square_test(np.square), *record(square_test(in_place)))


def test_judge_reports_what_the_students_code_raised():
    def broken(x):
        raise ZeroDivisionError("oops")
    with pytest.raises(CheckFailure, match=r"square\(x\): your code raised ZeroDivisionError: oops"):
        judged(square_test(np.square), *record(square_test(broken)))


@pytest.mark.parametrize("entries,message", [
    ([], "nothing was recorded"),
    ([["other label", 1.0]], "the record holds 'other label' here instead"),
    ([["square(x)", {"unrecordable": "Cheat"}]], "is <a Cheat>, not a number"),
    ([["square(x)", {"pickle": "x"}]], "the recorded value is malformed"),
])
def test_judge_refuses_a_record_out_of_step_or_forged(entries, message):
    with pytest.raises(CheckFailure, match=message):
        judged(square_test(np.square), entries)


def test_judge_refuses_extra_entries():
    entries, _ = record(square_test(np.square))
    with pytest.raises(CheckFailure, match="more values than the hidden tests check"):
        judged(square_test(np.square), entries + [["extra", 1]])


def test_verdict_of_a_missing_or_malformed_record_scores_zero(tmp_path):
    source = "from autograder.hidden import hidden_test\n@hidden_test\ndef hidden_add_backward(expect):\n    pass\n"
    [missing] = judge.verdict("hidden_add_backward", source, LESSON, tmp_path)
    assert missing.output_type == "error" and "left no record" in missing.evalue
    (tmp_path / "hidden_add_backward.json").write_text("{not json")
    [malformed] = judge.verdict("hidden_add_backward", source, LESSON, tmp_path)
    assert malformed.output_type == "error" and "malformed" in malformed.evalue
    (tmp_path / "hidden_add_backward.json").write_text(json.dumps(
        {"test": "hidden_add_backward", "entries": [], "error": None}))
    [passed] = judge.verdict("hidden_add_backward", source, LESSON, tmp_path)
    assert passed.output_type == "stream" and "passed" in passed.text


def reference_record(grade_id):
    """The source of a hidden test cell of ``LESSON`` and the record the reference solution writes for it."""
    [cell] = [c for c in nbformat.read(solution_notebook(LESSON), as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    with hidden.recording() as records:
        exec(compile(cell.source, grade_id, "exec"), dict(vars(reference(LESSON))))
    return cell.source, json.loads(records[grade_id])


def test_a_record_identical_to_the_references_gets_its_remembered_verdict_and_any_other_is_judged(tmp_path, monkeypatch):
    judge.remember(LESSON)
    source, data = reference_record("hidden_Value")
    judged_again = []
    monkeypatch.setattr(judge, "_judged", lambda *args: judged_again.append(args[0]) or [])
    (tmp_path / "hidden_Value.json").write_text(json.dumps(data))
    [passed] = judge.verdict("hidden_Value", source, LESSON, tmp_path)
    assert passed.text == "Value: hidden tests passed\n" and judged_again == []
    # The same values, but a float recorded as an int: the judge tells those apart, so it judges this one.
    entry = next(e for e in data["entries"] if e[0] == "Value(3).grad before any backward")
    assert entry[1] == 0.0 and type(entry[1]) is float
    entry[1] = 0
    (tmp_path / "hidden_Value.json").write_text(json.dumps(data))
    judge.verdict("hidden_Value", source, LESSON, tmp_path)
    assert judged_again == ["hidden_Value"]
