"""Overlapping groups, the round-off rule, conditional divergences and multivariate measures (semtheory.measures, ch. 2).

Every identity is checked against an independent route: entropies of unions against the log-ratio sums,
overlapping groups against disjoint copies of the shared axes, Bell's subset sum against MI/CMI, the total
correlation against a KL divergence to the product of marginals, the conditional KL against a loop over contexts.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import measures as m

SET = settings(max_examples=50, deadline=None)
TOL = 1e-10


def random_pmf(seed, shape, sparse=False):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(int(np.prod(shape)), 0.6))
    if sparse:
        p = np.where(rng.random(p.size) < 0.3, 0.0, p)
        p[rng.integers(p.size)] += 0.1
        p = p / p.sum()
    return p.reshape(shape)


shapes = st.lists(st.integers(1, 3), min_size=2, max_size=4).filter(lambda s: int(np.prod(s)) <= 81)
pmfs = st.builds(random_pmf, seed=st.integers(0, 2**32 - 1), shape=shapes, sparse=st.booleans())


def groups_of(p, data, n):
    """n random non-empty axis groups of p (they may overlap)."""
    axes = list(range(p.ndim))
    return [tuple(data.draw(st.lists(st.sampled_from(axes), min_size=1, max_size=p.ndim, unique=True))) for _ in range(n)]


def copy_axes(p, axes):
    """The law of (X, X_axes') where the new last axes are exact copies of ``axes``: p'(x, y) = p(x) [y = x_axes]."""
    out = p
    for a in axes:
        k = p.shape[a]
        eye = np.eye(k).reshape([k if i == a else 1 for i in range(p.ndim)] + [1] * (out.ndim - p.ndim) + [k])
        out = out[..., None] * eye
    return out


def xor_law():
    p = np.zeros((2, 2, 2))
    for x, y in itertools.product((0, 1), repeat=2):
        p[x, y, x ^ y] = 0.25
    return p


# ------------------------------------------------------------------------------------------------
# overlap rule
# ------------------------------------------------------------------------------------------------


@SET
@given(pmfs, st.data())
def test_mi_of_any_groups_is_the_union_formula(p, data):
    a, b, c = groups_of(p, data, 3)
    u = lambda *g: tuple(sorted(set().union(*g)))  # noqa: E731
    h = lambda g: m.entropy(p, g)  # noqa: E731
    assert m.mutual_information(p, a, b) == pytest.approx(h(a) + h(b) - h(u(a, b)), abs=TOL)
    hc = h(c)
    want = h(u(a, c)) + h(u(b, c)) - h(u(a, b, c)) - hc
    assert m.conditional_mutual_information(p, a, b, c) == pytest.approx(want, abs=TOL)
    assert m.conditional_entropy(p, a, b) == pytest.approx(h(u(a, b)) - h(b), abs=TOL)


@SET
@given(pmfs, st.data())
def test_overlapping_groups_equal_disjoint_copies(p, data):
    """I(A;B) with shared axes equals I(A; B') on a law where B' holds exact copies of the shared axes."""
    a, b = groups_of(p, data, 2)
    shared = sorted(set(a) & set(b))
    q = copy_axes(p, shared)
    b2 = tuple(x for x in b if x not in shared) + tuple(range(p.ndim, p.ndim + len(shared)))
    assert m.mutual_information(p, a, b) == pytest.approx(m.mutual_information(q, a, b2), abs=TOL)
    assert m.conditional_entropy(p, a, b) == pytest.approx(m.conditional_entropy(q, a, b2), abs=TOL)


def test_overlap_special_cases():
    p = random_pmf(3, (3, 4, 2))
    assert m.conditional_entropy(p, 0, 0) == 0.0
    assert m.conditional_entropy(p, 0, (0, 1)) == 0.0
    assert m.mutual_information(p, 0, 0) == pytest.approx(m.entropy(p, 0), abs=1e-14)
    assert m.mutual_information(p, (0, 1), (1, 2)) == pytest.approx(
        m.entropy(p, (0, 1)) + m.entropy(p, (1, 2)) - m.entropy(p), abs=1e-12)
    assert m.conditional_mutual_information(p, 0, 1, 1) == 0.0
    assert m.co_information(p, [0, 1, 2], given=2) == 0.0
    assert m.map_error_probability(p, 0, (0, 2)) == 0.0


# ------------------------------------------------------------------------------------------------
# round-off rule
# ------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 12), min_size=2, max_size=4).filter(lambda s: np.prod(s) <= 5000))
def test_independence_gives_exactly_zero(seed, shape):
    rng = np.random.default_rng(seed)
    p = m.product_law(*[rng.dirichlet(np.full(k, 0.5)) for k in shape])
    n = len(shape)
    assert m.mutual_information(p, tuple(range(n - 1)), n - 1) == 0.0
    assert m.mutual_information(p, 0, tuple(range(1, n))) == 0.0
    assert m.conditional_mutual_information(p, 0, n - 1, tuple(range(1, n - 1))) == 0.0
    assert m.total_correlation(p) == 0.0
    assert m.kl_divergence(p, p) == 0.0


def test_roundoff_tolerance_is_dtype_aware_and_keeps_real_values():
    assert m._common.roundoff_tol(np.float32, 1) > 1e6 * m._common.roundoff_tol(np.float64, 1)
    assert m._common.clip_roundoff(5e-16, np.float64, 4) == 0.0
    assert m._common.clip_roundoff(1e-13, np.float64, 4) == 1e-13  # above the bound: a real (small) value
    assert m._common.clip_roundoff(-1e-9, np.float64, 4) == -1e-9  # a real negative: a bug, never hidden
    # a near-independent law keeps its (tiny but real) information
    p = np.outer([0.5, 0.5], [0.5, 0.5]) + 1e-6 * np.array([[1, -1], [-1, 1]])
    exact = 2 * (0.25 + 1e-6) * math.log1p(4e-6) + 2 * (0.25 - 1e-6) * math.log1p(-4e-6)
    assert m.mutual_information(p, 0, 1, base=math.e) == pytest.approx(exact, rel=1e-6)


# ------------------------------------------------------------------------------------------------
# conditional divergences
# ------------------------------------------------------------------------------------------------


@SET
@given(pmfs, st.integers(0, 2**32 - 1), st.data())
def test_conditional_kl_and_cross_entropy(p, seed, data):
    q = random_pmf(seed, p.shape)  # full support
    (b,) = groups_of(p, data, 1)
    if len(b) == p.ndim:
        b = b[:-1] or (0,)
    a = tuple(x for x in range(p.ndim) if x not in b)
    d = m.conditional_kl_divergence(p, q, b)
    # chain rule: D(p_AB || q_AB) = D(p_B || q_B) + D(p_A|B || q_A|B | p_B)
    assert m.kl_divergence(p, q) == pytest.approx(m.kl_divergence(m.marginal(p, b), m.marginal(q, b)) + d, abs=1e-9)
    # brute force over contexts
    pa, qa = np.moveaxis(p, b, range(len(b))), np.moveaxis(q, b, range(len(b)))
    pb = pa.reshape(int(np.prod([p.shape[i] for i in b])), -1)
    qb = qa.reshape(pb.shape)
    loop = sum(r.sum() * m.kl_divergence(r / r.sum(), s / s.sum()) for r, s in zip(pb, qb) if r.sum() > 0)
    assert d == pytest.approx(loop, abs=1e-9)
    ce = m.conditional_cross_entropy(p, q, b)
    assert ce == pytest.approx(m.conditional_entropy(p, a, b) + d, abs=1e-9)
    assert m.conditional_kl_divergence(p, p, b) == 0.0


def test_conditional_divergence_edge_cases():
    p = np.array([[0.5, 0.0], [0.25, 0.25]])
    q = np.array([[0.25, 0.25], [0.5, 0.0]])
    assert m.conditional_kl_divergence(p, q, 0) == math.inf
    assert m.conditional_cross_entropy(p, q, 0) == math.inf
    assert m.conditional_kl_divergence(p, p, ()) == m.kl_divergence(p, p)
    # q(b) = 0 where p(b) = 0 is harmless
    p = np.array([[0.5, 0.5], [0.0, 0.0]])
    q = np.array([[0.25, 0.75], [0.0, 0.0]])
    assert m.conditional_kl_divergence(p, q, 0) == pytest.approx(m.kl_divergence([0.5, 0.5], [0.25, 0.75]))


# ------------------------------------------------------------------------------------------------
# co-information, interaction information, total / dual total correlation, O-information
# ------------------------------------------------------------------------------------------------


def test_textbook_values_xor_and_copies():
    x = xor_law()
    assert m.co_information(x) == pytest.approx(-1.0)
    assert m.interaction_information(x) == pytest.approx(1.0)
    assert m.total_correlation(x) == pytest.approx(1.0)
    assert m.dual_total_correlation(x) == pytest.approx(2.0)
    assert m.o_information(x) == pytest.approx(-1.0)  # synergy
    c = np.zeros((2, 2, 2))
    c[0, 0, 0] = c[1, 1, 1] = 0.5  # three copies of one fair bit: redundancy
    assert m.co_information(c) == pytest.approx(1.0)
    assert m.total_correlation(c) == pytest.approx(2.0)
    assert m.dual_total_correlation(c) == pytest.approx(1.0)
    assert m.o_information(c) == pytest.approx(1.0)


@SET
@given(pmfs)
def test_multivariate_identities(p):
    n = p.ndim
    h = lambda g: m.entropy(p, g)  # noqa: E731
    every = tuple(range(n))
    rest = [tuple(j for j in every if j != i) for i in every]
    # TC = D(p || prod p_i): a KL divergence against the product of marginals
    prod = m.product_law(*[m.marginal(p, i) for i in every])
    assert m.total_correlation(p) == pytest.approx(m.kl_divergence(p, prod), abs=1e-9)
    assert m.total_correlation(p) == pytest.approx(sum(h(i) for i in every) - h(every), abs=1e-9)
    # DTC = sum_i H(X_-i) - (n - 1) H(X)
    assert m.dual_total_correlation(p) == pytest.approx(sum(h(r) for r in rest) - (n - 1) * h(every), abs=1e-9)
    # O = TC - DTC = (n - 2) H(X) + sum_i [H(X_i) - H(X_-i)]  (Rosas et al.)
    o = (n - 2) * h(every) + sum(h(i) - h(r) for i, r in zip(every, rest))
    assert m.o_information(p) == pytest.approx(o, abs=1e-9)
    assert m.o_information(p) == pytest.approx(m.total_correlation(p) - m.dual_total_correlation(p), abs=1e-12)
    assert m.total_correlation(p) >= 0 and m.dual_total_correlation(p) >= 0
    # co-information: n = 2 is MI, n = 3 is I(X;Y) - I(X;Y|Z) and equals the O-information
    assert m.co_information(p, [0, 1]) == pytest.approx(m.mutual_information(p, 0, 1), abs=1e-9)
    assert m.co_information(p, [0]) == pytest.approx(h(0), abs=1e-9)
    if n >= 3:
        ci = m.mutual_information(p, 0, 1) - m.conditional_mutual_information(p, 0, 1, 2)
        assert m.co_information(p, [0, 1, 2]) == pytest.approx(ci, abs=1e-9)
        assert m.interaction_information(p, [0, 1, 2]) == pytest.approx(-ci, abs=1e-9)
        if n == 3:
            assert m.o_information(p) == pytest.approx(m.co_information(p), abs=1e-9)
        # conditional co-information of two groups is the CMI
        assert m.co_information(p, [0, 1], given=2) == pytest.approx(m.conditional_mutual_information(p, 0, 1, 2), abs=1e-9)
    if n == 4:  # the co-information recursion I(X1;X2;X3) - I(X1;X2;X3 | X4) = I(X1;X2;X3;X4)
        rec = m.co_information(p, [0, 1, 2]) - m.co_information(p, [0, 1, 2], given=3)
        assert m.co_information(p) == pytest.approx(rec, abs=1e-9)


def test_against_dit_reference_library():
    """dit (a benchmark-only dependency) implements the same measures: compare on random laws."""
    dit = pytest.importorskip("dit")
    from dit.multivariate import coinformation, dual_total_correlation, interaction_information, o_information
    from dit.multivariate import total_correlation as dit_tc

    for seed, shape in [(0, (2, 2, 2)), (1, (2, 3, 2)), (2, (3, 2, 2, 2)), (3, (2, 2))]:
        p = random_pmf(seed, shape)
        d = dit.Distribution.from_ndarray(p)
        n = p.ndim
        assert m.co_information(p) == pytest.approx(coinformation(d), abs=1e-9)
        assert m.total_correlation(p) == pytest.approx(dit_tc(d), abs=1e-9)
        assert m.dual_total_correlation(p) == pytest.approx(dual_total_correlation(d), abs=1e-9)
        assert m.interaction_information(p) == pytest.approx(interaction_information(d), abs=1e-9)
        if n >= 3:
            assert m.o_information(p) == pytest.approx(o_information(d), abs=1e-9)
        groups = [[0], list(range(1, n))]
        assert m.co_information(p, [0, tuple(range(1, n))]) == pytest.approx(coinformation(d, groups), abs=1e-9)
