"""Generalisation bounds, cross-entropy range, Gibbs study (semtheory.generalization, chapter 12)."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from semtheory import generalization as g
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import generalization as sg

logit_arrays = st.integers(2, 8).flatmap(
    lambda K: arrays(float, (K,), elements=st.floats(-30, 30, allow_nan=False)))


@settings(max_examples=200, deadline=None)
@given(z=logit_arrays)
def test_cross_entropy_within_range_and_l1(z):
    K = len(z)
    loss = g.softmax_cross_entropy(np.broadcast_to(z, (K, K)), np.arange(K))
    upper = g.cross_entropy_upper(z)
    assert np.all(loss >= -1e-12)
    assert np.all(loss <= upper + 1e-9)
    assert upper <= math.log(K) + np.abs(z).sum() + 1e-9           # max - min <= ||z||_1
    lo, hi = g.cross_entropy_range(z)
    assert lo == pytest.approx(loss.min(), abs=1e-9) and hi == pytest.approx(loss.max(), abs=1e-9)
    assert hi <= g.cross_entropy_sup_given_range(K, z.max() - z.min()) + 1e-9


@pytest.mark.parametrize("K", [2, 3, 10])
def test_cross_entropy_ends_approached(K):
    # upper end: equal logits give exactly log K + 0
    assert g.softmax_cross_entropy(np.zeros(K), 0) == pytest.approx(math.log(K))
    # upper: K-1 logits at max, label at min -> r + log(K-1+e^-r), which equals the sup formula
    r = 7.0
    z = np.full(K, r); z[0] = 0.0
    assert g.softmax_cross_entropy(z, 0) == pytest.approx(g.cross_entropy_sup_given_range(K, r))
    assert (math.log(K) + r) - g.softmax_cross_entropy(z, 0) <= math.log(K / (K - 1)) + 1e-12
    # lower end: label's logit dominant -> loss -> 0
    for r in [5.0, 20.0, 60.0]:
        z = np.zeros(K); z[0] = r
        assert 0 <= g.softmax_cross_entropy(z, 0) <= K * math.exp(-r)


@settings(max_examples=50, deadline=None)
@given(a=st.floats(-10, 10), w=st.floats(0.01, 10), seed=st.integers(0, 10_000))
def test_hoeffding_sigma_is_subgaussian(a, w, seed):
    b = a + w
    s = g.hoeffding_sigma(a, b)
    assert s == pytest.approx(w / 2)
    rng = np.random.default_rng(seed)
    vals = np.array([a, b]); p = rng.dirichlet([1, 1])
    mean = p @ vals
    for lam in [-3.0, -0.5, 0.2, 1.0, 4.0]:
        mgf = np.log(p @ np.exp(lam * (vals - mean)))
        assert mgf <= lam**2 * s**2 / 2 + 1e-9


def test_bound_formulas():
    assert g.mi_generalization_bound(0.5, 10, 2.0, base=math.e) == pytest.approx(math.sqrt(2 * 4 * 0.5 / 10))
    assert g.logit_sum_bound(0.5, 10, 3, 4.0, base=math.e) == pytest.approx((math.log(3) + 4) * math.sqrt(0.5 / 20))
    assert g.mi_generalization_bound(0.0, 5, 1.0) == 0.0


def test_enumerate_types():
    T = g.enumerate_types(5, 3)
    assert len(T) == math.comb(7, 2) and np.all(T.sum(axis=1) == 5) and len({tuple(t) for t in T}) == len(T)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mi_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(4)).reshape(2, 2)
    H = g.random_hypotheses(5, 2, 2, 3.0, seed=seed)
    r = g.gibbs_study(p, H, 4, 1.5, repeats=10, seed=seed)
    assert r.mutual == pytest.approx(g.mutual_information_brute_force(p, H, 4, 1.5), rel=1e-9, abs=1e-12)
    assert r.mutual <= r.entropy_w + 1e-12 <= r.log_card + 2e-12


def test_expected_gap_brute_force_tiny():
    p = np.array([[0.5, 0.2], [0.1, 0.2]]); H = g.random_hypotheses(3, 2, 2, 2.0, seed=7); n = 3
    loss = (np.log(np.exp(H).sum(-1))[..., None] - H).reshape(3, 4)
    pop = loss @ p.reshape(-1)
    gap = 0.0
    for S in itertools.product(range(4), repeat=n):
        ps = np.prod(p.reshape(-1)[list(S)])
        emp = loss[:, list(S)].mean(axis=1)
        gap += ps * g.gibbs_posterior(emp, 1.0, n) @ (pop - emp)
    assert g.gibbs_study(p, H, n, 1.0, repeats=5, seed=0).expected_gap == pytest.approx(gap, abs=1e-12)


@pytest.mark.parametrize("run", range(12))
def test_bound_holds_on_every_seeded_run(run):
    rng = np.random.default_rng(100 + run)
    K = 2 + run % 2
    p = rng.dirichlet(np.ones(2 * K)).reshape(2, K)
    B = [0.5, 2.0, 6.0][run % 3]
    H = g.random_hypotheses(16, 2, K, B, seed=run)
    sigma = g.hoeffding_sigma(0, math.log(K) + B)
    r = g.gibbs_study(p, H, 12, [0.5, 2.0][run % 2], repeats=4000, seed=run, sigma=sigma)
    assert abs(r.expected_gap) <= r.bound
    assert abs(r.mc_gap - r.expected_gap) < 5 * r.mc_gap_se + 1e-9      # MC agrees with the exact value
    assert r.bound == pytest.approx(g.logit_sum_bound(r.mutual, 12, K, B))
    r0 = g.gibbs_study(p, H, 12, 0.0, repeats=10, seed=run)             # beta = 0: W independent of S
    assert r0.mutual == pytest.approx(0, abs=1e-12) and r0.expected_gap == pytest.approx(0, abs=1e-12)


def test_gibbs_study_mc_deterministic():
    p = np.full((2, 2), 0.25); H = g.random_hypotheses(4, 2, 2, 1.0, seed=3)
    assert g.gibbs_study(p, H, 6, 1.0, seed=5) == g.gibbs_study(p, H, 6, 1.0, seed=5)


@pytest.mark.parametrize("d", [sg.hoeffding_two_point, sg.binary_cross_entropy_softplus,
                               sg.cross_entropy_upper_gap_k2, sg.logit_bound_form])
def test_derivations_hold(d):
    assert d().holds()


def test_exercise_answers():
    labels = [k for k in registered() if k.startswith("ex-12-")]
    assert len(labels) >= 2
    for k in labels:
        ref = registered()[k].compute()
        assert is_correct(k, ref)
        assert not is_correct(k, ref * 1.05 + 0.01)


def test_bad_input():
    with pytest.raises(ValueError, match="b must"):
        g.hoeffding_sigma(1, 1)
    with pytest.raises(ValueError, match="a"):
        g.hoeffding_sigma(float("nan"), 1)
    with pytest.raises(ValueError, match="mi"):
        g.mi_generalization_bound(-0.1, 5, 1)
    with pytest.raises(ValueError, match="n"):
        g.mi_generalization_bound(0.1, 0, 1)
    with pytest.raises(ValueError, match="sigma"):
        g.mi_generalization_bound(0.1, 5, 0)
    with pytest.raises(ValueError, match="logits"):
        g.softmax_cross_entropy([1.0], 0)
    with pytest.raises(ValueError, match="logits"):
        g.cross_entropy_upper([1.0, np.nan])
    with pytest.raises(ValueError, match="logits"):
        g.cross_entropy_range([[1.0]])
    with pytest.raises(ValueError, match="label"):
        g.softmax_cross_entropy([1.0, 2.0], 2)
    with pytest.raises(ValueError, match="label"):
        g.softmax_cross_entropy([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="K"):
        g.cross_entropy_sup_given_range(1, 1.0)
    with pytest.raises(ValueError, match="r"):
        g.cross_entropy_sup_given_range(3, -1.0)
    with pytest.raises(ValueError, match="logit_l1"):
        g.logit_sum_bound(0.1, 5, 3, -1)
    with pytest.raises(ValueError, match="K"):
        g.logit_sum_bound(0.1, 5, 1, 1)
    with pytest.raises(ValueError, match="scale"):
        g.random_hypotheses(3, 2, 2, -1)
    with pytest.raises(ValueError, match="M"):
        g.random_hypotheses(0, 2, 2, 1)
    with pytest.raises(ValueError, match="n"):
        g.enumerate_types(-1, 3)
    with pytest.raises(ValueError, match="beta"):
        g.gibbs_posterior([0.1, 0.2], -1, 3)
    with pytest.raises(ValueError, match="emp_loss"):
        g.gibbs_posterior([np.nan, 0.2], 1, 3)
    p = np.full((2, 2), 0.25); H = g.random_hypotheses(3, 2, 2, 1.0, seed=0)
    with pytest.raises(ValueError, match="p_xy"):
        g.gibbs_study(np.full((2, 2), 0.3), H, 4, 1.0)
    with pytest.raises(ValueError, match="hypotheses"):
        g.gibbs_study(p, H[:, :, :1], 4, 1.0)
    with pytest.raises(ValueError, match="hypotheses"):
        g.gibbs_study(p, np.zeros((3, 3, 2)), 4, 1.0)
    with pytest.raises(ValueError, match="n"):
        g.gibbs_study(p, H, 0, 1.0)
    with pytest.raises(ValueError, match="seed"):
        g.gibbs_study(p, H, 3, 1.0, seed=1.5)
    with pytest.raises(ValueError, match="n="):
        g.mutual_information_brute_force(p, H, 20, 1.0)


# --- second edition: spread form, logit budgets, the centred decoupling step -------------------------------

def test_logit_budgets_order_and_centring():
    rng = np.random.default_rng(0)
    z = rng.normal(0.5, 2.0, size=(200, 7))
    b = g.logit_budgets(z)
    assert np.all(b.spread <= b.l1_centred + 1e-12) and np.all(b.l1_centred <= b.l1 + 1e-12)
    grid = np.linspace(-10, 10, 4001)
    brute = np.abs(z[:, :, None] - grid).sum(axis=1).min(axis=1)   # min over shifts, on a grid
    assert np.allclose(b.l1_centred, brute, atol=5e-3 * 7)
    # absolute sum of K i.i.d. N(0, s^2) logits: K s sqrt(2/pi) (closed form), spread ~ sqrt(log K)
    K, s = 50_000, 3.0
    big = g.logit_budgets(np.random.default_rng(1).normal(0, s, K))
    assert abs(big.l1 - K * s * math.sqrt(2 / math.pi)) < 5 * s * math.sqrt(K * (1 - 2 / math.pi))
    assert big.spread < 2 * s * math.sqrt(2 * math.log(K)) + 2 * s
    assert g.logit_spread_bound(2.0, 100, 5, 3.0) == pytest.approx(g.logit_sum_bound(2.0, 100, 5, 3.0))


def _cgf_brute(p, H, n, beta, lam, centred):
    M, m, K = H.shape
    A = m * K
    loss = (np.log(np.exp(H).sum(-1))[..., None] - H).reshape(M, A)
    flat = p.reshape(-1)
    S = np.array(list(itertools.product(range(A), repeat=n)))
    PS = np.prod(flat[S], axis=1)
    emp = loss[:, S].mean(axis=2).T
    post = np.exp(-beta * n * emp)
    post /= post.sum(axis=1, keepdims=True)
    pw = PS @ post
    gg = emp - (loss @ flat if centred else 0.0)
    Q = PS[:, None] * pw[None, :]
    mean = np.sum(Q * gg)
    return np.log(np.sum(Q[None] * np.exp(np.multiply.outer(lam, gg - mean)), axis=(1, 2)))


@pytest.mark.parametrize("seed", [0, 1])
def test_decoupling_cgf_matches_brute_force_and_centred_is_subgaussian(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(4)).reshape(2, 2)
    H = g.random_hypotheses(6, 2, 2, 4.0, seed=seed)
    lam = np.linspace(-5, 5, 11)
    for centred in (True, False):
        assert np.allclose(g.decoupling_cgf(p, H, 4, 1.0, lam, centred=centred), _cgf_brute(p, H, 4, 1.0, lam, centred))
    sig = g.hoeffding_sigma(0, math.log(2) + 4.0)
    assert np.all(g.decoupling_cgf(p, H, 4, 1.0, lam) <= lam**2 * sig**2 / 8 + 1e-12)


def test_uncentred_decoupling_fails_in_the_chapter_study():
    """The counterexample of chapter 12: the uncentred function is not sigma/sqrt(n)-sub-Gaussian under Q."""
    pxy = np.random.default_rng(0).dirichlet(np.ones(4)).reshape(2, 2)
    H = g.random_hypotheses(32, 2, 2, 8.0, seed=0)
    sig, lam = g.hoeffding_sigma(0, math.log(2) + 8.0), np.linspace(-6, 6, 25)
    bound = lam**2 * sig**2 / 40
    assert np.max(g.decoupling_cgf(pxy, H, 20, 1.0, lam, centred=False) - bound) > 0.5
    assert np.max(g.decoupling_cgf(pxy, H, 20, 1.0, lam) - bound) <= 1e-12


# --- second edition: individual-sample MI, supersample CMI, deterministic learners ---------------------------

def _problem(seed, M=5, B=3.0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(4)).reshape(2, 2), g.random_hypotheses(M, 2, 2, B, seed=seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_individual_sample_mi_brute_force_and_order(seed):
    p, H = _problem(seed)
    n, beta = 3, 1.5
    loss = (np.log(np.exp(H).sum(-1))[..., None] - H).reshape(len(H), 4)
    flat = p.reshape(-1)
    S = np.array(list(itertools.product(range(4), repeat=n)))
    post = g.gibbs_posterior(loss[:, S].mean(axis=2).T, beta, n)
    joint = np.zeros((4, len(H)))
    np.add.at(joint, S[:, 0], np.prod(flat[S], axis=1)[:, None] * post)
    from semtheory.measures import mutual_information
    i1 = g.individual_sample_mi(p, H, n, beta)
    assert i1 == pytest.approx(mutual_information(joint, (0,), (1,), base=2), rel=1e-9, abs=1e-12)   # bits
    assert n * i1 <= g.gibbs_study(p, H, n, beta, repeats=10).mutual + 1e-12      # sum_i I(W;Z_i) <= I(W;S)


@pytest.mark.parametrize("seed", [0, 3])
def test_supersample_cmi_matches_brute_force(seed):
    p, H = _problem(seed)
    exact = g.supersample_cmi_brute_force(p, H, 2, 1.5)
    mc, se = g.supersample_cmi(p, H, 2, 1.5, n_samples=3000, seed=seed)
    assert abs(mc - exact) < 5 * se
    assert 0 <= exact <= 2                                      # at most n bits
    assert g.supersample_cmi(p, H, 3, 0.0, n_samples=5)[0] == pytest.approx(0.0, abs=1e-12)   # data-blind


def test_deterministic_learner_information_is_entropy():
    p, H = _problem(2, M=8)
    erm = g.gibbs_study(p, H, 6, math.inf, repeats=10)
    assert erm.mutual == pytest.approx(erm.entropy_w, rel=1e-9)                     # I(W;S) = H(W)
    big = g.gibbs_posterior(np.array([[0.3, 0.1, 0.7]]), 1e4, 10)
    assert np.allclose(big, g.gibbs_posterior(np.array([[0.3, 0.1, 0.7]]), math.inf, 10))
    # type entropy against the law of the type built from all 4**4 ordered datasets
    S = np.array(list(itertools.product(range(4), repeat=4)))
    counts = np.stack([(S == a).sum(1) for a in range(4)], 1)
    prob = np.prod(p.reshape(-1)[S], axis=1)
    law = {}
    for c, pr in zip(map(tuple, counts), prob):
        law[c] = law.get(c, 0.0) + pr
    v = np.array(list(law.values()))
    assert g.type_entropy(p, 4, base=math.e) == pytest.approx(-np.sum(v * np.log(v)), rel=1e-10)


def test_bounds_order_on_a_study():
    p, H = _problem(0, M=16, B=4.0)
    n, beta = 8, 1.0
    r = g.gibbs_study(p, H, n, beta, repeats=10, sigma=g.hoeffding_sigma(0, math.log(2) + 4.0))
    i1 = g.individual_sample_mi(p, H, n, beta)
    ismi = g.mi_generalization_bound(i1 * n, n, r.sigma) / math.sqrt(n)        # sqrt(2 s^2 I1)
    assert abs(r.expected_gap) <= ismi + 1e-12 <= r.bound + 1e-12
    cmi, _ = g.supersample_cmi(p, H, n, beta, n_samples=50)
    assert cmi <= n                                                             # at most n bits
    assert abs(r.expected_gap) <= g.cmi_generalization_bound(cmi, n, math.log(2) + 4.0)
    assert g.cmi_generalization_bound(n * math.log(2), n, 1.0, base=math.e) == pytest.approx(math.sqrt(2 * math.log(2)))


def test_second_edition_bad_input():
    p, H = _problem(0)
    with pytest.raises(ValueError, match="n_samples"):
        g.supersample_cmi(p, H, 3, 1.0, n_samples=1)
    with pytest.raises(ValueError, match="n="):
        g.supersample_cmi_brute_force(p, H, 5, 1.0)
    with pytest.raises(ValueError, match="cmi"):
        g.cmi_generalization_bound(-1, 3, 1.0)
    with pytest.raises(ValueError, match="loss_range"):
        g.cmi_generalization_bound(1, 3, 0)
    with pytest.raises(ValueError, match="lambdas"):
        g.decoupling_cgf(p, H, 3, 1.0, [np.nan])
    with pytest.raises(ValueError, match="spread"):
        g.logit_spread_bound(1, 3, 4, -1)
    with pytest.raises(ValueError, match="logits"):
        g.logit_budgets([1.0])
    with pytest.raises(ValueError, match="beta"):
        g.gibbs_posterior([[0.1, 0.2]], -math.inf, 3)


def test_sgld_study_limits():
    pxy = np.array([[0.3, 0.2], [0.1, 0.4]])
    n, runs = 20, 400
    r = g.sgld_study(pxy, n, noise=1e-6, steps=3000, lr=1.0, spread=30.0, repeats=runs, seed=3, base=math.e)
    # almost no noise: the iterate is the maximum-likelihood table, whose training loss is the
    # empirical conditional entropy of each dataset (regenerated from the same seed)
    N = np.random.default_rng(3).multinomial(n, pxy.reshape(-1), size=runs).reshape(runs, 2, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.nansum(np.where(N > 0, N * np.log(N / N.sum(-1, keepdims=True)), 0.0), axis=(1, 2)) / n
    assert r.train_loss == pytest.approx(h.mean(), abs=2e-3)
    # Pensia-Jog-Loh closed form; huge noise: the iterate ignores the data, gap ~ 0
    assert r.mi_bound == pytest.approx(3000 * 2 * math.log1p(2 / (4 * 1e-12)))
    loud = g.sgld_study(pxy, n, noise=50.0, steps=20, repeats=4000, seed=0)
    assert abs(loud.gap) < 4 * loud.gap_se + 1e-3 and loud.bound < 1.0
    assert g.sgld_study(pxy, n, noise=1.0, seed=1) == g.sgld_study(pxy, n, noise=1.0, seed=1)
    with pytest.raises(ValueError, match="noise"):
        g.sgld_study(pxy, n, noise=0.0)


def test_erm_exercise_against_brute_force():
    pxy = np.array([[0.4, 0.1], [0.2, 0.3]])
    H = g.random_hypotheses(16, 2, 2, 2.0, seed=0)
    loss = (np.log(np.exp(H).sum(-1))[..., None] - H).reshape(16, 4)
    S = np.array(list(itertools.product(range(4), repeat=6)))
    PS = np.prod(pxy.reshape(-1)[S], axis=1)
    winner = np.argmax(g.gibbs_posterior(loss[:, S].mean(axis=2).T, math.inf, 6), axis=1)   # ERM per ordered dataset
    pw = np.bincount(winner, weights=PS, minlength=16)
    pw = pw[pw > 0]
    assert is_correct("ex-12-erm-information", float(-np.sum(pw * np.log(pw))))


def test_chapter_claims_on_learners_and_sgld():
    """Statements of chapter 12's prose that are not glued numbers: CMI bound loosest; SGLD non-vacuous only when unfit."""
    pxy0 = np.random.default_rng(0).dirichlet(np.ones(4)).reshape(2, 2)
    H0 = g.random_hypotheses(32, 2, 2, 8.0, seed=0)
    for beta in (0.1, 1.0, 10.0, math.inf):
        mi = g.gibbs_study(pxy0, H0, 20, beta, repeats=2).mutual
        cmi, se = g.supersample_cmi(pxy0, H0, 20, beta, n_samples=100, seed=0)
        assert cmi > mi / 4                                          # so the CMI bound is the loosest
    for s in (0.01, 0.1, 0.3, 1.0, 3.0, 10.0):
        r = g.sgld_study(pxy0, 20, noise=s, steps=100, lr=0.5, spread=8.0, repeats=2000, seed=0)
        if r.bound < r.loss_range:
            assert r.train_loss > math.log(2)
        else:
            assert r.mi_bound > 10 * g.type_entropy(pxy0, 20)


def test_ml_table_entropy_is_below_type_entropy_by_brute_force():
    # the maximum-likelihood table is a function of the type that is not one-to-one: compute H(W) from all
    # 4**n ordered datasets, keying each by its row frequencies N_{x,y}/N_x with Fractions
    from fractions import Fraction

    p = np.array([[0.4, 0.1], [0.2, 0.3]])
    for n in (4, 6):
        law = {}
        for S in itertools.product(range(4), repeat=n):
            c = [S.count(a) for a in range(4)]
            key = tuple(Fraction(c[2 * x], c[2 * x] + c[2 * x + 1]) if c[2 * x] + c[2 * x + 1] else None
                        for x in (0, 1))
            law[key] = law.get(key, 0.0) + float(np.prod(p.reshape(-1)[list(S)]))
        v = np.array(list(law.values()))
        h = -np.sum(v * np.log(v))
        assert g.ml_table_entropy(p, n, base=math.e) == pytest.approx(h, rel=1e-10)
        assert g.ml_table_entropy(p, n, base=math.e) < g.type_entropy(p, n, base=math.e) - 1e-3


@settings(max_examples=200, deadline=None)
@given(logit_arrays, st.integers(0, 7))
def test_cross_entropy_lower_end_given_spread(z, y):
    # theorem 12-ce-range, lower end: loss >= log(1 + (K-1) e^{-r}), by direct log-sum-exp
    y = y % z.size
    r = float(np.ptp(z))
    direct = float(np.log(np.sum(np.exp(z - z[y]))))
    assert float(g.softmax_cross_entropy(z, y)) >= math.log1p((z.size - 1) * math.exp(-r)) - 1e-9
    assert direct >= math.log1p((z.size - 1) * math.exp(-r)) - 1e-9


# --- units: information quantities in units of log base (bits by default), losses and bounds in nats ---------

def _entropy_bits(v):
    v = np.asarray(v, dtype=float)
    v = v[v > 0]
    return float(-np.sum(v * np.log2(v)))


def test_entropies_in_bits_by_independent_computation():
    """type_entropy and ml_table_entropy, default base 2, against a base-2 entropy of brute-force laws."""
    from fractions import Fraction

    p = np.array([[0.4, 0.1], [0.2, 0.3]])
    n = 4
    types, tables = {}, {}
    for S in itertools.product(range(4), repeat=n):
        c = tuple(S.count(a) for a in range(4))
        pr = float(np.prod(p.reshape(-1)[list(S)]))
        types[c] = types.get(c, 0.0) + pr
        key = tuple(Fraction(c[2 * x], c[2 * x] + c[2 * x + 1]) if c[2 * x] + c[2 * x + 1] else None for x in (0, 1))
        tables[key] = tables.get(key, 0.0) + pr
    assert g.type_entropy(p, n) == pytest.approx(_entropy_bits(list(types.values())), rel=1e-10)
    assert g.ml_table_entropy(p, n) == pytest.approx(_entropy_bits(list(tables.values())), rel=1e-10)
    assert g.type_entropy([0.5, 0.5], 1) == pytest.approx(1.0, rel=1e-12)       # one fair draw: one bit


@pytest.mark.parametrize("name", ["type_entropy", "ml_table_entropy", "mutual_information_brute_force",
                                  "individual_sample_mi", "supersample_cmi_brute_force"])
def test_information_functions_bits_times_ln2_are_nats(name):
    p, H = _problem(1)
    args = (p, 3) if name in ("type_entropy", "ml_table_entropy") else (p, H, 2, 1.5)
    f = getattr(g, name)
    bits, nats = f(*args), f(*args, base=math.e)
    assert bits == f(*args, base=2) and nats > 0
    assert bits * math.log(2) == pytest.approx(nats, rel=1e-12)
    assert f(*args, base=10) * math.log(10) == pytest.approx(nats, rel=1e-12)
    with pytest.raises(ValueError, match="base"):
        f(*args, base=1)


def test_supersample_cmi_estimate_in_bits():
    p, H = _problem(3)
    bits = g.supersample_cmi(p, H, 3, 1.5, n_samples=20, seed=0)
    nats = g.supersample_cmi(p, H, 3, 1.5, n_samples=20, seed=0, base=math.e)
    assert bits.mean * math.log(2) == pytest.approx(nats.mean, rel=1e-12)
    assert bits.se * math.log(2) == pytest.approx(nats.se, rel=1e-12) and nats.se > 0
    assert bits.mean <= 3                                                     # at most n bits


def test_gibbs_study_units():
    """Information fields follow base; losses, gaps, sigma and the bound are in nats whatever base."""
    p, H = _problem(0, M=8)
    bits = g.gibbs_study(p, H, 5, 1.0, repeats=50, seed=0)
    nats = g.gibbs_study(p, H, 5, 1.0, repeats=50, seed=0, base=math.e)
    assert bits.log_card == pytest.approx(3.0, rel=1e-12)                     # log2 of 8 hypotheses
    for f in ("mutual", "entropy_w", "log_card"):
        assert getattr(bits, f) * math.log(2) == pytest.approx(getattr(nats, f), rel=1e-12)
    for f in ("n", "expected_gap", "mc_gap", "mc_gap_se", "sigma", "bound"):
        assert getattr(bits, f) == getattr(nats, f)
    assert bits.mutual == pytest.approx(g.mutual_information_brute_force(p, H, 5, 1.0), rel=1e-9)
    assert bits.bound == pytest.approx(math.sqrt(2 * bits.sigma**2 * nats.mutual / 5), rel=1e-12)


def test_sgld_study_units():
    pxy = np.array([[0.3, 0.2], [0.1, 0.4]])
    bits = g.sgld_study(pxy, 10, noise=1.0, steps=5, repeats=20, seed=0)
    nats = g.sgld_study(pxy, 10, noise=1.0, steps=5, repeats=20, seed=0, base=math.e)
    assert bits.mi_bound * math.log(2) == pytest.approx(nats.mi_bound, rel=1e-12)
    assert nats.mi_bound == pytest.approx(5 * 4 / 2 * math.log1p(0.25 * 2 / 4))   # Pensia-Jog-Loh, in nats
    assert bits._replace(mi_bound=0.0) == nats._replace(mi_bound=0.0)


@pytest.mark.parametrize("bound, extra", [(g.mi_generalization_bound, (0.7,)), (g.logit_sum_bound, (3, 2.0)),
                                          (g.logit_spread_bound, (3, 2.0)), (g.cmi_generalization_bound, (1.5,))])
def test_bounds_take_information_in_base_units(bound, extra):
    """The same information in bits (base=2, the default) and in nats (base=e) gives the same bound (nats)."""
    info_bits = 1.7
    b = bound(info_bits, 20, *extra)
    assert b == bound(info_bits, 20, *extra, base=2)
    assert b == pytest.approx(bound(info_bits * math.log(2), 20, *extra, base=math.e), rel=1e-12)
    assert b == pytest.approx(bound(info_bits * math.log10(2), 20, *extra, base=10), rel=1e-12)
    assert b < bound(info_bits, 20, *extra, base=math.e)                     # 1.7 nats is more than 1.7 bits
    with pytest.raises(ValueError, match="base"):
        bound(info_bits, 20, *extra, base=-2)


def test_cmi_bound_at_n_bits_is_the_largest():
    # CMI <= n bits, so c sqrt(2 CMI_nats / n) <= c sqrt(2 log 2); the bits form reaches it at CMI = n
    assert g.cmi_generalization_bound(8, 8, 2.0) == pytest.approx(2.0 * math.sqrt(2 * math.log(2)), rel=1e-12)
