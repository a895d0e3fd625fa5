"""The one log-sum-exp kernel, semtheory.core.logexp, against scipy.special.logsumexp (issue #15, "one home")."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp as scipy_lse

from semtheory.core.logexp import EXP_ZERO, exp0, log_normalise, logsumexp


def _with_neg_inf(seed, shape, frac, scale=30.0):
    rng = np.random.default_rng(seed)
    a = scale * rng.standard_normal(shape)
    a[rng.random(shape) < frac] = -np.inf
    return a


def _scipy(a, **kw):
    with warnings.catch_warnings():  # scipy warns (divide by zero) on a slice that is -inf everywhere
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(divide="ignore"):
            return scipy_lse(a, **kw)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 7), st.integers(1, 9), st.sampled_from([0.0, 0.3, 0.8]))
def test_logsumexp_matches_scipy_with_neg_inf_entries(seed, n, m, frac):
    a = _with_neg_inf(seed, (n, m), frac)
    for axis in (None, 0, 1, -1, (0, 1)):
        for keepdims in (False, True):
            got, want = logsumexp(a, axis=axis, keepdims=keepdims), _scipy(a, axis=axis, keepdims=keepdims)
            assert np.shape(got) == np.shape(want)
            assert not np.isnan(got).any()
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)  # -inf == -inf passes


def test_an_all_neg_inf_row_has_log_sum_exp_neg_inf_as_in_scipy():
    a = np.array([[0.0, 1.0, -np.inf], [-np.inf, -np.inf, -np.inf], [-800.0, -801.0, -np.inf]])
    got = logsumexp(a, axis=1)
    assert got[1] == -np.inf and _scipy(a, axis=1)[1] == -np.inf
    np.testing.assert_allclose(got, _scipy(a, axis=1), rtol=1e-15)  # and far below exp's underflow
    assert float(logsumexp(np.full(4, -np.inf))) == -np.inf
    assert logsumexp(np.array([1.0, np.inf]), axis=0) == np.inf == _scipy(np.array([1.0, np.inf]))


def test_exp0_is_numpy_exp_bit_for_bit_on_large_arrays_that_underflow():
    rng = np.random.default_rng(1)
    A = rng.uniform(-1500.0, 5.0, size=(80, 80))  # 6400 entries: the masked route; most underflow
    A[0, :3] = (-np.inf, EXP_ZERO, -745.0)
    with np.errstate(under="ignore"):
        want = np.exp(A)
    assert np.array_equal(exp0(A), want)
    out, mask = np.empty_like(A), np.empty(A.shape, dtype=bool)
    assert exp0(A, out=out, mask=mask) is out and np.array_equal(out, want)
    assert np.array_equal(exp0(A[:10, :10]), want[:10, :10])  # the small-array route


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 8), st.sampled_from([0.0, 0.4]))
def test_log_normalise_gives_log_pmfs_as_scipy_does(seed, n, m, frac):
    a = _with_neg_inf(seed, (n, m), frac)
    a[:, 0] = np.random.default_rng(seed).normal(size=n)  # no row without mass
    a[0] = np.where(np.isneginf(a[0]), -750.0, a[0])  # nor column (an entry whose exp underflows)
    got = log_normalise(a, axis=1)
    np.testing.assert_allclose(got, a - _scipy(a, axis=1, keepdims=True), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(np.exp(got).sum(axis=1), 1.0, rtol=1e-13)
    assert np.array_equal(np.isneginf(got), np.isneginf(a))  # zero mass stays zero mass
    col = log_normalise(a, axis=0)
    np.testing.assert_allclose(col, a - _scipy(a, axis=0, keepdims=True), rtol=1e-13, atol=1e-12)
    u = a[-1]
    one = log_normalise(u)  # the whole array: one law, the Blahut-Arimoto step's route
    assert np.array_equal(one, u - logsumexp(u))  # bit for bit with the general route
    np.testing.assert_allclose(one, u - _scipy(u), rtol=1e-13, atol=1e-12)


def test_log_normalise_refuses_a_law_of_no_mass_and_nan_or_plus_inf():
    with pytest.raises(ValueError, match="-inf everywhere"):
        log_normalise(np.full(3, -np.inf))
    with pytest.raises(ValueError, match="-inf everywhere along"):
        log_normalise(np.array([[0.0, 1.0], [-np.inf, -np.inf]]), axis=1)
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="NaN or \\+inf"):
            log_normalise(np.array([0.0, bad]))
        with pytest.raises(ValueError, match="NaN or \\+inf"):
            log_normalise(np.array([[0.0, bad], [0.0, 1.0]]), axis=1)
    assert log_normalise(np.array([[-np.inf, 0.0]]), axis=1)[0, 1] == 0.0 and math.isfinite(log_normalise(np.zeros(1))[0])
