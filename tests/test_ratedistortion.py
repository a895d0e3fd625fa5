"""Rate-distortion: log-domain Blahut–Arimoto, closed forms, the directed R(D) and the pre-training point (chapter 5)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import channel, directed, measures, sources
from semtheory import ratedistortion as rd
from semtheory.ratedistortion import _common as rd_common
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import ratedistortion as srd


def _stationary_block(transition, n):
    """The stationary block law of a first-order Markov chain, P(x^n) = pi(x_1) prod P(x_t | x_{t-1})."""
    P = np.asarray(transition, dtype=float)
    return measures.markov_chain_law(sources.stationary_distribution(P), *([P] * (n - 1)))

h = measures.binary_entropy
LN2 = math.log(2)
CLOSE = 1e-6  # bits: every closed form within this of the converged Blahut–Arimoto value


# ----------------------------------------------------------------------------------------------
# Closed forms against Blahut–Arimoto
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.5, 0.3, 0.11])
def test_binary_hamming_closed_form(p):
    betas = np.array([0.3, 1.0, 2.0, 3.5, 6.0, 12.0])
    c = rd.rate_distortion_curve([1 - p, p], rd.hamming_distortion(2), betas, tol=1e-10)
    assert c.converged.all()
    assert np.abs(c.rate - rd.binary_hamming_rd(p, c.distortion)).max() < CLOSE
    inside = 1 / (1 + np.exp(betas)) < min(p, 1 - p)
    # the point of slope -beta (nats) is D = 1/(1 + e^beta) (derived symbolically in binary_rd_beta)
    assert np.allclose(c.distortion[inside], 1 / (1 + np.exp(betas[inside])), atol=1e-8)
    # certificate: rate - gap <= R(D) <= rate
    exact = rd.binary_hamming_rd(p, c.distortion)
    assert np.all(c.rate - c.gap <= exact + 1e-12) and np.all(exact <= c.rate + 1e-12)


def test_gaussian_closed_form_on_a_fine_lattice():
    x, p = rd.discrete_gaussian(1.0, 0.1, width=9)
    var = float(p @ x**2)
    assert abs(var - 1.0) < 1e-12
    c = rd.rate_distortion_curve(p, rd.squared_error_distortion(x), [0.8, 1.0, 2.5, 5.0, 10.0], tol=1e-10)
    assert c.converged.all()
    assert np.abs(c.rate - rd.gaussian_rd(var, c.distortion)).max() < CLOSE
    assert np.allclose(c.distortion, 1 / (2 * c.betas[c.betas >= 0.5]), rtol=1e-6)


def test_log_loss_closed_form():
    p = np.array([0.5, 0.3, 0.2])
    # reproductions: the three point masses and the source pmf itself
    d = rd.log_loss_distortion(np.vstack([np.eye(3), p]))
    H = measures.entropy(p)
    for D in (0.2, 0.7, 1.3):
        r = rd.rate_distortion_at(p, d, D, tol=1e-10)
        assert abs(r.rate - rd.log_loss_rd(p, D)) < CLOSE and abs(r.distortion - D) < 1e-12
    # at the slope beta = 1 nat per nat every point of the line is optimal; BA lands on it
    dn = rd.log_loss_distortion(np.vstack([np.eye(3), p]), base=math.e)
    r = rd.blahut_arimoto(p, dn, 1.0, base=math.e)
    assert abs(r.rate + r.distortion - measures.entropy(p, base=math.e)) < CLOSE
    assert rd.log_loss_rd(p, 2.0) == 0.0 and abs(rd.log_loss_rd(p, 0.0) - H) < 1e-15


def test_shannon_lower_bound_against_blahut_arimoto():
    # binary Hamming: the bound is the closed form h(p) - h(D)
    for D in (0.01, 0.1, 0.19):
        assert abs(rd.shannon_lower_bound([0.8, 0.2], [0.0, 1.0], D) - rd.binary_hamming_rd(0.2, D)) < 1e-12
    rho = np.array([0.0, 1.0, 2.0, 2.0, 1.0])
    d = rd.difference_distortion(rho)
    assert d[3, 1] == rho[2] and d[1, 3] == rho[3]
    # uniform source: tight at every D (backward channel always exists)
    u = np.full(5, 0.2)
    for D in (0.1, 0.5, 1.0):
        assert abs(rd.rate_distortion_at(u, d, D, tol=1e-11).rate - rd.shannon_lower_bound(u, rho, D)) < 1e-8
    # a skewed source: a lower bound everywhere, tight at small D, strict in between
    p = np.array([0.4, 0.25, 0.15, 0.1, 0.1])
    gaps = [rd.rate_distortion_at(p, d, D, tol=1e-11).rate - rd.shannon_lower_bound(p, rho, D) for D in (0.05, 0.5)]
    assert abs(gaps[0]) < 1e-8 and gaps[1] > 1e-3
    # phi(D) is the largest entropy at mean distortion D: brute force over random pmfs
    rng = np.random.default_rng(0)
    phi = measures.entropy(u) - rd.shannon_lower_bound(u, rho, 0.5)
    for w in rng.dirichlet(np.ones(5), size=2000):
        if w @ rho <= 0.5:
            assert measures.entropy(w) <= phi + 1e-9
    with pytest.raises(ValueError, match="rho"):
        rd.shannon_lower_bound(p, rho[:3], 0.5)
    with pytest.raises(ValueError, match="D"):
        rd.shannon_lower_bound(p, rho, -1.0)
    with pytest.raises(ValueError, match="rho"):
        rd.difference_distortion([1.0])


def test_reverse_water_filling_against_brute_force():
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    v = rng.uniform(0.2, 3.0, size=4)
    for D in (0.1, 0.5, 1.0):
        wf = rd.reverse_water_filling(v, D, base=math.e)
        assert abs(wf.distortions.mean() - D) < 1e-12
        res = minimize(lambda z: np.maximum(0.5 * np.log(v / np.exp(z)), 0).sum() / 4,
                       np.log(np.full(4, D)), constraints=[{"type": "eq", "fun": lambda z: np.exp(z).mean() - D}],
                       bounds=[(-20, math.log(x)) for x in v], method="SLSQP", options={"ftol": 1e-14})
        assert wf.rate <= res.fun + 1e-7 and res.fun <= wf.rate + 1e-6
    assert rd.reverse_water_filling(v, v.mean() * 2).rate == 0.0
    assert abs(rd.reverse_water_filling([2.0], 0.5).rate - rd.gaussian_rd(2.0, 0.5)) < 1e-15


def test_rate_distortion_at_hits_the_distortion():
    for D in (0.01, 0.1, 0.25):
        r = rd.rate_distortion_at([0.7, 0.3], rd.hamming_distortion(2), D)
        assert abs(r.distortion - D) < 1e-10 and abs(r.rate - rd.binary_hamming_rd(0.3, D)) < CLOSE
    zero = rd.rate_distortion_at([0.7, 0.3], rd.hamming_distortion(2), 0.5)
    assert zero.rate == 0.0 and abs(zero.distortion - 0.3) < 1e-15
    assert rd.rate_distortion_at([0.7, 0.3], rd.hamming_distortion(2), 0.0).rate == pytest.approx(h(0.3), abs=1e-9)


# ----------------------------------------------------------------------------------------------
# The curve: monotone, convex, finite at every beta
# ----------------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), nx=st.integers(2, 5), ny=st.integers(2, 5))
def test_curve_is_monotone_and_convex(seed, nx, ny):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(nx))
    d = rng.uniform(0, 1, size=(nx, ny))
    # near a slope where the curve leaves R = 0 Blahut-Arimoto converges sublinearly: cap the iterations and
    # let the certified gap absorb what is left
    c = rd.rate_distortion_curve(p, d, np.geomspace(0.2, 60, 14), tol=1e-10, max_iter=3000)
    order = np.argsort(c.distortion)
    D, R = c.distortion[order], c.rate[order]
    slack = 4e-9 + 2 * c.gap.max()
    assert np.all(np.diff(R) <= slack)  # non-increasing in D
    # convex: every point lies on or below the chord of its neighbours
    for i in range(1, len(D) - 1):
        if D[i + 1] - D[i - 1] > 1e-9:
            lam = (D[i + 1] - D[i]) / (D[i + 1] - D[i - 1])
            assert R[i] <= lam * R[i - 1] + (1 - lam) * R[i + 1] + slack
    # the chord interpolation never goes below the certified supporting-line bound
    grid = np.linspace(D[0], D[-1], 9)
    assert np.all(c.rate_lower(grid) <= c.rate_at(grid) + slack)
    # the stored output laws rebuild the channels, whose (D, R) are the curve's
    i = c.n_points // 2
    ch = c.channel(i)
    joint = p[:, None] * ch
    assert abs(measures.mutual_information(joint, 0, 1) - c.rate[i]) < 1e-10
    assert abs((joint * d).sum() - c.distortion[i]) < 1e-12


def test_no_nan_or_inf_at_large_beta_where_the_linear_update_fails():
    d = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 2.5], [3.0, 2.5, 1.5]])  # every row minimum > 0
    p = np.array([0.5, 0.3, 0.2])
    with np.errstate(all="ignore"):
        assert np.isnan(rd.naive_ba_step(p, d, 1e3)).all()  # the peers' update: 0/0
    for beta in (1.0, 1e2, 1e3, 1e4, 1e300):
        r = rd.blahut_arimoto(p, d, beta)
        fields = [r.rate, r.distortion, r.gap]
        assert np.isfinite(fields).all() and np.isfinite(r.channel).all() and np.isfinite(r.output).all()
    big = rd.blahut_arimoto(p, d, 1e4)
    assert abs(big.rate - measures.entropy(p)) < 1e-9 and abs(big.distortion - p @ d.min(axis=1)) < 1e-12
    c = rd.rate_distortion_curve(p, d, np.geomspace(1, 1e4, 20))
    assert np.isfinite(c.rate).all() and np.isfinite(c.distortion).all() and c.converged.all()
    # forbidden pairs (+inf) are fine too
    dinf = np.array([[0.0, np.inf, 1.0], [np.inf, 0.0, 1.0]])
    r = rd.blahut_arimoto([0.5, 0.5], dinf, 1e4)
    assert r.channel[0, 1] == 0.0 and np.isfinite(r.rate)


# ----------------------------------------------------------------------------------------------
# The directed rate-distortion function
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,k", [(2, 2), (3, 2), (2, 3)])
def test_directed_equals_classical_for_iid_sources(n, k):
    rng = np.random.default_rng(10 * n + k)
    p1 = rng.dirichlet(np.ones(k))
    d = rng.uniform(0, 1, size=(k, k))
    px = measures.product_law(*[p1] * n)
    for beta in (1.5, 4.0):
        di = rd.directed_blahut_arimoto(px, d, beta, tol=1e-10)
        one = rd.blahut_arimoto(p1, d, beta, tol=1e-11)
        assert di.converged
        assert abs(di.rate - one.rate) < CLOSE and abs(di.distortion - one.distortion) < 1e-7


def test_directed_rate_is_massey_directed_information_and_channel_is_causal():
    P = np.array([[0.85, 0.15], [0.3, 0.7]])
    n = 3
    px = _stationary_block(P, n)
    r = rd.directed_blahut_arimoto(px, rd.hamming_distortion(2), 1.7, tol=1e-9)
    J = r.joint()
    assert abs(directed.directed_information(J) / n - r.rate) < 1e-12
    assert abs(directed.sequence_mutual_information(J) / n - r.rate) < 1e-12  # no feedback: DI = MI
    assert abs(directed.reverse_directed_information(J)) < 1e-12
    assert abs(sum((J.sum(axis=tuple(a for a in range(2 * n) if a not in (t, n + t)))
                    * rd.hamming_distortion(2)).sum() for t in range(n)) / n - r.distortion) < 1e-12
    # P(y_t | x^n, y^{t-1}) does not depend on x_{t+1}, ..., x_n
    for t in range(1, n + 1):
        keep = tuple(range(n)) + tuple(range(n, n + t))
        m = J.sum(axis=tuple(a for a in range(2 * n) if a not in keep))
        cond = m / m.sum(axis=-1, keepdims=True)
        for future in range(t, n):
            assert np.allclose(cond, cond.take([0], axis=future), atol=1e-12)
    # kernels have no axes for future inputs
    assert [k.shape for k in r.kernels] == [(2,) * (2 * t) for t in range(1, n + 1)]


def test_directed_is_above_classical_block_for_a_markov_source():
    P = np.array([[0.9, 0.1], [0.1, 0.9]])
    betas = np.array([0.8, 1.5, 2.5, 4.0])
    for n in (2, 3):
        px = _stationary_block(P, n)
        di = rd.directed_rate_distortion_curve(px, rd.hamming_distortion(2), betas, tol=1e-10)
        blk = rd.block_rate_distortion_curve(px, rd.hamming_distortion(2), np.geomspace(0.3, 30, 60), tol=1e-10)
        assert di.converged.all() and blk.converged.all()
        # pointwise: R_DI(D) >= R_n(D), with R_n bounded below by certified supporting lines
        assert np.all(di.rate >= blk.rate_lower(di.distortion) - 1e-8)
        assert np.max(di.rate - blk.rate_at(di.distortion)) > 1e-2  # strictly above somewhere
        # Lagrangians at equal beta: the causal minimum is over a smaller set
        blk_same = rd.block_rate_distortion_curve(px, rd.hamming_distortion(2), betas, tol=1e-10)
        assert np.all(di.lagrangian >= blk_same.lagrangian - 1e-8)


def test_block_rd_of_binary_markov_source_meets_the_shannon_lower_bound():
    eps, n = 0.1, 3
    px = _stationary_block(np.array([[1 - eps, eps], [eps, 1 - eps]]), n)
    blk = rd.block_rate_distortion_curve(px, rd.hamming_distortion(2), [6.0, 8.0], tol=1e-11)
    slb = (1 + (n - 1) * h(eps)) / n - h(blk.distortion)  # H(X^n)/n - h(D)
    assert np.abs(blk.rate - slb).max() < CLOSE


def test_directed_at_n4_exact_above_block_and_equal_for_iid():
    ham = rd.hamming_distortion(2)
    # Markov source, n = 4: the directed point is above Shannon's block function at the same distortion
    px = _stationary_block(np.array([[0.85, 0.15], [0.25, 0.75]]), 4)
    di = rd.directed_blahut_arimoto(px, ham, 2.0, tol=1e-9)
    assert di.converged and di.gap <= 1e-9
    dn = rd.additive_distortion(ham, 4).reshape(16, 16) / 4
    blk = rd.rate_distortion_at(px.ravel(), dn, di.distortion, tol=1e-9)
    assert di.rate >= blk.rate / 4 - 1e-8 and di.rate - blk.rate / 4 > 1e-3
    # and the causal test channel is a feasible block channel: its rate is Massey's DI = MI of the joint
    J = di.joint()
    assert abs(directed.directed_information(J) / 4 - di.rate) < 1e-12
    # i.i.d. source, n = 4: equal to the single-letter function
    p1 = np.array([0.65, 0.35])
    iid = rd.directed_blahut_arimoto(measures.product_law(*[p1] * 4), ham, 2.0, tol=1e-10)
    one = rd.blahut_arimoto(p1, ham, 2.0, tol=1e-11)
    assert abs(iid.rate - one.rate) < CLOSE and abs(iid.distortion - one.distortion) < 1e-7


def test_accelerated_ba_agrees_with_plain_and_is_faster_near_zero_rate():
    p = np.array([0.5, 0.3, 0.2])
    d = np.array([[0.0, 1.0, 4.0], [1.0, 0.0, 1.0], [4.0, 1.0, 0.0]])
    for beta in (1e-3, 0.05, 0.3, 1.5, 20.0):
        fast = rd.blahut_arimoto(p, d, beta, tol=1e-10)
        slow = rd.blahut_arimoto(p, d, beta, tol=1e-10, accelerate=False)
        assert fast.converged and slow.converged
        # both certified: each one's rate lies in the other's bracket (at nearly equal distortion)
        lag_f = fast.rate * LN2 + beta * fast.distortion
        lag_s = slow.rate * LN2 + beta * slow.distortion
        assert abs(lag_f - lag_s) <= 2e-10 * LN2 + 1e-12
    # near the zero-rate end the plain iteration needs tens of thousands of steps
    fast = rd.blahut_arimoto(p, d, 1e-3, tol=1e-9)
    assert fast.iterations < 100 and abs(fast.distortion - 0.7) < 1e-6
    c = rd.rate_distortion_curve(p, d, [0.01, 0.1, 1.0], accelerate=False, max_iter=200)
    assert c.iterations.max() == 200 and not c.converged[0]


def test_warm_start_agrees_with_cold_start():
    x, p = rd.discrete_gaussian(1.0, 0.1, width=9)
    d = rd.squared_error_distortion(x)
    betas = [0.8, 1.0, 2.5, 5.0]
    cold = rd.rate_distortion_curve(p, d, betas, tol=1e-10)
    warm = rd.rate_distortion_curve(p, d, betas, tol=1e-10, warm_start=True, max_iter=2000)
    assert cold.converged.all() and warm.converged.all()
    assert np.abs(cold.rate - warm.rate).max() < 1e-8 and np.abs(cold.distortion - warm.distortion).max() < 1e-8


def test_deterministic():
    p = np.array([0.5, 0.3, 0.2])
    d = np.array([[0.0, 1.0, 4.0], [1.0, 0.0, 1.0], [4.0, 1.0, 0.0]])
    a = rd.rate_distortion_curve(p, d, [0.5, 1.0, 3.0])
    b = rd.rate_distortion_curve(p, d, [0.5, 1.0, 3.0])
    assert np.array_equal(a.rate, b.rate) and np.array_equal(a.distortion, b.distortion)
    assert np.array_equal(a.channel(1), b.channel(1))
    px = _stationary_block(np.array([[0.9, 0.1], [0.2, 0.8]]), 3)
    u = rd.directed_blahut_arimoto(px, rd.hamming_distortion(2), 1.5)
    v = rd.directed_blahut_arimoto(px, rd.hamming_distortion(2), 1.5)
    assert u.rate == v.rate and all(np.array_equal(k1, k2) for k1, k2 in zip(u.kernels, v.kernels))
    src = sources.MarkovSource.two_state(0.1, 0.3)
    m1 = sources.NGramModel(src.sample(500, seed=4), 2, vocab_size=2)
    m2 = sources.NGramModel(src.sample(500, seed=4), 2, vocab_size=2)
    assert rd.pretraining_point(src, m1) == rd.pretraining_point(src, m2)


# ----------------------------------------------------------------------------------------------
# Gauss–Markov
# ----------------------------------------------------------------------------------------------


def test_gauss_markov_sequential_formula():
    a, w = 0.9, 0.19
    for D in (0.05, 0.3, 0.8):
        closed = rd.gauss_markov_sequential_rd(a, w, D)
        assert closed == pytest.approx(0.5 * math.log2(a * a + w / D))
        assert rd.gauss_markov_sequential_rd_finite(a, w, D, 1) == pytest.approx(0.5 * math.log2(1.0 / D))
        fin = [rd.gauss_markov_sequential_rd_finite(a, w, D, n) for n in (50, 200)]
        assert abs(fin[1] - closed) < abs(fin[0] - closed) and abs(fin[1] - closed) < 0.01
        # the causal block is above the unconstrained block, which is above the process R(D)
        for n in (2, 8):
            assert rd.gauss_markov_sequential_rd_finite(a, w, D, n) >= rd.gauss_markov_block_rd(a, w, D, n) - 1e-9
        assert closed >= rd.gauss_markov_rd(a, w, D)
    assert rd.gauss_markov_sequential_rd(a, w, 1.0) == 0.0  # D = sigma_x^2


def test_gauss_markov_theorem_bounds_from_the_proof():
    # thm-05-gauss-markov: the converse (n-1)/n f(nD/(n-1)) and the achievability (log(sx2/D)/2 + (n-1) f(D))/n
    # bracket the finite-horizon optimum, computed independently by the convex programme over P_1..P_n
    a, w = 0.9, 0.19
    sx2 = w / (1 - a * a)
    f = lambda v: max(0.0, 0.5 * math.log2(a * a + w / v))  # noqa: E731
    for D in (0.05, 0.3, 0.8):
        for n in (2, 5, 20, 100):
            fin = rd.gauss_markov_sequential_rd_finite(a, w, D, n, initial_variance=sx2)
            lower = (n - 1) / n * f(n * D / (n - 1))
            upper = (0.5 * math.log2(sx2 / D) + (n - 1) * f(D)) / n
            assert lower - 1e-9 <= fin <= upper + 1e-9


def test_gaussian_scalar_quantizer_high_resolution_and_brute_force():
    # brute force: quantise a fine discretised Gaussian and compute entropy and centroid MSE directly
    x, p = rd.discrete_gaussian(1.0, 0.002, width=10)
    step = 0.5
    k = np.floor(x / step + 0.5).astype(int)
    cells = np.unique(k)
    pk = np.array([p[k == c].sum() for c in cells])
    ck = np.array([(p[k == c] * x[k == c]).sum() for c in cells]) / pk
    D_bf = float(p @ x**2 - pk @ ck**2)
    R, D = rd.gaussian_scalar_quantizer(1.0, step)
    assert abs(R - measures.entropy(pk)) < 1e-3 and abs(D - D_bf) < 1e-4
    # high resolution: D -> step^2/12 and the excess over R(D) -> 1/2 log2(pi e / 6)
    R, D = rd.gaussian_scalar_quantizer(2.0, 0.02)
    assert D == pytest.approx(0.02**2 / 12, rel=1e-3)
    assert abs(R - rd.gaussian_rd(2.0, D) - 0.5 * math.log2(math.pi * math.e / 6)) < 1e-5
    with pytest.raises(ValueError, match="step"):
        rd.gaussian_scalar_quantizer(1.0, 0.0)


def test_gauss_markov_classical_rd():
    a, w = 0.6, 1.0
    D = 0.3  # below w/(1+a)^2: every frequency above the water
    assert rd.gauss_markov_rd(a, w, D) == pytest.approx(0.5 * math.log2(w / D), abs=1e-12)
    for D in (0.3, 0.9):
        assert rd.gauss_markov_block_rd(a, w, D, 400) == pytest.approx(rd.gauss_markov_rd(a, w, D), abs=2e-3)
    assert rd.gauss_markov_rd(-a, w, 0.9) == pytest.approx(rd.gauss_markov_rd(a, w, 0.9), abs=1e-9)


def test_discretised_gauss_markov_matches_the_gaussian_finite_horizon():
    a, w = 0.8, 0.36
    x = np.linspace(-3.5, 3.5, 13)
    px = rd.gauss_markov_source_law(a, w, x, 2)
    r = rd.directed_blahut_arimoto(px, rd.squared_error_distortion(x), 4.0, tol=1e-4)
    assert r.converged
    gauss = rd.gauss_markov_sequential_rd_finite(a, w, r.distortion, 2)
    assert abs(r.rate - gauss) < 0.03


# ----------------------------------------------------------------------------------------------
# Pre-training as a log-loss point
# ----------------------------------------------------------------------------------------------


def test_pretraining_points():
    rng = np.random.default_rng(5)
    src = sources.MarkovSource(rng.dirichlet(np.full(2, 0.6), size=(2, 2)))  # order 2, binary
    Hbar = src.entropy_rate()
    x = src.sample(3000, seed=2)
    for k in range(0, 5):
        J = channel.sequence_law(src, k + 1)
        pop = rd.log_loss_point(J)  # the population model: calibrated, on the line
        assert abs(pop.rate - (pop.entropy - pop.distortion)) < 1e-12
        assert pop.distortion >= Hbar - 1e-12
        if k >= 2:
            assert abs(pop.distortion - Hbar) < 1e-12
        fit = rd.pretraining_point(src, sources.NGramModel(x, k, vocab_size=2))
        assert fit.rate >= fit.entropy - fit.distortion - 1e-12  # on or above R(D) = H - D
        assert fit.distortion >= pop.distortion - 1e-12
    # the exact cross-entropy equals a long-sample average (law of large numbers), within noise
    m = sources.NGramModel(x, 2, vocab_size=2)
    pt = rd.pretraining_point(src, m)
    test = src.sample(200_000, seed=9)
    assert abs(-m.token_logprobs(test)[2:].mean() - pt.distortion) < 0.01  # bits by default


def test_pretraining_sweep_matches_point_by_point():
    src = sources.MarkovSource.two_state(0.1, 0.3)
    sw = rd.pretraining_sweep(src, orders=(0, 1, 2), train_sizes=(200,), seed=4)
    x = src.sample(200, seed=4)
    for k in (0, 1, 2):
        assert sw.ideal[k] == rd.log_loss_point(channel.sequence_law(src, k + 1))
        assert sw.fitted[200][k] == rd.pretraining_point(src, sources.NGramModel(x, k, vocab_size=2))
    with pytest.raises(ValueError, match="source"):
        rd.pretraining_sweep("text", (0,), (10,))
    with pytest.raises(ValueError, match="orders"):
        rd.pretraining_sweep(src, (), (10,))


def test_plot_pretraining_plane_draws_every_point():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    src = sources.MarkovSource.two_state(0.1, 0.3)
    sw = rd.pretraining_sweep(src, orders=(0, 1), train_sizes=(100, 400))
    fig, ax = plt.subplots()
    rd.plot_pretraining_plane(ax, sw, src.entropy_rate(), xlim=(0, 1))
    assert len(ax.lines) == 1 + 1 + 1 + 2 and ax.get_xlim() == (0, 1)
    plt.close(fig)
    with pytest.raises(ValueError, match="sweep"):
        rd.plot_pretraining_plane(ax, None, 0.5)
    with pytest.raises(ValueError, match="entropy_rate"):
        rd.plot_pretraining_plane(ax, sw, -1.0)


# ----------------------------------------------------------------------------------------------
# The whole sequence: the predictor is feasible for R^DI_n but not on it
# ----------------------------------------------------------------------------------------------

STAY = np.array([[0.9, 0.1], [0.1, 0.9]])


def test_strictly_causal_predictor_closed_form():
    hb = h(0.1)
    for n in (1, 2, 3, 4):
        sp_ = rd.strictly_causal_predictor(_stationary_block(STAY, n))
        assert abs(sp_.distortion - (1 + (n - 1) * hb) / n) < 1e-12  # H(X^n)/n
        assert abs(sp_.rate - (1 + (n - 2) * hb) / n if n > 1 else sp_.rate) < 1e-12  # H(Y^n)/n: Y_1 constant
        assert sp_.entropy == pytest.approx(sp_.distortion, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strictly_causal_predictor_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    px = rng.dirichlet(np.full(27, 0.7)).reshape(3, 3, 3)
    sp_ = rd.strictly_causal_predictor(px, base=math.e)
    assert abs(sp_.distortion - measures.entropy(px.ravel(), base=math.e) / 3) < 1e-12
    # rate = H(Y^n)/n from the Y-marginal of the joint (deterministic channel), and = Massey's DI
    py = sp_.law.sum(axis=(0, 1, 2))
    assert abs(sp_.rate - measures.entropy(py.ravel(), base=math.e) / 3) < 1e-10
    # brute force: the predictor's outputs read off the joint are the true conditionals
    J = sp_.law
    for idx in zip(*np.nonzero(J)):
        x, y = idx[:3], idx[3:]
        for t in range(3):
            m = px.sum(axis=tuple(range(t + 1, 3)))
            prev = m.sum(axis=-1)[x[:t]] if t else 1.0
            cond = m[x[:t]] / prev
            assert np.allclose(sp_.reproductions[y[t]], cond, atol=1e-11)


def test_no_strictly_causal_predictor_beats_the_sequence_entropy():
    # thm-05-predictor-end: any strictly causal pmf reproduction has log-loss >= H(X^n); brute force over
    # random predictors Q(x_t | x^{t-1}) (deterministic strictly causal channels) and their mixtures with the truth
    rng = np.random.default_rng(11)
    px = _stationary_block(STAY, 3)
    H = measures.entropy(px.ravel())
    true = rd.strictly_causal_predictor(px)
    for _ in range(50):
        lam = rng.uniform()
        Q = {}  # one pmf per prefix x^{t-1}: strictly causal
        loss = 0.0
        for x in np.ndindex(2, 2, 2):
            for t in range(3):
                if x[:t] not in Q:
                    m = px.sum(axis=tuple(range(t + 1, 3)))
                    cond = m[x[:t]] / (m.sum(axis=-1)[x[:t]] if t else 1.0)
                    Q[x[:t]] = lam * cond + (1 - lam) * rng.dirichlet([1.0, 1.0])
                loss += px[x] * -math.log2(Q[x[:t]][x[t]])
        assert loss >= H - 1e-12
    assert abs(3 * true.distortion - H) < 1e-12


def test_log_loss_sequence_plane_predictor_is_dominated():
    px = _stationary_block(STAY, 4)
    pred = rd.strictly_causal_predictor(px)
    reps = np.vstack([np.eye(2), pred.reproductions])
    ll = rd.directed_rate_distortion_curve(px, rd.log_loss_distortion(reps), [0.3, 0.35, 0.5, 0.8], tol=1e-4)
    lo, hi = float(ll.rate_lower(pred.distortion)), float(ll.rate_at(pred.distortion))
    bound = float(rd.log_loss_sequence_lower_bound(px, pred.distortion))
    share = (1 - pred.distortion) * pred.entropy  # time-sharing identity and uniform: an independent upper bound
    assert bound == 0.0 and bound <= lo <= hi <= share + 1e-12
    assert pred.rate - share > 0.2  # the predictor is far above even the crude time-sharing
    # every achieved point (an upper bound on the curve) lies on or above the lower bound H(X^n)/n - D
    assert np.all(ll.rate >= rd.log_loss_sequence_lower_bound(px, ll.distortion) - 1e-9)


def test_log_loss_sequence_lower_bound_against_block_ba():
    px = _stationary_block(STAY, 2)
    reps = rd.log_loss_distortion(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.9, 0.1], [0.1, 0.9]]))
    blk = rd.block_rate_distortion_curve(px, reps, [0.2, 0.5, 0.8, 1.5], tol=1e-8)
    assert np.all(blk.rate >= rd.log_loss_sequence_lower_bound(px, blk.distortion) - 1e-9)
    with pytest.raises(ValueError, match="D"):
        rd.log_loss_sequence_lower_bound(px, np.nan)


def test_directed_rate_lower_brackets_the_iid_closed_form():
    p = 0.3
    px = measures.product_law([1 - p, p], [1 - p, p])
    c = rd.directed_rate_distortion_curve(px, rd.hamming_distortion(2), [1.0, 2.0, 4.0], tol=1e-6)
    D = np.array([0.05, 0.1, 0.2])
    exact = rd.binary_hamming_rd(p, D)
    assert np.all(c.rate_lower(D) <= exact + 1e-9)
    inside = (D >= c.distortion.min()) & (D <= c.distortion.max())
    assert np.all(exact[inside] <= c.rate_at(D)[inside] + 1e-9)
    with pytest.raises(ValueError, match="D"):
        c.rate_lower([np.inf])


def test_price_of_causality_zero_for_one_step_and_positive_for_markov():
    b = np.geomspace(0.5, 8.0, 5)
    one = rd.price_of_causality(_stationary_block(STAY, 1), rd.hamming_distortion(2), b)
    two = rd.price_of_causality(_stationary_block(STAY, 2), rd.hamming_distortion(2), b)
    assert one.certified and two.certified
    assert np.abs(one.gap).max() < 1e-6 and two.gap.max() > 0.01 and two.gap.min() > -1e-6
    # block_at is R_n at the directed distortions: between the block curve's certified bounds there
    assert np.all(two.block_at <= two.directed.rate + 1e-9)


# ----------------------------------------------------------------------------------------------
# beta = 0: the zero-rate end of every curve
# ----------------------------------------------------------------------------------------------


def test_beta_zero_is_the_zero_rate_end_of_the_curve():
    p = np.array([0.5, 0.3, 0.2])
    d = np.array([[0.0, 1.0, 4.0], [1.0, 0.0, 1.0], [4.0, 1.0, 0.0]])
    dmax = min(p @ d[:, y] for y in range(3))  # brute force over constant reproductions
    r = rd.blahut_arimoto(p, d, 0.0)
    assert r.rate == 0.0 and r.distortion == pytest.approx(dmax, abs=1e-15) and r.converged and r.gap == 0.0
    assert np.allclose(r.channel, r.channel[0]) and r.output @ (p @ d) == pytest.approx(dmax)
    # it is the limit of small positive beta (the certified points approach (D_max, 0))
    small = rd.blahut_arimoto(p, d, 1e-2, tol=1e-10)
    assert small.rate < 1e-6 and abs(small.distortion - dmax) < 1e-3
    # rate_distortion_at agrees at D_max: rate 0
    assert rd.rate_distortion_at(p, d, dmax).rate == 0.0
    c = rd.rate_distortion_curve(p, d, [1.0, 0.0, 2.0], warm_start=True)
    assert c.betas[0] == 0.0 and c.rate[0] == 0.0 and c.distortion[0] == pytest.approx(dmax)
    assert np.allclose(c.channel(0), r.channel) and np.all(np.diff(c.rate) >= -1e-12)
    # forbidden pairs: the best constant reproduction must avoid them
    dinf = np.array([[0.0, np.inf, 2.0], [np.inf, 0.0, 2.0]])
    r2 = rd.blahut_arimoto([0.5, 0.5], dinf, 0.0)
    assert r2.distortion == pytest.approx(2.0) and r2.channel[:, 2].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="betas"):
        rd.rate_distortion_curve(p, d, [0.0, -1.0])


def test_beta_zero_directed_and_block():
    px = _stationary_block(STAY, 3)
    ham = rd.hamming_distortion(2)
    r = rd.directed_blahut_arimoto(px, ham, 0.0)
    assert r.rate == 0.0 and r.distortion == pytest.approx(0.5) and r.converged
    J = r.joint()
    assert abs(directed.directed_information(J)) < 1e-12 and J.sum() == pytest.approx(1.0)
    # a non-stationary source: each step uses its own best constant
    px2 = measures.product_law([0.9, 0.1], [0.2, 0.8])
    r2 = rd.directed_blahut_arimoto(px2, ham, 0.0)
    assert r2.distortion == pytest.approx((0.1 + 0.2) / 2)
    c = rd.directed_rate_distortion_curve(px, ham, [0.0, 1.0])
    b = rd.block_rate_distortion_curve(px, ham, [0.0, 1.0])
    assert c.rate[0] == 0.0 and b.rate[0] == 0.0 and c.distortion[0] == pytest.approx(b.distortion[0])
    with pytest.raises(ValueError, match="beta"):
        rd.directed_blahut_arimoto(px, ham, -0.5)


# ----------------------------------------------------------------------------------------------
# Symbolic derivations and exercises
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", srd.__all__)
def test_symbolic_derivations_hold(name):
    assert getattr(srd, name)().holds()


def _spectral_waterfilling_rd(a, w, D, m=200_001):
    """Kolmogorov's R(D) in bits by brute force on a frequency grid: bisection on the water level."""
    om = np.linspace(0.0, np.pi, m)
    S = w / (1 - 2 * a * np.cos(om) + a * a)
    lo, hi = 0.0, S.max()
    for _ in range(200):
        th = 0.5 * (lo + hi)
        lo, hi = (th, hi) if np.trapezoid(np.minimum(th, S), om) / np.pi < D else (lo, th)
    return float(np.trapezoid(np.maximum(0.0, 0.5 * np.log2(S / th)), om) / np.pi)


def test_exercise_answers_against_independent_routes():
    ours = {k: v for k, v in registered().items() if k.startswith("ex-05-")}
    indep = {
        # closed form by hand vs Blahut-Arimoto at D = 0.05 (secant search, certified)
        "ex-05-binary-rd": (h(0.2) - h(0.05),
                            rd.rate_distortion_at([0.8, 0.2], rd.hamming_distortion(2), 0.05, tol=1e-12).rate),
        # Blahut-Arimoto's distortion vs the slope condition D = 1/(1 + e^beta)
        "ex-05-ba-distortion": (1 / (1 + math.exp(2.0)), None),
        # Kalman step formula minus a brute-force spectral water-filling on a frequency grid
        "ex-05-gauss-markov-gap": (0.5 * math.log2(0.81 + 0.19 / 0.1) - _spectral_waterfilling_rd(0.9, 0.19, 0.1), None),
        # stationary law and entropies by hand vs the rate of the log-loss point
        "ex-05-bigram-point": (h(0.25) - (0.75 * h(0.1) + 0.25 * h(0.3)), None),
        # I(X;Y) - I(T;Y) from binary entropies vs the average of the two KL terms by hand
        "ex-05-ib-merge": (2 / 3 * h(0.3) - (h(0.5) + h(0.9)) / 3,
                           (0.5 * math.log2(0.5 / 0.7) + 0.5 * math.log2(0.5 / 0.3)
                            + 0.9 * math.log2(0.9 / 0.7) + 0.1 * math.log2(0.1 / 0.3)) / 3),
    }
    assert set(ours) == set(indep)
    for label, (value, second) in indep.items():
        ref = ours[label].compute()
        assert is_correct(label, value).correct, label
        assert abs(ref - value) <= 1e-6 * max(1.0, abs(value)), label
        if second is not None:
            assert abs(second - value) < 1e-8, label
        assert not is_correct(label, value * 1.05 + 0.01).correct


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------


def test_bad_input():
    p = [0.5, 0.5]
    d = rd.hamming_distortion(2)
    with pytest.raises(ValueError, match="vocab_size"):
        rd.hamming_distortion(0)
    with pytest.raises(ValueError, match="reproductions"):
        rd.hamming_distortion(2, 0)
    with pytest.raises(ValueError, match="points"):
        rd.squared_error_distortion([[1.0]])
    with pytest.raises(ValueError, match="reproductions"):
        rd.log_loss_distortion([[0.5, 0.6]])
    with pytest.raises(ValueError, match="distortion"):
        rd.additive_distortion([[np.nan]], 2)
    with pytest.raises(ValueError, match="n"):
        rd.additive_distortion(d, 0)
    with pytest.raises(ValueError, match="p"):
        rd.blahut_arimoto([0.5, 0.6], d, 1.0)
    with pytest.raises(ValueError, match="distortion"):
        rd.blahut_arimoto(p, [[0.0, 1.0]], 1.0)
    with pytest.raises(ValueError, match="distortion"):
        rd.blahut_arimoto(p, [[np.inf, np.inf], [0, 1]], 1.0)
    with pytest.raises(ValueError, match="beta"):
        rd.blahut_arimoto(p, d, -1.0)
    with pytest.raises(ValueError, match="beta"):  # beta = 0 with no finite zero-rate point
        rd.blahut_arimoto(p, [[0.0, np.inf], [np.inf, 0.0]], 0.0)
    with pytest.raises(ValueError, match="tol"):
        rd.blahut_arimoto(p, d, 1.0, tol=-1)
    with pytest.raises(ValueError, match="max_iter"):
        rd.blahut_arimoto(p, d, 1.0, max_iter=0)
    with pytest.raises(ValueError, match="base"):
        rd.blahut_arimoto(p, d, 1.0, base=1)
    with pytest.raises(ValueError, match="init"):
        rd.blahut_arimoto(p, d, 1.0, init=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="betas"):
        rd.rate_distortion_curve(p, d, [1.0, -2.0])
    with pytest.raises(ValueError, match="D"):
        rd.rate_distortion_at(p, d, -0.1)
    with pytest.raises(ValueError, match="D"):
        rd.rate_distortion_at(p, d, float("nan"))
    with pytest.raises(ValueError, match="output"):
        rd.naive_ba_step(p, d, 1.0, output=[1.0])
    with pytest.raises(ValueError, match="p"):
        rd.binary_hamming_rd(1.5, 0.1)
    with pytest.raises(ValueError, match="D"):
        rd.binary_hamming_rd(0.3, -0.1)
    with pytest.raises(ValueError, match="variance"):
        rd.gaussian_rd(0.0, 0.1)
    with pytest.raises(ValueError, match="D"):
        rd.gaussian_rd(1.0, 0.0)
    with pytest.raises(ValueError, match="p"):
        rd.log_loss_rd([0.2, 0.2], 0.1)
    with pytest.raises(ValueError, match="variances"):
        rd.reverse_water_filling([1.0, -1.0], 0.1)
    with pytest.raises(ValueError, match="D"):
        rd.reverse_water_filling([1.0], 0.0)
    with pytest.raises(ValueError, match="spacing"):
        rd.discrete_gaussian(1.0, 0.0)
    with pytest.raises(ValueError, match="spacing"):
        rd.discrete_gaussian(1.0, 100.0)
    with pytest.raises(ValueError, match="p_x"):
        rd.directed_blahut_arimoto(np.ones((2, 3)) / 6, d, 1.0)
    with pytest.raises(ValueError, match="distortion"):
        rd.directed_blahut_arimoto(np.ones((3, 3)) / 9, d, 1.0)
    with pytest.raises(ValueError, match="beta"):
        rd.directed_blahut_arimoto(np.ones((2, 2)) / 4, d, -1.0)
    with pytest.raises(ValueError, match="betas"):
        rd.directed_rate_distortion_curve(np.ones((2, 2)) / 4, d, [])
    with pytest.raises(ValueError, match="p_x"):
        rd.block_rate_distortion_curve([[0.5, 0.6]], d, [1.0])
    with pytest.raises(ValueError, match="a"):
        rd.gauss_markov_source_law(1.0, 1.0, [0.0, 1.0], 2)
    with pytest.raises(ValueError, match="noise_variance"):
        rd.gauss_markov_source_law(0.5, 0.0, [0.0, 1.0], 2)
    with pytest.raises(ValueError, match="a"):
        rd.gauss_markov_sequential_rd(-1.2, 1.0, 0.1)
    with pytest.raises(ValueError, match="D"):
        rd.gauss_markov_sequential_rd(0.5, 1.0, 0.0)
    with pytest.raises(ValueError, match="n"):
        rd.gauss_markov_sequential_rd_finite(0.5, 1.0, 0.1, 0)
    with pytest.raises(ValueError, match="initial_variance"):
        rd.gauss_markov_sequential_rd_finite(0.5, 1.0, 0.1, 3, initial_variance=-1.0)
    with pytest.raises(ValueError, match="n"):
        rd.gauss_markov_block_rd(0.5, 1.0, 0.1, 0)
    with pytest.raises(ValueError, match="D"):
        rd.gauss_markov_rd(0.5, 1.0, -1.0)
    with pytest.raises(ValueError, match="block_law"):
        rd.log_loss_point([0.5, 0.6])
    with pytest.raises(ValueError, match="predictive"):
        rd.log_loss_point(np.full((2, 2), 0.25), np.ones((3, 3)) / 3)
    src = sources.MarkovSource.two_state(0.1, 0.2)
    with pytest.raises(ValueError, match="source"):
        rd.pretraining_point("text", src)
    with pytest.raises(ValueError, match="model"):
        rd.pretraining_point(src, None)
    with pytest.raises(ValueError, match="order"):
        rd.pretraining_point(src, sources.NGramModel([0, 1, 0], 1, vocab_size=2), order=-1)
    c = rd.rate_distortion_curve(p, d, [1.0, 2.0])
    with pytest.raises(ValueError, match="i"):
        c.channel(5)
    with pytest.raises(ValueError, match="D"):
        c.rate_at([np.nan])


# ----------------------------------------------------------------------------------------------
# The information bottleneck as log-loss rate-distortion (chapter 5, thm-05-ib)
# ----------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_bottleneck_distortion_averages_to_lost_relevance(seed, nt):
    rng = np.random.default_rng(seed)
    pxy = rng.dirichlet(np.ones(12)).reshape(4, 3)
    enc = rng.dirichlet(np.ones(nt), size=4)
    bd = rd.bottleneck_distortion(pxy, enc)
    # independent route: I(T;Y) from the joint p(t, y) = sum_x p(x) q(t|x) p(y|x), by measures
    ptyx = enc[:, :, None] * pxy[:, None, :]  # p(x, t, y)
    lost = measures.mutual_information(pxy, 0, 1) - measures.mutual_information(ptyx.sum(0), 0, 1)
    assert abs(bd.expected - lost) < 1e-10
    # remote-source view: E[-log2 p(Y|T)] = H(Y|X) + E d
    pyt = ptyx.sum(0) / ptyx.sum(0).sum(1, keepdims=True)
    ll = -(ptyx * np.log2(pyt)[None]).sum()
    assert abs(ll - (measures.entropy(pxy) - measures.entropy(pxy.sum(1)) + bd.expected)) < 1e-10


def test_bottleneck_fixed_point_is_a_blahut_arimoto_point():
    from semtheory import embedding

    pxy = np.array([[0.20, 0.05, 0.00], [0.15, 0.10, 0.05], [0.02, 0.08, 0.15], [0.00, 0.05, 0.15]])
    betas = np.geomspace(1.0, 40.0, 25)
    ib = embedding.information_bottleneck(pxy, betas, seed=0)
    i = 12
    bd = rd.bottleneck_distortion(pxy, ib.encoders[i], base=math.e)
    ba = rd.blahut_arimoto(pxy.sum(1), bd.distortion, betas[i], tol=1e-12)
    assert abs(ba.rate - ib.i_xt[i]) < 1e-6
    assert abs(ba.distortion / LN2 - (ib.i_xy - ib.i_ty[i])) < 1e-6
    # a frozen reproduction set that is not the bottleneck's own is strictly worse somewhere
    other = rd.bottleneck_distortion(pxy, ib.encoders[6], base=math.e)
    ba2 = rd.blahut_arimoto(pxy.sum(1), other.distortion, betas[i], tol=1e-12)
    assert ba2.rate * LN2 + betas[i] * ba2.distortion > ba.rate * LN2 + betas[i] * ba.distortion + 1e-4


def test_bottleneck_distortion_drops_empty_cells_and_rejects_bad_input():
    pxy = np.array([[0.3, 0.1], [0.1, 0.5]])
    bd = rd.bottleneck_distortion(pxy, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert list(bd.cells) == [0, 2] and bd.distortion.shape == (2, 2)
    assert bd.expected == 0.0  # a one-to-one encoder loses nothing
    assert np.allclose(bd.reproductions, pxy / pxy.sum(1, keepdims=True))
    with pytest.raises(ValueError, match="encoder"):
        rd.bottleneck_distortion(pxy, [[1.0, 0.0]])
    with pytest.raises(ValueError, match="encoder"):
        rd.bottleneck_distortion(pxy, [[0.5, 0.6], [1.0, 0.0]])
    with pytest.raises(ValueError, match="p_xy"):
        rd.bottleneck_distortion([[0.5, 0.6], [0.1, 0.1]], [[1.0], [1.0]])


# ----------------------------------------------------------------------------------------------
# Elimination of reproductions (issue #17): what the bound removes carries no mass in the optimum
# ----------------------------------------------------------------------------------------------


def _solve(prob, beta, tol_nats, max_iter=200_000):
    return prob.solve(beta, np.full(prob.ny, -math.log(prob.ny)), tol_nats, max_iter)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), nx=st.integers(2, 7), ny=st.integers(3, 9),
       beta=st.sampled_from([0.5, 3.0, 20.0]))
def test_eliminated_reproductions_have_zero_mass_in_the_optimum(seed, nx, ny, beta):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(nx))
    d = rng.uniform(0, 1, size=(nx, ny))
    d[:, ny // 2:] += rng.uniform(0.2, 2.0, size=ny - ny // 2)  # some reproductions worse than others
    fast = rd_common.ba_problem(p, d)
    r1, d1, g1, _, _ = _solve(fast, beta, 1e-12)
    killed = fast.eliminated
    ref = rd_common.ba_problem(p, d)
    ref.eliminate = False
    r2, d2, g2, logr, _ = _solve(ref, beta, 1e-13)
    assert ref.eliminated.size == 0
    # the same optimum: both Lagrangians certified, each inside the other's bracket
    assert abs((r1 + beta * d1) - (r2 + beta * d2)) <= g1 + g2 + 1e-12
    if killed.size:
        # in the uneliminated optimum those letters are emptying (mass far below the rest) and their
        # Kuhn-Tucker value c(y) is below 1, which is what forces r*(y) = 0
        assert np.exp(logr[killed]).max() < 1e-8
        E = -beta * (d - d.min(axis=1, keepdims=True))
        logZ, logc = ref.exact_terms(logr, E)
        assert np.exp(logc[killed]).max() < 1.0


def test_elimination_fires_on_a_useless_reproduction_and_changes_nothing():
    # a reproduction at distance 50 from every source letter: its c(y) is ~e^{-beta 2500}, the bound removes it
    x = np.linspace(-2.0, 2.0, 9)
    p = np.exp(-(x**2) / 2)
    p /= p.sum()
    d = rd.squared_error_distortion(x, np.append(x, 50.0))
    prob = rd_common.ba_problem(p, d)
    _solve(prob, 1.0, 1e-10)
    assert 9 in prob.eliminated
    a = rd.blahut_arimoto(p, d, 1.0, tol=1e-11)
    b = rd.blahut_arimoto(p, d[:, :9], 1.0, tol=1e-11)
    assert a.output[9] == 0.0 and a.converged
    assert abs(a.lagrangian - b.lagrangian) <= (a.gap + b.gap) * LN2 + 1e-12
    np.testing.assert_allclose(a.output[:9], b.output, atol=1e-5)


def test_accelerated_curve_matches_the_plain_iteration_on_a_fine_gaussian_lattice():
    # the 256-point benchmark problem, a few slopes: accelerated (with elimination) and plain agree within the
    # certificates, and the warm-started curve equals the cold one within them too
    x = np.linspace(-9.0, 9.0, 128)
    p = np.exp(-(x**2) / 2)
    p /= p.sum()
    d = rd.squared_error_distortion(x)
    betas = [0.6, 2.0, 30.0, 800.0]
    fast = rd.rate_distortion_curve(p, d, betas, tol=1e-9)
    warm = rd.rate_distortion_curve(p, d, betas, tol=1e-9, warm_start=True)
    slow = rd.rate_distortion_curve(p, d, betas, tol=1e-7, accelerate=False, max_iter=20_000)
    assert fast.converged.all() and warm.converged.all()
    for c in (warm, slow):
        assert np.all(np.abs(c.lagrangian - fast.lagrangian) <= (c.gap + fast.gap) * LN2 + 1e-12)
