"""The probabilistic model of an LLM (semtheory.channel, chapter 4): interface, Boltzmann form, decoding maps,
the channel with feedback and state, and bad input for every public function."""

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp, softmax

from semtheory import channel as c
from semtheory import directed as d
from semtheory import measures as m
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import boltzmann as sb

LN2 = math.log(2)
seeds = st.integers(0, 2**32 - 1)


def random_energies(seed, V=None, masked=0, batch=()):
    rng = np.random.default_rng(seed)
    V = V or int(rng.integers(2, 12))
    E = rng.normal(scale=rng.uniform(0.1, 4.0), size=batch + (V,))
    if masked:
        idx = rng.choice(V, size=min(masked, V - 1), replace=False)
        E[..., idx] = np.inf
    return E


class ContextLM(c.LanguageModel):
    """A model that uses its whole context (default state protocol): logits depend on counts and the last token."""

    def __init__(self, V=3, seed=0):
        self.vocab_size = V
        rng = np.random.default_rng(seed)
        self.W = rng.normal(size=(V + 1, V))
        self.a = rng.normal(size=V)

    def next_token_logprobs(self, context):
        ctx = np.asarray(context, dtype=np.int64)
        last = ctx[-1] if len(ctx) else self.vocab_size
        z = self.W[last] + self.a * np.bincount(ctx, minlength=self.vocab_size)
        return z - logsumexp(z)


class Wrapped(c.LanguageModel):
    """Only next_token_logprobs of another model: the default (whole-context) state protocol."""

    def __init__(self, inner):
        self.inner = inner
        self.vocab_size = inner.vocab_size

    def next_token_logprobs(self, context):
        return self.inner.next_token_logprobs(context)


# ==============================================================================================
# Interface contract
# ==============================================================================================


@settings(max_examples=25, deadline=None)
@given(seed=seeds, V=st.integers(2, 4), order=st.integers(0, 2), n=st.integers(1, 6), plen=st.integers(0, 3))
def test_log_prob_is_sum_of_token_logprobs(seed, V, order, n, plen):
    lm = c.MarkovLM.random(V, order, seed=seed)
    rng = np.random.default_rng(seed)
    seq, prompt = rng.integers(0, V, n), rng.integers(0, V, plen)
    tl = lm.token_logprobs(seq, prompt=prompt, base=math.e)
    assert lm.log_prob(seq, prompt=prompt) == pytest.approx(tl.sum() / LN2, abs=1e-12)
    assert lm.log_prob(seq, prompt=prompt, base=math.e) == pytest.approx(tl.sum(), abs=1e-12)
    assert lm.cross_entropy(seq, prompt=prompt) == pytest.approx(-tl.mean() / LN2, abs=1e-12)
    assert lm.perplexity(seq, prompt=prompt) == pytest.approx(math.exp(-tl.mean()), rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=seeds, V=st.integers(2, 3), order=st.integers(0, 4), n=st.integers(1, 4), plen=st.integers(0, 2))
def test_sequence_law_is_exact(seed, V, order, n, plen):
    lm = c.MarkovLM.random(V, order, seed=seed)
    prompt = np.random.default_rng(seed).integers(0, V, plen)
    law = c.sequence_law(lm, n, prompt=prompt)
    assert law.shape == (V,) * n and law.sum() == pytest.approx(1.0, abs=1e-12)
    for s in itertools.islice(itertools.product(range(V), repeat=n), 20):
        assert math.log(law[s]) == pytest.approx(lm.log_prob(s, prompt=prompt, base=math.e), abs=1e-10)
    np.testing.assert_allclose(law.sum(axis=tuple(range(1, n))) if n > 1 else law, lm.next_token_probs(prompt), atol=1e-12)
    # the fixed-size state of MarkovLM gives the same law as the whole context
    np.testing.assert_allclose(c.sequence_law(Wrapped(lm), n, prompt=prompt), law, atol=1e-13)


def test_sequence_law_default_state_and_chain_rule():
    lm = ContextLM(3, seed=5)
    law = c.sequence_law(lm, 4, prompt=[2, 0])
    assert law.sum() == pytest.approx(1.0, abs=1e-12)
    p = 1.0
    ctx = [2, 0]
    for v in (1, 1, 0, 2):
        p *= lm.next_token_probs(ctx)[v]
        ctx.append(v)
    assert law[1, 1, 0, 2] == pytest.approx(p, rel=1e-12)
    assert lm.initial_state([2, 0]) == (2, 0) and lm.next_state((2, 0), 1) == (2, 0, 1)


def test_markov_lm_tables():
    rng = np.random.default_rng(1)
    q = rng.dirichlet(np.ones(3))
    iid = c.MarkovLM(q)
    assert iid.order == 0
    np.testing.assert_allclose(c.sequence_law(iid, 3), np.einsum("a,b,c->abc", q, q, q), atol=1e-14)
    init = rng.dirichlet(np.ones(9)).reshape(3, 3)
    T = rng.dirichlet(np.ones(3), size=(3, 3))
    lm = c.MarkovLM(T, initial=init)
    np.testing.assert_allclose(c.sequence_law(lm, 2), init, atol=1e-14)
    law = c.sequence_law(lm, 3)
    np.testing.assert_allclose(law, init[:, :, None] * T, atol=1e-14)
    assert lm.initial_state([0, 1, 2]) == (1, 2)
    assert lm.next_state((1, 2), 0) == (2, 0)
    assert lm.initial_state([2]) == (2,)
    # the state is the last min(order, t) tokens at every length
    lm4 = c.MarkovLM.random(2, 4, seed=0)
    st4 = lm4.initial_state()
    ctx = []
    for v in (1, 0, 1, 1, 0, 0):
        st4, ctx = lm4.next_state(st4, v), ctx + [v]
        assert st4 == tuple(ctx[-4:])
    assert lm4.initial_state([1, 0, 1]) == (1, 0, 1)
    # a context of probability zero under `initial` gets the uniform law, documented
    init0 = np.zeros((2, 2))
    init0[0] = [0.5, 0.5]
    lm0 = c.MarkovLM(np.full((2, 2, 2), 0.5), initial=init0)
    np.testing.assert_allclose(lm0.next_token_probs([1]), [0.5, 0.5])


def test_sample_is_seeded_and_follows_the_law():
    lm = c.MarkovLM.random(3, 2, seed=3)
    a = lm.sample(20, prompt=[1], seed=11)
    assert np.array_equal(a, lm.sample(20, prompt=[1], seed=11))
    assert not np.array_equal(a, lm.sample(20, prompt=[1], seed=12))
    # Monte Carlo frequencies of 2-token sequences against the exact law
    law = c.sequence_law(lm, 2, prompt=[1])
    rng = np.random.default_rng(0)
    counts = np.zeros((3, 3))
    for _ in range(3000):
        s = lm.sample(2, prompt=[1], seed=rng)
        counts[tuple(s)] += 1
    assert np.abs(counts / 3000 - law).max() < 0.035
    # temperature in sample() is the same map as DecodedLM(temperature=...)
    dec = c.DecodedLM(lm, temperature=0.7)
    assert np.array_equal(lm.sample(30, seed=5, temperature=0.7), dec.sample(30, seed=5))


def test_decoded_lm_law_is_the_decoded_product():
    lm = c.MarkovLM.random(4, 1, seed=9)
    dec = c.DecodedLM(lm, temperature=0.8, top_k=3, top_p=0.9)
    law = c.sequence_law(dec, 3, prompt=[2])
    assert law.sum() == pytest.approx(1.0, abs=1e-12)
    expect = 1.0
    ctx = [2]
    for v in (0, 3, 1):
        expect *= np.exp(c.decode(lm.next_token_logprobs(ctx), temperature=0.8, top_k=3, top_p=0.9))[v]
        ctx.append(v)
    assert law[0, 3, 1] == pytest.approx(expect, rel=1e-12, abs=1e-300)
    assert (law > 0).sum() <= 27  # top-3 keeps at most 3 tokens per step


def test_boltzmann_lm():
    W = np.random.default_rng(2).normal(size=(4, 4))
    lm = c.BoltzmannLM(lambda ctx: W[ctx[-1]] if len(ctx) else np.zeros(4), 4, temperature=0.5)
    np.testing.assert_allclose(lm.next_token_probs([1]), softmax(-W[1] / 0.5), atol=1e-14)
    masked = c.BoltzmannLM(lambda ctx: np.array([0.0, np.inf, 1.0, np.inf]), 4)
    assert masked.next_token_probs([])[[1, 3]].tolist() == [0.0, 0.0]
    assert set(masked.sample(50, seed=0)) <= {0, 2}


# ==============================================================================================
# Boltzmann form
# ==============================================================================================


@settings(max_examples=40, deadline=None)
@given(seed=seeds, T=st.floats(0.05, 20.0), masked=st.integers(0, 3))
def test_boltzmann_identities(seed, T, masked):
    E = random_energies(seed, masked=masked)
    P = c.boltzmann(E, T)
    assert P.sum() == pytest.approx(1.0, abs=1e-12)
    fin = np.isfinite(E)
    np.testing.assert_allclose(P[fin], softmax(-E[fin] / T), atol=1e-12)
    assert np.all(P[~fin] == 0)
    F, logZ = c.free_energy(E, T), c.log_partition(E, T)
    assert F == pytest.approx(-T * logZ, abs=1e-9 * (1 + abs(F)))
    U, S = c.mean_energy(E, T), c.boltzmann_entropy(E, T, base=math.e)
    assert math.isfinite(S) and math.isfinite(U)
    assert F == pytest.approx(U - T * S, abs=1e-9 * (1 + abs(U)))
    assert S == pytest.approx(m.entropy(P, base=math.e), abs=1e-10)
    assert c.boltzmann_entropy(E, T) == pytest.approx(S / LN2, abs=1e-12)
    # shift invariance: only F moves
    np.testing.assert_allclose(c.boltzmann(E + 3.7, T), P, atol=1e-12)
    assert c.free_energy(E + 3.7, T) == pytest.approx(F + 3.7, abs=1e-9 * (1 + abs(F)))
    # Gibbs variational principle: F = min_q E_q[E] - T H(q); any other q is worse
    q = np.random.default_rng(seed).dirichlet(np.ones(fin.sum()))
    val = q @ E[fin] - T * m.entropy(q, base=math.e)
    assert val >= F - 1e-9


def _torch_F(E, T):
    return -T * torch.logsumexp(-E / T, dim=-1)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, T=st.floats(0.1, 10.0), masked=st.integers(0, 2))
def test_free_energy_gradient_by_autograd(seed, T, masked):
    E = random_energies(seed, masked=masked)
    Et = torch.tensor(E, dtype=torch.float64, requires_grad=True)
    Tt = torch.tensor(T, dtype=torch.float64, requires_grad=True)
    F = _torch_F(Et, Tt)
    assert F.item() == pytest.approx(c.free_energy(E, T), abs=1e-10 * (1 + abs(F.item())))
    (gE,) = torch.autograd.grad(F, Et)
    np.testing.assert_allclose(gE.numpy(), c.boltzmann(E, T), atol=1e-12)  # dF/dE = P
    # dF/dT: masked tokens carry no weight (torch would form inf * 0 for them), so drop them
    (gT,) = torch.autograd.grad(_torch_F(torch.tensor(E[np.isfinite(E)]), Tt), Tt)
    assert gT.item() == pytest.approx(-c.boltzmann_entropy(E, T, base=math.e), abs=1e-10)  # dF/dT = -S


def test_free_energy_hessian_by_autograd():
    E = random_energies(4, V=6)
    T = 0.7
    H = torch.autograd.functional.hessian(lambda e: _torch_F(e, T), torch.tensor(E)).numpy()
    P = c.boltzmann(E, T)
    np.testing.assert_allclose(H, -(np.diag(P) - np.outer(P, P)) / T, atol=1e-12)


def test_sympy_derivations_hold_and_a_wrong_one_does_not():
    for fn in (
        sb.free_energy_gradient,
        sb.free_energy_temperature_derivative,
        sb.free_energy_decomposition,
        sb.entropy_temperature_derivative,
        sb.energy_shift_invariance,
        sb.truncation_kl,
    ):
        der = fn()
        assert der.holds(), fn.__name__
        assert der.chapter == "4"
    E, T, Z, P, F, U, S = sb.symbols()
    # a wrong index (dF/dE_1 = P_2) is refused: holds() can fail
    assert not sb.Derivation("wrong index", sb.free_energy_gradient().lhs, P[1], "x", "4").holds()


@settings(max_examples=30, deadline=None)
@given(seed=seeds, masked=st.integers(0, 3))
def test_entropy_monotone_in_temperature(seed, masked):
    E = random_energies(seed, masked=masked)
    Ts = np.geomspace(0.01, 100.0, 60)
    H = np.array([c.boltzmann_entropy(E, T) for T in Ts])
    assert np.all(np.diff(H) >= -1e-10)
    # and its derivative is Var_P(E)/T^3 (central differences)
    T, h = 1.3, 1e-5
    num = (c.boltzmann_entropy(E, T + h, base=math.e) - c.boltzmann_entropy(E, T - h, base=math.e)) / (2 * h)
    P = c.boltzmann(E, T)
    fin = np.isfinite(E)
    var = P[fin] @ E[fin] ** 2 - (P[fin] @ E[fin]) ** 2
    assert num == pytest.approx(var / T**3, rel=1e-5, abs=1e-8)


def test_temperature_limits():
    E = np.array([2.0, 0.5, 0.5 + 1e-3, 3.0, np.inf])
    P0 = c.boltzmann(E, 1e-8)
    np.testing.assert_array_equal(P0, [0, 1, 0, 0, 0])
    assert c.free_energy(E, 1e-8) == pytest.approx(0.5, abs=1e-7)
    assert c.boltzmann_entropy(E, 1e-8) == pytest.approx(0.0, abs=1e-12)
    # ties share the T -> 0 mass, as greedy_map does
    Et = np.array([1.0, 0.0, 0.0, np.inf])
    np.testing.assert_allclose(c.boltzmann(Et, 1e-9), [0, 0.5, 0.5, 0])
    np.testing.assert_allclose(c.boltzmann(Et, 1e-9), np.exp(c.greedy_map(-Et)))
    assert c.boltzmann_entropy(Et, 1e-9) == pytest.approx(1.0, abs=1e-12)
    # T -> infinity: uniform on the unmasked tokens
    np.testing.assert_allclose(c.boltzmann(E, 1e9), [0.25] * 4 + [0], atol=1e-8)
    assert c.boltzmann_entropy(E, 1e9) == pytest.approx(2.0, abs=1e-8)
    # extreme temperatures stay finite and exact
    lp = c.boltzmann_logprobs(E, 1e-300)
    assert not np.isnan(lp).any() and lp[1] == 0.0 and np.all(lp[[0, 2, 3, 4]] < -1e290)
    np.testing.assert_array_equal(c.boltzmann(E, 1e-300), [0, 1, 0, 0, 0])
    assert np.isfinite(c.free_energy(E, 1e300))


def test_batched_energies():
    E = random_energies(0, V=5, batch=(3, 2))
    P = c.boltzmann(E, 0.9)
    assert P.shape == (3, 2, 5)
    np.testing.assert_allclose(P.sum(-1), 1.0)
    F = c.free_energy(E, 0.9)
    assert F.shape == (3, 2)
    assert F[1, 0] == pytest.approx(c.free_energy(E[1, 0], 0.9))
    assert c.boltzmann_entropy(E, 0.9).shape == (3, 2)
    assert c.mean_energy(E, 0.9).shape == (3, 2)


# ==============================================================================================
# Decoding maps
# ==============================================================================================


def random_logits(seed, masked=0):
    return -random_energies(seed, masked=masked)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, k=st.integers(1, 15), masked=st.integers(0, 3))
def test_top_k_properties(seed, k, masked):
    L = random_logits(seed, masked)
    p = np.exp(L - logsumexp(L))
    q = np.exp(c.top_k_map(L, k))
    unmasked = int(np.isfinite(L).sum())
    S = q > 0
    assert S.sum() == min(k, unmasked)
    assert q.sum() == pytest.approx(1.0, abs=1e-12)
    # the kept tokens are the most probable ones
    if S.sum() < unmasked:
        assert p[S].min() >= p[~S].max()
    # explicit renormalisation: q = p 1_S / p(S); ratios preserved
    np.testing.assert_allclose(q[S], p[S] / p[S].sum(), rtol=1e-10)
    cost = c.decoding_cost(L, top_k=k, base=math.e)
    assert cost.mass_kept == pytest.approx(p[S].sum(), rel=1e-12)
    assert cost.kl == pytest.approx(-math.log(p[S].sum()), abs=1e-10)
    assert cost.support == S.sum()
    assert cost.kl == pytest.approx(m.kl_divergence(q, p, base=math.e), abs=1e-10)
    assert cost.entropy == pytest.approx(m.entropy(q, base=math.e), abs=1e-10)
    assert cost.entropy_before == pytest.approx(m.entropy(p, base=math.e), abs=1e-10)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, pv=st.floats(0.01, 1.0), masked=st.integers(0, 3))
def test_top_p_properties(seed, pv, masked):
    L = random_logits(seed, masked)
    p = np.exp(L - logsumexp(L))
    q = np.exp(c.top_p_map(L, pv))
    S = q > 0
    assert q.sum() == pytest.approx(1.0, abs=1e-12)
    kept = p[S].sum()
    assert kept >= pv - 1e-12  # mass reaches p
    assert p[S].min() >= p[~S & (p > 0)].max(initial=0.0)  # the nucleus is a top set
    # minimal: dropping the least probable kept token falls short of p
    if S.sum() > 1:
        assert kept - p[S].min() < pv + 1e-12
    np.testing.assert_allclose(q[S], p[S] / kept, rtol=1e-10)
    assert c.decoding_cost(L, top_p=pv, base=2).kl == pytest.approx(-math.log2(kept), abs=1e-10)
    # the nucleus grows with p
    bigger = np.exp(c.top_p_map(L, min(1.0, pv + 0.1))) > 0
    assert np.all(bigger[S])


def test_top_p_boundary_and_identity():
    L = np.log([0.5, 0.3, 0.2])
    np.testing.assert_allclose(np.exp(c.top_p_map(L, 0.8)), [0.625, 0.375, 0.0], atol=1e-12)
    np.testing.assert_allclose(np.exp(c.top_p_map(L, 0.81)), [0.5, 0.3, 0.2], atol=1e-12)
    np.testing.assert_allclose(c.top_p_map(L, 1.0), L, atol=1e-12)
    np.testing.assert_allclose(c.top_k_map(L, 3), L, atol=1e-12)
    np.testing.assert_allclose(c.top_k_map(L, 50), L, atol=1e-12)
    np.testing.assert_allclose(np.exp(c.top_p_map(L, 1e-9)), [1, 0, 0])
    # p = 1 keeps every unmasked token, however small its mass
    Lt = np.array([0.0, -40.0, -np.inf])
    assert np.isfinite(c.top_p_map(Lt, 1.0)[1]) and np.isneginf(c.top_p_map(Lt, 1.0)[2])
    # ties are broken by the lower token id
    np.testing.assert_allclose(np.exp(c.top_k_map(np.zeros(4), 2)), [0.5, 0.5, 0, 0])


@settings(max_examples=30, deadline=None)
@given(seed=seeds, T=st.floats(0.05, 10.0), masked=st.integers(0, 2))
def test_temperature_and_greedy_maps(seed, T, masked):
    L = random_logits(seed, masked)
    lp = L - logsumexp(L)
    np.testing.assert_allclose(c.temperature_map(L, T), c.boltzmann_logprobs(-L, T), atol=1e-12)
    np.testing.assert_allclose(c.temperature_map(lp, 1.0), lp, atol=1e-12)
    g = np.exp(c.greedy_map(L))
    assert g[np.argmax(L)] == 1.0 and g.sum() == 1.0
    np.testing.assert_allclose(np.exp(c.temperature_map(L, 1e-9)), g, atol=1e-9)
    np.testing.assert_allclose(c.decode(L, greedy=True, temperature=T, top_k=2), c.greedy_map(L))
    # composition order: temperature, then top-k, then top-p
    np.testing.assert_allclose(
        c.decode(L, temperature=T, top_k=3, top_p=0.7),
        c.top_p_map(c.top_k_map(c.temperature_map(L, T), 3), 0.7),
        atol=1e-12,
    )
    cost = c.decoding_cost(L, temperature=T)
    assert cost.mass_kept == pytest.approx(1.0) and cost.support == np.isfinite(L).sum()
    assert math.isfinite(cost.kl) and math.isfinite(cost.entropy)
    # greedy costs the surprisal of the argmax
    assert c.decoding_cost(L, greedy=True, base=math.e).kl == pytest.approx(-lp.max(), abs=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, masked=st.integers(0, 3))
def test_log_domain_measures_agree_with_measures(seed, masked):
    rng = np.random.default_rng(seed)
    L1, L2 = random_logits(seed, masked), rng.normal(size=0)
    L2 = L1 + rng.normal(size=L1.shape)  # same mask
    l1, l2 = L1 - logsumexp(L1), L2 - logsumexp(L2)
    p1, p2 = np.exp(l1), np.exp(l2)
    assert c.logprob_entropy(l1) == pytest.approx(m.entropy(p1), abs=1e-10)
    assert c.logprob_kl(l1, l2) == pytest.approx(m.kl_divergence(p1, p2), abs=1e-10)
    assert math.isfinite(c.logprob_kl(l1, l2))
    # mass where the other has none: infinite, honestly
    if masked:
        full = np.zeros_like(L1) - math.log(L1.size)
        assert c.logprob_kl(full, l1) == math.inf
    # log-domain precision where probabilities underflow
    tiny = np.array([0.0, -800.0])
    tiny -= logsumexp(tiny)
    assert c.logprob_kl(tiny[::-1] - logsumexp(tiny[::-1]), tiny, base=math.e) == pytest.approx(800.0, rel=1e-9)


# ==============================================================================================
# The LLM as a channel with feedback and state
# ==============================================================================================


def test_interleave():
    np.testing.assert_array_equal(c.interleave([1, 2, 3], [4, 5]), [1, 4, 2, 5, 3])
    np.testing.assert_array_equal(c.interleave([1, 2], [4, 5]), [1, 4, 2, 5])


@settings(max_examples=12, deadline=None)
@given(seed=seeds, repeat=st.floats(0.0, 1.0), n=st.integers(1, 3), V=st.integers(2, 3))
def test_interaction_law_di_mi_and_conservation(seed, repeat, n, V):
    if V == 3 and n == 3:
        n = 2
    lm = c.MarkovLM.random(V, 2, seed=seed)
    q = np.random.default_rng(seed).dirichlet(np.ones(V))
    J = c.interaction_law(lm, c.echo_inputs(q, repeat), n)
    assert J.shape == (V,) * (2 * n) and J.sum() == pytest.approx(1.0, abs=1e-12)
    cons = d.conservation(J)
    assert abs(cons.residual) < 1e-10
    assert cons.directed <= cons.mutual + 1e-10 and cons.directed >= -1e-12 and cons.reverse >= -1e-12
    J0 = c.interaction_law(lm, q, n)  # no feedback
    c0 = d.conservation(J0)
    assert c0.directed == pytest.approx(c0.mutual, abs=1e-10) and abs(c0.reverse) < 1e-10
    # inputs without feedback are i.i.d. q
    xm = m.marginal(J0, d.x_axes(n))
    np.testing.assert_allclose(xm, np.einsum(",".join("abc"[:n]) + "->" + "abc"[:n], *([q] * n)), atol=1e-12)


def test_interaction_kernels_are_the_model_read_through_its_state():
    lm = c.MarkovLM.random(2, 2, seed=1)
    pol, ch = c.interaction_kernels(lm, c.echo_inputs([0.3, 0.7], 0.5), 3, prompt=[1])
    # P(y_3 | x^3, y^2) = P_model(. | prompt, x1 y1 x2 y2 x3)
    x, y = (1, 0, 1), (1, 1)
    ctx = [1] + list(c.interleave(x, y))
    np.testing.assert_allclose(ch[2][x + y], lm.next_token_probs(ctx), atol=1e-14)
    # the echo policy uses the last output
    np.testing.assert_allclose(pol[1][(0, 1)], 0.5 * np.array([0.3, 0.7]) + [0, 0.5])
    J = d.joint_law(pol, ch)
    pol2, ch2 = d.causal_kernels(J)
    np.testing.assert_allclose(ch2[2][x + y], ch[2][x + y], atol=1e-12)


@pytest.mark.parametrize("prompt", [(), (1, 0)])
def test_a_kernel_user_and_the_same_user_as_a_callable_give_one_law(prompt):
    """One interaction_law for every kind of user: a memory-one kernel (with its law of X_1) and the callable
    that reads the same kernel off the history give the same law; the kernel also drives the simulation."""
    lm = c.MarkovLM.random(2, 2, seed=3)
    rng = np.random.default_rng(3)
    K, f = rng.dirichlet(np.ones(2), size=(2, 2)), np.array([0.3, 0.7])

    def user(x_hist, y_hist):
        return f if len(x_hist) == 0 else K[x_hist[-1], y_hist[-1]]

    J = c.interaction_law(lm, K, 3, prompt=prompt, first=f)
    np.testing.assert_allclose(J, c.interaction_law(lm, user, 3, prompt=prompt), atol=1e-14)
    ch = c.interaction_channel(lm, 3, prompt=prompt)
    np.testing.assert_allclose(c.interaction_law(lm, K, 3, prompt=prompt, first=f, channel=ch), J, atol=0)
    tr = c.simulate_interaction(lm, K, 3, prompt=prompt, first=f, seed=0)
    assert J[tuple(tr.inputs) + tuple(tr.outputs)] > 0


def test_first_goes_only_with_a_kernel_user_and_a_user_has_one_of_three_shapes():
    lm = c.MarkovLM.random(2, 2, seed=3)
    with pytest.raises(ValueError, match="first"):
        c.interaction_law(lm, [0.5, 0.5], 2, first=[0.5, 0.5])
    with pytest.raises(ValueError, match="user"):
        c.interaction_law(lm, np.full((2, 2), 0.5), 2)
    with pytest.raises(ValueError, match="user"):
        c.simulate_interaction(lm, np.full((3, 3, 3), 1 / 3), 2)
    with pytest.raises(ValueError, match="channel"):
        c.interaction_law(lm, [0.5, 0.5], 3, channel=c.interaction_channel(lm, 2))


def test_lm_inputs_feedback_and_not():
    user = c.MarkovLM.random(2, 1, seed=4)
    lm = c.MarkovLM.random(2, 2, seed=5)
    no_fb = d.conservation(c.interaction_law(lm, c.lm_inputs(user, feedback=False), 3))
    fb = d.conservation(c.interaction_law(lm, c.lm_inputs(user, feedback=True), 3))
    assert abs(no_fb.reverse) < 1e-10 and no_fb.directed == pytest.approx(no_fb.mutual, abs=1e-10)
    assert fb.reverse > 1e-3 and fb.directed < fb.mutual and abs(fb.residual) < 1e-10


def test_decoding_temperature_inside_the_channel():
    lm = c.MarkovLM.random(2, 2, seed=2)
    pol = c.echo_inputs([0.5, 0.5], 0.5)
    cold = d.conservation(c.interaction_law(c.DecodedLM(lm, temperature=0.3), pol, 3))
    hot = d.conservation(c.interaction_law(c.DecodedLM(lm, temperature=50.0), pol, 3))
    assert abs(cold.residual) < 1e-10 and abs(hot.residual) < 1e-10
    assert hot.directed < 0.01  # near-uniform outputs carry almost nothing about the inputs


def test_simulate_interaction():
    lm = c.MarkovLM.random(3, 2, seed=6)
    pol = c.echo_inputs([0.2, 0.3, 0.5], 0.4)
    tr = c.simulate_interaction(lm, pol, 8, prompt=[2], seed=3)
    tr2 = c.simulate_interaction(lm, pol, 8, prompt=[2], seed=3)
    assert np.array_equal(tr.inputs, tr2.inputs) and np.array_equal(tr.outputs, tr2.outputs)
    np.testing.assert_array_equal(tr.context, np.concatenate([[2], c.interleave(tr.inputs, tr.outputs)]))
    for t, s in enumerate(tr.states):
        assert s == tuple(tr.context[: 1 + 2 * (t + 1)][-2:])  # fixed-size state: the last two tokens
    # default (whole-context) state grows by two tokens per round
    tr3 = c.simulate_interaction(ContextLM(3), pol, 4, seed=1)
    assert [len(s) for s in tr3.states] == [2, 4, 6, 8]
    # Monte Carlo frequencies of (X1, Y1, X2, Y2) against the exact law
    J = c.interaction_law(lm, pol, 2, prompt=[2])
    rng = np.random.default_rng(0)
    cnt = np.zeros(J.shape)
    for _ in range(3000):
        tr = c.simulate_interaction(lm, pol, 2, prompt=[2], seed=rng)
        cnt[tuple(tr.inputs) + tuple(tr.outputs)] += 1
    assert np.abs(cnt / 3000 - J).max() < 0.03


def test_prompt_generation_law():
    lm = c.MarkovLM.random(3, 2, seed=8)
    q = np.random.default_rng(8).dirichlet(np.ones(9)).reshape(3, 3)
    P = c.prompt_generation_law(lm, q, 3)
    assert P.shape == (9, 1, 1, 3, 3, 3) and P.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(P[1 * 3 + 2, 0, 0] / q[1, 2], c.sequence_law(lm, 3, prompt=[1, 2]), atol=1e-13)
    cons = d.conservation(P)
    assert abs(cons.reverse) < 1e-10 and cons.directed == pytest.approx(cons.mutual, abs=1e-10)
    assert cons.mutual == pytest.approx(m.mutual_information(P.reshape(9, 27), 0, 1), abs=1e-10)
    # an order-2 state forgets the prompt after two generated tokens: the third token adds nothing
    assert d.directed_information_terms(P)[2] == pytest.approx(0.0, abs=1e-10)


# ==============================================================================================
# Bad input: every public function
# ==============================================================================================

LM = c.MarkovLM.random(3, 1, seed=0)
GOOD_L = np.array([1.0, 0.0, -np.inf])


class BadLM(c.LanguageModel):
    vocab_size = 2

    def next_token_logprobs(self, context):
        return np.array([0.0, 0.0])  # not normalised


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda: LM.token_logprobs([0, 5]), "seq"),
        (lambda: LM.token_logprobs([0], prompt=[[1]]), "prompt"),
        (lambda: LM.log_prob([0], base=1), "base"),
        (lambda: LM.cross_entropy([]), "seq"),
        (lambda: LM.perplexity([0.5]), "seq"),
        (lambda: LM.next_token_probs([-1]), "context"),
        (lambda: LM.sample(-1), "n"),
        (lambda: LM.sample(3, temperature=0), "temperature"),
        (lambda: LM.sample(3, seed="x"), "seed"),
        (lambda: LM.initial_state([9]), "prompt"),
        (lambda: LM.next_state((), 3), "token"),
        (lambda: ContextLM().next_state((), -1), "token"),
        (lambda: c.MarkovLM([[0.5, 0.6], [0.5, 0.5]]), "transition"),
        (lambda: c.MarkovLM(np.full((2, 3), 1 / 3)), "transition"),
        (lambda: c.MarkovLM(np.full((2, 2), 0.5), initial=[0.3, 0.3]), "initial"),
        (lambda: c.MarkovLM(np.full((2, 2), 0.5), initial=[0.3, 0.3, 0.4]), "initial"),
        (lambda: c.MarkovLM.random(0), "vocab_size"),
        (lambda: c.MarkovLM.random(2, -1), "order"),
        (lambda: c.MarkovLM.random(2, 1, concentration=0), "concentration"),
        (lambda: c.MarkovLM.random(2, 1, seed=1.5), "seed"),
        (lambda: c.BoltzmannLM(3, 2), "energy"),
        (lambda: c.BoltzmannLM(lambda x: np.zeros(2), 0), "vocab_size"),
        (lambda: c.BoltzmannLM(lambda x: np.zeros(2), 2, temperature=-1), "temperature"),
        (lambda: c.BoltzmannLM(lambda x: np.array([np.nan, 0]), 2).next_token_probs([]), "energy"),
        (lambda: c.BoltzmannLM(lambda x: np.zeros(3), 2).next_token_probs([]), "energy"),
        (lambda: c.DecodedLM("gpt"), "model"),
        (lambda: c.DecodedLM(LM, temperature=0.0), "temperature"),
        (lambda: c.DecodedLM(LM, top_k=0), "top_k"),
        (lambda: c.DecodedLM(LM, top_p=0.0), "top_p"),
        (lambda: c.DecodedLM(LM, top_p=1.5), "top_p"),
        (lambda: c.DecodedLM(LM, greedy="yes"), "greedy"),
        (lambda: c.sequence_law(LM, 0), "n"),
        (lambda: c.sequence_law(LM, 40), "n"),
        (lambda: c.sequence_law(object(), 2), "model"),
        (lambda: c.sequence_law(LM, 2, prompt=[7]), "prompt"),
        (lambda: c.sequence_law(BadLM(), 2), "model.state_logprobs"),
        (lambda: c.boltzmann([1.0, 2.0], 0), "temperature"),
        (lambda: c.boltzmann([1.0, 2.0], -1.0), "temperature"),
        (lambda: c.boltzmann([1.0, 2.0], math.nan), "temperature"),
        (lambda: c.boltzmann([1.0, 2.0], math.inf), "temperature"),
        (lambda: c.boltzmann([1.0, math.nan]), "energies"),
        (lambda: c.boltzmann([1.0, -math.inf]), "energies"),
        (lambda: c.boltzmann([math.inf, math.inf]), "energies"),
        (lambda: c.boltzmann([]), "energies"),
        (lambda: c.boltzmann("abc"), "energies"),
        (lambda: c.boltzmann_logprobs([math.nan]), "energies"),
        (lambda: c.log_partition([math.inf]), "energies"),
        (lambda: c.log_partition([1.0], 0), "temperature"),
        (lambda: c.free_energy([1.0, math.nan]), "energies"),
        (lambda: c.free_energy([1.0], -2), "temperature"),
        (lambda: c.mean_energy([-math.inf, 1.0]), "energies"),
        (lambda: c.mean_energy([1.0], 0), "temperature"),
        (lambda: c.boltzmann_entropy([1.0, 2.0], 1.0, base=0), "base"),
        (lambda: c.boltzmann_entropy([math.inf]), "energies"),
        (lambda: c.temperature_map(GOOD_L, 0), "temperature"),
        (lambda: c.temperature_map([1.0, math.inf], 1.0), "logits"),
        (lambda: c.temperature_map([-math.inf, -math.inf], 1.0), "logits"),
        (lambda: c.top_k_map(GOOD_L, 0), "k"),
        (lambda: c.top_k_map(GOOD_L, 1.5), "k"),
        (lambda: c.top_k_map([math.nan, 1.0], 1), "logits"),
        (lambda: c.top_p_map(GOOD_L, 0.0), "p"),
        (lambda: c.top_p_map(GOOD_L, 1.01), "p"),
        (lambda: c.top_p_map(GOOD_L, math.nan), "p"),
        (lambda: c.top_p_map([-math.inf], 0.5), "logits"),
        (lambda: c.greedy_map([math.nan]), "logits"),
        (lambda: c.greedy_map([]), "logits"),
        (lambda: c.decode(GOOD_L, temperature=-1), "temperature"),
        (lambda: c.decode(GOOD_L, top_k=0), "top_k"),
        (lambda: c.decode(GOOD_L, top_p=2), "top_p"),
        (lambda: c.decode(GOOD_L, greedy=1), "greedy"),
        (lambda: c.decode([math.inf, 0.0]), "logits"),
        (lambda: c.decoding_cost(np.zeros((2, 3))), "logits"),
        (lambda: c.decoding_cost(GOOD_L, base=1), "base"),
        (lambda: c.decoding_cost(GOOD_L, top_p=0), "top_p"),
        (lambda: c.logprob_entropy([0.0, 0.0]), "logp"),
        (lambda: c.logprob_entropy([math.nan]), "logp"),
        (lambda: c.logprob_kl([0.0, 0.0], [0.0, -math.inf]), "logq"),
        (lambda: c.logprob_kl([0.0, -math.inf], [0.0, 0.0]), "logp"),
        (lambda: c.logprob_kl([0.0], np.log([0.5, 0.5])), "logq and logp"),
        (lambda: c.interleave([1, 2, 3], [1]), "inputs"),
        (lambda: c.interleave([1.5], []), "inputs"),
        (lambda: c.interleave([1], [-2]), "outputs"),
        (lambda: c.iid_inputs([0.5, 0.6]), "q"),
        (lambda: c.echo_inputs([0.5, 0.5], 1.5), "repeat"),
        (lambda: c.echo_inputs([0.5, -0.5, 1.0], 0.5), "q"),
        (lambda: c.lm_inputs(3, feedback=True), "model"),
        (lambda: c.lm_inputs(LM, feedback="no"), "feedback"),
        (lambda: c.simulate_interaction(LM, [0.5, 0.5, 0.0], 0), "n"),
        (lambda: c.simulate_interaction(LM, [0.5, 0.5], 2), "user"),
        (lambda: c.simulate_interaction(LM, c.iid_inputs([0.5, 0.5]), 2), "user"),
        (lambda: c.simulate_interaction(LM, lambda x, y: [2.0, 0, 0], 2), "user"),
        (lambda: c.simulate_interaction(LM, [1, 0, 0], 2, seed="s"), "seed"),
        (lambda: c.simulate_interaction(LM, [1, 0, 0], 2, prompt=[4]), "prompt"),
        (lambda: c.simulate_interaction("lm", [1, 0, 0], 2), "model"),
        (lambda: c.interaction_kernels(LM, [1, 0, 0], 0), "n"),
        (lambda: c.interaction_kernels(LM, [1, 0, 0], 12), "n"),
        (lambda: c.interaction_kernels(LM, [0.2, 0.2], 2), "user"),
        (lambda: c.interaction_law(LM, lambda x, y: [0.1, 0.1, 0.1], 2), "user"),
        (lambda: c.interaction_law(None, [1, 0, 0], 2), "model"),
        (lambda: c.prompt_generation_law(LM, [0.5, 0.6, 0.0], 2), "prompt_law"),
        (lambda: c.prompt_generation_law(LM, [0.5, 0.5], 2), "prompt_law"),
        (lambda: c.prompt_generation_law(LM, [1.0, 0, 0], 0), "n"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        call()


# ==============================================================================================
# Exercises
# ==============================================================================================


def test_chapter_4_exercises():
    reg = {k: a for k, a in registered().items() if k.startswith("ex-04-")}
    assert len(reg) >= 2
    for label, a in reg.items():
        ref = np.asarray(a.compute(), dtype=float)
        assert np.all(np.isfinite(ref)), label
        assert is_correct(label, ref), label
        assert not is_correct(label, ref * 1.05 + 0.01), label
    # independent checks of the closed forms behind two answers
    F = -0.5 * math.log(1 + math.exp(-2) + math.exp(-6))
    assert reg["ex-04-free-energy"].compute() == pytest.approx(F, rel=1e-12)
    assert reg["ex-04-top-p-cost"].compute() == pytest.approx(-math.log2(0.85), rel=1e-12)
    np.testing.assert_allclose(reg["ex-04-greedy-vs-mode"].compute(), [0.55 * 0.55, 0.45 * 0.95])


# ==============================================================================================
# Min-p, locally typical, and the (entropy, KL) frontier (chapter 4, second edition)
# ==============================================================================================


def zipf_logits(seed, V=30):
    rng = np.random.default_rng(seed)
    return -1.1 * np.log(np.arange(1, V + 1)) + 0.3 * rng.normal(size=V)


def test_min_p_keeps_exactly_the_tokens_above_the_threshold():
    z = zipf_logits(0)
    p = softmax(z)
    for pm in (1e-3, 0.05, 0.3, 1.0):
        q = np.exp(c.min_p_map(z, pm))
        keep = p >= pm * p.max()
        np.testing.assert_allclose(q, np.where(keep, p, 0) / p[keep].sum(), atol=1e-15)


def test_typical_map_against_an_explicit_ranking():
    z = zipf_logits(1)
    p = softmax(z)
    H = -(p * np.log(p)).sum()
    order = sorted(range(len(p)), key=lambda v: (abs(-math.log(p[v]) - H), v))
    for tau in (0.1, 0.5, 0.9, 1.0):
        kept, mass = [], 0.0
        for v in order:
            if mass >= tau - 1e-12 and tau < 1:
                break
            kept.append(v)
            mass += p[v]
        ref = np.zeros_like(p)
        ref[kept] = p[kept] / p[kept].sum()
        np.testing.assert_allclose(np.exp(c.typical_map(z, tau)), ref, atol=1e-14)


def test_tempered_at_entropy_inverts_the_entropy():
    z = zipf_logits(2)
    for T in (0.1, 0.5, 1.0, 3.0):
        h = c.logprob_entropy(c.temperature_map(z, T))
        assert c.tempered_at_entropy(z, h) == pytest.approx(T, rel=1e-9)
    with pytest.raises(ValueError, match="entropy"):
        c.tempered_at_entropy(z, math.log2(30) + 0.1)
    with pytest.raises(ValueError, match="entropy"):
        c.tempered_at_entropy(z, -1.0)


@settings(max_examples=30)
@given(seeds)
def test_frontier_gap_nonnegative_for_random_laws(seed):
    """The frontier theorem: every law of the same entropy has at least the tempered law's KL."""
    rng = np.random.default_rng(seed)
    z = zipf_logits(seed % 1000, V=int(rng.integers(3, 12)))
    q = rng.dirichlet(np.full(z.size, rng.uniform(0.2, 3.0)))
    assert c.frontier_gap(z, np.log(q)) >= -1e-10
    assert abs(c.frontier_gap(z, c.temperature_map(z, float(rng.uniform(0.2, 4))))) <= 1e-9


def test_frontier_against_brute_force_on_three_tokens():
    """Independent route: minimise KL over a fine grid of the simplex at (nearly) fixed entropy."""
    p = np.array([0.6, 0.3, 0.1])
    z = np.log(p)
    g = np.linspace(1e-4, 1 - 1e-4, 600)
    a, b = np.meshgrid(g, g, indexing="ij")
    ok = a + b < 1
    Q = np.stack([a[ok], b[ok], 1 - a[ok] - b[ok]], axis=1)
    H = -(Q * np.log2(Q)).sum(axis=1)
    KL = (Q * np.log2(Q / p)).sum(axis=1)
    for T in (0.5, 0.8, 1.5):
        qT = np.exp(c.temperature_map(z, T))
        hT = -(qT * np.log2(qT)).sum()
        klT = (qT * np.log2(qT / p)).sum()
        near = np.abs(H - hT) < 2e-3
        assert KL[near].min() >= klT - 5e-3  # nothing on the grid beats the tempered law
        assert KL[near].min() <= klT + 5e-3  # and the grid gets close to it


def test_frontier_slope_is_T_minus_one_by_finite_differences():
    z = zipf_logits(3)
    for T in (0.4, 1.0, 2.5):
        e = 1e-5
        lo, hi = (c.decoding_cost(z, temperature=t, base=math.e) for t in (T - e, T + e))
        assert (hi.kl - lo.kl) / (hi.entropy - lo.entropy) == pytest.approx(T - 1, abs=1e-5)


def test_frontier_slope_symbolic_and_fails_when_wrong():
    from semtheory.symbolic import Derivation

    d_ok = sb.frontier_slope()
    assert d_ok.holds()
    assert not Derivation("wrong", d_ok.lhs, -1 + 0 * d_ok.rhs, "", "4").holds()


def test_truncations_lie_above_the_frontier():
    z = zipf_logits(4, V=50)
    for q in [c.top_k_map(z, k) for k in (2, 5, 20)] + [c.top_p_map(z, 0.9), c.min_p_map(z, 0.1), c.typical_map(z, 0.8)]:
        assert c.frontier_gap(z, q) > 0


def test_frontier_bad_input():
    z = zipf_logits(5)
    with pytest.raises(ValueError, match="p_min"):
        c.min_p_map(z, 0)
    with pytest.raises(ValueError, match="mass"):
        c.typical_map(z, 1.5)
    with pytest.raises(ValueError, match="logq"):
        c.frontier_gap(z, np.log(np.full(3, 1 / 3)))


def test_prompt_generation_law_batched_transformer_matches_the_walk():
    """prompt_generation_law (all prompts in one batch) against sequence_law prompt by prompt; both are checked
    against the state walk in tests/test_channel_batched.py."""
    from semtheory.transformer import Transformer

    m = Transformer(3, d_model=8, n_heads=2, n_layers=2, context_length=8, seed=3)
    with torch.no_grad():
        m.unembed.weight.mul_(4.0)
    q = np.random.default_rng(0).dirichlet(np.ones(9)).reshape(3, 3)
    law = c.prompt_generation_law(m, q, 3)
    rows = np.stack([c.sequence_law(m, 3, prompt=pr) for pr in np.indices((3, 3)).reshape(2, -1).T])
    ref = (q.reshape(-1, 1, 1, 1) * rows).reshape(law.shape)
    np.testing.assert_allclose(law, ref, atol=1e-7)
    assert abs(law.sum() - 1) < 1e-9


def test_chapter_4_answers_against_brute_force():
    """The two answers without a closed form, recomputed by explicit enumeration from the model's tables."""
    reg = registered()
    # ex-04-feedback-reverse: enumerate (x^3, y^3) from the Markov table and the echo user by hand
    lm = c.MarkovLM.random(2, order=2, seed=7)
    p = np.zeros((2,) * 6)
    for xs in itertools.product((0, 1), repeat=3):
        for ys in itertools.product((0, 1), repeat=3):
            w, ctx = 1.0, []
            for t in range(3):
                px = 0.5 if t == 0 else 0.4 * 0.5 + 0.6 * (xs[t] == ys[t - 1])
                ctx.append(xs[t])
                w *= px * math.exp(lm.next_token_logprobs(np.array(ctx))[ys[t]])
                ctx.append(ys[t])
            p[xs + ys] = w
    ref = sum(m.conditional_mutual_information(p, tuple(range(3, 3 + t - 1)), (t - 1,), tuple(range(t - 1))) for t in range(2, 4))
    assert reg["ex-04-feedback-reverse"].compute() == pytest.approx(ref, abs=1e-10)
    # ex-04-sequence-temperature: token-level tempering by hand from next_token_logprobs
    lm3 = c.MarkovLM.random(3, order=1, seed=4, concentration=0.5)
    tok = np.zeros((3,) * 3)
    seq = np.zeros((3,) * 3)
    for s in itertools.product(range(3), repeat=3):
        lt, lsq = 0.0, 0.0
        for t in range(3):
            lp = lm3.next_token_logprobs(np.array(s[:t], dtype=np.int64))
            lt += 2 * lp[s[t]] - logsumexp(2 * lp)
            lsq += 2 * lp[s[t]]
        tok[s], seq[s] = math.exp(lt), math.exp(lsq)
    seq /= seq.sum()
    ref = float((tok * np.log2(tok / seq)).sum())
    assert reg["ex-04-sequence-temperature"].compute() == pytest.approx(ref, abs=1e-10)


def test_answer_frontier_top2_by_an_independent_root_search():
    from scipy.optimize import brentq

    p = np.array([0.5, 0.2, 0.15, 0.1, 0.05])
    q = np.array([5 / 7, 2 / 7])
    hq = -(q * np.log2(q)).sum()

    def tempered(T):
        w = p ** (1 / T)
        return w / w.sum()

    T = brentq(lambda T: -(tempered(T) * np.log2(tempered(T))).sum() - hq, 0.05, 1.0, xtol=1e-14)
    qT = tempered(T)
    ref = -math.log2(0.7) - float((qT * np.log2(qT / p)).sum())
    assert registered()["ex-04-frontier-top2"].compute() == pytest.approx(ref, abs=1e-10)
    assert ref > 0


def test_greedy_is_the_zero_temperature_limit_and_top1_is_not_at_ties():
    """Chapter 4: greedy_map shares tied maxima (the T -> 0 limit); top_k=1 keeps the lowest tied id.

    The two decoders agree exactly when every reached context has a unique maximiser, and differ otherwise:
    MarkovLM.random starts from a uniform initial law, so its first two tokens are three-way ties.
    """
    L = np.log([0.4, 0.4, 0.2])
    np.testing.assert_allclose(np.exp(c.greedy_map(L)), [0.5, 0.5, 0.0])
    np.testing.assert_allclose(np.exp(c.top_k_map(L, 1)), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(np.exp(c.temperature_map(L, 1e-4)), [0.5, 0.5, 0.0], atol=1e-12)
    lm = c.MarkovLM.random(3, 2, seed=4)
    laws = {name: c.sequence_law(c.DecodedLM(lm, **kw), 3)
            for name, kw in dict(greedy=dict(greedy=True), top1=dict(top_k=1), cold=dict(temperature=1e-3)).items()}
    np.testing.assert_allclose(laws["greedy"], laws["cold"], atol=1e-12)
    assert m.entropy(laws["top1"]) == pytest.approx(0.0, abs=1e-12)
    # brute force: 9 equally likely tied first pairs, then the row's unique argmax
    assert m.entropy(laws["greedy"]) == pytest.approx(math.log2(9), abs=1e-9)
    # with a unique maximiser everywhere (a prompt past the initial law, peaked rows) they coincide
    lm2 = c.MarkovLM(np.array([[0.55, 0.45], [0.05, 0.95]]))
    np.testing.assert_allclose(c.sequence_law(c.DecodedLM(lm2, greedy=True), 3, prompt=[0]),
                               c.sequence_law(c.DecodedLM(lm2, top_k=1), 3, prompt=[0]), atol=1e-15)


# ==============================================================================================
# One unit convention across every LanguageModel of the package (erratum #12)
# ==============================================================================================


def _one_of_each_model():
    """A small instance of every LanguageModel subclass of the package (hf.CausalLM: tests/test_hf.py)."""
    from semtheory import energy, ratereward, sources, ssm, transformer

    mk = c.MarkovLM.random(3, 2, seed=1)
    T2 = np.random.default_rng(2).dirichlet(np.ones(3), size=(3, 3))
    train = sources.MarkovSource(T2).sample(400, seed=3)
    W = np.random.default_rng(4).normal(size=(3, 3))
    return {
        "MarkovLM": (mk, 1e-12),
        "BoltzmannLM": (c.BoltzmannLM(lambda ctx: W[ctx[-1] if len(ctx) else 0], 3, temperature=0.7), 1e-12),
        "DecodedLM": (c.DecodedLM(mk, temperature=0.8, top_p=0.9), 1e-12),
        "MarkovSource": (sources.MarkovSource(T2), 1e-12),
        "IIDSource": (sources.IIDSource([0.5, 0.3, 0.2]), 1e-12),
        "HiddenMarkovSource": (sources.HiddenMarkovSource([[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]), 1e-12),
        "NGramModel": (sources.NGramModel(train, 2, vocab_size=3), 1e-12),
        "KneserNeyModel": (sources.KneserNeyModel(train, 2, vocab_size=3), 1e-12),
        "EnergyLM": (energy.EnergyLM(lambda s: W[s], lambda s, v: v, 0, 3, temperature=1.3), 1e-12),
        "GibbsLM": (ratereward.GibbsLM(mk, np.arange(27.0).reshape(3, 3, 3) % 4, 3, 2.0, prompt=[0]), 1e-12),
        "RegisterPredictor": (ssm.RegisterPredictor(3, 3, 0.1, 2), 1e-12),
        "MambaLM": (ssm.MambaLM(3, d_model=8, n_layers=1, d_state=2, seed=1), 1e-5),
        "Transformer": (transformer.Transformer(3, d_model=8, n_heads=2, n_layers=1, context_length=8, seed=1), 1e-5),
    }


_MODELS = _one_of_each_model()


def test_every_language_model_of_the_package_is_covered():
    import importlib
    import pkgutil

    import semtheory

    failed = set()
    for mod in pkgutil.iter_modules(semtheory.__path__, "semtheory."):
        try:
            importlib.import_module(mod.name)
        except ImportError:  # a module of an extra that is not installed
            failed.add(mod.name)

    def subclasses(cls):
        for s in cls.__subclasses__():
            yield s
            yield from subclasses(s)

    found = {s.__name__ for s in subclasses(c.LanguageModel) if s.__module__.startswith("semtheory.")}
    expected = set(_MODELS) | {"CausalLM"}  # CausalLM: its unit test is in tests/test_hf.py
    assert not found - expected, f"LanguageModel subclasses without a unit test here: {found - expected}"
    assert expected - found <= ({"CausalLM"} if "semtheory.hf" in failed else set()), expected - found


@pytest.mark.parametrize("name", sorted(_MODELS))
def test_token_logprobs_units_sum_and_enumerated_law(name):
    """bits * ln 2 = nats; the terms sum to log_prob in the same base; nats = ln of the enumerated law."""
    lm, tol = _MODELS[name]
    prompt, n = [0], 3
    seqs = list(itertools.product(range(lm.vocab_size), repeat=n))
    bits = np.array([lm.token_logprobs(s, prompt=prompt) for s in seqs])
    nats = np.array([lm.token_logprobs(s, prompt=prompt, base=math.e) for s in seqs])
    dits = np.array([lm.token_logprobs(s, prompt=prompt, base=10) for s in seqs])
    np.testing.assert_allclose(bits * LN2, nats, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dits * math.log(10), nats, rtol=1e-12, atol=1e-12)
    lp2 = np.array([lm.log_prob(s, prompt=prompt) for s in seqs])
    lpe = np.array([lm.log_prob(s, prompt=prompt, base=math.e) for s in seqs])
    np.testing.assert_allclose(bits.sum(axis=1), lp2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(nats.sum(axis=1), lpe, rtol=1e-9, atol=1e-9)
    law = c.sequence_law(lm, n, prompt=prompt)  # an independent route: the state protocol, every continuation
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(nats.sum(axis=1), np.log([law[s] for s in seqs]), atol=tol)
    assert np.isfinite(nats).sum() > 0


@pytest.mark.parametrize("name", sorted(_MODELS))
@pytest.mark.parametrize("bad", [0, 1, -2, 1 + 1j, "2", float("nan"), float("inf"), True])
def test_token_logprobs_rejects_a_bad_base(name, bad):
    lm, _ = _MODELS[name]
    with pytest.raises(ValueError, match="base"):
        lm.token_logprobs([0, 1], base=bad)
    with pytest.raises(ValueError, match="base"):
        lm.log_prob([0, 1], base=bad)
