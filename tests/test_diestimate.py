"""Directed information estimated from samples (semtheory.diestimate, chapter 3)."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from semtheory import diestimate as de
from semtheory import directed as d

PAIR = d.bsc_feedback_pair(0.2, 0.1)


def test_sample_markov_pair_frequencies_and_seed():
    x, y = d.sample_markov_pair(PAIR, 60000, seed=0)
    x2, y2 = d.sample_markov_pair(PAIR, 60000, seed=0)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    s = 2 * x + y
    counts = np.zeros((4, 4))
    np.add.at(counts, (s[:-1], s[1:]), 1)
    emp = counts / counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(emp, PAIR.reshape(4, 4), atol=0.04)  # the rarest state is visited ~3000 times


def test_plugin_against_explicit_counting():
    x, y = d.sample_markov_pair(PAIR, 500, seed=3)
    k = 2
    c_y, c_yy, c_xy, c_xyy = {}, {}, {}, {}
    for t in range(k, len(y)):
        py = tuple(y[t - k : t])
        pxy = tuple(x[t - k : t + 1]) + py
        for dct, key in ((c_y, py), (c_yy, py + (y[t],)), (c_xy, pxy), (c_xyy, pxy + (y[t],))):
            dct[key] = dct.get(key, 0) + 1
    n = len(y) - k
    H = lambda joint, ctx: -sum(v / n * math.log2(v / ctx[key[:-1]]) for key, v in joint.items())  # noqa: E731
    ref = H(c_yy, c_y) - H(c_xyy, c_xy)
    assert de.di_rate_plugin(x, y, order=k) == pytest.approx(ref, abs=1e-12)


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1))
def test_ctw_predictions_are_laws(seed):
    rng = np.random.default_rng(seed)
    k, depth = int(rng.integers(2, 4)), int(rng.integers(0, 4))
    ctw = de.CTW(k, depth)
    for _ in range(40):
        ctx = tuple(int(v) for v in rng.integers(0, 3, size=depth))
        q = ctw.predict(ctx)
        assert q.sum() == pytest.approx(1.0, abs=1e-12) and np.all(q > 0)
        ctw.update(ctx, int(rng.integers(0, k)))


def _kt(n0, n1):
    """Krichevsky-Trofimov block probability of a binary sequence with n0 zeros and n1 ones."""
    return math.exp(gammaln(n0 + 0.5) + gammaln(n1 + 0.5) - math.log(math.pi) - gammaln(n0 + n1 + 1))


def test_ctw_block_probabilities_closed_form():
    """Depth 0 is the KT estimator; depth 1 is 1/2 KT(all) + 1/2 prod over contexts of KT(subsequence)."""
    rng = np.random.default_rng(5)
    seq = rng.integers(0, 2, size=30)
    ctxs = rng.integers(0, 2, size=30)
    for depth in (0, 1):
        ctw = de.CTW(2, depth)
        logp = 0.0
        for s, c in zip(seq, ctxs):
            ctx = (int(c),)
            logp += math.log(ctw.predict(ctx)[s])
            ctw.update(ctx, int(s))
        kt_all = _kt(int((seq == 0).sum()), int((seq == 1).sum()))
        if depth == 0:
            ref = kt_all
        else:
            sub = [_kt(int(((seq == 0) & (ctxs == c)).sum()), int(((seq == 1) & (ctxs == c)).sum())) for c in (0, 1)]
            ref = 0.5 * kt_all + 0.5 * sub[0] * sub[1]
        assert logp == pytest.approx(math.log(ref), abs=1e-10)


def test_estimators_converge_to_the_exact_rate():
    exact = d.markov_pair_rates(PAIR).directed
    x, y = d.sample_markov_pair(PAIR, 40000, seed=7)
    assert de.di_rate_plugin(x, y, order=1) == pytest.approx(exact, abs=0.01)
    assert de.di_rate_ctw(x[:16000], y[:16000], depth=2) == pytest.approx(exact, abs=0.015)


def test_no_influence_gives_a_small_estimate():
    rng = np.random.default_rng(9)
    x, y = rng.integers(0, 2, size=8000), rng.integers(0, 2, size=8000)
    assert abs(de.di_rate_plugin(x, y, order=1)) < 0.005
    assert 0 <= de.di_rate_ctw(x, y, depth=2) < 0.01


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: d.sample_markov_pair(PAIR, 0), "n"),
        (lambda: de.di_rate_plugin([0, 1, 1], [0, 1], 1), "length"),
        (lambda: de.di_rate_plugin([0.5, 1, 1], [0, 1, 1], 1), "x"),
        (lambda: de.di_rate_plugin([0, 1, 1], [0, 1, 1], -1), "order"),
        (lambda: de.di_rate_ctw([0, 1, 1], [0, 1, 1], depth=-1), "depth"),
        (lambda: de.CTW(1, 2), "vocab_size"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
