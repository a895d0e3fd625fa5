"""Typicality, Pinsker and convexity, differential entropy, and better entropy estimators (semtheory.measures, ch. 2).

Every check is an independent route: enumeration of all sequences against the sum over types, Pinsker and
convexity on random laws, quadrature against closed forms and scipy, leave-one-out loops against the
count formula, exact biases against Monte-Carlo means.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from semtheory import measures as m

SET = settings(max_examples=40, deadline=None)


# ------------------------------------------------------------------------------------------------
# AEP and typicality
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p,n,eps", [([0.3, 0.7], 9, 0.1), ([0.2, 0.3, 0.5], 6, 0.15), ([0.5, 0.5], 5, 0.01), ([0.1, 0.0, 0.9], 8, 0.2)])
def test_typical_set_equals_enumeration(p, n, eps):
    p = np.asarray(p)
    prob = size = 0
    for xs in itertools.product(np.flatnonzero(p), repeat=n):
        lp = np.log2(p[list(xs)]).sum()
        if abs(-lp / n - m.entropy(p)) <= eps:
            prob += 2.0**lp
            size += 1
    t = m.typical_set(p, n, eps)
    assert t.probability == pytest.approx(prob, abs=1e-12)
    assert (t.log_size == -math.inf) if size == 0 else t.log_size == pytest.approx(math.log2(size))


@SET
@given(st.integers(0, 2**32 - 1), st.integers(2, 3), st.integers(1, 120), st.floats(0.02, 0.5))
def test_aep_bounds(seed, k, n, eps):
    p = np.random.default_rng(seed).dirichlet(np.ones(k))
    t = m.typical_set(p, n, eps)
    assert t.entropy == pytest.approx(m.entropy(p))
    assert 1 - t.probability <= t.varentropy / (n * eps**2) + 1e-12  # Chebyshev
    if t.probability > 0:
        assert t.log_size <= n * (t.entropy + eps) + 1e-9
        assert t.log_size >= math.log2(t.probability) + n * (t.entropy - eps) - 1e-9


def test_typical_probability_tends_to_one_and_base():
    probs = [m.typical_set([0.3, 0.7], n, 0.05).probability for n in (10, 100, 1000, 3000)]
    assert probs[-1] > 0.999 and probs[-1] > probs[1]
    a, b = m.typical_set([0.3, 0.7], 50, 0.1), m.typical_set([0.3, 0.7], 50, 0.1 * math.log(2), base=math.e)
    assert a.probability == pytest.approx(b.probability) and a.log_size * math.log(2) == pytest.approx(b.log_size)


# ------------------------------------------------------------------------------------------------
# log-sum, Pinsker, convexity
# ------------------------------------------------------------------------------------------------


@SET
@given(st.integers(0, 2**32 - 1), st.integers(2, 6))
def test_log_sum_and_pinsker(seed, k):
    rng = np.random.default_rng(seed)
    a, b = rng.gamma(0.5, size=k) + 1e-12, rng.gamma(0.5, size=k) + 1e-12
    assert (a * np.log(a / b)).sum() >= a.sum() * math.log(a.sum() / b.sum()) - 1e-12
    p, q = a / a.sum(), b / b.sum()
    tv = m.total_variation(p, q)
    assert tv == pytest.approx(max(abs(p[list(s)].sum() - q[list(s)].sum())
                                   for r in range(k + 1) for s in itertools.combinations(range(k), r)))
    assert m.kl_divergence(p, q, base=math.e) >= 2 * tv**2 - 1e-12


@SET
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.integers(2, 4), st.floats(0, 1))
def test_kl_jointly_convex_and_mi_convex_in_channel_concave_in_input(seed, kx, ky, lam):
    rng = np.random.default_rng(seed)
    p1, p2, q1, q2 = (rng.dirichlet(np.ones(kx)) for _ in range(4))
    mix = lambda u, v: lam * u + (1 - lam) * v  # noqa: E731
    assert m.kl_divergence(mix(p1, p2), mix(q1, q2)) <= lam * m.kl_divergence(p1, q1) + (1 - lam) * m.kl_divergence(p2, q2) + 1e-12
    w1, w2 = rng.dirichlet(np.ones(ky), size=kx), rng.dirichlet(np.ones(ky), size=kx)
    mi = lambda px, w: m.mutual_information(px[:, None] * w, 0, 1)  # noqa: E731
    assert mi(p1, mix(w1, w2)) <= lam * mi(p1, w1) + (1 - lam) * mi(p1, w2) + 1e-12
    assert mi(mix(p1, p2), w1) >= lam * mi(p1, w1) + (1 - lam) * mi(p2, w1) - 1e-12


# ------------------------------------------------------------------------------------------------
# differential entropy
# ------------------------------------------------------------------------------------------------


def test_gaussian_entropy_against_scipy_and_quadrature():
    cov = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]])
    assert m.gaussian_entropy(cov, base=math.e) == pytest.approx(stats.multivariate_normal(cov=cov).entropy())
    assert m.gaussian_entropy(1.7) == pytest.approx(m.differential_entropy(stats.norm(scale=math.sqrt(1.7)).pdf, -np.inf, np.inf))
    assert m.gaussian_entropy(0.01) < 0  # differential entropy can be negative


def test_maximum_entropy_of_the_gaussian_among_unit_variance_laws():
    h_gauss = m.gaussian_entropy(1.0, base=math.e)
    laws = [stats.uniform(-math.sqrt(3), 2 * math.sqrt(3)), stats.laplace(scale=1 / math.sqrt(2)),
            stats.logistic(scale=math.sqrt(3) / math.pi), stats.t(df=5, scale=math.sqrt(3 / 5))]
    for law in laws:
        assert law.var() == pytest.approx(1.0)
        lo, hi = law.support()
        h = m.differential_entropy(law.pdf, lo, hi, base=math.e)
        assert h == pytest.approx(float(law.entropy()), abs=1e-7)
        assert h < h_gauss


# ------------------------------------------------------------------------------------------------
# entropy estimators
# ------------------------------------------------------------------------------------------------


def test_jackknife_equals_the_leave_one_out_loop():
    x = np.random.default_rng(1).integers(0, 6, 40)
    n = len(x)
    loo = sum(m.entropy_plugin(np.delete(x, i)) for i in range(n))
    assert m.entropy_jackknife(x) == pytest.approx(n * m.entropy_plugin(x) - (n - 1) / n * loo, rel=1e-12)
    counts = np.bincount(x)[None, :]
    assert m.estimators._estimates_from_counts(counts, "jackknife")[0] / math.log(2) == pytest.approx(m.entropy_jackknife(x))


def test_chao_shen_by_hand():
    x = np.array([0, 0, 0, 1, 1, 2, 3])  # f1 = 2 singletons of N = 7
    c = np.array([3, 2, 1, 1])
    cov = 1 - 2 / 7
    pa = cov * c / 7
    want = float((-pa * np.log(pa) / (1 - (1 - pa) ** 7)).sum())
    assert m.entropy_chao_shen(x, base=math.e) == pytest.approx(want)
    # all singletons: f1 is taken as N - 1, so the estimate stays finite
    assert math.isfinite(m.entropy_chao_shen(np.arange(5)))


@pytest.mark.parametrize("method", ["plugin", "miller_madow", "jackknife", "chao_shen"])
def test_estimates_from_counts_equal_sample_estimators(method):
    p = np.array([0.5, 0.2, 0.2, 0.1])
    rng = np.random.default_rng(3)
    fn = {"plugin": m.entropy_plugin, "miller_madow": m.entropy_miller_madow,
          "jackknife": m.entropy_jackknife, "chao_shen": m.entropy_chao_shen}[method]
    est = m.entropy_estimates(p, 30, 5, method, seed=7)
    rng = np.random.default_rng(7)
    counts = rng.multinomial(30, p, size=5)
    for e, c in zip(est, counts):
        assert e == pytest.approx(fn(np.repeat(np.arange(4), c)))


@pytest.mark.parametrize("method", ["plugin", "miller_madow", "jackknife"])
def test_exact_biases_match_monte_carlo(method):
    p = 1 / np.arange(1, 11)
    p /= p.sum()
    for n in (5, 20, 80):
        est = m.entropy_estimates(p, n, 20_000, method, seed=n) - m.entropy(p)
        se = est.std(ddof=1) / math.sqrt(est.size)
        assert abs(est.mean() - m.estimator_bias(p, n, method)) < 4 * se


@pytest.mark.parametrize("p,n", [([0.5, 0.3, 0.15, 0.05], 6), ([0.6, 0.4], 9), ([0.2, 0.2, 0.6], 4)])
def test_exact_biases_equal_enumeration_of_every_count_vector(p, n):
    """Theorem thm-02-exact-bias with no sampling noise: sum every estimator over all multinomial count
    vectors (the jackknife by its leave-one-out definition) and compare with estimator_bias."""
    p = np.asarray(p)
    k = p.size

    def h(c):  # plug-in entropy in bits of a count vector
        c = np.asarray(c, float)
        q = c[c > 0] / c.sum()
        return float(-(q * np.log2(q)).sum())

    tot = dict(plugin=0.0, miller_madow=0.0, jackknife=0.0)
    for c in itertools.product(range(n + 1), repeat=k):
        if sum(c) != n:
            continue
        w = stats.multinomial.pmf(c, n, p)
        loo = sum(cx * h(np.array(c) - np.eye(k, dtype=int)[x]) for x, cx in enumerate(c) if cx)
        tot["plugin"] += w * h(c)
        tot["miller_madow"] += w * (h(c) + (np.count_nonzero(c) - 1) / (2 * n * math.log(2)))
        tot["jackknife"] += w * (n * h(c) - (n - 1) / n * loo)
    for method, e in tot.items():
        assert e - m.entropy(p) == pytest.approx(m.estimator_bias(p, n, method), abs=1e-12)


def test_plugin_mutual_information_bias_leading_term():
    """The chapter's leading-order bias (K_X - 1)(K_Y - 1)/(2N) nats of the plug-in MI of an independent law."""
    rng = np.random.default_rng(3)
    px, py, n = np.array([0.2, 0.3, 0.5]), np.array([0.1, 0.2, 0.3, 0.4]), 2000
    cells = rng.choice(12, size=(1500, n), p=np.outer(px, py).ravel())
    est = np.array([m.mutual_information_plugin(c // 4, c % 4, base=math.e) for c in cells])
    se = est.std(ddof=1) / math.sqrt(est.size)
    assert abs(est.mean() - 2 * 3 / (2 * n)) < 4 * se + 2e-5


def test_exact_bias_closed_forms():
    # N = 1: the plug-in estimate is 0, so its bias is -H; Miller-Madow adds (1 - 1)/2 = 0
    p = np.array([0.25, 0.75])
    assert m.estimator_bias(p, 1) == pytest.approx(-m.entropy(p))
    assert m.estimator_bias(p, 1, "miller_madow") == pytest.approx(-m.entropy(p))
    # N = 2 jackknife: 2 E[H_2] - E[H_1] = 2 E[H_2]; E[H_2] = 2 p q log 2 (two distinct draws give 1 bit)
    assert m.estimator_bias(p, 2, "jackknife") == pytest.approx(2 * (2 * 0.25 * 0.75) - m.entropy(p))
    assert m.estimator_bias([1.0, 0.0], 5, "miller_madow") == pytest.approx(0.0, abs=1e-15)


def test_bad_input_of_the_depth_functions():
    cases = [
        (lambda: m.typical_set([0.5, 0.6], 3, 0.1), "p"),
        (lambda: m.typical_set([0.5, 0.5], 0, 0.1), "n"),
        (lambda: m.typical_set([0.5, 0.5], 3, 0), "eps"),
        (lambda: m.typical_set(np.full(10, 0.1), 100, 0.1), "n"),
        (lambda: m.typical_set([0.5, 0.5], 3, 0.1, base=1), "base"),
        (lambda: m.total_variation([0.5, 0.5], [1.0]), "p and q"),
        (lambda: m.total_variation([0.5, 0.5], [0.5, 0.6]), "q"),
        (lambda: m.gaussian_entropy([[1, 2], [0, 1]]), "cov"),
        (lambda: m.gaussian_entropy([[1, 2], [2, 1]]), "cov"),
        (lambda: m.gaussian_entropy(-1.0), "cov"),
        (lambda: m.gaussian_entropy(np.ones((2, 3))), "cov"),
        (lambda: m.gaussian_entropy("x"), "cov"),
        (lambda: m.gaussian_entropy(1.0, base=0), "base"),
        (lambda: m.differential_entropy("pdf", 0, 1), "pdf"),
        (lambda: m.differential_entropy(stats.norm.pdf, 1, 0), "lower"),
        (lambda: m.differential_entropy(stats.norm.pdf, "a", 0), "lower"),
        (lambda: m.differential_entropy(stats.norm.pdf, 0, np.nan), "upper"),
        (lambda: m.differential_entropy(lambda x: 2.0 + 0 * x, 0, 1), "pdf"),
        (lambda: m.entropy_jackknife([1]), "samples"),
        (lambda: m.entropy_jackknife([]), "samples"),
        (lambda: m.entropy_jackknife([1, 2], base=1), "base"),
        (lambda: m.entropy_chao_shen([]), "samples"),
        (lambda: m.entropy_chao_shen([1, 2], base=-1), "base"),
        (lambda: m.entropy_estimates([0.5, 0.5], 1, 3, "jackknife"), "n"),
        (lambda: m.estimator_bias([0.5, 0.6], 3), "p"),
        (lambda: m.estimator_bias([0.5, 0.5], 0), "n"),
        (lambda: m.estimator_bias([0.5, 0.5], 3, "chao_shen"), "method"),
        (lambda: m.estimator_bias([0.5, 0.5], 1, "jackknife"), "n"),
        (lambda: m.estimator_bias([0.5, 0.5], 3, base=1), "base"),
    ]
    for fn, name in cases:
        with pytest.raises(ValueError, match=name):
            fn()


def test_chapter_2_new_answers_by_independent_routes():
    from semtheory.exercises import is_correct, registered

    reg = registered()
    # jackknife bias: exact expectation over all multinomial count vectors (286 types for N = 10, K = 4)
    n, k = 10, 4
    counts = m.typicality._compositions(n, k)
    logw = (math.lgamma(n + 1) - np.array([sum(math.lgamma(c + 1) for c in row) for row in counts])
            + counts.sum(axis=1) * math.log(0.25))
    jk = m.estimators._estimates_from_counts(counts, "jackknife") / math.log(2)
    want = float((np.exp(logw) * jk).sum()) - 2.0
    assert reg["ex-02-jackknife-bias"].compute() == pytest.approx(want, rel=1e-10)
    assert is_correct("ex-02-jackknife-bias", want) and not is_correct("ex-02-jackknife-bias", m.plugin_bias(np.full(4, 0.25), 10))
    # typical exponent: a direct binomial sum with math.comb
    h = m.binary_entropy(0.3)
    size = sum(math.comb(200, j) for j in range(201)
               if abs(-(j * math.log2(0.3) + (200 - j) * math.log2(0.7)) / 200 - h) <= 0.05)
    assert is_correct("ex-02-typical-exponent", math.log2(size) / 200)
    assert not is_correct("ex-02-typical-exponent", h)
