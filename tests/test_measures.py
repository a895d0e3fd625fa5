"""Shannon's measures on pmfs, Fano's inequality and entropy estimators (semtheory.measures, chapter 2)."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import measures as m
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import Derivation
from semtheory.symbolic import measures as sm

TOL = 1e-10
LN2 = math.log(2)

# ----------------------------------------------------------------------------------------------
# random laws
# ----------------------------------------------------------------------------------------------


def random_pmf(seed, shape, sparse=False, alpha=0.6):
    """A random pmf of the given shape; with ``sparse`` about a third of the cells are exactly 0."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(int(np.prod(shape)), alpha))
    if sparse:
        p = np.where(rng.random(p.size) < 0.35, 0.0, p)
        p[rng.integers(p.size)] += 0.1  # never all zero
        p = p / p.sum()
    return p.reshape(shape)


def random_kernel(rng, k_in, k_out, sparse=False):
    w = rng.dirichlet(np.full(k_out, 0.6), size=k_in)
    if sparse:
        w = np.where(rng.random(w.shape) < 0.3, 0.0, w)
        w[:, 0] += 1e-3
        w = w / w.sum(axis=1, keepdims=True)
    return w


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).filter(lambda s: int(np.prod(s)) <= 200)
pmfs = st.builds(random_pmf, seed=st.integers(0, 2**32 - 1), shape=shapes, sparse=st.booleans())
shapes3 = st.lists(st.integers(1, 4), min_size=3, max_size=4).filter(lambda s: int(np.prod(s)) <= 200)
pmfs3 = st.builds(random_pmf, seed=st.integers(0, 2**32 - 1), shape=shapes3, sparse=st.booleans())
seeds = st.integers(0, 2**32 - 1)
bases = st.sampled_from([2, math.e, 10, 3.5, 0.5])

SET = settings(max_examples=60, deadline=None)


# ----------------------------------------------------------------------------------------------
# identities on random pmfs
# ----------------------------------------------------------------------------------------------


@SET
@given(pmfs3)
def test_nonnegativity(p):
    assert m.entropy(p) >= 0
    assert m.entropy(p, 0) >= 0
    assert m.conditional_entropy(p, 0, (1, 2)) >= 0
    assert m.mutual_information(p, 0, (1, 2)) >= 0
    assert m.conditional_mutual_information(p, 0, 1, 2) >= 0
    assert m.conditional_mutual_information(p, (0, 1), 2, tuple(range(3, p.ndim))) >= 0


@SET
@given(seeds, shapes, st.booleans())
def test_kl_nonnegative_zero_iff_equal_and_cross_entropy_gap(seed, shape, sparse):
    p = random_pmf(seed, shape, sparse)
    q = random_pmf(seed + 1, shape, False)
    d = m.kl_divergence(p, q)
    assert d >= 0
    assert m.kl_divergence(p, p) == pytest.approx(0.0, abs=TOL)
    assert d == pytest.approx(m.cross_entropy(p, q) - m.entropy(p), abs=TOL)
    assert m.perplexity(p, q) == pytest.approx(2 ** m.cross_entropy(p, q), rel=1e-10)


@SET
@given(pmfs)
def test_entropy_chain_rule_any_number_of_variables(p):
    terms = [m.conditional_entropy(p, i, tuple(range(i))) for i in range(p.ndim)]
    assert sum(terms) == pytest.approx(m.entropy(p), abs=TOL)
    # reversed order too, and the two-group form H(A,B) = H(B) + H(A|B)
    rev = [m.conditional_entropy(p, i, tuple(range(i + 1, p.ndim))) for i in range(p.ndim)]
    assert sum(rev) == pytest.approx(m.entropy(p), abs=TOL)


@SET
@given(pmfs3)
def test_mi_chain_rule_and_conditional_entropy_forms(p):
    rest = tuple(range(1, p.ndim))
    # I(X; Y, Z) = I(X; Y) + I(X; Z | Y), with Z = all remaining axes
    lhs = m.mutual_information(p, 0, rest)
    rhs = m.mutual_information(p, 0, 1) + m.conditional_mutual_information(p, 0, rest[1:], 1)
    assert lhs == pytest.approx(rhs, abs=TOL)
    assert m.conditional_entropy(p, 0, rest) == pytest.approx(m.entropy(p) - m.entropy(p, rest), abs=TOL)
    assert m.mutual_information(p, 0, rest) == pytest.approx(
        m.entropy(p, 0) - m.conditional_entropy(p, 0, rest), abs=TOL
    )
    assert m.conditional_mutual_information(p, 0, 1, ()) == pytest.approx(m.mutual_information(p, 0, 1), abs=0)
    assert m.conditional_entropy(p, 0, None) == pytest.approx(m.entropy(p, 0), abs=0)


@SET
@given(pmfs3)
def test_mi_symmetric_and_bounded_by_entropies(p):
    a, b = (0,), tuple(range(1, p.ndim))
    i_ab = m.mutual_information(p, a, b)
    assert i_ab == pytest.approx(m.mutual_information(p, b, a), abs=TOL)
    assert i_ab <= min(m.entropy(p, a), m.entropy(p, b)) + TOL
    assert m.conditional_mutual_information(p, 0, 1, 2) == pytest.approx(
        m.conditional_mutual_information(p, 1, 0, 2), abs=TOL
    )


@SET
@given(seeds, st.integers(2, 5), st.integers(2, 5), st.integers(2, 5), st.booleans())
def test_data_processing_on_random_markov_chains(seed, kx, ky, kz, sparse):
    rng = np.random.default_rng(seed)
    p = m.markov_chain_law(rng.dirichlet(np.ones(kx)), random_kernel(rng, kx, ky, sparse), random_kernel(rng, ky, kz, sparse))
    assert p.shape == (kx, ky, kz)
    assert m.conditional_mutual_information(p, 0, 2, 1) == pytest.approx(0.0, abs=TOL)  # Markov property
    assert m.mutual_information(p, 0, 2) <= m.mutual_information(p, 0, 1) + TOL
    assert m.mutual_information(p, 0, 2) <= m.mutual_information(p, 1, 2) + TOL


def test_data_processing_needs_the_markov_property():
    # Z = X xor Y with X, Y independent fair bits: I(X;Z) = 0 < I(X;Z|Y) = 1, so X -> Y -> Z fails
    p = np.zeros((2, 2, 2))
    for x in (0, 1):
        for y in (0, 1):
            p[x, y, x ^ y] = 0.25
    assert m.conditional_mutual_information(p, 0, 2, 1) == pytest.approx(1.0)
    assert m.mutual_information(p, 0, 2) == 0.0
    # ... yet the inequality I(X;Z) <= I(X;Y) holds there (0 <= 0): conditioning increased information
    assert m.mutual_information(p, 0, 2) <= m.mutual_information(p, 0, 1)


def test_data_processing_fails_for_two_parallel_observations():
    """Y, Z independent noisy copies of X (not X -> Y -> Z): I(X;Z) > I(X;Y), each 1 - h(flip) in closed form."""
    bsc = lambda e: np.array([[1 - e, e], [e, 1 - e]])  # noqa: E731
    fork = 0.5 * bsc(0.3)[:, :, None] * bsc(0.1)[:, None, :]
    assert m.mutual_information(fork, 0, 1) == pytest.approx(1 - m.binary_entropy(0.3))
    assert m.mutual_information(fork, 0, 2) == pytest.approx(1 - m.binary_entropy(0.1))
    assert m.mutual_information(fork, 0, 2) > m.mutual_information(fork, 0, 1)
    assert m.conditional_mutual_information(fork, 0, 2, 1) > 0.1


@SET
@given(pmfs, bases)
def test_base_conversions(p, base):
    nats = m.entropy(p, base=math.e)
    assert m.entropy(p) == pytest.approx(nats / LN2, abs=TOL)
    assert m.entropy(p, base=base) == pytest.approx(nats / math.log(base), abs=TOL)
    if p.ndim >= 2:
        mi = m.mutual_information(p, 0, tuple(range(1, p.ndim)), base=math.e)
        assert m.mutual_information(p, 0, tuple(range(1, p.ndim))) == pytest.approx(mi / LN2, abs=TOL)
    assert m.perplexity(p) == pytest.approx(2 ** m.entropy(p), rel=1e-10)


def test_base_conversion_fixed_values():
    p = [0.5, 0.25, 0.25]
    assert m.entropy(p) == pytest.approx(1.5)
    assert m.entropy(p, base=math.e) == pytest.approx(1.5 * LN2)
    assert m.entropy(p, base=4) == pytest.approx(0.75)
    assert m.binary_entropy(0.5, base=math.e) == pytest.approx(LN2)


# ----------------------------------------------------------------------------------------------
# closed forms
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 6, 10, 1000])
def test_uniform_entropy_and_perplexity(k):
    u = np.full(k, 1 / k)
    assert m.entropy(u) == pytest.approx(math.log2(k), abs=1e-12)
    assert m.perplexity(u) == pytest.approx(k)
    assert m.entropy(u.reshape(1, k), axes=1) == pytest.approx(math.log2(k), abs=1e-12)


@pytest.mark.parametrize("x", [0.0, 1e-9, 0.11, 0.3, 0.5, 0.99, 1.0])
def test_binary_laws(x):
    h = -(x * math.log2(x) if x else 0.0) - ((1 - x) * math.log2(1 - x) if x < 1 else 0.0)
    assert m.binary_entropy(x) == pytest.approx(h, abs=1e-12)
    assert m.entropy([x, 1 - x]) == pytest.approx(h, abs=1e-12)
    assert m.fano_bound(x, 2) == pytest.approx(h, abs=1e-12)


def test_zeros_are_exact():
    assert m.entropy([1.0, 0.0, 0.0]) == 0.0
    assert m.entropy([0.5, 0.0, 0.5]) == m.entropy([0.5, 0.5])
    assert m.binary_entropy(np.array([0.0, 1.0])).tolist() == [0.0, 0.0]
    assert m.kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(1.0)
    assert m.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert m.cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert m.mutual_information(np.diag([0.5, 0.5]), 0, 1) == pytest.approx(1.0)


@pytest.mark.parametrize("eps", [0.0, 0.05, 0.11, 0.25, 0.5])
def test_bsc_capacity_via_mutual_information(eps):
    w = np.array([[1 - eps, eps], [eps, 1 - eps]])
    pxy = 0.5 * w  # uniform input: the capacity-achieving law of the BSC
    assert m.mutual_information(pxy, 0, 1) == pytest.approx(1 - m.binary_entropy(eps), abs=1e-12)
    # any other input law does no better
    for a in (0.1, 0.3, 0.45):
        assert m.mutual_information(np.array([[1 - a], [a]]) * w, 0, 1) <= 1 - m.binary_entropy(eps) + 1e-12


@SET
@given(seeds, st.integers(1, 4), st.integers(2, 3), st.integers(2, 3))
def test_memoryless_channel_n_fold_product(seed, n, kx, ky):
    rng = np.random.default_rng(seed)
    pxy = rng.dirichlet(np.ones(kx))[:, None] * random_kernel(rng, kx, ky)
    law = m.product_law(*[pxy] * n)  # axes (x1, y1, x2, y2, ...)
    xs, ys = tuple(range(0, 2 * n, 2)), tuple(range(1, 2 * n, 2))
    assert m.mutual_information(law, xs, ys) == pytest.approx(n * m.mutual_information(pxy, 0, 1), abs=1e-9)
    assert m.entropy(law) == pytest.approx(n * m.entropy(pxy), abs=1e-9)
    # the factors are independent of each other
    if n >= 2:
        assert m.mutual_information(law, (0, 1), tuple(range(2, 2 * n))) == pytest.approx(0.0, abs=1e-12)


def test_markov_chain_and_product_layout():
    w = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])
    p = m.markov_chain_law([0.25, 0.75], w)
    assert np.allclose(p, [[0.225, 0.025, 0.0], [0.15, 0.225, 0.375]])
    assert np.allclose(m.marginal(p, 0), [0.25, 0.75])
    law = m.product_law([0.5, 0.5], [[0.1, 0.2], [0.3, 0.4]])
    assert law.shape == (2, 2, 2) and law[1, 1, 0] == pytest.approx(0.15)


# ----------------------------------------------------------------------------------------------
# Fano's inequality
# ----------------------------------------------------------------------------------------------


@SET
@given(seeds, st.integers(2, 6), st.integers(1, 6), st.booleans())
def test_fano_inequality_on_random_joints(seed, kx, ky, sparse):
    p = random_pmf(seed, (kx, ky), sparse)
    pe = m.map_error_probability(p, 0, 1)
    assert m.conditional_entropy(p, 0, 1) <= m.fano_bound(pe, kx) + 1e-9
    assert pe >= m.fano_error_lower_bound(m.conditional_entropy(p, 0, 1), kx) - 1e-9
    # the MAP guess beats any other deterministic guess g(y)
    g = np.random.default_rng(seed).integers(kx, size=ky)
    other = 1 - p[g, np.arange(ky)].sum()
    assert pe <= other + 1e-12


@pytest.mark.parametrize("k", [2, 3, 8])
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.4])
def test_fano_tight_for_symmetric_channels(k, eps):
    w = np.full((k, k), eps / (k - 1))
    np.fill_diagonal(w, 1 - eps)
    p = w / k
    assert m.map_error_probability(p, 0, 1) == pytest.approx(eps, abs=1e-12)
    assert m.conditional_entropy(p, 0, 1) == pytest.approx(m.fano_bound(eps, k), abs=1e-12)


@pytest.mark.parametrize("k", [2, 4, 8, 100])
def test_fano_inverse(k):
    for pe in np.linspace(0, 1 - 1 / k, 9):
        h = m.fano_bound(pe, k)
        assert m.fano_error_lower_bound(h, k) == pytest.approx(pe, abs=1e-9)
    assert m.fano_error_lower_bound(math.log2(k), k) == pytest.approx(1 - 1 / k)
    assert m.fano_error_lower_bound(0, k) == 0.0
    assert m.fano_error_lower_bound(math.log(k) / 2, k, base=math.e) == pytest.approx(
        m.fano_error_lower_bound(math.log2(k) / 2, k), abs=1e-12
    )


def test_map_error_blind_and_deterministic():
    assert m.map_error_probability([0.2, 0.5, 0.3], 0, None) == pytest.approx(0.5)
    assert m.map_error_probability(np.diag([0.3, 0.7]), 0, 1) == 0.0
    assert m.map_error_probability(np.full((3, 2), 1 / 6), 0, 1) == pytest.approx(2 / 3)


# ----------------------------------------------------------------------------------------------
# estimators
# ----------------------------------------------------------------------------------------------


def test_plugin_equals_entropy_of_empirical_law_and_miller_madow_correction():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 7, size=500)
    vals, q = m.empirical_pmf(x)
    assert q.sum() == pytest.approx(1.0) and len(vals) == len(np.unique(x))
    assert m.entropy_plugin(x) == pytest.approx(m.entropy(q), abs=1e-12)
    assert m.entropy_miller_madow(x) == pytest.approx(m.entropy_plugin(x) + (len(vals) - 1) / (2 * 500) / LN2)
    xy = rng.integers(0, 3, size=(400, 2))
    _, qxy = m.empirical_pmf(xy)
    assert m.entropy_plugin(xy) == pytest.approx(m.entropy(qxy), abs=1e-12)
    assert m.entropy_plugin(x, base=math.e) == pytest.approx(m.entropy_plugin(x) * LN2)


def test_plugin_bias_small_n_closed_forms():
    p = np.array([0.5, 0.3, 0.15, 0.05])
    # n = 1: the plug-in estimate is always 0
    assert m.plugin_bias(p, 1) == pytest.approx(-m.entropy(p), abs=1e-12)
    # n = 2: the estimate is 1 bit when the two draws differ, 0 otherwise
    assert m.plugin_bias(p, 2) == pytest.approx((1 - (p**2).sum()) - m.entropy(p), abs=1e-12)
    # a point mass is never biased
    assert m.plugin_bias([1.0, 0.0], 50) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("n", [200, 2000])
def test_plugin_bias_leading_term(n):
    p = np.linspace(1, 2, 10)
    p /= p.sum()
    lead = -(len(p) - 1) / (2 * n) / LN2
    assert m.plugin_bias(p, n) == pytest.approx(lead, rel=0.1)
    assert m.plugin_bias(p, n, base=math.e) == pytest.approx(m.plugin_bias(p, n) * LN2)


def test_plugin_mean_over_seeds_matches_exact_bias_and_miller_madow_removes_most():
    p = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02])
    n, reps = 40, 300
    h = m.entropy(p)
    plug = np.array([m.entropy_plugin(np.random.default_rng(s).choice(len(p), size=n, p=p)) for s in range(reps)])
    mm = np.array([m.entropy_miller_madow(np.random.default_rng(s).choice(len(p), size=n, p=p)) for s in range(reps)])
    exact = m.plugin_bias(p, n)
    se = plug.std(ddof=1) / math.sqrt(reps)
    assert abs(plug.mean() - h - exact) < 4 * se
    assert exact < 0 and abs(mm.mean() - h) < 0.35 * abs(exact)


@pytest.mark.parametrize("method", ["plugin", "miller_madow"])
def test_entropy_estimates_agree_with_sample_estimators(method):
    p = np.array([0.4, 0.3, 0.2, 0.1, 0.0])
    est = m.entropy_estimates(p, 30, 4000, method, seed=1)
    assert est.shape == (4000,)
    assert np.array_equal(est, m.entropy_estimates(p, 30, 4000, method, seed=1))
    # each value is the estimator applied to a sample with the drawn counts
    counts = np.random.default_rng(1).multinomial(30, p, size=3)
    fn = m.entropy_plugin if method == "plugin" else m.entropy_miller_madow
    for c, e in zip(counts, est[:3]):
        assert fn(np.repeat(np.arange(len(p)), c)) == pytest.approx(e, abs=1e-12)
    if method == "plugin":
        se = est.std(ddof=1) / math.sqrt(len(est))
        assert abs(est.mean() - m.entropy(p) - m.plugin_bias(p, 30)) < 4 * se


def test_mutual_information_plugin():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, size=3000)
    y = np.where(rng.random(3000) < 0.8, x, rng.integers(0, 4, size=3000))
    joint = np.zeros((4, 4))
    np.add.at(joint, (x, y), 1)
    assert m.mutual_information_plugin(x, y) == pytest.approx(m.mutual_information(joint / 3000, 0, 1), abs=1e-12)
    assert m.mutual_information_plugin(x.astype(str), y) == pytest.approx(m.mutual_information_plugin(x, y))
    # under independence the plug-in MI is positive, about (Kx-1)(Ky-1)/(2N) nats
    vals = [
        m.mutual_information_plugin(r.integers(0, 3, 500), r.integers(0, 3, 500), base=math.e)
        for r in (np.random.default_rng(s) for s in range(200))
    ]
    assert np.mean(vals) == pytest.approx(4 / 1000, rel=0.25)


# ----------------------------------------------------------------------------------------------
# bad input: every public function, ValueError naming the argument
# ----------------------------------------------------------------------------------------------

P2 = np.full((2, 2), 0.25)
BAD_PMFS = [[0.5, 0.6], [0.5, -0.1, 0.6], [np.nan, 1.0], [], [[0.5, np.inf]], "abc"]

CASES = [
    (m.entropy, (P2,), {"base": 1}, "base"),
    (m.entropy, (P2,), {"base": 0}, "base"),
    (m.entropy, (P2,), {"base": -2}, "base"),
    (m.entropy, (P2,), {"base": "2"}, "base"),
    (m.entropy, (P2,), {"axes": 2}, "axes"),
    (m.entropy, (P2,), {"axes": (0, 0)}, "axes"),
    (m.entropy, (P2,), {"axes": ()}, "axes"),
    (m.entropy, (P2,), {"axes": "x"}, "axes"),
    (m.marginal, (P2, 3), {}, "axes"),
    (m.conditional_entropy, (P2, 0, 4), {}, "given"),
    (m.conditional_entropy, (P2, 0, 1), {"base": 1}, "base"),
    (m.mutual_information, (P2, (), 1), {}, "axes_a"),
    (m.mutual_information, (P2, 0, 7), {}, "axes_b"),
    (m.mutual_information, (P2, 0, 1), {"base": 1.0}, "base"),
    (m.conditional_mutual_information, (np.full((2, 2, 2), 1 / 8), 0, 1, 9), {}, "given"),
    (m.kl_divergence, ([0.5, 0.5], [1 / 3] * 3), {}, "p and q"),
    (m.kl_divergence, ([0.5, 0.5], [0.5, 0.6]), {}, "q"),
    (m.kl_divergence, ([0.5, 0.5], [0.5, 0.5]), {"base": 1}, "base"),
    (m.cross_entropy, ([0.5, 0.5], [-0.5, 1.5]), {}, "q"),
    (m.cross_entropy, ([0.5, 0.5], [0.5, 0.5]), {"base": 0.0}, "base"),
    (m.perplexity, ([0.5, 0.5], [0.5, np.nan]), {}, "q"),
    (m.conditional_kl_divergence, (P2, [0.5, 0.5], 0), {}, "p and q"),
    (m.conditional_kl_divergence, (P2, P2, 2), {}, "given"),
    (m.conditional_kl_divergence, (P2, P2, 0), {"base": 1}, "base"),
    (m.conditional_cross_entropy, (P2, P2 * 2, 0), {}, "q"),
    (m.conditional_cross_entropy, (P2, P2, (0, 5)), {}, "given"),
    (m.co_information, (P2, [0, 3]), {}, r"groups\[1\]"),
    (m.co_information, (P2, []), {}, "groups"),
    (m.co_information, (P2, 0), {}, "groups"),
    (m.co_information, (P2, [0, 1]), {"given": 4}, "given"),
    (m.co_information, (P2, [0, 1]), {"base": 1}, "base"),
    (m.interaction_information, (P2, [(), 1]), {}, r"groups\[0\]"),
    (m.interaction_information, ([0.5, 0.6],), {}, "p"),
    (m.total_correlation, (P2, [0, 2]), {}, r"groups\[1\]"),
    (m.total_correlation, (P2,), {"base": 0}, "base"),
    (m.dual_total_correlation, (P2, "ab"), {}, "groups"),
    (m.o_information, (P2, [0] * 17), {}, "groups"),
    (m.typical_set, ([0.5, 0.5], 3, -0.1), {}, "eps"),
    (m.total_variation, ([0.5, 0.5], [0.5, -0.5, 1.0]), {}, "q"),
    (m.gaussian_entropy, (-2.0,), {}, "cov"),
    (m.differential_entropy, (None, 0, 1), {}, "pdf"),
    (m.entropy_jackknife, ([3],), {}, "samples"),
    (m.entropy_chao_shen, ([np.nan],), {}, "samples"),
    (m.estimator_bias, ([0.5, 0.5], 3), {"method": "nsb"}, "method"),
    (m.binary_entropy, (1.5,), {}, "x"),
    (m.binary_entropy, (np.nan,), {}, "x"),
    (m.binary_entropy, ("a",), {}, "x"),
    (m.binary_entropy, (0.5,), {"base": 1}, "base"),
    (m.fano_bound, (1.2, 4), {}, "error_probability"),
    (m.fano_bound, (0.1, 1), {}, "vocab_size"),
    (m.fano_bound, (0.1, 2.5), {}, "vocab_size"),
    (m.fano_bound, (0.1, 4), {"base": -1}, "base"),
    (m.fano_error_lower_bound, (-0.1, 4), {}, "equivocation"),
    (m.fano_error_lower_bound, (2.5, 4), {}, "equivocation"),
    (m.fano_error_lower_bound, (1.0, 1), {}, "vocab_size"),
    (m.fano_error_lower_bound, (1.0, 4), {"base": 1}, "base"),
    (m.map_error_probability, (P2, 3, 1), {}, "axes"),
    (m.product_law, (), {}, "pmfs"),
    (m.product_law, ([0.5, 0.5], [0.5, 0.6]), {}, r"pmfs\[1\]"),
    (m.markov_chain_law, ([0.5, 0.6],), {}, "initial"),
    (m.markov_chain_law, (P2,), {}, "initial"),
    (m.markov_chain_law, ([0.5, 0.5], [[0.5, 0.6], [0.5, 0.5]]), {}, r"kernels\[0\]"),
    (m.markov_chain_law, ([0.5, 0.5], np.eye(3)), {}, r"kernels\[0\]"),
    (m.empirical_pmf, ([],), {}, "samples"),
    (m.empirical_pmf, (np.zeros((2, 2, 2)),), {}, "samples"),
    (m.entropy_plugin, ([],), {}, "samples"),
    (m.entropy_plugin, ([1.0, np.nan],), {}, "samples"),
    (m.entropy_plugin, ([1, 2],), {"base": 1}, "base"),
    (m.entropy_miller_madow, (np.array([]),), {}, "samples"),
    (m.entropy_miller_madow, ([1, 2],), {"base": 0}, "base"),
    (m.entropy_estimates, ([0.5, 0.6], 10, 5), {}, "p"),
    (m.entropy_estimates, ([0.5, 0.5], 0, 5), {}, "n"),
    (m.entropy_estimates, ([0.5, 0.5], 10, 0), {}, "repeats"),
    (m.entropy_estimates, ([0.5, 0.5], 10, 5), {"method": "nsb"}, "method"),
    (m.entropy_estimates, ([0.5, 0.5], 10, 5), {"seed": 1.5}, "seed"),
    (m.entropy_estimates, ([0.5, 0.5], 10, 5), {"base": 1}, "base"),
    (m.plugin_bias, ([0.5, 0.6], 10), {}, "p"),
    (m.plugin_bias, ([0.5, 0.5], 0), {}, "n"),
    (m.plugin_bias, ([0.5, 0.5], 10), {"base": 1}, "base"),
    (m.mutual_information_plugin, ([], [1]), {}, "x"),
    (m.mutual_information_plugin, ([1], []), {}, "y"),
    (m.mutual_information_plugin, ([1, 2], [1]), {}, "x and y"),
    (m.mutual_information_plugin, (np.zeros((3, 2)), [1, 2, 3]), {}, "x"),
    (m.mutual_information_plugin, ([1, 2], [1, 2]), {"base": 1}, "base"),
]


@pytest.mark.parametrize("fn,args,kwargs,name", CASES, ids=[f"{c[0].__name__}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_bad_input_raises_naming_the_argument(fn, args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        fn(*args, **kwargs)


@pytest.mark.parametrize("bad", BAD_PMFS)
def test_bad_pmfs_are_rejected_never_renormalised(bad):
    for fn, args in [
        (m.entropy, ()),
        (m.marginal, (0,)),
        (m.perplexity, ()),
        (m.plugin_bias, (5,)),
        (m.kl_divergence, (bad,)),
        (m.cross_entropy, (bad,)),
        (m.entropy_estimates, (5, 2)),
    ]:
        with pytest.raises(ValueError, match="p"):
            fn(bad, *args)
    if np.ndim(bad) == 2:
        for fn, args in [(m.conditional_entropy, (0, 1)), (m.mutual_information, (0, 1)), (m.map_error_probability, (0, 1))]:
            with pytest.raises(ValueError, match="p"):
                fn(bad, *args)


def test_every_public_function_has_a_bad_input_case():
    covered = {c[0].__name__ for c in CASES}
    functions = {name for name in m.__all__ if not isinstance(getattr(m, name), type)}  # result types excluded
    assert functions <= covered, functions - covered


# ----------------------------------------------------------------------------------------------
# symbolic derivations and exercises
# ----------------------------------------------------------------------------------------------

DERIVATIONS = [
    sm.chain_rule_2x2,
    sm.mutual_information_2x2,
    sm.kl_two_point_antiderivative,
    sm.kl_two_point_gradient,
    sm.kl_two_point_curvature,
    sm.kl_cross_entropy_gap,
    sm.pinsker_two_point_gradient,
]


def test_pinsker_gradient_could_fail():
    d = sm.pinsker_two_point_gradient()
    a, b = sorted(d.rhs.free_symbols, key=str)
    assert not Derivation("wrong constant", d.lhs, (b - a) * (1 / (b * (1 - b)) - 2), "nothing", "2").holds()


@pytest.mark.parametrize("fn", DERIVATIONS, ids=lambda f: f.__name__)
def test_derivations_hold(fn):
    d = fn()
    assert d.holds() and d.chapter == "2"
    for step in d.steps:
        assert sp.simplify(step.lhs - step.rhs) == 0


def test_a_wrong_chain_rule_does_not_hold_and_symbolic_matches_numeric():
    d = sm.chain_rule_2x2()
    j = sm.joint_2x2()
    py = {y: j[(0, y)] + j[(1, y)] for y in (0, 1)}
    h_y = sp.Add(*[-v * sp.log(v) for v in py.values()])
    # H(X,Y) = H(X) + H(Y) is false in general
    wrong = Derivation("wrong", d.lhs, sp.Add(d.rhs.args[0], h_y), "nothing", "2")
    assert not wrong.holds()
    vals = dict(zip(j.values(), [0.1, 0.2, 0.3, 0.4]))
    p = np.array([[0.1, 0.2], [0.3, 0.4]])
    assert float(d.lhs.subs(vals)) == pytest.approx(m.entropy(p, base=math.e))
    g = sm.kl_two_point_antiderivative()
    assert float(g.lhs.subs({sm.p: 0.3, sm.q: 0.6})) == pytest.approx(m.kl_divergence([0.3, 0.7], [0.6, 0.4], base=math.e))


def test_chapter_2_answers():
    reg = {k: a for k, a in registered().items() if k.startswith("ex-02-")}
    assert {"ex-02-die-entropy", "ex-02-kl-asymmetry", "ex-02-fano-error", "ex-02-plugin-bias"} <= set(reg)
    assert is_correct("ex-02-die-entropy", 2.585)  # the preface's example
    assert is_correct("ex-02-die-entropy", math.log2(6))
    assert not is_correct("ex-02-die-entropy", math.log(6))  # nats are not bits
    for label, a in reg.items():
        ref = np.asarray(a.compute(), dtype=float)
        assert is_correct(label, ref)
        assert not is_correct(label, ref * 1.05 + 0.01)
    assert not is_correct("ex-02-kl-asymmetry", reg["ex-02-kl-asymmetry"].compute()[::-1])


@pytest.mark.parametrize("scale", [1.0, 1 + 5e-10, 1 - 5e-10])
def test_independence_gives_exactly_zero_within_the_accepted_mass_error(scale):
    # the round-off rule's mass defect: an accepted total of 1 +- 5e-10 shifted MI, KL, TC by -+5e-10 nats
    # (a negative MI and a negative KL escaped); now every non-negative measure of a product law is 0 exactly
    rng = np.random.default_rng(11)
    for shape in [(2, 3), (7, 5), (3, 4, 2)]:
        q = m.product_law(*[rng.dirichlet(np.ones(k)) for k in shape]) * scale
        assert m.mutual_information(q, 0, tuple(range(1, q.ndim))) == 0.0
        assert m.total_correlation(q) == 0.0 and m.dual_total_correlation(q) == 0.0
        assert m.kl_divergence(q, q / scale) == 0.0 and m.kl_divergence(q / scale, q) == 0.0
        if q.ndim == 3:
            assert m.conditional_mutual_information(q, 0, 1, 2) == 0.0
    near = m.product_law([0.3, 0.7], [0.2, 0.5, 0.3])
    near[0, 0] += 1e-6
    near[0, 1] -= 1e-6  # 1e-6 away from independence: I = O(1e-12) nats, still reported
    assert m.mutual_information(near, 0, 1, base=math.e) > 1e-12


def test_float32_product_laws_have_exactly_zero_mi():
    # float32 rounding enters to first order only through the total; before, MI came out as +-1e-7 nats
    rng = np.random.default_rng(12)
    for shape in [(3, 4), (30, 40), (8, 8, 8)]:
        for _ in range(10):
            q = m.product_law(*[rng.dirichlet(np.ones(k)) for k in shape]).astype(np.float32)
            assert m.mutual_information(q, 0, tuple(range(1, q.ndim))) == 0.0
            assert m.total_correlation(q) == 0.0


def test_chapter_2_answers_by_closed_forms():
    # each reference answer against a route that does not call the function it is computed with
    reg = registered()
    d_pq = 0.5 * math.log2(0.5 / 0.9) + 0.5 * math.log2(0.5 / 0.1)
    d_qp = 0.9 * math.log2(0.9 / 0.5) + 0.1 * math.log2(0.1 / 0.5)
    assert reg["ex-02-kl-asymmetry"].compute() == pytest.approx((d_pq, d_qp), rel=1e-12)
    # Fano: bisection on h(P) + P log2 7 = 1.5, increasing on [0, 7/8]
    f = lambda x: -x * math.log2(x) - (1 - x) * math.log2(1 - x) + x * math.log2(7) - 1.5
    lo, hi = 1e-12, 7 / 8
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    assert reg["ex-02-fano-error"].compute() == pytest.approx(lo, rel=1e-9)
    # plug-in bias: the binomial law of each count, with math.comb
    e_hat = -4 * sum(math.comb(10, k) * 0.25**k * 0.75 ** (10 - k) * (k / 10) * math.log2(k / 10) for k in range(1, 11))
    assert reg["ex-02-plugin-bias"].compute() == pytest.approx(e_hat - 2, rel=1e-10)
    assert reg["ex-02-jackknife-bias"].compute() > 0  # the hint says so: the jackknife overshoots here
