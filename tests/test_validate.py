"""The shared validators: every bad input raises ValueError naming the argument; good input passes through."""

import math

import numpy as np
import pytest

from semtheory import _validate as v


def test_as_pmf_accepts_pmf_and_keeps_values():
    p = v.as_pmf([0.25, 0.75])
    assert p.dtype == float and np.array_equal(p, [0.25, 0.75])


@pytest.mark.parametrize(
    "bad, msg",
    [([], "empty"), ([0.5, np.nan], "NaN"), ([1.5, -0.5], "negative"), ([0.5, 0.6], "sum to 1"), ("ab", "probabilities")],
)
def test_as_pmf_rejects(bad, msg):
    with pytest.raises(ValueError, match=msg):
        v.as_pmf(bad, "myarg")
    with pytest.raises(ValueError, match="myarg"):
        v.as_pmf(bad, "myarg")


def test_as_pmf_never_renormalises():
    with pytest.raises(ValueError, match="renormalises"):
        v.as_pmf([1.0, 1.0])


def test_as_pmf_ndim():
    with pytest.raises(ValueError, match="2 axes"):
        v.as_pmf([0.5, 0.5], "p", ndim=2)


def test_as_stochastic_rows():
    k = v.as_stochastic([[0.5, 0.5], [0.1, 0.9]])
    assert k.shape == (2, 2)
    with pytest.raises(ValueError, match="kern"):
        v.as_stochastic([[0.5, 0.6], [0.1, 0.9]], "kern")
    with pytest.raises(ValueError, match="negative"):
        v.as_stochastic([[1.5, -0.5]], "kern")


@pytest.mark.parametrize("base", [0, -2, 1, math.inf, "2", None, True])
def test_log_base_rejects(base):
    with pytest.raises(ValueError, match="base"):
        v.log_base(base)


def test_log_base_values():
    assert v.log_base(2) == pytest.approx(math.log(2))
    assert v.log_base(math.e) == pytest.approx(1.0)


def test_as_axes():
    assert v.as_axes(-1, 3) == (2,)
    assert v.as_axes([2, 0], 3) == (0, 2)
    assert v.as_axes(None, 2) == (0, 1)
    for bad in ([0, 0], [3], "x"):
        with pytest.raises(ValueError, match="axes"):
            v.as_axes(bad, 3)


def test_disjoint():
    with pytest.raises(ValueError, match="share"):
        v.check_disjoint("a", (0, 1), "b", (1,))


def test_scalars():
    assert v.check_positive(2, "t") == 2.0
    assert v.check_positive(0, "t", allow_zero=True) == 0.0
    for bad in (0, -1, math.nan, math.inf, "1"):
        with pytest.raises(ValueError, match="temperature"):
            v.check_positive(bad, "temperature")
    assert v.check_int(3, "k", minimum=1) == 3
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="k"):
            v.check_int(bad, "k", minimum=1)
    with pytest.raises(ValueError, match="<= 4"):
        v.check_int(5, "k", maximum=4)
    assert v.check_probability(1, "q") == 1.0
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        v.check_probability(0, "q", low_open=True)
    with pytest.raises(ValueError, match="q"):
        v.check_probability(1.2, "q")


def test_samples_and_rng():
    assert v.as_samples([1, 2]).shape == (2,)
    for bad in ([], np.zeros((2, 2, 2)), [1.0, np.nan]):
        with pytest.raises(ValueError, match="samples"):
            v.as_samples(bad)
    a = v.as_rng(3).random(4)
    b = v.as_rng(3).random(4)
    assert np.array_equal(a, b)
    g = np.random.default_rng(0)
    assert v.as_rng(g) is g
    with pytest.raises(ValueError, match="seed"):
        v.as_rng(1.5)


@pytest.mark.parametrize("bad, msg", [
    (np.array([0.5 + 0j, 0.5]), "complex"),
    (np.array([0.5 + 1e-30j, 0.5]), "complex"),        # a negligible imaginary part is still refused, never cast
    ([True, False], "bool"),
    (["0.5", "0.5"], "U3"),
    (np.array([0.5, "x"], dtype=object), "object"),
])
def test_pmf_and_kernel_refuse_non_real_dtypes(bad, msg):
    with pytest.raises(ValueError, match=rf"^law .*{msg}"):
        v.as_pmf(bad, "law")
    with pytest.raises(ValueError, match=rf"^law .*{msg}"):
        v.as_stochastic(bad, "law")


def test_pmf_accepts_integer_and_object_number_arrays():
    assert v.as_pmf(np.array([0, 1])).tolist() == [0.0, 1.0]
    assert v.as_pmf(np.array([0.5, 0.5], dtype=object)).dtype == float
    assert v.as_stochastic(np.array([[1, 0], [0, 1]], dtype=np.int8)).dtype == float


def test_flags_seeds_and_float_arrays():
    assert v.check_flag(np.bool_(True), "causal") is True
    for bad in ("False", "True", 1, 0, None):
        with pytest.raises(ValueError, match="causal"):
            v.check_flag(bad, "causal")
    for bad in (-1, 2.5, "3", True):
        with pytest.raises(ValueError, match="myseed"):
            v.check_seed(bad, "myseed")
    assert v.as_float([1, 2], "x").dtype == float
    for bad in (None, "1.5", [0.5 + 0j], np.array(["a"], dtype=object)):
        with pytest.raises(ValueError, match="energies"):
            v.as_float(bad, "energies")
    assert v.as_int_array([2.0, 1], "ids").tolist() == [2, 1]
    for bad in ([0.5], [-1], [1 + 0j], "ab", None, []):
        with pytest.raises(ValueError, match="ids"):
            v.as_int_array(bad, "ids")


# -- the checks moved here from chapter modules (issue #15) ------------------------------------------


def test_as_token_ids():
    assert v.as_token_ids([0, 2], "x", vocab_size=3).dtype == np.int64
    assert v.as_token_ids([], "x", nonempty=False).size == 0
    assert v.as_token_ids([-1, 1], "ids", minimum=-1, vocab_size=2).tolist() == [-1, 1]
    for bad, kw in [([0, 3], {"vocab_size": 3}), ([1.0], {}), ([True], {}), ([[0]], {}), ([], {}), ([-1], {}),
                    (5, {"ndim": None})]:
        with pytest.raises(ValueError, match="myids"):
            v.as_token_ids(bad, "myids", **kw)


def test_as_spins_and_sizes():
    assert v.as_spins([[1, -1]], "s", ndim=2).tolist() == [[1.0, -1.0]]
    for bad, kw in [([1, 0], {}), ([[1]], {"ndim": 1}), ([1, -1], {"shape": (3,)}), ([], {}), ("ab", {})]:
        with pytest.raises(ValueError, match="spins_arg"):
            v.as_spins(bad, "spins_arg", **kw)
    assert v.as_sizes([2, 3], "N", minimum=2).tolist() == [2.0, 3.0]
    for bad in ([1], [2.5], [np.inf]):
        with pytest.raises(ValueError, match="N"):
            v.as_sizes(bad, "N", minimum=2)


def test_as_logits():
    L = v.as_logits([[0.0, -np.inf]])
    assert L.shape == (1, 2)
    for bad, kw in [([np.inf], {}), ([np.nan], {}), ([-np.inf, -np.inf], {}), (1.0, {}), ([0.0], {"min_classes": 2}),
                    ([0.0, -np.inf], {"finite": True}), ([1j], {})]:
        with pytest.raises(ValueError, match="lg"):
            v.as_logits(bad, "lg", **kw)


def test_as_real_array_minimum_and_check_text():
    assert v.as_real_array([0.0, 1.0], "a", minimum=0).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="arr >= 1|arr must have entries >= 1"):
        v.as_real_array([0.5], "arr", minimum=1)
    assert v.check_text("abc") == "abc"
    for bad in (b"abc", 3, "\ud800"):
        with pytest.raises(ValueError, match="txt"):
            v.check_text(bad, "txt")


def test_as_covariance():
    assert v.as_covariance([1.0, 2.0], "cov", 2).tolist() == [[1.0, 0.0], [0.0, 2.0]]
    for bad in ([1.0], [-1.0, 1.0], [[1.0, 2.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[np.nan, 0], [0, 1]]):
        with pytest.raises(ValueError, match="mycov"):
            v.as_covariance(bad, "mycov", 2)


def test_estimate_interval_and_unpacking():
    from semtheory.core import Estimate

    e = Estimate(2.0, 0.5)
    mean, se = e
    assert (mean, se) == (2.0, 0.5) and e.interval(2.0) == (1.0, 3.0)
    lo, hi = e.interval()
    assert hi - lo == pytest.approx(2 * 1.959963984540054 * 0.5)
    with pytest.raises(ValueError, match="z"):
        e.interval(-1.0)
