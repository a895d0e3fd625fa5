"""Gaussian channels with and without feedback (semtheory.gaussian, chapter 3)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import gaussian as g


def test_awgn_closed_form_and_units():
    assert g.awgn_capacity(3.0) == pytest.approx(1.0)  # 1/2 log2(4)
    assert g.awgn_capacity(1.0, 0.5, base=math.e) == pytest.approx(0.5 * math.log(3))
    assert g.awgn_capacity(0.0) == 0.0


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1))
def test_water_filling_kkt_and_no_better_random_allocation(seed):
    rng = np.random.default_rng(seed)
    N = rng.uniform(0.1, 3.0, size=int(rng.integers(1, 7)))
    P = float(rng.uniform(0.0, 5.0))
    wf = g.water_filling(N, P)
    assert wf.powers.sum() == pytest.approx(P, abs=1e-10)
    active = wf.powers > 0
    np.testing.assert_allclose(wf.powers[active] + N[active], wf.level, atol=1e-10)  # KKT: one water level
    assert np.all(N[~active] >= wf.level - 1e-12)
    for _ in range(50):  # independent route: no random allocation of the same power does better
        a = rng.dirichlet(np.ones(N.size)) * P
        assert 0.5 * np.log2(1 + a / N).sum() <= wf.capacity + 1e-12


def test_colored_noise_against_log_det_and_rotation():
    rng = np.random.default_rng(3)
    lam = np.array([0.3, 1.0, 2.5, 4.0])
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    K = Q @ np.diag(lam) @ Q.T
    K = (K + K.T) / 2
    c = g.colored_noise_capacity(K, 1.5)
    wf = g.water_filling(lam, 4 * 1.5)
    KX = Q @ np.diag(wf.powers) @ Q.T  # the optimal input covariance, in the noise's eigenbasis
    direct = 0.5 * (np.linalg.slogdet(KX + K)[1] - np.linalg.slogdet(K)[1]) / math.log(2) / 4
    assert c == pytest.approx(direct, abs=1e-12)
    assert c == pytest.approx(g.water_filling(lam, 6.0).capacity / 4, abs=1e-12)


def test_ma1_covariance_eigenvalues_closed_form():
    for a in (-0.7, 0.0, 0.4, 1.0):
        n = 9
        k = np.arange(1, n + 1)
        ref = np.sort(1 + a * a + 2 * a * np.cos(k * np.pi / (n + 1)))
        np.testing.assert_allclose(np.linalg.eigvalsh(g.ma1_covariance(a, n)), ref, atol=1e-12)


@pytest.mark.parametrize("a", [-0.8, 0.0, 0.5, 0.9])
def test_ma1_capacity_is_the_limit_of_the_block_capacities(a):
    spec = g.ma1_capacity(a, 1.0)
    blocks = [g.colored_noise_capacity(g.ma1_covariance(a, n), 1.0) for n in (50, 200, 800)]
    errs = [abs(b - spec) for b in blocks]
    assert errs[-1] < 2e-3 and errs[0] >= errs[-1] - 1e-12
    if a == 0.0:
        assert spec == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("a", [0.0, 0.3, -0.6, 1.0])
@pytest.mark.parametrize("P", [0.5, 1.0, 10.0])
def test_ma1_feedback_capacity_against_the_quartic_roots(a, P):
    # (1 - x^2)(1 - |a| x)^2 - P x^2 as a polynomial; its unique root in (0, 1), by numpy's eigenvalue route
    poly = np.polysub(np.polymul([-1.0, 0.0, 1.0], np.polymul([-abs(a), 1.0], [-abs(a), 1.0])), [P, 0.0, 0.0])
    r = np.roots(poly)
    r = r[(np.abs(r.imag) < 1e-9) & (r.real > 0) & (r.real < 1)].real
    assert r.size == 1
    assert g.ma1_feedback_capacity(a, P) == pytest.approx(-math.log2(r[0]), abs=1e-9)


def test_ma1_feedback_beats_no_feedback_and_reduces_to_awgn():
    for P in (0.3, 1.0, 4.0):
        assert g.ma1_feedback_capacity(0.0, P) == pytest.approx(g.awgn_capacity(P), abs=1e-14)
        prev = -1.0
        for a in np.linspace(0, 1, 6):
            fb, nf = g.ma1_feedback_capacity(a, P), g.ma1_capacity(a, P)
            assert fb >= nf - 1e-9
            assert fb > prev  # increases with |alpha|
            assert g.ma1_feedback_capacity(-a, P) == pytest.approx(fb)
            prev = fb


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: g.awgn_capacity(-1.0), "power"),
        (lambda: g.awgn_capacity(1.0, 0.0), "noise"),
        (lambda: g.water_filling([1.0, 0.0], 1.0), "noise"),
        (lambda: g.water_filling([1.0], -1.0), "power"),
        (lambda: g.colored_noise_capacity(np.array([[1.0, 2.0], [0.0, 1.0]]), 1.0), "symmetric"),
        (lambda: g.colored_noise_capacity(np.array([[1.0, 2.0], [2.0, 1.0]]), 1.0), "positive definite"),
        (lambda: g.ma1_covariance(1.5, 3), "alpha"),
        (lambda: g.ma1_capacity(0.5, 1.0, grid=4), "grid"),
        (lambda: g.ma1_feedback_capacity(0.5, float("nan")), "power"),
        (lambda: g.ma1_feedback_capacity(0.5, 1.0, base=1), "base"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("a", [-1.0, 1.0, 0.9, 0.5])
@pytest.mark.parametrize("P", [0.3, 1.0])
def test_ma1_capacity_against_adaptive_quadrature(a, P):
    # independent route: the level by root search and the capacity integral 1/2 log(max(nu, S)/S) by scipy's
    # adaptive quadrature, split at the crossing; at alpha = +-1 the integrand has a log singularity at S = 0
    from scipy import integrate, optimize

    S = lambda w: 1 + a * a + 2 * a * math.cos(w)  # noqa: E731
    kept = lambda nu: integrate.quad(lambda w: max(nu - S(w), 0.0), 0, math.pi, limit=400)[0] / math.pi  # noqa: E731
    nu = optimize.brentq(lambda v: kept(v) - P, 1e-12, 20.0, xtol=1e-15)
    c = (nu - 1 - a * a) / (2 * a) if a else 2.0
    pts = [math.acos(c)] if abs(c) < 1 else []
    ref = integrate.quad(lambda w: 0.5 * math.log2(max(nu, S(w)) / S(w)) if S(w) > 0 else 0.0,
                         0, math.pi, points=pts or None, limit=400)[0] / math.pi
    assert g.ma1_capacity(a, P) == pytest.approx(ref, abs=1e-9)
