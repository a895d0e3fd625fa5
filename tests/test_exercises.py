"""The exercise checker: clear verdicts, tolerance and units, never the answer; every chapter's answers are sound."""

import math
import pathlib
import re

import numpy as np
import pytest

from semtheory import exercises as ex
from semtheory.exercises import answer, check, is_correct, registered

ROOT = pathlib.Path(__file__).resolve().parent.parent

SECRET = 3.14159265


@answer("ex-99-secret", units="nats", rtol=1e-4, hint="think of circles")
def _secret():
    return SECRET


@answer("ex-99-vector", atol=1e-9, rtol=0)
def _vector():
    return np.array([0.25, 0.75])


@answer("ex-99-word")
def _word():
    return "Granger"


def test_correct_and_wrong(capsys):
    assert check("ex-99-secret", 3.14159)
    out = capsys.readouterr().out
    assert "correct" in out and "nats" in out
    res = check("ex-99-secret", 3.0)
    out = capsys.readouterr().out
    assert not res and "not yet" in out and "circles" in out


def test_never_reveals_answer(capsys):
    for guess in (0.0, 3.0, -1, "x", [1, 2], None, 3.1416):
        check("ex-99-secret", guess)
    out = capsys.readouterr().out
    assert "3.14159" not in out and "3.1415" not in out


def test_none_means_no_answer_yet():
    res = is_correct("ex-99-secret", None)
    assert not res and "no answer yet" in res.message


def test_arrays_shapes_and_strings():
    assert is_correct("ex-99-vector", [0.25, 0.75])
    wrong = is_correct("ex-99-vector", [0.25, 0.75, 0.0])
    assert not wrong and "shape" not in wrong.message and "(2,)" not in wrong.message  # not even its shape
    assert is_correct("ex-99-word", "  granger ")
    assert not is_correct("ex-99-word", 3)
    assert not is_correct("ex-99-secret", "pi")
    assert not is_correct("ex-99-secret", math.nan)


class _Tensorish:
    """Stands in for a torch tensor with requires_grad: np.asarray on it raises, .detach() works."""

    def __init__(self, v):
        self.v = v

    def __array__(self, *a, **k):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad")

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return np.asarray(self.v)


HOSTILE_VALUES = [SECRET + 0j, np.complex128(SECRET), np.array([SECRET], dtype=complex).reshape(()), 10**400,
                  -(10**400), float("inf"), float("nan"), [], [[]], {}, {"a": 1}, object(), b"3.14", "3.14159",
                  [SECRET, "x"], np.array(["a"]), lambda: SECRET, type, Ellipsis, (SECRET, SECRET), set(),
                  np.zeros((2, 3)), np.float32(3.0), True, np.bool_(False)]
HOSTILE_LABELS = [None, 3, ["ex-99-secret"], ("ex-99-secret",), b"ex-99-secret", "", "ex-99-secre", "EX-99-SECRET",
                  "ex-99-secret ", "x" * 10000, object()]


def test_check_never_raises_and_never_reveals(capsys):
    """Any value, any label: one verdict line, no traceback, no answer, no credit for a wrong value."""
    for value in HOSTILE_VALUES:
        res = check("ex-99-secret", value)
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and "3.1415" not in out and "Traceback" not in out, (value, out)
        assert not res, value  # complex with the right real part included: a wrong answer never scores
    for label in HOSTILE_LABELS:
        res = check(label, SECRET)
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and not res and "3.1415" not in out, (label, out)
    check("ex-99-secre", 1.0)
    assert "Did you mean 'ex-99-secret'" in capsys.readouterr().out
    assert check("ex-99-secret", _Tensorish(SECRET))
    assert not check("ex-99-secret", _Tensorish(SECRET + 1j))


def test_a_torch_tensor_that_requires_grad_is_read():
    torch = pytest.importorskip("torch")
    assert is_correct("ex-99-secret", torch.tensor(SECRET, requires_grad=True) * 1.0)
    assert not is_correct("ex-99-secret", torch.tensor(SECRET + 0j))


def test_unknown_label_and_bad_registration():
    with pytest.raises(ValueError, match="label"):
        is_correct("ex-99-nope", 1)
    with pytest.raises(ValueError, match="label"):
        answer("bad-label")
    with pytest.raises(ValueError, match="rtol"):
        answer("ex-99-x", rtol=-1)


def test_every_registered_answer_passes_itself_and_fails_perturbed():
    reg = registered()
    chapters = {a.chapter for a in reg.values()}
    for label, a in reg.items():
        ref = a.compute()
        assert is_correct(label, ref), label
        if isinstance(ref, str) or isinstance(ref, bool):
            continue
        arr = np.asarray(ref, dtype=float)
        bump = np.where(arr == 0, 1.0, arr * 0.2 + np.sign(arr))
        assert not is_correct(label, arr + bump), f"{label} accepts a perturbed answer"
    assert all(c.startswith("ch") or c == "test_exercises" for c in chapters)


def test_chapter_check_calls_name_registered_labels():
    reg = registered()
    for md in sorted((ROOT / "book").glob("*.md")):
        for label in re.findall(r"check\(\s*[\"'](ex-[\w-]+)[\"']", md.read_text()):
            assert label in reg, f"{md.name} tells students to check {label!r}, which has no registered answer"


def test_answer_modules_do_not_type_in_answers():
    """Reference answers are computed with semtheory, not typed: each answer function calls into the package."""
    for mod in sorted((ROOT / "semtheory" / "exercises").glob("ch*.py")):
        text = mod.read_text()
        assert "semtheory" in text or "from .." in text, f"{mod.name} computes nothing with semtheory"


def test_module_docstring_mentions_check():
    assert "check(" in ex.__doc__
