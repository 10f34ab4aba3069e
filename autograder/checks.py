"""Student-facing checks: numerical gradients and comparisons that explain what is wrong.

Every lesson's test cells call these. A failed check raises ``CheckFailure`` (an
AssertionError) whose message names the function, the first offending index, both values
and, where a known mistake explains the difference, the mistake. In a notebook the
failure prints as that message alone, not as a traceback into this module.

The gradient checks follow CS231n's ``gradient_check.py``: a centred difference of a
scalar function, and the "array" check that compares a backward pass against the
numerical gradient of ``sum(forward(x) * dout)`` for a random ``dout``, so no Jacobian is
ever built.

A notebook in another language calls ``use_language``: its visible tests then speak that
language, from the gettext catalogues in ``locale/`` (``checks.po`` for this module's
sentences, the lesson's catalogue for its test cells' strings). Only visible tests do:
hidden tests record and judge in English, so grading never depends on the language.
"""

import contextlib
import copy
import io
import math
import re
import sys
from pathlib import Path

import numpy as np
import polib

DEFAULT_H = 1e-5


class CheckFailure(AssertionError):
    """A failed course check; the message is written for the student."""

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: the message is the whole story.
        return [f"\x1b[0;31mCheckFailure\x1b[0m: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


def fail(message):
    raise CheckFailure(_localized(message))


# --- language ---------------------------------------------------------------------------------

LOCALE = Path(__file__).resolve().parent.parent / "locale"
OWN_CATALOGUE = "checks.po"
# Marks a lesson catalogue's entry for a visible test's string (autograder.translate writes it).
VISIBLE_TEST_COMMENT = "string in a visible test (translated as it runs)"
# gettext's flag for an entry whose msgid has ``{...}`` placeholders (an f-string, a str.format template).
BRACE_FORMAT = "python-brace-format"
PLACEHOLDER = re.compile(r"(?<!\{)\{(?!\{)[^{}]*\}")


def _load_languages():
    """``{language: (sentences, texts, patterns)}`` from every finished entry of ``locale/``.

    Read once, at import: a grading kernel is forked from a template that imported this
    module, and inside its sandbox ``locale/`` cannot be read. ``sentences`` are this
    module's templates; ``texts`` the test cells' plain strings, longest first, replaced
    wherever they occur (a sentence may be built from two); ``patterns`` their f-strings,
    found wherever they printed, each ``{...}`` capturing what it printed.
    """
    languages = {}
    for path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        sentences, texts, patterns = languages.setdefault(path.parent.parent.name, ({}, {}, []))
        for entry in polib.pofile(str(path)):
            if not entry.msgstr or entry.obsolete or "fuzzy" in entry.flags:
                continue
            if path.name == OWN_CATALOGUE:
                sentences[entry.msgid] = entry.msgstr
            elif entry.comment == VISIBLE_TEST_COMMENT and BRACE_FORMAT in entry.flags:
                patterns.append((pattern(entry.msgid), entry.msgstr))
            elif entry.comment == VISIBLE_TEST_COMMENT:
                texts[entry.msgid] = entry.msgstr
    return {language: (sentences, *longest_first(texts, patterns))
            for language, (sentences, texts, patterns) in languages.items()}


def longest_first(texts, patterns):
    """``texts`` (``{english: translation}``) and ``patterns`` (``[(pattern(english), translation)]``)
    in the order ``localize`` tries them: the longest English first, before any part of it."""
    return (dict(sorted(texts.items(), key=lambda item: -len(item[0]))),
            sorted(patterns, key=lambda item: -len(item[0][0].pattern)))


def pattern(template):
    """What finds the f-string ``template``'s output in a message: a regular expression with one
    group per ``{...}``, the placeholders, and whether it must match the message whole (when the
    template ends in a placeholder, nothing marks where that value ends)."""
    pieces = PLACEHOLDER.split(template)
    literal = [re.escape(piece.replace("{{", "{").replace("}}", "}")) for piece in pieces]
    return re.compile("(.*?)".join(literal), re.S), PLACEHOLDER.findall(template), pieces[-1] == ""


LANGUAGES = _load_languages()
ENGLISH = ({}, {}, [])
_language = None        # set by use_language; None is English
_speaking = ENGLISH     # the language in force: the notebook's inside a visible test, else English


def use_language(language):
    """Make this notebook's visible tests speak ``language`` ("zh_CN"; "en" for English)."""
    global _language
    if language != "en" and language not in LANGUAGES:
        raise ValueError(f"no catalogue for {language!r} in {LOCALE}: {sorted(LANGUAGES)} or 'en'")
    _language = None if language == "en" else language


def _(sentence):
    """One of this module's sentences, as a ``str.format`` template, in the language in force."""
    return _speaking[0].get(sentence, sentence)


def _localized(text):
    """A test cell's ``text`` (a message, a printed line) with its strings in the language in force."""
    return localize(text, *_speaking[1:])


def localize(text, texts, patterns):
    """``text`` translated: wherever an f-string of ``patterns`` (``(pattern(english), translation)``)
    printed in it, the translation with that output's values; then every English string of
    ``texts`` (``{english: translation}``, longest first) replaced wherever it occurs, in the
    values too (a check's name is often an f-string of its own, or a plain string)."""
    def filled(translation, placeholders):
        def fill(match):
            printed = dict(zip(placeholders, match.groups()))
            done = PLACEHOLDER.sub(lambda m: printed.get(m.group(), m.group()), translation)
            return done.replace("{{", "{").replace("}}", "}")
        return fill

    for (regex, placeholders, whole_only), translation in patterns:
        if whole_only:
            match = regex.fullmatch(text)
            text = filled(translation, placeholders)(match) if match else text
        else:
            text = regex.sub(filled(translation, placeholders), text)
    for english, translation in texts.items():
        text = text.replace(english, translation)
    return text


@contextlib.contextmanager
def _visible_language():
    """Speak the notebook's language for the length of a visible test, its printed lines included."""
    global _speaking
    if _language is None:
        yield
        return
    _speaking, printed = LANGUAGES[_language], io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            yield
    finally:
        sys.stdout.write(_localized(printed.getvalue()))
        _speaking = ENGLISH


# --- test cells ---------------------------------------------------------------------------

def visible_test(test):
    """Run a visible test cell's checks now, inside the function ``test``.

    The cell's names (``x``, ``rng``, a helper ``_sig``) stay local to ``test``, so a test
    never rebinds a name the student's own code uses; the cell leaves only ``test`` itself,
    named after the cell, which the student may call again. A lesson function that was
    never defined is explained (a syntax error in its cell, or a cell not run yet) instead
    of surfacing as a bare ``NameError``.
    """
    with _visible_language():
        try:
            test()
        except NameError as error:
            if error.name is None or not _raised_in(error, test.__code__):
                raise
            fail(_undefined(error.name))
    return test


def _raised_in(error, code):
    """Whether the innermost frame of ``error``'s traceback runs ``code``."""
    tb = error.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code is code


def _undefined(name):
    """Why the lesson's ``name`` is undefined, from the cells this kernel has run."""
    definition = re.compile(rf"^\s*(?:def|class)\s+{re.escape(name)}\b", re.MULTILINE)
    source = next((cell for cell in reversed(_cells_run()) if definition.search(cell)), None)
    if source is None:
        return _("{name} is not defined: run the cell that defines it first (and the cells above it)").format(name=name)
    try:
        compile(source, "<cell>", "exec")
    except SyntaxError as error:
        return _("{name} is not defined: your cell has a syntax error at line {line}: {error}").format(
            name=name, line=error.lineno, error=error.msg)
    return _("{name} is not defined: its cell ran without defining it; run that cell again").format(name=name)


def _cells_run():
    """The sources of the cells this IPython kernel has run, oldest first (none outside IPython)."""
    try:
        shell = get_ipython()  # noqa: F821 -- IPython's builtin in a kernel
    except NameError:
        return []
    return list(shell.user_ns.get("In", []))


# --- numbers ------------------------------------------------------------------------------

def rel_error(a, b):
    """max(|a - b| / max(1e-8, |a| + |b|)), the course's relative error between arrays."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def numerical_gradient(f, x, h=DEFAULT_H):
    """Centred-difference gradient of a scalar function ``f`` at array ``x``; ``x`` is restored."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=DEFAULT_H):
    """Numerical gradient of ``sum(f(x) * dout)`` with respect to ``x``: what backward should return."""
    return numerical_gradient(lambda v: float(np.sum(np.asarray(f(v), dtype=np.float64) * dout)), x, h)


def away_from_kinks(shape, rng, kinks=(0.0,), margin=1e-3, scale=1.0):
    """Random float64 points of ``shape`` at least ``margin`` from every kink, so centred
    differences there are trustworthy."""
    x = rng.standard_normal(shape) * scale
    for kink in kinks:
        close = np.abs(x - kink) < margin
        x[close] = kink + np.where(x[close] >= kink, margin, -margin) * 2
    return x


# --- comparisons --------------------------------------------------------------------------

def _fmt(value):
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)


def _fmt_pair(yours, expected):
    """Both values, with as many digits as it takes to see that they differ."""
    for digits in (6, 10, 17):
        a, b = f"{float(yours):.{digits}g}", f"{float(expected):.{digits}g}"
        if a != b:
            return a, b
    return a, b


def _first_bad_index(yours, expected, rtol, atol):
    bad = ~np.isclose(yours, expected, rtol=rtol, atol=atol, equal_nan=True)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return bad, index


def _constant_ratio(yours, expected):
    nonzero = np.abs(expected) > 1e-12
    # With one nonzero entry every ratio is "constant": that says nothing about the mistake.
    if nonzero.sum() < 2 or np.any(np.abs(yours[~nonzero]) > 1e-12):
        return None
    ratios = yours[nonzero] / expected[nonzero]
    ratio = float(np.median(ratios))
    if abs(ratio) < 1e-12 or math.isclose(ratio, 1.0, rel_tol=1e-6):
        return None  # all zeros, or right where the expected value is nonzero: no factor to name
    return ratio if np.allclose(ratios, ratio, rtol=1e-6) else None


def diagnose(yours, expected, rtol=1e-6, atol=1e-8):
    """Name a classic mistake that turns ``expected`` into ``yours``, or return None."""
    if yours.shape == expected.T.shape and yours.ndim == 2 and np.allclose(yours.T, expected, rtol, atol):
        return _("it equals the expected array transposed: check the order of the factors and which one takes .T")
    if yours.ndim == expected.ndim + 1 and yours.shape[1:] == expected.shape and np.allclose(yours.sum(axis=0), expected, rtol, atol):
        return _("summing yours over the batch axis (axis 0) gives the expected values: a parameter's gradient is "
                 "summed over every example")
    if yours.shape != expected.shape:
        return None
    ratio = _constant_ratio(yours, expected)
    if ratio is not None:
        if math.isclose(ratio, -1.0, rel_tol=1e-6):
            return _("it is exactly the negative of the expected values: a sign is flipped")
        if math.isclose(ratio, 2.0, rel_tol=1e-6) or math.isclose(ratio, 0.5, rel_tol=1e-6):
            return _("it is the expected values times {ratio}: look for a factor 2 (0.5 * reg * W**2 differentiates "
                     "to reg * W)").format(ratio=f"{ratio:g}")
        return _("it is the expected values times {ratio}: a missing or extra factor, such as 1/N for a mean over "
                 "the batch").format(ratio=f"{ratio:.6g}")
    return None


def assert_close(name, yours, expected, rtol=1e-6, atol=1e-8, explain=()):
    """Check that ``yours`` matches ``expected`` elementwise, with a message a student can act on.

    ``name`` says what is compared ("relu_backward: dx"). ``explain`` is a sequence of
    ``(mask, sentence)``: where every mismatching entry lies inside ``mask`` (an array of
    ``expected``'s shape), the sentence says why, e.g. ``(x == 0, "entries where x == 0
    take no gradient")``.
    """
    if yours is None:
        fail(_("{name} is None: did the function forget to return it?").format(name=name))
    expected = np.asarray(expected)
    try:
        yours_array = np.asarray(yours, dtype=np.float64)
    except (TypeError, ValueError):
        fail(_("{name} should be a number or an array of numbers, got {type}").format(name=name,
                                                                                     type=type(yours).__name__))
    if yours_array.shape != expected.shape:
        hint = diagnose(yours_array, expected.astype(np.float64), rtol, atol)
        if hint is None and yours_array.size == expected.size:
            if np.allclose(yours_array.reshape(expected.shape), expected, rtol, atol):
                hint = _("the values are right but the shape is not: reshape it to {shape}").format(
                    shape=expected.shape)
        fail(_("{name} has shape {shape}, expected {expected}").format(name=name, shape=yours_array.shape,
                                                                        expected=expected.shape)
             + (f" — {hint}" if hint else ""))
    if not np.all(np.isfinite(yours_array)) and np.all(np.isfinite(expected)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(yours_array))[0])
        fail(_("{name} is not finite at index {index}: yours {yours}, expected {expected} — an overflow, a log(0) "
               "or a division by zero?").format(name=name, index=index, yours=_fmt(yours_array[index]),
                                                expected=_fmt(expected[index])))
    if np.allclose(yours_array, expected, rtol=rtol, atol=atol, equal_nan=True):
        return
    bad, index = _first_bad_index(yours_array, expected, rtol, atol)
    where = _(" at index {index}").format(index=index) if index else ""
    shown_yours, shown_expected = _fmt_pair(yours_array[index], expected[index])
    message = _("{name} differs{where}: yours {yours}, expected {expected}").format(
        name=name, where=where, yours=shown_yours, expected=shown_expected)
    for mask, sentence in explain:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape == bad.shape and mask.any() and not np.any(bad & ~mask):
            fail(f"{message} — {sentence}")
    hint = diagnose(yours_array, expected.astype(np.float64), rtol, atol)
    fail(message + (f" — {hint}" if hint else ""))


def assert_shape(name, value, shape):
    actual = np.shape(value)
    if tuple(actual) != tuple(shape):
        fail(_("{name} has shape {shape}, expected {expected}").format(name=name, shape=tuple(actual),
                                                                        expected=tuple(shape)))


def assert_float64(name, value):
    dtype = np.asarray(value).dtype
    if dtype != np.float64:
        fail(_("{name} has dtype {dtype}, expected float64: convert inputs with np.asarray(x, dtype=np.float64)")
             .format(name=name, dtype=dtype))


def assert_unchanged(function_name, before, after):
    """Check that arguments (dicts, tuples, arrays, numbers) were not modified in place.

    ``before`` is a deep copy taken before the call; ``after`` the same objects after it.
    """
    for label in before:
        _assert_same(_("{function} modified its argument {label}").format(function=function_name, label=label),
                     before[label], after[label])


def _assert_same(what, old, new):
    if isinstance(old, dict):
        for key in old:
            _assert_same(f"{what}['{key}']", old[key], new[key])
    elif isinstance(old, (tuple, list)):
        for i, (o, n) in enumerate(zip(old, new)):
            _assert_same(f"{what}[{i}]", o, n)
    elif isinstance(old, np.ndarray):
        if old.shape != np.shape(new) or not np.array_equal(old, new, equal_nan=True):
            new = np.asarray(new)
            index = tuple(int(i) for i in np.argwhere(old != new)[0]) if old.shape == new.shape else ()
            fail(_("{what} in place (at index {index}: was {old}, now {new}) — work on a copy (dx = dout.copy(), "
                   "or np.where) so the caller's arrays stay intact").format(
                what=what, index=index, old=_fmt(old[index]), new=_fmt(new[index])))


def call(function, *args, name=None):
    """Call a student's function; an untouched stub fails with a sentence, not a traceback."""
    try:
        return function(*args)
    except NotImplementedError:
        fail(_("{name} is not implemented yet: replace `raise NotImplementedError()` in its cell with your code, "
               "then run that cell again").format(name=name or function.__name__))


def call_untouched(function, *args, name=None, labels=None):
    """Call ``function(*args)`` and check that it left every argument as it was."""
    name = name or function.__name__
    labels = labels or [f"#{i + 1}" for i in range(len(args))]
    before = {label: copy.deepcopy(arg) for label, arg in zip(labels, args)}
    result = call(function, *args, name=name)
    assert_unchanged(name, before, dict(zip(labels, args)))
    return result


# --- gradient checks ----------------------------------------------------------------------

def check_layer_backward(name, forward, backward, inputs, seed=0, tol=1e-6, explain=None):
    """The CS231n array check for one layer pair, on the given inputs.

    ``inputs`` is an ordered dict ``{argument name: array}`` of the forward's arguments;
    the first is the layer input ``x``. The backward is fed a random ``dout``; each gradient
    it returns (``dx`` alone, or ``(dx, dparam, ...)`` in the forward's argument order) is
    compared with the numerical gradient of ``sum(forward(...)[0] * dout)``. The check also
    verifies that neither pass modified its arguments, ``dout`` or ``cache``.
    ``explain`` maps an argument name to ``[(mask, sentence), ...]`` for ``assert_close``.
    """
    rng = np.random.default_rng(seed)
    names = list(inputs)
    values = [np.asarray(v, dtype=np.float64) if isinstance(v, np.ndarray) else v for v in inputs.values()]
    out, cache = call_untouched(forward, *values, name=f"{name}_forward", labels=names)
    dout = rng.standard_normal(np.shape(out))
    grads = call_untouched(backward, dout, cache, name=f"{name}_backward", labels=["dout", "cache"])
    if not isinstance(grads, tuple):
        grads = (grads,)
    arrays = [n for n, v in zip(names, values) if isinstance(v, np.ndarray)]
    if len(grads) < len(arrays):
        fail(_("{name} returned {count} gradient(s), expected {expected}: ({names})").format(
            name=f"{name}_backward", count=len(grads), expected=len(arrays), names=", ".join("d" + n for n in arrays)))
    for arg, grad in zip(arrays, grads):
        def f_of_arg(v, arg=arg):
            trial = [v if n == arg else x for n, x in zip(names, values)]
            return forward(*trial)[0]
        position = names.index(arg)
        expected = numerical_gradient_array(f_of_arg, values[position].copy(), dout)
        assert_close(f"{name}_backward: d{arg}", grad, expected, rtol=tol, atol=tol,
                     explain=(explain or {}).get(arg, ()))


def compare_results(name, yours, expected, tol=1e-7, explain=()):
    """Compare nested results (tuples, dicts, arrays, numbers) entry by entry."""
    if isinstance(expected, tuple):
        if not isinstance(yours, tuple) or len(yours) != len(expected):
            fail(_("{name} should return a tuple of {count} values, got {got}").format(
                name=name, count=len(expected), got=type(yours).__name__
                + (_(" of {count}").format(count=len(yours)) if isinstance(yours, tuple) else "")))
        for i, (y, e) in enumerate(zip(yours, expected)):
            compare_results(f"{name}[{i}]", y, e, tol, explain)
    elif isinstance(expected, dict):
        if not isinstance(yours, dict):
            fail(_("{name} should be a dict with keys {keys}, got {type}").format(name=name, keys=sorted(expected),
                                                                                  type=type(yours).__name__))
        missing = sorted(set(expected) - set(yours))
        if missing:
            fail(_("{name} is missing the keys {keys}").format(name=name, keys=missing))
        for key in expected:
            compare_results(f"{name}['{key}']", yours[key], expected[key], tol, explain)
    else:
        assert_close(name, yours, expected, rtol=tol, atol=tol, explain=explain)


# --- known mistakes -----------------------------------------------------------------------

def assert_close_known(name, yours, expected, mistakes=(), rtol=1e-6, atol=1e-8, explain=()):
    """``assert_close``, and when it fails, name the classic mistake that ``yours`` reproduces.

    ``mistakes`` is a sequence of ``(wrong, sentence)``: ``wrong`` is what a known wrong
    implementation returns on the same inputs (computed by the test), ``sentence`` says what
    that mistake is. A correct answer passes whatever the candidates are; a wrong one that
    matches a candidate (same shape, within the same tolerances) fails with the sentence in
    place of the generic hint, e.g. ``(s * (1 - s), "dout is never multiplied in: the chain
    rule multiplies the local derivative by the upstream gradient")``.
    """
    try:
        assert_close(name, yours, expected, rtol=rtol, atol=atol, explain=explain)
        return
    except CheckFailure as failure:
        message = str(failure)
    try:
        yours_array = np.asarray(yours, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailure(message) from None
    for wrong, sentence in mistakes:
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == yours_array.shape and np.allclose(yours_array, wrong, rtol=rtol, atol=atol, equal_nan=True):
            raise CheckFailure(_localized(f"{message.split(' — ')[0]} — {sentence}")) from None
    raise CheckFailure(message) from None


# --- helpers for test cells ---------------------------------------------------------------

def expect_tuple(name, value, count):
    """Fail unless ``value`` is a tuple of ``count`` values, such as ``(dx, dy)``; return it.

    A test unpacks a student's result through this, so a wrong return (one array, None, a
    tuple of another length) fails with a sentence instead of a ValueError.
    """
    if not isinstance(value, tuple) or len(value) != count:
        got = _("a tuple of {count}").format(count=len(value)) if isinstance(value, tuple) else type(value).__name__
        fail(_("{name} should return a tuple of {count} values, got {got}").format(name=name, count=count, got=got))
    return value


def where_equal(yours, wrong, rtol=1e-6, atol=1e-8):
    """The entries where ``yours`` equals ``wrong``, what a known mistake would give: an
    ``explain`` mask for ``assert_close``, e.g. ``(where_equal(dx, x * dout), "the multiply
    gate swaps")``. All False when ``yours`` is not numeric or not of ``wrong``'s shape, so
    building the mask never fails before ``assert_close`` can report the real problem."""
    wrong = np.asarray(wrong, dtype=np.float64)
    try:
        yours = np.asarray(yours, dtype=np.float64)
    except (TypeError, ValueError):
        return np.zeros(wrong.shape, dtype=bool)
    if yours.shape != wrong.shape:
        return np.zeros(wrong.shape, dtype=bool)
    return np.isclose(yours, wrong, rtol=rtol, atol=atol)
