"""Directed information, causal conditioning, rates and feedback capacity (semtheory.directed, chapter 3)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import directed as d
from semtheory import measures as m
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import directed as sd

TOL = 1e-12
h = m.binary_entropy


# ----------------------------------------------------------------------------------------------
# random laws
# ----------------------------------------------------------------------------------------------


def _kernel(rng, shape, sparse=False):
    k = rng.dirichlet(np.full(shape[-1], 0.7), size=shape[:-1]) if shape[:-1] else rng.dirichlet(np.full(shape[-1], 0.7))
    if sparse:
        k = np.where(rng.random(k.shape) < 0.3, 0.0, k)
        k[..., 0] += 1e-3  # keep every row non-empty
        k = k / k.sum(axis=-1, keepdims=True)
    return k


def random_law(seed, n, kx=2, ky=2, feedback=True, sparse=False):
    """A joint law from a random policy (with or without feedback) and a random channel with memory."""
    rng = np.random.default_rng(seed)
    pol, ch = [], []
    for t in range(1, n + 1):
        yshape = (ky,) * (t - 1) if feedback else (1,) * (t - 1)
        pol.append(_kernel(rng, (kx,) * (t - 1) + yshape + (kx,), sparse))
        ch.append(_kernel(rng, (kx,) * t + (ky,) * (t - 1) + (ky,), sparse))
    return d.joint_law(pol, ch)


laws = st.builds(
    random_law,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 4),
    kx=st.sampled_from([2, 3]),
    ky=st.just(2),
    feedback=st.booleans(),
    sparse=st.booleans(),
).filter(lambda p: p.size <= 3**4 * 2**4)


def dirichlet_law(seed, n):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.full(4**n, 0.5)).reshape((2,) * (2 * n))


# ----------------------------------------------------------------------------------------------
# identities on random laws
# ----------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(laws)
def test_identities_on_random_laws(p):
    n = d.num_steps(p)
    mi = d.sequence_mutual_information(p)
    di = d.directed_information(p)
    rdi = d.reverse_directed_information(p)
    assert di >= 0 and rdi >= 0
    assert di <= mi + TOL
    # conservation law (Massey & Massey 2005)
    assert abs(mi - di - rdi) <= TOL
    assert abs(d.conservation(p).residual) <= TOL
    # chain rule of causal conditioning
    hcc = d.causally_conditioned_entropy(p)
    hrc = d.reverse_causally_conditioned_entropy(p)
    assert abs(m.entropy(p) - hcc - hrc) <= 1e-10
    # DI = H(Y^n) - H(Y^n || X^n), reverse = H(X^n) - H(X^n || Y^{n-1})
    assert abs(di - (m.entropy(p, d.y_axes(n)) - hcc)) <= 1e-10
    assert abs(rdi - (m.entropy(p, d.x_axes(n)) - hrc)) <= 1e-10
    if n == 1:
        assert abs(di - mi) <= TOL and rdi == 0
    # Amblard-Michel split and the per-step terms
    dec = d.directed_information_decomposition(p)
    assert abs(dec.transfer + dec.instantaneous - di) <= 1e-10
    assert abs(d.directed_information_terms(p).sum() - di) <= TOL


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.booleans())
def test_no_feedback_gives_equality(seed, n, sparse):
    p = random_law(seed, n, feedback=False, sparse=sparse)
    assert d.reverse_directed_information(p) <= TOL
    assert abs(d.directed_information(p) - d.sequence_mutual_information(p)) <= TOL


@settings(max_examples=40, deadline=None)
@given(laws)
def test_causal_factorisation(p):
    n = d.num_steps(p)
    pol, ch = d.causal_kernels(p)
    np.testing.assert_allclose(d.joint_law(pol, ch), p, atol=1e-14)
    cc = d.causal_conditioning(p)
    rc = d.reverse_causal_conditioning(p)
    np.testing.assert_allclose(cc * rc, p, atol=1e-14)
    # P(y^n || x^n) is a pmf over y^n for every x^n
    np.testing.assert_allclose(cc.sum(axis=d.y_axes(n)), 1.0, atol=1e-12)
    # causally conditioned entropy = E[-log P(Y^n || X^n)]
    mask = p > 0
    e = -(p[mask] * np.log2(cc[mask])).sum()
    assert abs(e - d.causally_conditioned_entropy(p)) <= 1e-10
    # information density: E[iota_t] = I(X^t; Y_t | Y^{t-1})
    dens = d.directed_information_density(p)
    np.testing.assert_allclose((p[..., None] * dens).reshape(-1, n).sum(axis=0), d.directed_information_terms(p), atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_arbitrary_joint_pmfs_and_units(seed, n):
    p = dirichlet_law(seed, n)
    c = d.conservation(p, base=math.e)
    assert abs(c.residual) <= TOL
    assert abs(c.directed / math.log(2) - d.directed_information(p)) <= 1e-12


# ----------------------------------------------------------------------------------------------
# closed forms
# ----------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5))
def test_memoryless_channel_iid_input_gives_n_times_single_letter(seed, n):
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.ones(3))
    W = rng.dirichlet(np.ones(2), size=3)
    p = d.joint_law(d.iid_policy(q, n), d.memoryless_channel(W, n))
    single = m.mutual_information(q[:, None] * W, 0, 1)
    assert abs(d.directed_information(p) - n * single) <= 1e-10
    assert abs(d.sequence_mutual_information(p) - n * single) <= 1e-10


@pytest.mark.parametrize("eps", [0.0, 0.11, 0.3, 0.5])
def test_bsc_directed_information(eps):
    n = 4
    p = d.joint_law(d.iid_policy([0.5, 0.5], n), d.memoryless_channel(d.binary_symmetric_channel(eps), n))
    assert abs(d.directed_information(p) - n * (1 - h(eps))) <= 1e-10


@pytest.mark.parametrize("eps", [0.1, 0.2, 0.35])
def test_pure_echo_feedback_overcounts_mi(eps):
    """X_t = Y_{t-1}: DI = 1 - h(eps) for every n, reverse DI = (n-1) h(eps) (derived by hand)."""
    W = d.binary_symmetric_channel(eps)
    for n in range(1, 6):
        p = d.joint_law(d.echo_policy(1.0, n), d.memoryless_channel(W, n))
        c = d.conservation(p)
        assert abs(c.directed - (1 - h(eps))) <= 1e-10
        assert abs(c.reverse - (n - 1) * h(eps)) <= 1e-10
        assert c.directed <= n * (1 - h(eps)) + 1e-12  # DI never exceeds n C


def test_markov_pair_closed_form_rates():
    a, e = 0.2, 0.1
    r = d.markov_pair_rates(d.bsc_feedback_pair(a, e))
    c = a * (1 - e) + e * (1 - a)
    assert abs(r.directed - (h(c) - h(e))) <= 1e-12
    assert abs(r.reverse - (h(c) - h(a))) <= 1e-12
    assert abs(r.mutual - (2 * h(c) - h(a) - h(e))) <= 1e-12
    assert abs(r.entropy_xy - (h(a) + h(e))) <= 1e-12
    assert r.error <= 1e-12
    assert abs(d.directed_information_rate(d.bsc_feedback_pair(a, e)) - r.directed) <= 1e-15


def test_memoryless_pair_rate_is_single_letter():
    rng = np.random.default_rng(3)
    J = rng.dirichlet(np.ones(6)).reshape(2, 3)
    T = np.broadcast_to(J, (2, 3, 2, 3)).copy()  # i.i.d. pairs
    r = d.markov_pair_rates(T)
    assert abs(r.directed - m.mutual_information(J, 0, 1)) <= 1e-10
    assert r.reverse <= 1e-10


@pytest.mark.parametrize("seed", [0, 4])
def test_directed_information_rate_convergence(seed):
    rng = np.random.default_rng(seed)
    T = rng.dirichlet(np.full(4, 2.0), size=4).reshape(2, 2, 2, 2)
    r = d.markov_pair_rates(T, tol=1e-11)
    assert r.error <= 1e-9
    assert abs(r.mutual - r.directed - r.reverse) <= 1e-12
    gaps, incs = [], []
    for n in range(1, 8):
        p = d.markov_pair_law(T, n)
        gaps.append(abs(d.directed_information(p) / n - r.directed))
        incs.append(abs(d.directed_information_terms(p)[-1] - r.directed))
    assert all(g2 < g1 for g1, g2 in zip(gaps[1:], gaps[2:]))  # (1/n) DI approaches the rate
    assert incs[-1] <= 1e-6  # the increments converge exponentially fast
    assert gaps[-1] <= 0.5 * gaps[1]


def test_markov_pair_law_is_stationary():
    rng = np.random.default_rng(1)
    T = rng.dirichlet(np.ones(6), size=6).reshape(2, 3, 2, 3)
    pi = d.markov_pair_stationary(T)
    p = d.markov_pair_law(T, 3)
    np.testing.assert_allclose(p.sum(axis=(1, 2, 4, 5)), pi, atol=1e-12)  # law of (X_1, Y_1)
    np.testing.assert_allclose(p.sum(axis=(0, 2, 3, 5)), pi, atol=1e-12)  # law of (X_2, Y_2)


def test_finite_state_channel_with_one_state_is_memoryless():
    W = np.array([[0.8, 0.2], [0.3, 0.7]])
    T = W[None, :, :, None]
    for k_fs, k_ml in zip(d.finite_state_channel(T, 3), d.memoryless_channel(W, 3)):
        np.testing.assert_allclose(k_fs, np.broadcast_to(k_ml, k_fs.shape), atol=1e-15)


def test_trapdoor_channel():
    T = d.trapdoor_channel()
    np.testing.assert_allclose(T.reshape(4, 4).sum(axis=1), 1.0)
    assert T[0, 0, 0, 0] == 1.0 and T[1, 1, 1, 1] == 1.0  # x = s: the output is x, the state stays
    assert T[0, 1, 0, 1] == 0.5 and T[0, 1, 1, 0] == 0.5


def z_channel_capacity(p):
    """Capacity (bits) of the Z-channel 0 -> 0, 1 -> 0 w.p. p: log2(1 + (1-p) p^(p/(1-p)))."""
    return math.log2(1 + (1 - p) * p ** (p / (1 - p)))


def test_feedback_does_not_increase_memoryless_capacity():
    p = 0.3
    W = np.array([[1.0, 0.0], [p, 1 - p]])
    ch = d.memoryless_channel(W, 3)
    fb = d.feedback_capacity(ch, tol=1e-9)
    nf = d.nonfeedback_capacity(ch, tol=1e-9)
    assert fb.converged and nf.converged
    assert abs(fb.rate - z_channel_capacity(p)) <= 1e-7
    assert abs(nf.rate - z_channel_capacity(p)) <= 1e-7


def test_trapdoor_feedback_capacity_at_least_nonfeedback():
    T = d.trapdoor_channel()
    for n in (1, 2, 3):
        ch = d.finite_state_channel(T, n, initial_state=0)
        fb = d.feedback_capacity(ch, tol=1e-8)
        nf = d.nonfeedback_capacity(ch, tol=1e-8)
        assert fb.converged and nf.converged
        assert fb.rate >= nf.rate - 1e-8
        assert fb.rate <= fb.upper and fb.upper - fb.rate <= 1e-8
        # the returned policies achieve the returned values
        pf = d.joint_law(fb.policy, ch)
        assert abs(d.directed_information(pf) / n - fb.rate) <= 1e-12
        pn = d.joint_law(nf.policy, ch)
        assert d.reverse_directed_information(pn) <= 1e-12
        assert abs(d.sequence_mutual_information(pn) / n - nf.rate) <= 1e-12
        if n == 1:  # one use with a known ball is a Z-channel with p = 1/2
            assert abs(fb.rate - z_channel_capacity(0.5)) <= 1e-7
        if n == 3:
            assert fb.rate > nf.rate + 0.05  # feedback helps the trapdoor channel
    assert fb.total == pytest.approx(3 * fb.rate)


def test_feedback_policy_beats_random_policies():
    T = d.trapdoor_channel()
    ch = d.finite_state_channel(T, 2, initial_state=[0.5, 0.5])
    fb = d.feedback_capacity(ch, tol=1e-9)
    rng = np.random.default_rng(0)
    for _ in range(20):
        pol = [rng.dirichlet(np.ones(2)), rng.dirichlet(np.ones(2), size=(2, 2))]
        assert d.directed_information(d.joint_law(pol, ch)) / 2 <= fb.upper + 1e-12


def test_policy_from_source_and_noiseless_channels():
    rng = np.random.default_rng(5)
    px = rng.dirichlet(np.ones(27)).reshape(3, 3, 3)  # a source with memory on three letters
    pol = d.policy_from_source(px)
    p = d.joint_law(pol, d.memoryless_channel(np.eye(3), 3))
    np.testing.assert_allclose(p.sum(axis=(3, 4, 5)), px, atol=1e-14)
    assert abs(d.directed_information(p) - m.entropy(px)) <= 1e-10  # noiseless: DI = H(X^n)
    assert d.reverse_directed_information(p) <= 1e-12
    ch = d.memoryless_channel(np.eye(3), 2)
    for res in (d.feedback_capacity(ch), d.nonfeedback_capacity(ch)):
        assert abs(res.rate - math.log2(3)) <= 1e-8


def test_layout_helpers():
    assert d.axis_names(2) == ("X1", "X2", "Y1", "Y2")
    assert d.x_axes(3) == (0, 1, 2) and d.x_axes(3, 1) == (0,) and d.x_axes(3, 0) == ()
    assert d.y_axes(3) == (3, 4, 5) and d.y_axes(3, 2) == (3, 4)
    assert d.num_steps(np.full((2, 2, 2, 2), 1 / 16)) == 2


def test_policy_and_channel_from_function():
    n = 3

    def pol(t, xh, yh):  # repeat the last output, else uniform
        out = np.full((xh.shape[0], 2), 0.5)
        if t > 1:
            out = np.zeros((xh.shape[0], 2))
            out[np.arange(xh.shape[0]), yh[:, -1]] = 1.0
        return out

    def chan(t, xh, yh):  # BSC(0.2) on the current input
        out = np.full((xh.shape[0], 2), 0.2)
        out[np.arange(xh.shape[0]), xh[:, -1]] = 0.8
        return out

    p = d.joint_law(d.policy_from_function(pol, n, 2, 2), d.channel_from_function(chan, n, 2, 2))
    q = d.joint_law(d.echo_policy(1.0, n), d.memoryless_channel(d.binary_symmetric_channel(0.2), n))
    np.testing.assert_allclose(p, q, atol=1e-15)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

GOOD = np.full((2, 2, 2, 2), 1 / 16)
NOT_PMF = np.full((2, 2, 2, 2), 1 / 8)
ODD = np.full((2, 2, 2), 1 / 8)
POL = d.iid_policy([0.5, 0.5], 2)
CH = d.memoryless_channel(d.binary_symmetric_channel(0.1), 2)
T2 = d.bsc_feedback_pair(0.2, 0.1)

MEASURES = [
    d.num_steps,
    d.causal_kernels,
    d.causal_conditioning,
    d.reverse_causal_conditioning,
    d.causally_conditioned_entropy,
    d.reverse_causally_conditioned_entropy,
    d.directed_information,
    d.directed_information_terms,
    d.reverse_directed_information,
    d.reverse_directed_information_terms,
    d.sequence_mutual_information,
    d.conservation,
    d.directed_information_decomposition,
    d.directed_information_density,
]


@pytest.mark.parametrize("fn", MEASURES)
def test_measures_reject_bad_laws(fn):
    with pytest.raises(ValueError, match="p must sum to 1"):
        fn(NOT_PMF)
    with pytest.raises(ValueError, match="p must sum"):
        fn(NOT_PMF)
    with pytest.raises(ValueError, match="2n axes"):
        fn(ODD)
    with pytest.raises(ValueError, match="NaN"):
        fn(np.where(GOOD > 0, np.nan, 0))


@pytest.mark.parametrize(
    "fn",
    [d.causally_conditioned_entropy, d.directed_information, d.reverse_directed_information, d.conservation],
)
def test_measures_reject_bad_base(fn):
    with pytest.raises(ValueError, match="base"):
        fn(GOOD, base=1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: d.axis_names(0), "n"),
        (lambda: d.x_axes(2, 3), "t"),
        (lambda: d.y_axes(2, -1), "t"),
        (lambda: d.joint_law(POL, CH[:1]), "channel"),
        (lambda: d.joint_law([np.array([0.6, 0.6]), POL[1]], CH), "policy"),
        (lambda: d.joint_law(POL, [CH[0], np.ones((2, 2, 2))]), "channel"),
        (lambda: d.joint_law(np.array([0.5, 0.5]), CH), "policy"),
        (lambda: d.joint_law(POL, [CH[0], np.full((2, 3, 2), 0.5)]), "channel"),
        (lambda: d.iid_policy([0.5, 0.6], 2), "q"),
        (lambda: d.iid_policy([0.5, 0.5], 0), "n"),
        (lambda: d.policy_from_source([0.5, 0.6]), "p_x"),
        (lambda: d.policy_from_source(1.0), "p_x"),
        (lambda: d.unit_memory_policy([0.5, 0.5], np.full((2, 2), 0.5), 2), "kernel"),
        (lambda: d.unit_memory_policy([1.5, -0.5], np.full((2, 2, 2), 0.5), 2), "first"),
        (lambda: d.echo_policy(1.5, 2), "repeat"),
        (lambda: d.memoryless_channel(np.array([[0.5, 0.6]]), 2), "W"),
        (lambda: d.memoryless_channel(np.full((2, 2, 2), 0.5), 2), "W"),
        (lambda: d.binary_symmetric_channel(-0.1), "crossover"),
        (lambda: d.policy_from_function("not callable", 2, 2, 2), "fn"),
        (lambda: d.policy_from_function(lambda t, x, y: np.ones((1, 2)), 2, 2, 2), "fn"),
        (lambda: d.channel_from_function(lambda t, x, y: np.ones((x.shape[0], 2)), 2, 2, 2), "fn"),
        (lambda: d.channel_from_function(lambda t, x, y: np.full((x.shape[0], 2), 0.5), 2, 0, 2), "x_card"),
        (lambda: d.finite_state_channel(np.ones((2, 2, 2)), 2), "transition"),
        (lambda: d.finite_state_channel(np.full((2, 2, 2, 2), 0.5), 2), "transition"),
        (lambda: d.finite_state_channel(d.trapdoor_channel(), 2, initial_state=2), "initial_state"),
        (lambda: d.finite_state_channel(d.trapdoor_channel(), 2, initial_state=[0.2, 0.2]), "initial_state"),
        (lambda: d.finite_state_channel(d.trapdoor_channel(), 0), "n"),
        (lambda: d.bsc_feedback_pair(2.0, 0.1), "flip"),
        (lambda: d.bsc_feedback_pair(0.2, np.nan), "crossover"),
        (lambda: d.markov_pair_stationary(np.full((2, 2, 2), 0.5)), "transition"),
        (lambda: d.markov_pair_stationary(np.full((2, 2, 2, 2), 0.5)), "transition"),
        (lambda: d.markov_pair_stationary(np.eye(4).reshape(2, 2, 2, 2)), "transition"),
        (lambda: d.markov_pair_law(T2, 0), "n"),
        (lambda: d.markov_pair_law(T2, 2, initial=np.full((2, 2), 0.3)), "initial"),
        (lambda: d.markov_pair_rates(T2, tol=0), "tol"),
        (lambda: d.markov_pair_rates(T2, base=0), "base"),
        (lambda: d.markov_pair_rates(T2, max_order=1), "max_order"),
        (lambda: d.directed_information_rate(np.full((2, 2, 2, 2), 0.3)), "transition"),
        (lambda: d.feedback_capacity(CH, tol=-1), "tol"),
        (lambda: d.feedback_capacity(CH, max_iter=0), "max_iter"),
        (lambda: d.feedback_capacity([], tol=1e-6), "channel"),
        (lambda: d.feedback_capacity([np.array([[0.5, 0.7], [0.5, 0.5]])]), "channel"),
        (lambda: d.feedback_capacity(CH, base=-2), "base"),
        (lambda: d.nonfeedback_capacity(CH, tol=0), "tol"),
        (lambda: d.nonfeedback_capacity(CH, max_iter=0), "max_iter"),
        (lambda: d.nonfeedback_capacity("channel"), "channel"),
        (lambda: d.nonfeedback_capacity(CH, base=1), "base"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# symbolic derivations and exercises
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        sd.conservation_law_n2,
        sd.conservation_law_n3,
        sd.di_equals_mi_n1,
        sd.causal_chain_rule_n2,
        sd.no_feedback_reverse_di_zero,
    ],
)
def test_symbolic_derivations_hold(fn):
    assert fn().holds()


def test_symbolic_conservation_fails_when_a_term_is_dropped():
    from semtheory.symbolic import Derivation

    wrong = Derivation("wrong", sd.cmi_entropies({"X1", "X2"}, {"Y1", "Y2"}), sd.directed_information_entropies(2), "", "3")
    assert not wrong.holds()


CH03 = sorted(k for k in registered() if k.startswith("ex-03-"))


def test_chapter_has_checked_exercises():
    assert len(CH03) >= 2


@pytest.mark.parametrize("label", CH03)
def test_exercise_answers(label):
    ref = registered()[label].compute()
    assert is_correct(label, ref)
    assert not is_correct(label, ref * 1.05 + 0.01)


# ----------------------------------------------------------------------------------------------
# log-domain safety and speed (issue 12 erratum 4, issue 17)
# ----------------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(laws)
def test_prefix_entropy_terms_match_the_ratio_form(p):
    """The fast prefix-entropy route against measures.conditional_mutual_information, term by term."""
    n = p.ndim // 2
    di = d.directed_information_terms(p)
    rdi = d.reverse_directed_information_terms(p)
    for t in range(1, n + 1):
        ref = m.conditional_mutual_information(p, d.x_axes(n, t), (n + t - 1,), d.y_axes(n, t - 1))
        assert di[t - 1] == pytest.approx(ref, abs=1e-11)
        if t > 1:
            ref = m.conditional_mutual_information(p, d.y_axes(n, t - 1), (t - 1,), d.x_axes(n, t - 1))
            assert rdi[t - 1] == pytest.approx(ref, abs=1e-11)


def test_directed_information_finite_on_subnormal_masses():
    """Masses whose product underflows: the value is the limit of the law with those masses removed."""
    p = dirichlet_law(3, 3)
    tiny = np.zeros_like(p)
    tiny[0, 0, 0, 1, 1, 1] = tiny[1, 1, 1, 0, 0, 0] = 1e-170  # (1e-170)^2 underflows to 0
    q = p * (1 - tiny.sum()) + tiny
    for f in (d.directed_information, d.reverse_directed_information):
        assert math.isfinite(f(q)) and f(q) == pytest.approx(f(p), abs=1e-12)
    assert abs(d.conservation(q).residual) <= 1e-12


@pytest.mark.parametrize("n", [5, 6, 7, 8])
def test_trapdoor_feedback_capacity_finite_and_certified(n):
    ch = d.finite_state_channel(d.trapdoor_channel(), n, initial_state=0)
    fb = d.feedback_capacity(ch, tol=1e-6)
    assert fb.converged and math.isfinite(fb.rate) and math.isfinite(fb.upper)
    assert 0 <= fb.upper - fb.rate <= 1e-6
    # the policy achieves the value, recomputed by the ratio-form measures (an independent route)
    J = d.joint_law(fb.policy, ch)
    ref = sum(m.conditional_mutual_information(J, d.x_axes(n, t), (n + t - 1,), d.y_axes(n, t - 1)) for t in range(1, n + 1))
    assert ref / n == pytest.approx(fb.rate, abs=1e-10)
    # below the feedback capacity log2(golden ratio) and above the (n-1)-letter value
    assert fb.rate < math.log2((1 + math.sqrt(5)) / 2)
    prev = d.feedback_capacity(d.finite_state_channel(d.trapdoor_channel(), n - 1, initial_state=0), tol=1e-6)
    assert fb.total > prev.total


def test_feedback_capacity_upper_bound_holds_for_random_policies():
    n = 4
    ch = d.finite_state_channel(d.trapdoor_channel(), n, initial_state=0)
    fb = d.feedback_capacity(ch, tol=1e-6)
    rng = np.random.default_rng(1)
    for _ in range(30):
        pol = [rng.dirichlet(np.full(2, 0.3), size=(2,) * (2 * t - 2)) for t in range(1, n + 1)]
        assert d.directed_information(d.joint_law(pol, ch)) / n <= fb.upper + 1e-12


def test_directed_information_of_a_large_law_matches_causal_entropies():
    p = dirichlet_law(11, 8)  # 2^16 cells
    n = 8
    hcc = sum(m.conditional_entropy(p, (n + t - 1,), d.x_axes(n, t) + d.y_axes(n, t - 1)) for t in range(1, n + 1))
    assert d.causally_conditioned_entropy(p) == pytest.approx(hcc, abs=1e-10)
    ref = m.entropy(p, d.y_axes(8)) - hcc  # measures' conditional entropies: an independent route
    assert d.directed_information(p) == pytest.approx(ref, abs=1e-10)


@settings(max_examples=30)
@given(laws)
def test_causal_entropies_and_amblard_michel_match_the_measures(p):
    """The prefix-entropy routes against measures' conditional entropies and CMIs, term by term."""
    n = p.ndim // 2
    hcc = sum(m.conditional_entropy(p, (n + t - 1,), d.x_axes(n, t) + d.y_axes(n, t - 1)) for t in range(1, n + 1))
    hrc = sum(m.conditional_entropy(p, (t - 1,), d.x_axes(n, t - 1) + d.y_axes(n, t - 1)) if t > 1
              else m.entropy(p, (0,)) for t in range(1, n + 1))
    assert d.causally_conditioned_entropy(p) == pytest.approx(hcc, abs=1e-11)
    assert d.reverse_causally_conditioned_entropy(p) == pytest.approx(hrc, abs=1e-11)
    transfer, inst = d.directed_information_decomposition(p)[:2]
    assert transfer[0] == 0.0
    for t in range(1, n + 1):
        yt = (n + t - 1,)
        if t > 1:
            ref = m.conditional_mutual_information(p, d.x_axes(n, t - 1), yt, d.y_axes(n, t - 1))
            assert transfer[t - 1] == pytest.approx(ref, abs=1e-11)
        ref = m.conditional_mutual_information(p, (t - 1,), yt, d.x_axes(n, t - 1) + d.y_axes(n, t - 1))
        assert inst[t - 1] == pytest.approx(ref, abs=1e-11)


def test_measures_validate_the_joint_law_once(monkeypatch):
    """Validate once at the public boundary: the inner terms use the trusted profile."""
    import sys

    from semtheory._validate import as_pmf, as_pmf_reduce

    calls = []
    mods = [m for k, m in sys.modules.items() if k == "semtheory.core.law" or k.startswith("semtheory.directed")]
    for mod in mods:  # the module and its subpackage's files, and the law layout it validates with
        if getattr(mod, "as_pmf_reduce", None) is as_pmf_reduce:
            monkeypatch.setattr(mod, "as_pmf_reduce", lambda *a, **k: calls.append("reduce") or as_pmf_reduce(*a, **k))
        if getattr(mod, "as_pmf", None) is as_pmf:
            monkeypatch.setattr(mod, "as_pmf", lambda *a, **k: calls.append("pmf") or as_pmf(*a, **k))
    p = dirichlet_law(2, 4)
    for f in (d.directed_information, d.directed_information_terms, d.reverse_directed_information,
              d.causally_conditioned_entropy, d.reverse_causally_conditioned_entropy,
              d.directed_information_decomposition, d.conservation, d.causal_kernels, d.causal_conditioning,
              d.reverse_causal_conditioning, d.directed_information_density):
        calls.clear()
        f(p)
        assert len(calls) == 1, (f.__name__, calls)


# ----------------------------------------------------------------------------------------------
# every auto-checked answer of chapter 3 against an independent route (issue 12)
# ----------------------------------------------------------------------------------------------


def _brute_force_echo_law(repeat, crossover, n):
    """The echo policy through a BSC, enumerated outcome by outcome from its verbal description."""
    import itertools

    p = np.zeros((2,) * (2 * n))
    for xs in itertools.product((0, 1), repeat=n):
        for ys in itertools.product((0, 1), repeat=n):
            w = 1.0
            for t in range(n):
                px = 0.5 if t == 0 else (1 - repeat) * 0.5 + repeat * (xs[t] == ys[t - 1])
                py = 1 - crossover if ys[t] == xs[t] else crossover
                w *= px * py
            p[xs + ys] = w
    return p


def test_answer_bsc_three_uses_closed_form():
    assert registered()["ex-03-bsc-three-uses"].compute() == pytest.approx(3 * (1 - h(0.11)), abs=1e-12)


def test_answer_echo_reverse_brute_force():
    n = 4
    p = _brute_force_echo_law(0.5, 0.2, n)
    ref = sum(m.conditional_mutual_information(p, d.y_axes(n, t - 1), (t - 1,), d.x_axes(n, t - 1)) for t in range(2, n + 1))
    assert registered()["ex-03-echo-reverse"].compute() == pytest.approx(ref, abs=1e-12)


def test_answer_feedback_rate_closed_form():
    a, e = 0.2, 0.1
    ref = h(a * (1 - e) + e * (1 - a)) - h(e)
    assert registered()["ex-03-feedback-rate"].compute() == pytest.approx(ref, abs=1e-9)


def test_answer_trapdoor_one_use_closed_form():
    assert registered()["ex-03-trapdoor-one-use"].compute() == pytest.approx(math.log2(5 / 4), abs=1e-9)


def test_answer_water_filling_closed_form():
    assert registered()["ex-03-water-filling"].compute() == pytest.approx(0.5 * math.log2(4.5), abs=1e-12)


def test_every_chapter3_answer_has_an_independent_test():
    assert set(CH03) == {
        "ex-03-bsc-three-uses",
        "ex-03-echo-reverse",
        "ex-03-feedback-rate",
        "ex-03-trapdoor-one-use",
        "ex-03-water-filling",
    }


def test_fixed_prompt_has_no_feedback_and_a_reacting_user_does():
    """Channel memory (the sticky channel reads its own output) is not feedback; a reacting user is."""
    n = 5
    ch = d.sticky_channel(0.6, 0.1, n)
    prompt = d.joint_law(d.fixed_prompt_policy([0.3, 0.7], n), ch)
    user = d.joint_law(d.echo_policy(0.5, n), ch)
    assert d.reverse_directed_information(prompt) <= 1e-13
    assert d.directed_information(prompt) == pytest.approx(d.sequence_mutual_information(prompt), abs=1e-12)
    assert d.sequence_mutual_information(user) - d.directed_information(user) > 0.1
    # the fixed prompt: X_t = X_1, so I(X^n; Y^n) = I(X_1; Y^n)
    assert d.sequence_mutual_information(prompt) == pytest.approx(m.mutual_information(prompt, (0,), d.y_axes(n)), abs=1e-12)
    # the sticky channel's step-t kernel, entry by entry
    k = np.broadcast_to(ch[1], (2, 2, 2, 2))
    assert k[0, 1, 1, 1] == pytest.approx(0.6 + 0.4 * 0.9) and k[0, 0, 1, 1] == pytest.approx(0.6 + 0.4 * 0.1) and k[0, 0, 1, 0] == pytest.approx(0.4 * 0.9)


def test_new_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="stick"):
        d.sticky_channel(1.5, 0.1, 3)
    with pytest.raises(ValueError, match="q"):
        d.fixed_prompt_policy([0.5, 0.6], 3)


@pytest.mark.parametrize("n", [5, 6])
def test_trapdoor_feedback_capacity_certified_at_the_default_tolerance(n):
    fb = d.feedback_capacity(d.finite_state_channel(d.trapdoor_channel(), n, initial_state=0))
    assert fb.converged and math.isfinite(fb.rate) and 0 <= fb.upper - fb.rate <= 1e-7


# ----------------------------------------------------------------------------------------------
# feedback capacity on the tree of reachable histories (issue 17): independent routes
# ----------------------------------------------------------------------------------------------


def _policy_from_logits(theta, n, xc, yc):
    pol, i = [], 0
    for t in range(1, n + 1):
        shape = tuple(xc[: t - 1]) + tuple(yc[: t - 1]) + (xc[t - 1],)
        z = theta[i : i + math.prod(shape)].reshape(shape)
        i += math.prod(shape)
        z = np.exp(z - z.max(axis=-1, keepdims=True))
        pol.append(z / z.sum(axis=-1, keepdims=True))
    return pol


def _di_by_optimiser(ch, n, xc, yc, seeds=4):
    """max DI over dense policy logits by L-BFGS from several starts: a route that shares no code with the BA."""
    from scipy.optimize import minimize

    size = sum(math.prod(xc[: t - 1]) * math.prod(yc[: t - 1]) * xc[t - 1] for t in range(1, n + 1))

    def neg(theta):
        return -d.directed_information(d.joint_law(_policy_from_logits(theta, n, xc, yc), ch))

    rng = np.random.default_rng(0)
    return max(-minimize(neg, rng.normal(size=size), method="L-BFGS-B").fun for _ in range(seeds)) / n


def _random_state_channel(seed, S=2):
    """A finite-state channel with some zero transitions, so the tree skips histories."""
    rng = np.random.default_rng(seed)
    T = rng.dirichlet(np.full(2 * S, 0.7), size=(S, 2)).reshape(S, 2, 2, S)
    T[0, 0, 1, :] = 0.0  # in state 0, input 0 is never received as 1
    return T / T.sum(axis=(2, 3), keepdims=True)


@pytest.mark.parametrize("case", ["trapdoor2", "trapdoor3", "random2"])
def test_feedback_capacity_agrees_with_a_generic_optimiser(case):
    n = int(case[-1])
    T = d.trapdoor_channel() if case.startswith("trapdoor") else _random_state_channel(n)
    ch = d.finite_state_channel(T, n, initial_state=0)
    fb = d.feedback_capacity(ch, tol=1e-9)
    assert fb.converged and fb.rate <= fb.upper <= fb.rate + 1e-9
    opt = _di_by_optimiser(ch, n, [2] * n, [2] * n, seeds=4 if n == 2 else 2)
    assert opt <= fb.upper + 1e-12  # the certificate bounds every policy the optimiser finds
    assert opt == pytest.approx(fb.rate, abs=1e-6)  # and the optimiser reaches the same maximum


def test_feedback_capacity_upper_bound_is_the_best_deterministic_policy_value():
    """At n = 2 the hard recursion U(Q) equals the max over all 32 deterministic policies (enumerated)."""
    n = 2
    ch = d.finite_state_channel(_random_state_channel(5), n, initial_state=0)
    fb = d.feedback_capacity(ch, tol=1e-10)
    J = d.joint_law(fb.policy, ch)
    Q = J.sum(axis=(0, 1))  # the output law of the returned policy, P(y1, y2)
    W = d.causal_conditioning(d.joint_law(d.iid_policy([0.5, 0.5], n), ch))  # P(y^2 || x^2)
    vals = []
    for x1 in range(2):
        for code in range(16):  # x2 = f(x1, y1) for every history
            f = [(code >> k) & 1 for k in range(4)]
            pol = [np.eye(2)[x1], np.array([np.eye(2)[f[2 * a + b]] for a in range(2) for b in range(2)]).reshape(2, 2, 2)]
            P = d.joint_law(pol, ch)
            with np.errstate(divide="ignore", invalid="ignore"):
                vals.append(float(np.sum(np.where(P > 0, P * np.log2(W / Q[None, None]), 0.0))))
    U = max(vals) / n
    assert fb.rate - 1e-12 <= U  # weak duality at the output law of any policy
    assert U == pytest.approx(fb.rate, abs=1e-8)  # and tight at the optimum: U(P*_Y) = C_n


@pytest.mark.parametrize("n", [9, 10])
def test_trapdoor_feedback_capacity_certified_up_to_ten_uses(n):
    trap = d.trapdoor_channel()
    fb = d.feedback_capacity(d.finite_state_channel(trap, n, initial_state=0))
    assert fb.converged and math.isfinite(fb.rate) and 0 <= fb.upper - fb.rate <= 1e-7
    J = d.joint_law(fb.policy, d.finite_state_channel(trap, n, initial_state=0))
    ref = sum(m.conditional_mutual_information(J, d.x_axes(n, t), (n + t - 1,), d.y_axes(n, t - 1)) for t in range(1, n + 1))
    assert ref / n == pytest.approx(fb.rate, abs=1e-10)  # the returned policy achieves it (ratio-form route)
    prev = d.feedback_capacity(d.finite_state_channel(trap, n - 1, initial_state=0))
    assert prev.total < fb.total and fb.rate < math.log2((1 + math.sqrt(5)) / 2)


def test_feedback_capacity_with_its_policy_store_thinned(monkeypatch):
    """The memory bound on the kept policies changes only which Richardson step is tried, not what is certified."""
    ch = d.finite_state_channel(d.trapdoor_channel(), 6, initial_state=0)
    ref = d.feedback_capacity(ch)
    monkeypatch.setattr(d.capacity, "_STORE_BYTES", 1)  # thin at every check
    fb = d.feedback_capacity(ch)
    assert fb.converged and ref.converged
    assert fb.rate <= ref.upper + 1e-12 and ref.rate <= fb.upper + 1e-12  # the two certified intervals overlap
    assert fb.rate == pytest.approx(ref.rate, abs=1e-7)
