"""The student-facing checks: right answers pass, each classic mistake fails with a message
that names it."""

import numpy as np
import pytest

from autograder import checks


def affine_forward(x, W, b):
    return x @ W + b, (x, W)


def affine_backward(dout, cache):
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)


def inputs(seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((4, 3)), "W": rng.standard_normal((3, 5)), "b": rng.standard_normal(5)}


def failure(function, *args, **kwargs):
    with pytest.raises(checks.CheckFailure) as caught:
        function(*args, **kwargs)
    return str(caught.value)


def test_rel_error_follows_the_contract():
    assert checks.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert checks.rel_error([1.0], [3.0]) == pytest.approx(0.5)
    assert checks.rel_error([0.0], [1e-9]) == pytest.approx(1e-9 / 1e-8)


def test_numerical_gradient_is_centred_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = checks.numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(grad, 3 * before ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_correct_layer_passes():
    checks.check_layer_backward("affine", affine_forward, affine_backward, inputs())


def test_transposed_weight_gradient_is_named():
    def backward(dout, cache):
        dx, dW, db = affine_backward(dout, cache)
        return dx, dW.T, db
    message = failure(checks.check_layer_backward, "affine", affine_forward, backward, inputs())
    assert "affine_backward: dW" in message and "transposed" in message


def test_bias_gradient_not_summed_is_named():
    def backward(dout, cache):
        dx, dW, _ = affine_backward(dout, cache)
        return dx, dW, dout
    assert "summed over every example" in failure(checks.check_layer_backward, "affine", affine_forward,
                                                  backward, inputs())


def test_bias_gradient_averaged_is_named():
    def backward(dout, cache):
        dx, dW, db = affine_backward(dout, cache)
        return dx, dW, db / dout.shape[0]
    assert "1/N" in failure(checks.check_layer_backward, "affine", affine_forward, backward, inputs())


def test_in_place_write_into_dout_is_named():
    def backward(dout, cache):
        dout[cache <= 0] = 0
        return dout
    x = checks.away_from_kinks((3, 4), np.random.default_rng(1))
    message = failure(checks.check_layer_backward, "relu", relu_forward, backward, {"x": x})
    assert "modified its argument dout in place" in message


def test_wrong_kink_convention_is_explained():
    x = np.array([[-1.0, 0.0, 2.0]])
    dout = np.ones_like(x)
    yours = np.where(x >= 0, dout, 0.0)
    message = failure(checks.assert_close, "relu_backward: dx", yours, relu_backward(dout, x),
                      explain=[(x == 0, "entries where x == 0 take no gradient")])
    assert message == ("relu_backward: dx differs at index (0, 1): yours 1, expected 0 — "
                       "entries where x == 0 take no gradient")


def test_flat_result_is_named():
    expected = np.arange(6.0).reshape(2, 3)
    assert "reshape it to (2, 3)" in failure(checks.assert_close, "dx", expected.ravel(), expected)


def test_non_finite_result_is_named():
    assert "not finite" in failure(checks.assert_close, "loss", np.array([np.inf]), np.array([1.0]))


def test_untouched_stub_reports_not_implemented():
    def relu_forward(x):
        raise NotImplementedError()
    assert "relu_forward is not implemented yet" in failure(checks.call, relu_forward, 1.0)


def test_failure_renders_as_its_message_in_a_notebook():
    rendered = checks.CheckFailure("dx differs\nsecond line")._render_traceback_()
    assert rendered[0].endswith("dx differs") and rendered[1] == "second line"


def test_away_from_kinks_keeps_a_margin():
    x = checks.away_from_kinks((1000,), np.random.default_rng(0), kinks=(0.0, 1.0), margin=0.1)
    assert np.all(np.abs(x) >= 0.1) and np.all(np.abs(x - 1.0) >= 0.1)


def test_result_comparison_names_the_tuple_entry():
    message = failure(checks.compare_results, "pair", (np.ones(2), 2 * np.ones(2)), (np.ones(2), 3 * np.ones(2)))
    assert message.startswith("pair[1] differs")


def test_scalar_mismatch_gets_no_factor_hint():
    message = failure(checks.assert_close, "loss", 0.73, 1.0)
    assert message == "loss differs: yours 0.73, expected 1"


def test_close_values_are_shown_with_enough_digits():
    message = failure(checks.assert_close, "x", np.array([1.0000001]), np.array([1.0]), rtol=1e-9, atol=0)
    assert "yours 1.0000001, expected 1" in message


def test_no_factor_hint_when_only_zero_entries_differ():
    message = failure(checks.assert_close, "s", np.array([1.0, 2.0, 1e-3]), np.array([1.0, 2.0, 0.0]))
    assert "times" not in message


def test_a_visible_test_runs_at_once_and_keeps_its_names_to_itself():
    seen = []

    @checks.visible_test
    def test_relu():
        x = np.array([-1.0, 2.0])
        seen.append(relu_forward(x)[0].tolist())

    assert seen == [[0.0, 2.0]] and test_relu.__name__ == "test_relu"
    assert "x" not in globals()


def test_a_visible_test_explains_a_lesson_function_that_was_never_defined():
    with pytest.raises(checks.CheckFailure, match="^maxout_forward is not defined: run the cell that defines it"):
        @checks.visible_test
        def test_maxout():
            checks.call(maxout_forward, np.zeros((2, 3)))  # noqa: F821 -- the student never defined it


def test_a_name_error_inside_the_student_s_code_is_left_as_it_is():
    def relu_with_a_typo(x):
        return np.maximum(x, zero)  # noqa: F821

    with pytest.raises(NameError, match="zero"):
        @checks.visible_test
        def test_relu():
            checks.call(relu_with_a_typo, np.zeros(3))
