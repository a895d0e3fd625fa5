"""The AR-LLM as a Boltzmann distribution and the modern-Hopfield energy (semtheory.energy, chapter 10)."""

import math

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp, softmax

from semtheory import channel as c
from semtheory import energy as e
from semtheory.sources import MarkovSource
from semtheory.symbolic import energy as se

torch.set_num_threads(1)
seeds = st.integers(0, 2**32 - 1)


def random_problem(seed, N=None, d=None, sphere=False):
    rng = np.random.default_rng(seed)
    N = N or int(rng.integers(1, 9))
    d = d or int(rng.integers(1, 6))
    X = rng.normal(scale=rng.uniform(0.3, 2.0), size=(N, d))
    if sphere:
        X /= np.linalg.norm(X, axis=1, keepdims=True)
    xi = rng.normal(scale=rng.uniform(0.3, 2.0), size=d)
    beta = float(np.exp(rng.uniform(-3, 3)))
    return X, xi, beta


# ----------------------------------------------------------------------------------------------
# Hopfield update = attention
# ----------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_hopfield_update_equals_torch_sdpa(seed):
    """xi <- X softmax(beta X^T xi) is scaled_dot_product_attention(q=xi, k=X, v=X, scale=beta)."""
    X, xi, beta = random_problem(seed)
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(5, X.shape[1]))  # several queries at once
    ours = e.hopfield_update(Q, X, beta)
    t = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(Q)[None], torch.tensor(X)[None], torch.tensor(X)[None], scale=beta
    )[0].numpy()
    np.testing.assert_allclose(ours, t, rtol=1e-10, atol=1e-12)
    # the default 1/sqrt(d_k) scale is the Hopfield update at beta = 1/sqrt(d)
    t2 = torch.nn.functional.scaled_dot_product_attention(torch.tensor(Q)[None], torch.tensor(X)[None], torch.tensor(X)[None])[0]
    np.testing.assert_allclose(e.hopfield_update(Q, X, 1 / math.sqrt(X.shape[1])), t2.numpy(), rtol=1e-10, atol=1e-12)
    # and the numpy reference attention agrees with separate keys and values
    V = rng.normal(size=(X.shape[0], 3))
    t3 = torch.nn.functional.scaled_dot_product_attention(torch.tensor(Q)[None], torch.tensor(X)[None], torch.tensor(V)[None], scale=beta)
    np.testing.assert_allclose(e.softmax_attention(Q, X, V, scale=beta), t3[0].numpy(), rtol=1e-10, atol=1e-12)


def test_softmax_attention_causal_matches_torch():
    rng = np.random.default_rng(1)
    Q, K, V = rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 3))
    t = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(a) for a in (Q, K, V)), is_causal=True)
    np.testing.assert_allclose(e.softmax_attention(Q, K, V, causal=True), t.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_weights_energy_and_gradient(seed):
    X, xi, beta = random_problem(seed)
    z = X @ xi
    p = e.attention_weights(xi, X, beta)
    np.testing.assert_allclose(p, softmax(beta * z), rtol=1e-10, atol=1e-14)
    E = -logsumexp(beta * z) / beta + 0.5 * xi @ xi
    assert e.hopfield_energy(xi, X, beta, constant=False) == pytest.approx(E, rel=1e-10, abs=1e-10)
    M2 = np.max(np.sum(X * X, axis=1))
    assert e.hopfield_energy(xi, X, beta) == pytest.approx(E + math.log(len(X)) / beta + M2 / 2, rel=1e-10, abs=1e-10)
    assert e.lse(z, beta) == pytest.approx(logsumexp(beta * z) / beta, rel=1e-12, abs=1e-12)
    # gradient by central differences, and update = xi - grad E
    g = e.hopfield_gradient(xi, X, beta)
    h = 1e-6
    num = [(e.hopfield_energy(xi + h * u, X, beta) - e.hopfield_energy(xi - h * u, X, beta)) / (2 * h) for u in np.eye(len(xi))]
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e.hopfield_update(xi, X, beta), xi - g, rtol=1e-12, atol=1e-12)


def test_energy_bounds_on_the_convex_hull():
    """Ramsauer et al.'s normalisation: 0 <= E <= 2 M^2 for states in the convex hull of the patterns."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        X, _, beta = random_problem(int(rng.integers(1 << 30)))
        w = rng.dirichlet(np.ones(len(X)))
        E = e.hopfield_energy(w @ X, X, beta)
        M2 = np.max(np.sum(X * X, axis=1))
        assert -1e-12 <= E <= 2 * M2 + 1e-12


# ----------------------------------------------------------------------------------------------
# CCCP: the energy never increases
# ----------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=seeds)
def test_energy_is_monotone_along_updates(seed):
    X, xi, beta = random_problem(seed)
    r = e.hopfield_retrieve(xi, X, beta, max_iter=60)
    E = r.energies
    assert np.all(np.diff(E) <= 1e-12 * (1 + np.abs(E[:-1])))
    # the energies recorded are those of the trajectory
    np.testing.assert_allclose(E, e.hopfield_energy(r.trajectory, X, beta))


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_cccp_bound_majorises_touches_and_is_minimised_by_the_update(seed):
    X, xt, beta = random_problem(seed)
    rng = np.random.default_rng(seed)
    pts = rng.normal(scale=3.0, size=(20, X.shape[1]))
    U = e.cccp_bound(pts, xt, X, beta)
    assert np.all(U >= e.hopfield_energy(pts, X, beta) - 1e-9)
    assert e.cccp_bound(xt, xt, X, beta) == pytest.approx(e.hopfield_energy(xt, X, beta), abs=1e-10)
    new = e.hopfield_update(xt, X, beta)
    # U is 1/2 |xi - new|^2 + const: every other point is higher
    assert np.all(U >= e.cccp_bound(new, xt, X, beta) - 1e-10)
    np.testing.assert_allclose(U - e.cccp_bound(new, xt, X, beta), 0.5 * np.sum((pts - new) ** 2, axis=1), rtol=1e-8, atol=1e-8)


# ----------------------------------------------------------------------------------------------
# Limits: beta -> infinity retrieves the nearest pattern, beta -> 0 the mean
# ----------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(seed=seeds)
def test_retrieval_bounds_hold(seed):
    X, xi, beta = random_problem(seed)
    b = e.retrieval_error_bounds(xi, X, beta)
    new = e.hopfield_update(xi, X, beta)
    j = e.nearest_pattern(xi, X)
    assert np.linalg.norm(new - X[j]) <= b.to_nearest + 1e-12
    assert np.linalg.norm(new - X.mean(axis=0)) <= b.to_mean + 1e-12


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_large_beta_retrieves_nearest_pattern_and_small_beta_the_mean(seed):
    X, xi, _ = random_problem(seed, sphere=True)
    j = e.nearest_pattern(xi, X)
    assert j == int(np.argmin(np.linalg.norm(X - xi, axis=1)))  # equal norms: overlap = distance
    gap = e.retrieval_error_bounds(xi, X, 1.0).gap
    if len(X) > 1 and gap > 1e-3:
        beta = 60.0 / gap
        np.testing.assert_allclose(e.hopfield_update(xi, X, beta), X[j], atol=1e-12)
    np.testing.assert_allclose(e.hopfield_update(xi, X, 1e-9), X.mean(axis=0), atol=1e-7)


def test_fixed_points_regimes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 2))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    starts = rng.normal(scale=2, size=(200, 2))
    hot = e.hopfield_fixed_points(X, 0.1, starts)
    assert len(hot.points) == 1 and hot.basin[0] == 200  # one global-average fixed point
    np.testing.assert_allclose(hot.points[0], e.hopfield_update(hot.points[0], X, 0.1), atol=1e-9)
    cold = e.hopfield_fixed_points(X, 50.0, starts)
    assert len(cold.points) == 4 and np.all(cold.max_weight > 0.99)  # one fixed point per stored pattern
    for p in cold.points:
        assert np.min(np.linalg.norm(X - p, axis=1)) < 1e-2
    assert cold.basin.sum() == 200 and np.all(np.diff(cold.energies) >= 0)


# ----------------------------------------------------------------------------------------------
# The general AR-LLM as a Boltzmann distribution
# ----------------------------------------------------------------------------------------------


def test_every_language_model_is_an_energy_lm():
    src = MarkovSource.random(3, order=2, seed=4)
    lm = e.as_energy_lm(src)
    for ctx in [(), (1,), (0, 2), (2, 1, 0, 0)]:
        np.testing.assert_allclose(lm.next_token_logprobs(ctx), src.next_token_logprobs(ctx), atol=1e-12)
        assert lm.free_energy(ctx) == pytest.approx(0.0, abs=1e-12)
        np.testing.assert_allclose(c.boltzmann(e.token_energies(src, ctx)), src.next_token_probs(ctx), atol=1e-12)
    # the state of the Markov source (last two tokens) is kept: sequence laws agree exactly
    np.testing.assert_allclose(c.sequence_law(lm, 4), c.sequence_law(src, 4), atol=1e-12)


def test_energy_lm_with_a_recurrent_state_and_temperature():
    """A fixed-size recurrent state: s_t = (count of token 0 mod 3, last token)."""
    rng = np.random.default_rng(2)
    W = rng.normal(size=(3, 4, 4))

    def update(s, v):
        return ((s[0] + (v == 0)) % 3, v)

    lm = e.EnergyLM(lambda s: W[s[0], s[1]], update, (0, 3), 4, temperature=0.7)
    ctx = [0, 1, 0, 2]
    s = lm.initial_state(ctx)
    assert s == (2, 2)
    np.testing.assert_allclose(np.exp(lm.next_token_logprobs(ctx)), softmax(-W[2, 2] / 0.7))
    assert lm.free_energy(ctx) == pytest.approx(-0.7 * logsumexp(-W[2, 2] / 0.7))
    assert lm.next_state(s, 0) == (0, 0)
    law = c.sequence_law(lm, 3, prompt=[1])
    assert law.sum() == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------------
# Symbolic derivations
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [se.hopfield_energy_gradient, se.cccp_step, se.fixed_point_is_stationary, se.lse_hessian,
                                se.small_beta_limit])
def test_sympy_derivations_hold(fn):
    d = fn()
    assert d.chapter == "10" and d.holds()


def test_a_wrong_derivation_does_not_hold():
    d = se.hopfield_energy_gradient()
    X, xi, beta, p, E = se.symbols()
    assert not type(d)(d.name, d.lhs, d.rhs + p[0] * X[0, 0], d.proves, d.chapter).holds()
    d2 = se.small_beta_limit()
    assert not type(d2)(d2.name, d2.lhs, d2.rhs * 2, d2.proves, d2.chapter).holds()


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------

X0, xi0 = np.eye(3)[:2], np.ones(3)
BAD = [
    (lambda: e.hopfield_energy(xi0, X0, 0.0), "beta"),
    (lambda: e.hopfield_energy(xi0, X0, -1.0), "beta"),
    (lambda: e.hopfield_energy(xi0, X0, float("nan")), "beta"),
    (lambda: e.hopfield_update(np.ones(2), X0, 1.0), "xi"),
    (lambda: e.hopfield_update([np.nan, 0, 0], X0, 1.0), "xi"),
    (lambda: e.hopfield_update(xi0, np.ones(3), 1.0), "patterns"),
    (lambda: e.hopfield_update(xi0, np.zeros((0, 3)), 1.0), "patterns"),
    (lambda: e.hopfield_update(xi0, [[np.inf, 0, 0]], 1.0), "patterns"),
    (lambda: e.attention_weights(xi0, X0, "hot"), "beta"),
    (lambda: e.hopfield_gradient(np.ones(4), X0, 1.0), "xi"),
    (lambda: e.cccp_bound(xi0, np.ones(2), X0, 1.0), "xi_t"),
    (lambda: e.hopfield_retrieve(np.ones((2, 3)), X0, 1.0), "xi"),
    (lambda: e.hopfield_retrieve(xi0, X0, 1.0, max_iter=0), "max_iter"),
    (lambda: e.hopfield_retrieve(xi0, X0, 1.0, tol=0), "tol"),
    (lambda: e.hopfield_fixed_points(X0, 1.0, xi0), "starts"),
    (lambda: e.hopfield_fixed_points(X0, 1.0, np.ones((2, 2))), "starts"),
    (lambda: e.hopfield_fixed_points(X0, 1.0, np.ones((2, 3)), merge=-1), "merge"),
    (lambda: e.nearest_pattern(np.ones(2), X0), "xi"),
    (lambda: e.retrieval_error_bounds(np.ones((2, 3)), X0, 1.0), "xi"),
    (lambda: e.retrieval_error_bounds(xi0, X0, 0), "beta"),
    (lambda: e.lse([], 1.0), "z"),
    (lambda: e.lse([1.0, np.nan], 1.0), "z"),
    (lambda: e.lse([1.0], 0), "beta"),
    (lambda: e.softmax_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 1))), "Q and K"),
    (lambda: e.softmax_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 1))), "K and V"),
    (lambda: e.softmax_attention(np.ones(3), np.ones((2, 3)), np.ones((2, 1))), "Q"),
    (lambda: e.softmax_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), scale=0), "scale"),
    (lambda: e.EnergyLM(None, lambda s, v: s, 0, 3), "energy"),
    (lambda: e.EnergyLM(lambda s: np.zeros(3), None, 0, 3), "update"),
    (lambda: e.EnergyLM(lambda s: np.zeros(3), lambda s, v: s, 0, 0), "vocab_size"),
    (lambda: e.EnergyLM(lambda s: np.zeros(3), lambda s, v: s, 0, 3, temperature=0), "temperature"),
    (lambda: e.EnergyLM(lambda s: np.zeros(2), lambda s, v: s, 0, 3).next_token_logprobs([0]), r"energy\(state\)"),
    (lambda: e.EnergyLM(lambda s: np.zeros(3), lambda s, v: s, 0, 3).next_token_logprobs([5]), "prompt"),
    (lambda: e.EnergyLM(lambda s: np.zeros(3), lambda s, v: s, 0, 3).next_state(0, 3), "token"),
    (lambda: e.EnergyLM(lambda s: [0.0, np.nan, 1.0], lambda s, v: s, 0, 3).next_token_logprobs([]), "NaN"),
    (lambda: e.as_energy_lm("model"), "model"),
    (lambda: e.token_energies(MarkovSource.two_state(0.1, 0.2), [0, 2]), "context"),
    (lambda: e.token_energies(MarkovSource.two_state(0.1, 0.2), [0], temperature=-1), "temperature"),
]


@pytest.mark.parametrize("call, arg", BAD)
def test_bad_input_raises_naming_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
