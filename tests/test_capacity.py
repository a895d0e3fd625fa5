"""Memory capacity: Cover, Gardner, Hebbian/dense/modern Hopfield (semtheory.capacity, chapter 13)."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from semtheory import capacity as c
from semtheory.capacity import dense
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import capacity as sc

# ----------------------------------------------------------------------------------------------
# Cover's function counting
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("N", [1, 2, 3])
def test_cover_count_equals_brute_force_enumeration(N):
    """All 2^P dichotomies of Gaussian points (general position a.s.) tested by LP, P <= 8."""
    rng = np.random.default_rng(13 + N)
    for P in range(1, 9):
        X = rng.standard_normal((P, N))
        assert c.count_separable_dichotomies(X) == c.cover_count(P, N), (P, N)


def test_cover_count_small_values_by_hand():
    # P points on a line (N = 1) through the origin: only the two sign patterns of w
    assert all(c.cover_count(P, 1) == 2 for P in range(1, 10))
    # N = 2: 2P dichotomies (rotating a line through the origin)
    assert all(c.cover_count(P, 2) == 2 * P for P in range(2, 10))


@settings(max_examples=60, deadline=None)
@given(P=st.integers(1, 60), N=st.integers(2, 40))
def test_cover_recursion_and_exact_values(P, N):
    assert c.cover_count(P + 1, N) == c.cover_count(P, N) + c.cover_count(P, N - 1)
    if P <= N:
        assert c.cover_count(P, N) == 2**P
    f = c.cover_fraction(P, N)
    assert isinstance(f, Fraction) and 0 < f <= 1
    assert f == Fraction(2 * sum(math.comb(P - 1, k) for k in range(N)), 2**P)


@pytest.mark.parametrize("N", [1, 2, 5, 17, 60])
def test_cover_fraction_is_exactly_half_at_p_equals_2n(N):
    assert c.cover_fraction(2 * N, N) == Fraction(1, 2)
    assert c.cover_fraction(2 * N + 1, N) < Fraction(1, 2) < c.cover_fraction(2 * N - 1, N)


def test_known_separable_and_inseparable_sets():
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert not c.is_linearly_separable(X, [1, 1])  # through the origin, x and -x get opposite signs
    assert c.is_linearly_separable(X, [1, -1])
    X4 = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    assert not c.is_linearly_separable(X4, [1, 1, -1, -1])
    assert c.is_linearly_separable(X4, [1, -1, 1, -1])


def test_lp_transition_at_p_equals_2n_within_binomial_error():
    N, trials = 25, 160
    f = c.separability_sweep(N, [N // 2, 2 * N, 4 * N], repeats=trials, seed=2024)
    assert f[0] == 1.0  # P < N: always separable
    sd = math.sqrt(0.25 / trials)
    assert abs(f[1] - 0.5) < 3.5 * sd  # Cover: exactly 1/2 at P = 2N
    expect = float(c.cover_fraction(4 * N, N))
    assert abs(f[2] - expect) < 3.5 * math.sqrt(max(expect * (1 - expect), 1 / trials) / trials)


def test_separability_sweep_binary_patterns_and_seed():
    a = c.separability_sweep(10, [5, 20, 40], repeats=20, kind="binary", seed=7)
    b = c.separability_sweep(10, [5, 20, 40], repeats=20, kind="binary", seed=7)
    assert np.array_equal(a, b) and a[0] == 1.0 and a[2] <= a[0]
    X = c.random_patterns(6, 4, kind="binary", seed=1)
    assert set(np.unique(X)) <= {-1.0, 1.0}


# ----------------------------------------------------------------------------------------------
# Gardner
# ----------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(k=st.floats(-3.0, 6.0))
def test_gardner_closed_form_matches_quadrature(k):
    assert c.gardner_integral(k) == pytest.approx(c.gardner_integral_quad(k), rel=1e-9, abs=1e-12)


def test_gardner_alpha_values_and_shape():
    assert c.gardner_alpha(0.0) == pytest.approx(2.0, abs=1e-14)
    ks = np.linspace(0, 8, 81)
    a = c.gardner_alpha(ks)
    assert a.shape == ks.shape and np.all(np.diff(a) < 0)
    assert a[1:] == pytest.approx(1 / np.array([c.gardner_integral_quad(k) for k in ks[1:]]), rel=1e-9)
    # large margin: alpha_c(kappa) kappa^2 -> 1
    assert c.gardner_alpha(50.0) * 50.0**2 == pytest.approx(1.0, rel=1e-3)


# ----------------------------------------------------------------------------------------------
# Hebbian Hopfield: AGS theory
# ----------------------------------------------------------------------------------------------


def test_hopfield_rs_capacity_is_0138_from_the_equations():
    cap = c.hopfield_rs_capacity()
    assert round(cap.alpha, 3) == 0.138  # AGS 1985
    assert np.max(np.abs(c.hopfield_rs_residuals(cap))) < 1e-12
    # no load above alpha_c has a retrieval solution: g(y) <= sqrt(2 alpha_c) on a fine grid
    y = np.linspace(0.05, 12, 200_001)
    assert np.max(c.hopfield_rs_gain(y)) <= math.sqrt(2 * cap.alpha) * (1 + 1e-12)
    assert 0.95 < cap.m < 0.98


@settings(max_examples=25, deadline=None)
@given(alpha=st.floats(1e-4, 0.1379))
def test_hopfield_rs_solution_satisfies_the_three_equations(alpha):
    sol = c.hopfield_rs_solution(alpha)
    assert np.max(np.abs(c.hopfield_rs_residuals(sol))) < 1e-9
    assert sol.m > c.hopfield_rs_capacity().m - 1e-9  # the retrieval (large-m) branch


def test_hopfield_rs_overlap_curve():
    a = np.array([0.0, 0.02, 0.05, 0.1, 0.13, 0.2])
    m = c.hopfield_rs_overlap(a)
    assert m[0] == 1.0 and m[-1] == 0.0 and np.all(np.diff(m[:-1]) < 0)
    assert m[1] == pytest.approx(special.erf(1 / math.sqrt(2 * 0.02)), abs=1e-6)  # r -> 1, m -> 1 for small alpha
    with pytest.raises(ValueError, match="alpha"):
        c.hopfield_rs_solution(0.2)


# ----------------------------------------------------------------------------------------------
# Hebbian Hopfield: simulation
# ----------------------------------------------------------------------------------------------


def test_hopfield_simulation_retrieves_below_and_fails_above_capacity():
    low = c.hopfield_retrieval(200, 10, repeats=2, probes=5, seed=0)
    high = c.hopfield_retrieval(200, 60, repeats=2, probes=5, seed=0)
    assert low.shape == (2, 5)
    assert low.mean() > 0.99
    assert high.mean() < 0.8
    m = c.hopfield_overlap_sweep(200, [0.08], repeats=2, probes=10, seed=3)
    assert abs(m[0] - c.hopfield_rs_overlap(0.08)) < 0.02


def test_async_dynamics_reaches_fixed_point_and_lowers_energy():
    rng = np.random.default_rng(5)
    xi = c.random_patterns(30, 100, kind="binary", seed=rng)
    J = c.hebbian_couplings(xi)
    assert np.allclose(J, J.T) and np.all(np.diag(J) == 0)
    s0 = rng.choice([-1.0, 1.0], size=(4, 100))
    s = c.hopfield_dynamics(J, s0, mode="async", seed=1)
    h = s @ J
    assert np.all((h * s >= 0))  # every spin aligned with its field (ties allowed)
    energy = lambda v: -0.5 * np.einsum("bi,ij,bj->b", v, J, v)  # noqa: E731
    assert np.all(energy(s) <= energy(s0) + 1e-12)
    s_sync = c.hopfield_dynamics(J, s0, mode="sync", max_iter=50)
    assert s_sync.shape == s0.shape


def test_hopfield_retrieval_with_noisy_cues():
    m = c.hopfield_retrieval(150, 8, repeats=1, probes=4, rho=0.1, seed=2)
    assert m.mean() > 0.95


# ----------------------------------------------------------------------------------------------
# Dense and modern associative memories
# ----------------------------------------------------------------------------------------------


def test_one_step_update_matches_hebbian_for_degree_two_and_direct_exp():
    rng = np.random.default_rng(11)
    xi = c.random_patterns(7, 20, kind="binary", seed=rng)
    cues = rng.choice([-1.0, 1.0], size=(5, 20))
    hebb = np.where(cues @ c.hebbian_couplings(xi) > 0, 1.0, -1.0)
    new = dense._one_step(xi, cues, "poly", 2)
    field = cues @ c.hebbian_couplings(xi)
    assert np.array_equal(new[field != 0], hebb[field != 0])
    # exponential interaction: direct energy differences (no overflow at N = 20)
    direct = np.empty_like(cues)
    for q in range(cues.shape[0]):
        for i in range(20):
            plus, minus = cues[q].copy(), cues[q].copy()
            plus[i], minus[i] = 1.0, -1.0
            d = np.exp(xi @ plus).sum() - np.exp(xi @ minus).sum()
            direct[q, i] = 1.0 if d > 0 else (-1.0 if d < 0 else cues[q, i])
    assert np.array_equal(dense._one_step(xi, cues, "exp", None), direct)


def test_dense_and_exponential_capacity_grow_monotonically():
    Ns = np.arange(10, 200)
    for n in (2, 3, 4):
        assert np.all(np.diff(c.dense_capacity(Ns, n)) > 0)
        assert np.all(np.diff(c.dense_capacity(Ns, n, rho=0.2, level=0.5)) > 0)
    assert np.all(np.diff(c.exponential_capacity(Ns, rho=0.1)) > 0)
    typ = c.exponential_capacity(np.arange(10, 80, 5), rho=0.2, criterion="typical")
    assert np.all(np.diff(typ) > 0)
    # exponents: Demircigil's exponent is half the typical one
    big = np.array([400, 800])
    slope = np.diff(np.log(c.exponential_capacity(big, rho=0.2, criterion="typical")))[0] / 400
    assert slope == pytest.approx(2 * c.demircigil_exponent(0.2), rel=0.02)
    assert c.demircigil_exponent(0.0) == pytest.approx(math.log(2) / 2)
    d = np.arange(20, 200)
    r = c.ramsauer_capacity_bound(d)
    assert np.all(np.isfinite(r)) and np.all(np.diff(np.log(r)) > 0)
    # polynomial vs exponential: the log-capacity slope in N keeps growing only for the exponential
    assert c.exponential_capacity(400) > c.dense_capacity(400, 4)


def test_ramsauer_constants_from_the_paper():
    # Ramsauer et al. (2021), Theorem 3: c >= 3.1546 (beta=1, K=3, d=20) and c >= 1.3718 (K=1, d=75)
    for d, K, c_paper in ((20, 3.0, 3.1546), (75, 1.0, 1.3718)):
        bound = c.ramsauer_capacity_bound(d, beta=1.0, K=K, p=0.001)
        c_val = (bound / math.sqrt(0.001)) ** (4 / (d - 1))
        assert c_val == pytest.approx(c_paper, abs=2e-4)
    assert math.isnan(c.ramsauer_capacity_bound(5))  # the theorem's condition fails


def test_dam_simulation_capacity_grows_and_tracks_theory():
    exp_caps = [c.dam_empirical_capacity(N, interaction="exp", rho=0.2, seed=1) for N in (10, 20, 30)]
    assert exp_caps[0] < exp_caps[1] < exp_caps[2]
    theory = c.exponential_capacity(np.array([10, 20, 30]), rho=0.2, criterion="typical")
    assert np.all(np.abs(np.log(np.array(exp_caps) / theory)) < np.log(2.5))
    poly = [c.dam_empirical_capacity(N, interaction="poly", degree=3, rho=0.2, seed=1) for N in (20, 40, 60)]
    assert poly[0] < poly[1] < poly[2]
    th = c.dense_capacity(np.array([20, 40, 60]), 3, rho=0.2, level=0.5)
    assert np.all(np.abs(np.log(np.array(poly) / th)) < np.log(2.0))
    f = c.dam_retrieval(40, 5, interaction="poly", degree=3, rho=0.1, probes=5, seed=0)
    assert f == 1.0
    assert c.dam_retrieval(40, 5, interaction="exp", rho=0.1, probes=5, seed=0) == 1.0


# ----------------------------------------------------------------------------------------------
# symbolic derivations and exercises
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn", [sc.gardner_integral_closed_form, sc.gardner_alpha_at_zero, sc.cover_recursion, sc.ags_reduction]
)
def test_symbolic_derivations_hold(fn):
    d = fn()
    assert d.holds() and d.chapter == "13"


def test_cover_index_shift_on_integers():
    for P in range(1, 12):
        for N in range(1, 8):
            shifted = sum(math.comb(P - 1, k - 1) if k >= 1 else 0 for k in range(N))
            assert 2 * shifted == (c.cover_count(P, N - 1) if N > 1 else 0)


def test_a_wrong_gardner_form_does_not_hold():
    from semtheory.symbolic import Derivation

    d = sc.gardner_integral_closed_form()
    (k,) = d.rhs.free_symbols
    wrong = Derivation("wrong", d.lhs, d.rhs + k * sc.std_normal_pdf(k), "nothing", "13")
    assert not wrong.holds()


def test_exercise_answers_pass_and_perturbed_fail():
    labels = [lab for lab in registered() if lab.startswith("ex-13-")]
    assert len(labels) >= 2
    for lab in labels:
        ref = registered()[lab].compute()
        assert is_correct(lab, ref)
        assert not is_correct(lab, ref * 1.05 + 1e-3)


def test_gardner_margin_inverts_the_quadrature_capacity_by_bisection():
    """Independent route: bisection on 1/quadrature (not the closed form the package inverts)."""
    for a in (0.1, 0.5, 1.0, 1.7):
        lo, hi = 0.0, 10.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if 1.0 / c.gardner_integral_quad(mid) > a else (lo, mid)
        assert c.gardner_margin(a) == pytest.approx(0.5 * (lo + hi), abs=1e-9)
    assert c.gardner_margin(2.0) == 0.0


@settings(max_examples=40, deadline=None)
@given(k=st.floats(0.0, 8.0))
def test_gardner_lower_bound_and_superpolynomial_gap(k):
    """Exercise ex-13-margin-one (a): alpha_c > 1/(1+k^2); for k >= 1 the relative gap is below phi(k)/k."""
    a = c.gardner_alpha(k)
    assert a > 1.0 / (1.0 + k * k) * (1 - 1e-15)
    if k >= 1.0:
        assert (1 + k * k) * a - 1 < math.exp(-k * k / 2) / math.sqrt(2 * math.pi) / k


def test_exercise_margin_one_matches_an_independent_root():
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if 1.0 / c.gardner_integral_quad(mid) > 1.0 else (lo, mid)
    assert is_correct("ex-13-margin-one", 0.5 * (lo + hi))


def test_perceptron_couplings_store_patterns_asymmetrically_with_zero_basins():
    xi = c.random_patterns(60, 40, kind="binary", seed=4)
    J = c.perceptron_couplings(xi)
    assert np.all(np.diag(J) == 0)
    # independent check of the fixed points: the sign of the local field, not the LP constraints
    assert np.array_equal(np.where(xi @ J.T > 0, 1.0, -1.0), xi)
    assert np.linalg.norm(J - J.T) / np.linalg.norm(J) > 0.5  # rows learned independently: far from symmetric
    stab = c.pattern_stabilities(J, xi)
    assert stab.min() > 0
    # stabilities are scale free: rescaling a row leaves them unchanged
    J2 = J * np.arange(1, 41)[:, None]
    np.testing.assert_allclose(c.pattern_stabilities(J2, xi), stab, rtol=1e-12)
    # Hebb at the same load is far above its capacity: patterns are not fixed points
    H = c.hebbian_couplings(xi)
    assert (c.pattern_stabilities(H, xi) < 0).any()
    # above Gardner's alpha = 2 the programs become infeasible
    with pytest.raises(ValueError, match="patterns"):
        c.perceptron_couplings(c.random_patterns(120, 30, kind="binary", seed=1))


def test_hebbian_retrieval_above_capacity_keeps_a_residual_overlap():
    """The erratum: zero-temperature dynamics above alpha_c stops in states with overlap well above 0."""
    m = c.hopfield_retrieval(1000, 200, probes=6, seed=1000)
    assert 0.2 < m.mean() < 0.6


def test_gardner_rs_load_tends_to_the_closed_form_capacity_as_q_goes_to_one():
    """Independent route to alpha_c(kappa): the replica saddle point at q -> 1, not the closed form."""
    for k in (0.0, 0.5, 1.0, 2.0):
        assert c.gardner_rs_load(1 - 1e-5, k) == pytest.approx(c.gardner_alpha(k), rel=2e-3)
    qs = np.linspace(0.05, 0.99, 12)
    a = c.gardner_rs_load(qs, 0.0)
    assert np.all(np.diff(a) > 0)  # more patterns, more similar solutions
    assert a[-1] < 2.0
    # small q: alpha(q) ~ (pi/2) q for kappa = 0 (expand the saddle equation to first order in q)
    assert c.gardner_rs_load(1e-4, 0.0) / 1e-4 == pytest.approx(math.pi / 2, rel=1e-3)


def test_ising_perceptron_rs_saddle_point_by_independent_quadrature():
    from scipy import integrate

    r = c.ising_perceptron_rs(0.6, base=math.e)
    pdf = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    q = integrate.quad(lambda z: pdf(z) * math.tanh(math.sqrt(r.q_hat) * z) ** 2, -np.inf, np.inf)[0]
    assert q == pytest.approx(r.q, abs=1e-9)
    g = math.sqrt(r.q / (1 - r.q))
    mills = lambda u: pdf(u) / special.ndtr(-u)  # noqa: E731
    qh = 0.6 / (1 - r.q) * integrate.quad(lambda t: pdf(t) * mills(g * t) ** 2, -12, 12)[0]
    assert qh == pytest.approx(r.q_hat, rel=1e-7)


@settings(max_examples=20, deadline=None)
@given(a=st.floats(0.02, 1.5))
def test_ising_entropy_below_the_annealed_count(a):
    """First moment: E #solutions = 2^N 2^{-P}, so the typical entropy is at most 1 - alpha bits per weight."""
    assert c.ising_perceptron_rs(a).entropy <= 1 - a + 1e-9


def test_ising_entropy_small_load_slope_and_capacity():
    a = 1e-3
    assert (1 - c.ising_perceptron_rs(a).entropy) / a == pytest.approx(1.0, rel=1e-2)  # ds/dalpha = ln H(0) = -1 bit
    ac = c.ising_perceptron_capacity()
    assert ac == pytest.approx(0.833, abs=1e-3)  # Krauth & Mezard (1989)
    assert abs(c.ising_perceptron_rs(ac).entropy) < 1e-9


def test_finite_temperature_rs_limits():
    """Independent routes: the zero-temperature reduction (T -> 0) and Curie-Weiss m = tanh(m/T) (alpha -> 0)."""
    from scipy import optimize

    al = np.array([0.05, 0.1, 0.13])
    m = c.hopfield_rs_finite_temperature(al, [0.05], n_iter=1500)[0]
    np.testing.assert_allclose(m, c.hopfield_rs_overlap(al), atol=3e-3)
    assert abs(c.hopfield_rs_finite_temperature([0.15], [0.05])[0, 0]) < 1e-6  # above alpha_c: no retrieval
    for T in (0.5, 0.8):
        cw = optimize.brentq(lambda x: x - math.tanh(x / T), 1e-3, 1.0)
        assert c.hopfield_rs_finite_temperature([0.0], [T], n_iter=2000)[0, 0] == pytest.approx(cw, abs=1e-6)
    assert abs(c.hopfield_rs_finite_temperature([0.0], [1.2])[0, 0]) < 0.05  # paramagnet above T = 1
    hot = c.hopfield_rs_finite_temperature([0.02, 0.06], [0.2, 0.6])
    assert hot[0, 0] > hot[1, 0] and hot[0, 0] > hot[0, 1] - 1e-12  # overlap falls with T and with the load


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: c.cover_count(0, 2), "P"),
        (lambda: c.cover_count(3, 0), "N"),
        (lambda: c.cover_count(2.5, 2), "P"),
        (lambda: c.cover_fraction(3, True), "N"),
        (lambda: c.random_patterns(3, 2, kind="uniform"), "kind"),
        (lambda: c.random_patterns(3, 2, seed="x"), "seed"),
        (lambda: c.is_linearly_separable([[1.0, np.nan]], [1]), "X"),
        (lambda: c.is_linearly_separable([1.0, 2.0], [1, 1]), "X"),
        (lambda: c.is_linearly_separable([[1.0], [2.0]], [1, 0]), "y"),
        (lambda: c.is_linearly_separable([[1.0], [2.0]], [1]), "y"),
        (lambda: c.count_separable_dichotomies(np.ones((17, 2))), "X"),
        (lambda: c.separability_sweep(0, [2]), "N"),
        (lambda: c.separability_sweep(3, [], repeats=2), "P_values"),
        (lambda: c.separability_sweep(3, [2], repeats=0), "repeats"),
        (lambda: c.separability_sweep(3, [2], kind="x"), "kind"),
        (lambda: c.gardner_integral(np.inf), "kappa"),
        (lambda: c.gardner_integral("a"), "kappa"),
        (lambda: c.gardner_integral_quad([1.0, 2.0]), "kappa"),
        (lambda: c.gardner_alpha(-0.1), "kappa"),
        (lambda: c.gardner_margin(0.0), "alpha"),
        (lambda: c.gardner_rs_load(1.0), "q"),
        (lambda: c.hopfield_rs_finite_temperature([-0.1], [0.5]), "alphas"),
        (lambda: c.hopfield_rs_finite_temperature([0.1], [0.0]), "temperatures"),
        (lambda: c.hopfield_rs_finite_temperature([0.1], [0.5], nodes=3), "nodes"),
        (lambda: c.gardner_rs_load(0.5, -1.0), "kappa"),
        (lambda: c.ising_perceptron_rs(0.0), "alpha"),
        (lambda: c.ising_perceptron_rs(3.0), "alpha"),
        (lambda: c.ising_perceptron_rs(0.5, base=1), "base"),
        (lambda: c.gardner_margin(2.5), "alpha"),
        (lambda: c.perceptron_couplings([[1.0, 0.5]]), "patterns"),
        (lambda: c.perceptron_couplings([[1.0], [-1.0]]), "patterns"),
        (lambda: c.pattern_stabilities(np.ones((2, 3)), [[1.0, 1.0]]), "J"),
        (lambda: c.pattern_stabilities(np.eye(3), [[1.0, 1.0]]), "patterns"),
        (lambda: c.pattern_stabilities(np.zeros((2, 2)), [[1.0, 1.0]]), "J"),
        (lambda: c.hopfield_rs_gain(0.0), "y"),
        (lambda: c.hopfield_rs_solution(0.0), "alpha"),
        (lambda: c.hopfield_rs_solution(0.5), "alpha"),
        (lambda: c.hopfield_rs_overlap(-0.1), "alpha"),
        (lambda: c.hopfield_rs_residuals((0.1, 1.0, 0.0, 1.0)), "sol"),
        (lambda: c.hopfield_rs_residuals(c.RSSolution(0.0, 1.0, 0.0, 1.0, 1.0)), "sol"),
        (lambda: c.hebbian_couplings([[1.0, 0.5]]), "patterns"),
        (lambda: c.hebbian_couplings([1.0, -1.0]), "patterns"),
        (lambda: c.hopfield_dynamics(np.ones((2, 3)), [[1.0, 1.0]]), "J"),
        (lambda: c.hopfield_dynamics(np.eye(3), [[1.0, 1.0]]), "states"),
        (lambda: c.hopfield_dynamics(np.eye(2), [[1.0, 2.0]]), "states"),
        (lambda: c.hopfield_dynamics(np.eye(2), [[1.0, 1.0]], mode="x"), "mode"),
        (lambda: c.hopfield_dynamics(np.eye(2), [[1.0, 1.0]], max_iter=0), "max_iter"),
        (lambda: c.hopfield_retrieval(1, 1), "N"),
        (lambda: c.hopfield_retrieval(10, 0), "P"),
        (lambda: c.hopfield_retrieval(10, 3, probes=4), "probes"),
        (lambda: c.hopfield_retrieval(10, 3, rho=0.5), "rho"),
        (lambda: c.hopfield_retrieval(10, 3, repeats=0), "repeats"),
        (lambda: c.hopfield_overlap_sweep(10, [0.0]), "alphas"),
        (lambda: c.hopfield_overlap_sweep(1, [0.1]), "N"),
        (lambda: c.cramer_rate(1.5), "x"),
        (lambda: c.dense_capacity(1.0, 2), "N"),
        (lambda: c.dense_capacity(10, 1), "degree"),
        (lambda: c.dense_capacity(10, 2, rho=0.6), "rho"),
        (lambda: c.dense_capacity(10, 2, level=1.0), "level"),
        (lambda: c.demircigil_exponent(0.5), "rho"),
        (lambda: c.demircigil_exponent(-0.1), "rho"),
        (lambda: c.exponential_capacity(0.5), "N"),
        (lambda: c.exponential_capacity(10, criterion="x"), "criterion"),
        (lambda: c.exponential_capacity(10.5, criterion="typical"), "N"),
        (lambda: c.exponential_capacity(10, rho=0.5), "rho"),
        (lambda: c.ramsauer_capacity_bound(1.0), "d"),
        (lambda: c.ramsauer_capacity_bound(20, beta=0.0), "beta"),
        (lambda: c.ramsauer_capacity_bound(20, K=-1.0), "K"),
        (lambda: c.ramsauer_capacity_bound(20, p=0.0), "p"),
        (lambda: c.dam_retrieval(1, 1), "N"),
        (lambda: c.dam_retrieval(10, 0), "P"),
        (lambda: c.dam_retrieval(10, 2, interaction="x"), "interaction"),
        (lambda: c.dam_retrieval(10, 2, degree=1), "degree"),
        (lambda: c.dam_retrieval(10, 2, rho=0.5), "rho"),
        (lambda: c.dam_retrieval(10, 2, probes=3), "probes"),
        (lambda: c.dam_empirical_capacity(1), "N"),
        (lambda: c.dam_empirical_capacity(10, level=0.0), "level"),
        (lambda: c.dam_empirical_capacity(10, probes=0), "probes"),
        (lambda: c.dam_empirical_capacity(10, P_max=0), "P_max"),
        (lambda: c.dam_empirical_capacity(10, rho=0.7), "rho"),
        (lambda: c.dam_empirical_capacity(10, interaction="lin"), "interaction"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
