"""KL-regularised post-training, rate-reward functions, causal optima and DPO (semtheory.ratereward, chapter 6)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import channel, directed, measures
from semtheory import ratereward as rr
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import ratereward as srr

LN2 = math.log(2)


def bandit(seed, k=None, zeros=False):
    rng = np.random.default_rng(seed)
    k = k or int(rng.integers(2, 7))
    ref = rng.dirichlet(np.full(k, 0.8))
    if zeros and k > 2:
        ref[rng.integers(k)] = 0.0
        ref /= ref.sum()
    r = rng.normal(size=k) * 2
    return ref, r


seeds = st.integers(0, 2**32 - 1)
kl_weights = st.floats(0.05, 20.0)


# ----------------------------------------------------------------------------------------------
# The Gibbs optimum of a single decision
# ----------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seeds, kl_weights, st.booleans())
def test_gibbs_attains_value_and_no_policy_beats_it(seed, kl_weight, zeros):
    ref, r = bandit(seed, zeros=zeros)
    pi = rr.gibbs_policy(ref, r, kl_weight)
    v = rr.optimal_value(ref, r, kl_weight)
    # value identity: kl_weight log E_ref exp(r / kl_weight), computed naively here
    naive = kl_weight * math.log(np.sum(ref * np.exp((r - r.max()) / kl_weight))) + r.max()
    assert v == pytest.approx(naive, rel=1e-10, abs=1e-10)
    assert rr.kl_objective(pi, ref, r, kl_weight) == pytest.approx(v, abs=1e-9)
    pols = rr.random_policies(ref.size, 500, seed=seed % 1000)
    J = rr.kl_objective(pols, ref, r, kl_weight)
    assert np.all(J <= v + 1e-9)
    # the gap is exactly kl_weight * KL(pi || pi*) (nats) for policies absolutely continuous w.r.t. ref
    ok = np.isfinite(J)
    gaps = np.array([measures.kl_divergence(p, pi, base=math.e) for p in pols[ok]])
    np.testing.assert_allclose(J[ok], v - kl_weight * gaps, atol=1e-8)


def test_brute_force_matches_the_dossier_check():
    ref, r = np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.0, 1.0, 0.5, 2.0])
    v = rr.optimal_value(ref, r, 0.5)
    best = rr.best_random_objective(ref, r, 0.5, n=20000, seed=0)
    assert best <= v and v - best < 1e-2


def test_gibbs_limits():
    ref, r = np.array([0.1, 0.2, 0.3, 0.4]), np.array([1.0, 3.0, 3.0, 0.0])
    cold = rr.gibbs_policy(ref, r, 1e-4)
    np.testing.assert_allclose(cold, [0, 0.4, 0.6, 0], atol=1e-12)  # the reference restricted to the argmax set
    np.testing.assert_allclose(rr.gibbs_policy(ref, r, 1e6), ref, atol=1e-5)
    assert rr.optimal_value(ref, r, 1e-4) == pytest.approx(3.0 + 1e-4 * math.log(0.5), abs=1e-9)
    assert rr.optimal_value(ref, r, 1e6) == pytest.approx(ref @ r, abs=1e-4)
    # no overflow for very small kl_weight
    lp = rr.gibbs_logpolicy(ref, r * 1e3, 1e-6)
    assert not np.isnan(lp).any()
    np.testing.assert_allclose(np.exp(lp), [0, 0.4, 0.6, 0], atol=1e-12)


def test_prompts_on_leading_axes():
    rng = np.random.default_rng(0)
    ref = rng.dirichlet(np.ones(4), size=3)
    r = rng.normal(size=(3, 4))
    v = rr.optimal_value(ref, r, 0.7)
    assert v.shape == (3,)
    np.testing.assert_allclose(v, [rr.optimal_value(ref[i], r[i], 0.7) for i in range(3)])


def test_simplex_grid():
    g = rr.simplex_grid(10)
    assert g.shape == (66, 3) and np.allclose(g.sum(1), 1) and g.min() >= 0


# ----------------------------------------------------------------------------------------------
# The rate-reward function
# ----------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seeds)
def test_rate_reward_curve_monotone_convex_slope(seed):
    ref, r = bandit(seed, k=5)
    bs = np.geomspace(0.05, 50, 40)
    c = rr.rate_reward_curve(ref, r, bs, base=math.e)
    # larger kl_weight: less reward and less rate
    assert np.all(np.diff(c.rewards) <= 1e-12) and np.all(np.diff(c.rates) <= 1e-12)
    # convex in rho: chord slopes increase with rho
    order = np.argsort(c.rewards)
    x, y = c.rewards[order], c.rates[order]
    keep = np.concatenate([[True], np.diff(x) > 1e-9])
    s = np.diff(y[keep]) / np.diff(x[keep])
    assert np.all(np.diff(s) >= -1e-6 * (1 + np.abs(s[1:])))
    # slope 1/kl_weight (nats per reward unit) by central differences in kl_weight
    for b in (0.3, 1.0, 3.0):
        h = 1e-5 * b
        lo, hi = rr.rate_reward_curve(ref, r, [b - h, b + h], base=math.e)[1:]
        assert (hi[1] - hi[0]) / (lo[1] - lo[0]) == pytest.approx(1 / b, rel=1e-4)


@settings(max_examples=25, deadline=None)
@given(seeds, st.booleans())
def test_rate_reward_function_limits_and_curve_points(seed, zeros):
    ref, r = bandit(seed, zeros=zeros)
    lim = rr.rate_reward_limits(ref, r)
    assert lim.reference_reward == pytest.approx(ref @ r)
    assert lim.greedy_reward == pytest.approx(r[ref > 0].max())
    assert rr.rate_reward(ref, r, lim.reference_reward - 1.0) == 0.0
    assert rr.rate_reward(ref, r, lim.greedy_reward + 1e-6) == math.inf
    assert rr.rate_reward(ref, r, lim.greedy_reward) == pytest.approx(lim.greedy_rate)
    # kl_weight -> 0 is greedy once kl_weight is far below the gap between the best and second-best reward
    top = np.unique(r[ref > 0])[::-1]
    small = 1e-3 if top.size < 2 else min(1e-3, (top[0] - top[1]) / 60)
    c = rr.rate_reward_curve(ref, r, [small, 1e6])
    assert c.rewards[0] == pytest.approx(lim.greedy_reward, abs=1e-6)
    assert c.rates[0] == pytest.approx(lim.greedy_rate, abs=1e-5)
    assert c.rewards[1] == pytest.approx(lim.reference_reward, abs=1e-3) and c.rates[1] < 1e-6
    # every curve point is the minimum at its reward level
    for b in (0.2, 1.0, 5.0):
        pt = rr.rate_reward_curve(ref, r, [b])
        if lim.reference_reward + 1e-9 < pt.rewards[0] < lim.greedy_reward - 1e-9:
            assert rr.rate_reward(ref, r, pt.rewards[0]) == pytest.approx(pt.rates[0], rel=1e-6, abs=1e-9)
            assert rr.kl_weight_for_reward(ref, r, pt.rewards[0]) == pytest.approx(b, rel=1e-5)


def test_rate_reward_is_a_minimum_by_brute_force():
    ref, r = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 3.0])
    rho = 1.5
    R = rr.rate_reward(ref, r, rho, base=math.e)
    pols = rr.random_policies(3, 20000, seed=1)
    feas = pols[pols @ r >= rho]
    kls = np.array([measures.kl_divergence(p, ref, base=math.e) for p in feas])
    assert kls.min() >= R - 1e-12 and kls.min() - R < 0.05


def test_rate_reward_convex_in_rho():
    ref, r = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 3.0])
    rhos = np.linspace(-1, 3.0, 41)
    R = np.array([rr.rate_reward(ref, r, x) for x in rhos])
    assert np.all(np.diff(R) >= -1e-12)
    assert np.all(R[1:-1] <= 0.5 * (R[:-2] + R[2:]) + 1e-9)


# ----------------------------------------------------------------------------------------------
# Sequences
# ----------------------------------------------------------------------------------------------


def seq_reward(s):
    return (s == 2).sum(1) - 1.5 * (s[:, -1] == 0) + 0.5 * (s[:, 0] == s[:, -1])


@settings(max_examples=8, deadline=None)
@given(seeds, st.floats(0.2, 5.0), st.integers(1, 4))
def test_token_level_soft_values_give_sequence_gibbs(seed, kl_weight, n):
    lm = channel.MarkovLM.random(3, 1, seed=seed)
    g = rr.GibbsLM(lm, seq_reward, n, kl_weight, prompt=[1])
    law = channel.sequence_law(g, n, prompt=[1])
    target = rr.sequence_gibbs(lm, seq_reward, n, kl_weight, prompt=[1])
    np.testing.assert_allclose(law, target, atol=1e-12)
    ref = channel.sequence_law(lm, n, prompt=[1])
    r = rr.reward_table(seq_reward, 3, n)
    assert g.value == pytest.approx(kl_weight * math.log(np.sum(ref * np.exp(r / kl_weight))), rel=1e-10)
    # the optimal value = E r - kl_weight KL on whole sequences
    assert g.value == pytest.approx(float(np.sum(law * r)) - kl_weight * measures.kl_divergence(law, ref, base=math.e), abs=1e-9)
    # other contexts read the reference
    np.testing.assert_allclose(g.next_token_logprobs([0]), lm.next_token_logprobs([0]))


def random_causal(seed, n, kx=2, ky=2, feedback=True):
    rng = np.random.default_rng(seed)
    pol, ch = [], []
    for t in range(1, n + 1):
        ys = (ky,) * (t - 1) if feedback else (1,) * (t - 1)
        pol.append(rng.dirichlet(np.full(kx, 0.8), size=(kx,) * (t - 1) + ys))
        ch.append(rng.dirichlet(np.full(ky, 0.8), size=(kx,) * t + (ky,) * (t - 1)))
    return pol, ch


@settings(max_examples=20, deadline=None)
@given(seeds, st.integers(1, 3), st.booleans(), st.floats(0.1, 5.0))
def test_causal_gibbs_optimality_and_gap(seed, n, feedback, kl_weight):
    pol, ref = random_causal(seed, n, feedback=feedback)
    r = np.random.default_rng(seed + 1).normal(size=(2,) * (2 * n))
    g = rr.causal_gibbs(pol, ref, r, kl_weight)
    assert rr.causal_objective(pol, g.channel, ref, r, kl_weight) == pytest.approx(g.value, abs=1e-9)
    for k in range(3):
        _, other = random_causal(seed + 10 + k, n, feedback=feedback)
        J = rr.causal_objective(pol, other, ref, r, kl_weight)
        P = directed.joint_law(pol, other)
        assert J == pytest.approx(g.value - kl_weight * measures.kl_divergence(P, g.law, base=math.e), abs=1e-8)
        assert J <= g.value + 1e-9


@settings(max_examples=20, deadline=None)
@given(seeds, st.integers(1, 3), st.booleans())
def test_causally_conditioned_kl_is_kl_of_joint_laws(seed, n, feedback):
    pol, ch = random_causal(seed, n, feedback=feedback)
    _, ref = random_causal(seed + 1, n, feedback=feedback)
    d = rr.causally_conditioned_kl(pol, ch, ref)
    assert d == pytest.approx(measures.kl_divergence(directed.joint_law(pol, ch), directed.joint_law(pol, ref)), abs=1e-10)
    assert rr.per_token_kl(pol, ch, ref).sum() == pytest.approx(d)
    assert np.all(rr.per_token_kl(pol, ch, ref) >= 0)


def test_causal_gibbs_without_inputs_is_sequence_gibbs():
    lm = channel.MarkovLM.random(3, 2, seed=5)
    n, kl_weight = 3, 0.8
    pol, ref = channel.interaction_kernels(lm, [1.0, 0.0, 0.0], n)  # the input is always token 0
    r = rr.reward_table(seq_reward, 3, n)
    R = np.broadcast_to(r, (3,) * n + (3,) * n)
    g = rr.causal_gibbs(pol, ref, R, kl_weight)
    py = g.law.sum(axis=tuple(range(n)))
    pref = g.ref_law.sum(axis=tuple(range(n)))
    target = pref * np.exp(r / kl_weight)
    np.testing.assert_allclose(py, target / target.sum(), atol=1e-12)
    assert rr.anticipative_value(pol, ref, R, kl_weight) == pytest.approx(g.value, abs=1e-10)


def test_anticipation_helps_only_with_unknown_future_inputs():
    lm = channel.MarkovLM.random(2, 2, seed=3)
    n = 3
    pol, ref = channel.interaction_kernels(lm, [0.5, 0.5], n)
    R = rr.matching_reward(n, 2)
    g = rr.causal_gibbs(pol, ref, R, 0.5)
    assert rr.anticipative_value(pol, ref, R, 0.5) > g.value + 1e-3
    pol1, ref1 = channel.interaction_kernels(lm, [0.5, 0.5], 1)
    R1 = rr.matching_reward(1, 2)
    assert rr.anticipative_value(pol1, ref1, R1, 0.5) == pytest.approx(rr.causal_gibbs(pol1, ref1, R1, 0.5).value)
    with pytest.raises(ValueError, match="policy"):
        rr.anticipative_value(directed.echo_policy(0.5, 2), directed.memoryless_channel(np.eye(2) * 0.8 + 0.1, 2), rr.matching_reward(2), 1.0)


@pytest.mark.parametrize("n,kl_weight", [(1, 0.5), (2, 1.0), (3, 0.3)])
def test_directed_rate_reward_matches_hamming_closed_form(n, kl_weight):
    pt = rr.directed_rate_reward(directed.iid_policy([0.5, 0.5], n), rr.matching_reward(n, 2), kl_weight)
    D = 1 / (1 + math.exp(1 / kl_weight))  # per-step crossover of the optimal test channel
    assert pt.converged
    assert pt.reward == pytest.approx(n * (1 - D), rel=1e-8)
    assert pt.rate == pytest.approx(n * (1 - measures.binary_entropy(D)), rel=1e-8)


def test_directed_rate_reward_ternary_and_variational_identity():
    n, kl_weight = 2, 0.7
    pol = directed.iid_policy([0.5, 0.3, 0.2], n)
    R = rr.matching_reward(n, 3)
    pt = rr.directed_rate_reward(pol, R, kl_weight, base=math.e)
    assert pt.converged
    # DI of the optimum = min over input-blind references of the causally conditioned KL
    q = rr.directed_rr._output_kernels(pt.law, n, [3, 3])
    assert rr.causally_conditioned_kl(pol, pt.channel, q, base=math.e) == pytest.approx(pt.rate, abs=1e-10)
    rng = np.random.default_rng(0)
    for _ in range(5):
        other = [rng.dirichlet(np.ones(3), size=(1,) * t + (3,) * (t - 1)) for t in range(1, n + 1)]
        assert rr.causally_conditioned_kl(pol, pt.channel, other, base=math.e) >= pt.rate - 1e-12
    # no causal policy earns more Lagrangian: compare with the KL-to-reference optimum for many references
    for _ in range(5):
        ref = [rng.dirichlet(np.ones(3), size=(3,) * t + (3,) * (t - 1)) for t in range(1, n + 1)]
        g = rr.causal_gibbs(pol, ref, R, kl_weight)
        lag = float((g.law * R).sum()) - kl_weight * directed.directed_information(g.law, base=math.e)
        assert lag <= pt.lagrangian + 1e-9


def test_directed_curve_below_every_input_blind_kl_curve():
    n, p1 = 3, 0.8
    src = directed.iid_policy([1 - p1, p1], n)
    R = rr.matching_reward(n, 2)
    bs = np.geomspace(0.1, 10, 12)
    di = rr.directed_rate_reward_curve(src, R, bs)
    assert np.all(np.diff(di.rewards) <= 1e-9) and np.all(np.diff(di.rates) <= 1e-9)
    # closed form of the Bernoulli/Hamming rate-distortion function, with distortion 1 - rho/n
    D = 1 - di.rewards / n
    np.testing.assert_allclose(di.rates, n * (measures.binary_entropy(p1) - measures.binary_entropy(D)), atol=1e-7)
    rng = np.random.default_rng(4)
    for k in range(3):
        q = [np.full((1,) * t + (2,) * (t - 1) + (2,), 0.5) for t in range(1, n + 1)] if k == 0 else [
            rng.dirichlet(np.ones(2), size=(1,) * t + (2,) * (t - 1)) for t in range(1, n + 1)
        ]
        kl = rr.causal_rate_reward_curve(src, q, R, bs)
        rho = np.linspace(max(kl.rewards.min(), di.rewards.min()), min(kl.rewards.max(), di.rewards.max()), 7)[1:-1]
        kl_at = np.interp(rho, kl.rewards[::-1], kl.rates[::-1])
        di_at = np.interp(rho, di.rewards[::-1], di.rates[::-1])
        assert np.all(di_at <= kl_at + 1e-6)


# ----------------------------------------------------------------------------------------------
# DPO
# ----------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seeds, kl_weights)
def test_implicit_reward_is_reward_up_to_a_constant(seed, kl_weight):
    ref, r = bandit(seed, zeros=True)
    lp = rr.gibbs_logpolicy(ref, r, kl_weight)
    ir = rr.implicit_reward(lp, np.log(np.where(ref > 0, ref, 1.0)) + np.where(ref > 0, 0, -np.inf), kl_weight)
    sup = ref > 0
    const = ir[sup] - r[sup]
    np.testing.assert_allclose(const, -rr.optimal_value(ref, r, kl_weight), atol=1e-8)
    assert np.all(np.isneginf(ir[~sup]))
    # Bradley-Terry cannot see the constant
    i, j = np.flatnonzero(sup)[:2]
    assert rr.bradley_terry(ir[i], ir[j]) == pytest.approx(rr.bradley_terry(r[i], r[j]))


def test_preferences_follow_bradley_terry():
    ref = np.array([0.25, 0.25, 0.25, 0.25])
    r = np.array([0.0, 1.0, 2.0, -1.0])
    d = rr.sample_preferences(ref, r, 40000, seed=3)
    pair = (np.minimum(d.chosen, d.rejected) == 1) & (np.maximum(d.chosen, d.rejected) == 2)
    frac = np.mean(d.chosen[pair] == 2)
    assert frac == pytest.approx(rr.bradley_terry(2.0, 1.0), abs=4 * math.sqrt(0.25 / pair.sum()))
    d2 = rr.sample_preferences(ref, r, 40000, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(d, d2))


def test_expected_dpo_loss_is_minimised_by_gibbs():
    rng = np.random.default_rng(1)
    ref = rng.dirichlet(np.ones(5), size=2)
    r = rng.normal(size=(2, 5))
    kl_weight = 0.5
    lstar = rr.gibbs_logpolicy(ref, r, kl_weight)
    L = rr.expected_dpo_loss(lstar, ref, r, kl_weight)
    for k in range(20):
        pert = lstar + 0.3 * rng.normal(size=lstar.shape)
        pert -= np.log(np.exp(pert).sum(1, keepdims=True))
        assert rr.expected_dpo_loss(pert, ref, r, kl_weight) > L
    # the empirical loss converges to the population loss
    d = rr.sample_preferences(ref, r, 200000, seed=0)
    assert rr.dpo_loss(lstar, np.log(ref), d, kl_weight) == pytest.approx(L, abs=5e-3)


def test_fit_dpo_recovers_gibbs_and_is_seeded():
    rng = np.random.default_rng(2)
    ref = rng.dirichlet(np.full(6, 2.0), size=2)
    r = rng.normal(size=(2, 6))
    kl_weight = 0.5
    lstar = rr.gibbs_logpolicy(ref, r, kl_weight)
    d = rr.sample_preferences(ref, rr.implicit_reward(lstar, np.log(ref), kl_weight), 50000, seed=0)
    fit = rr.fit_dpo(np.log(ref), d, kl_weight, steps=300, lr=0.1, seed=0)
    kl = [measures.kl_divergence(np.exp(lstar[i]), np.exp(fit.logpolicy[i])) for i in range(2)]
    kl_ref = [measures.kl_divergence(np.exp(lstar[i]), ref[i]) for i in range(2)]
    assert max(kl) < 0.02 * min(kl_ref)
    assert fit.losses[-1] < fit.losses[0]
    again = rr.fit_dpo(np.log(ref), d, kl_weight, steps=300, lr=0.1, seed=0)
    np.testing.assert_array_equal(fit.logpolicy, again.logpolicy)
    one = rr.fit_dpo(np.log(ref[0]), rr.sample_preferences(ref[0], r[0], 100, seed=1), kl_weight, steps=5)
    assert one.logpolicy.shape == (6,)


def _markov_example(kl_weight=0.5):
    lm, n, prompt = channel.MarkovLM.random(3, 1, seed=2), 4, [1]
    reward = lambda s: (s == 2).sum(axis=1) - 2.0 * (s[:, -1] == 0)  # noqa: E731
    star = rr.sequence_gibbs(lm, reward, n, kl_weight, prompt=prompt).ravel()
    ref = channel.sequence_law(lm, n, prompt=prompt).ravel()
    return lm, n, prompt, reward, star, ref


def test_autoregressive_family_contains_the_markov_optimum():
    # for a first-order Markov reference and a per-token + last-token reward, pi*(y_t | y^{t-1}) depends only on
    # (t, y_{t-1}): brute force over every prefix of the token-level optimum
    lm, n, prompt, reward, star, ref = _markov_example()
    g = rr.GibbsLM(lm, reward, n, 0.5, prompt=prompt)
    groups = {}
    for t in range(n):
        for p in np.ndindex(*((3,) * t)):
            groups.setdefault((t, (prompt + list(p))[-1]), []).append(g.next_token_logprobs(prompt + list(p)))
    assert max(np.ptp(np.array(v), axis=0).max() for v in groups.values()) < 1e-12
    # a reward that couples the first and last tokens leaves the family
    bad = lambda s: 2.0 * (s[:, 0] == s[:, -1])  # noqa: E731
    gb = rr.GibbsLM(lm, bad, n, 0.5, prompt=prompt)
    a, b = gb.next_token_logprobs(prompt + [0, 1]), gb.next_token_logprobs(prompt + [1, 1])
    assert np.abs(a - b).max() > 1e-3


def test_fit_dpo_autoregressive_recovers_gibbs_and_is_seeded():
    lm, n, prompt, reward, star, ref = _markov_example()
    lref, lstar = np.log(ref), np.log(star)
    d = rr.sample_preferences(ref, rr.implicit_reward(lstar, lref, 0.5), 50000, seed=0)
    fit = rr.fit_dpo_autoregressive(lref, d, 0.5, n, 3, first_token=prompt[-1], steps=300, lr=0.1, seed=0)
    kl = measures.kl_divergence(star, np.exp(fit.logpolicy))
    assert kl < 0.01 * measures.kl_divergence(star, ref)
    assert fit.losses[-1] < fit.losses[0]
    # the sequence law is the product of the per-token kernels (brute force), and each kernel row is a pmf
    assert np.allclose(np.exp(fit.kernels).sum(axis=2), 1.0)
    for i, seq in enumerate(np.ndindex(*((3,) * n))):
        prev = (prompt[-1],) + seq[:-1]
        assert abs(sum(fit.kernels[t, prev[t], seq[t]] for t in range(n)) - fit.logpolicy[i]) < 1e-12
    assert abs(np.exp(fit.logpolicy).sum() - 1.0) < 1e-12
    again = rr.fit_dpo_autoregressive(lref, d, 0.5, n, 3, first_token=prompt[-1], steps=300, lr=0.1, seed=0)
    np.testing.assert_array_equal(fit.logpolicy, again.logpolicy)
    # with few pairs the per-token policy beats the table over sequences (fewer free parameters)
    small = rr.sample_preferences(ref, rr.implicit_reward(lstar, lref, 0.5), 500, seed=0)
    ar = rr.fit_dpo_autoregressive(lref, small, 0.5, n, 3, first_token=prompt[-1], steps=300, lr=0.1)
    tab = rr.fit_dpo(lref, small, 0.5, steps=300, lr=0.1, seed=0)
    assert measures.kl_divergence(star, np.exp(ar.logpolicy)) < measures.kl_divergence(star, np.exp(tab.logpolicy))
    with pytest.raises(ValueError, match="logref"):
        rr.fit_dpo_autoregressive(lref[:-1], d, 0.5, n, 3)
    with pytest.raises(ValueError, match="first_token"):
        rr.fit_dpo_autoregressive(lref, d, 0.5, n, 3, first_token=3)
    with pytest.raises(ValueError, match="kl_weight"):
        rr.fit_dpo_autoregressive(lref, d, -1.0, n, 3)
    with pytest.raises(ValueError, match="vocab_size"):
        rr.fit_dpo_autoregressive(lref, d, 0.5, n, 1)


def test_beta_zero_is_the_greedy_end_of_the_rate_reward_curve():
    ref = np.array([0.4, 0.25, 0.2, 0.1, 0.05, 0.0])
    r = np.array([0.0, 3.0, 1.0, 2.0, 3.0, 9.0])  # the best reward 9 is off the support
    g = rr.gibbs_policy(ref, r, 0.0)
    # brute force: the reference restricted to the best responses on its support
    best = (ref > 0) & (r == r[ref > 0].max())
    assert np.allclose(g, np.where(best, ref, 0) / ref[best].sum())
    assert rr.optimal_value(ref, r, 0.0) == 3.0
    # continuity: small kl_weight approaches it
    assert np.abs(rr.gibbs_policy(ref, r, 1e-3) - g).max() < 1e-12
    assert abs(rr.optimal_value(ref, r, 1e-3) - 3.0) < 1e-2
    lim = rr.rate_reward_limits(ref, r)
    c = rr.rate_reward_curve(ref, r, [0.0, 0.5])
    assert c.rewards[0] == pytest.approx(lim.greedy_reward) and c.rates[0] == pytest.approx(lim.greedy_rate)
    two = rr.gibbs_policy(np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]), np.array([1.0, 1.0, 5.0]), 0.0)
    assert np.allclose(two, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])


def test_best_of_n_policy_against_monte_carlo():
    ref = np.array([0.3, 0.2, 0.25, 0.15, 0.1])
    r = np.array([1.0, 0.0, 1.0, 2.0, -1.0])  # a tie between responses 0 and 2 (broken by index)
    rank = np.empty(5, dtype=int)
    rank[np.lexsort((np.arange(5), r))] = np.arange(5)
    rng = np.random.default_rng(0)
    for n in (1, 3, 6):
        draws = rng.choice(5, size=(200_000, n), p=ref)
        best = draws[np.arange(draws.shape[0]), rank[draws].argmax(axis=1)]
        freq = np.bincount(best, minlength=5) / draws.shape[0]
        q = rr.best_of_n_policy(ref, r, n)
        assert abs(q.sum() - 1) < 1e-12 and np.abs(freq - q).max() < 4 * math.sqrt(0.25 / draws.shape[0])
    np.testing.assert_allclose(rr.best_of_n_policy(ref, r, 1), ref, atol=1e-15)


def test_best_of_n_kl_bound_and_rate_reward_plane():
    rng = np.random.default_rng(3)
    ref, r = rng.dirichlet(np.full(12, 0.7)), rng.normal(size=12)
    c = rr.best_of_n_curve(ref, r, [1, 2, 4, 8, 32])
    assert c.rates[0] == 0.0 and np.all(c.rates <= c.bounds + 1e-12)
    assert np.all(np.diff(c.rewards) > 0)
    # the rate-reward function is the least divergence at each reward: best-of-n lies on or above it
    for rho, kl in zip(c.rewards[1:], c.rates[1:]):
        assert kl >= rr.rate_reward(ref, r, rho) - 1e-9
    # the bound is the continuous limit: a fine uniform reference with distinct rewards approaches it
    K = 4000
    fine = rr.best_of_n_curve(np.full(K, 1 / K), np.arange(K, dtype=float), [2, 8], base=math.e)
    closed = np.array([math.log(n) - (n - 1) / n for n in (2, 8)])
    assert np.all(fine.rates <= closed) and np.abs(fine.rates - closed).max() < 5e-3
    assert rr.best_of_n_kl_bound(1) == 0.0
    with pytest.raises(ValueError, match="n"):
        rr.best_of_n_policy(ref, r, 0)
    with pytest.raises(ValueError, match="ns"):
        rr.best_of_n_curve(ref, r, [])


def test_proxy_reward_curve_monotone_proxy_and_goodhart_example():
    rng = np.random.default_rng(0)
    K = 200
    ref, r = rng.dirichlet(np.full(K, 0.3)), rng.normal(size=K)
    proxy = r + np.minimum(0.3 * np.sqrt(ref.mean() / ref), 3.0) * rng.normal(size=K)
    bs = np.geomspace(10, 0.05, 25)
    c = rr.proxy_reward_curve(ref, r, proxy, bs)
    # independent route: Gibbs policies by hand
    for b, kl, pr, tr in zip(bs, c.rates, c.proxy, c.true):
        w = ref * np.exp((proxy - proxy.max()) / b)
        w /= w.sum()
        assert abs(w @ proxy - pr) < 1e-9 and abs(w @ r - tr) < 1e-9
        assert abs(measures.kl_divergence(w, ref) - kl) < 1e-9
    assert np.all(np.diff(c.rates) > 0) and np.all(np.diff(c.proxy) > -1e-12)  # proxy monotone in KL
    k = int(np.argmax(c.true))
    assert 0 < k < bs.size - 1 and c.true[k:].min() < c.true[k] - 0.1  # the true reward peaks, then falls
    bon = rr.proxy_reward_curve(ref, r, proxy, [1, 4, 16], best_of_n=True)
    assert bon.rates[0] < 1e-12 and np.all(np.diff(bon.proxy) > 0)
    assert np.allclose(bon.proxy, [rr.best_of_n_policy(ref, proxy, n) @ proxy for n in (1, 4, 16)])
    with pytest.raises(ValueError, match="kl_weights"):
        rr.proxy_reward_curve(ref, r, proxy, [1.5], best_of_n=True)
    with pytest.raises(ValueError, match="kl_weights"):
        rr.proxy_reward_curve(ref, r, proxy, [-1.0])


# ----------------------------------------------------------------------------------------------
# Bad input, symbolic derivations, exercises
# ----------------------------------------------------------------------------------------------


def test_bad_input_names_the_argument():
    ref, r = np.array([0.5, 0.5]), np.array([0.0, 1.0])
    lm = channel.MarkovLM.random(2, 1, seed=0)
    pol, ch = random_causal(0, 2)
    R = rr.matching_reward(2)
    data = rr.sample_preferences(ref, r, 10, seed=0)
    cases = [
        (lambda: rr.gibbs_policy([0.5, 0.6], r, 1), "ref"),
        (lambda: rr.gibbs_policy(ref, [0.0, np.nan], 1), "reward"),
        (lambda: rr.gibbs_policy(ref, [0.0, 1.0, 2.0], 1), "reward"),
        (lambda: rr.gibbs_policy(ref, r, -0.5), "kl_weight"),
        (lambda: rr.rate_reward_curve(ref, r, [0.0, -1.0]), "kl_weights"),
        (lambda: rr.directed_rate_reward(directed.iid_policy([0.5, 0.5], 1), rr.matching_reward(1), 0.0), "kl_weight"),
        (lambda: rr.directed_rate_reward(directed.iid_policy([0.5, 0.5], 1), [[0.5], [0.25, 0.25]], 1.0), "reward"),
        (lambda: rr.directed_rate_reward(directed.iid_policy([0.5, 0.5], 1), np.eye(2) + 0.5j, 1.0), "reward"),
        (lambda: rr.gibbs_logpolicy(ref, r, -1), "kl_weight"),
        (lambda: rr.optimal_value(ref, r, math.inf), "kl_weight"),
        (lambda: rr.kl_objective([0.5, 0.4], ref, r, 1), "policy"),
        (lambda: rr.kl_objective([0.2, 0.3, 0.5], ref, r, 1), "policy"),
        (lambda: rr.random_policies(0, 3), "k"),
        (lambda: rr.random_policies(2, 3, seed="x"), "seed"),
        (lambda: rr.best_random_objective(np.ones((2, 2)) / 2, r, 1), "ref"),
        (lambda: rr.simplex_grid(0), "resolution"),
        (lambda: rr.rate_reward_curve(ref, r, [0.5, -1]), "kl_weights"),
        (lambda: rr.rate_reward_curve(ref, r, [1], base=1), "base"),
        (lambda: rr.rate_reward(ref, r, math.nan), "rho"),
        (lambda: rr.rate_reward(ref, r, "1"), "rho"),
        (lambda: rr.kl_weight_for_reward(ref, r, 5.0), "rho"),
        (lambda: rr.rate_reward_limits([1.0, 0.5], r), "ref"),
        (lambda: rr.reward_table(lambda s: s.sum(1)[:-1], 2, 2), "reward"),
        (lambda: rr.reward_table(np.zeros((2, 3)), 2, 2), "reward"),
        (lambda: rr.reward_table(np.zeros((2, 2)), 2, 0), "n"),
        (lambda: rr.matching_reward(2, 1), "vocab_size"),
        (lambda: rr.causal_gibbs(pol, ch[:1], R, 1), "ref_channel"),
        (lambda: rr.causal_gibbs(np.zeros(2), ch, R, 1), "policy"),
        (lambda: rr.causal_gibbs(pol, ch, np.zeros((3,)), 1), "reward"),
        (lambda: rr.causal_gibbs(pol, ch, R, 0), "kl_weight"),
        (lambda: rr.causal_objective(pol, ch, ch[:1], R, 1), "ref_channel"),
        (lambda: rr.causally_conditioned_kl(pol, [c * 2 for c in ch], ch), "channel"),
        (lambda: rr.per_token_kl(pol, ch, ch, base=-2), "base"),
        (lambda: rr.causal_rate_reward_curve(pol, ch, R, []), "kl_weights"),
        (lambda: rr.directed_rate_reward(pol, np.zeros((2, 2)), 1), "reward"),
        (lambda: rr.directed_rate_reward(pol, R, 1, tol=0), "tol"),
        (lambda: rr.directed_rate_reward(pol, R, 1, max_iter=0), "max_iter"),
        (lambda: rr.directed_rate_reward_curve(pol, R, [0]), "kl_weights"),
        (lambda: rr.GibbsLM("lm", r, 2, 1.0), "ref"),
        (lambda: rr.GibbsLM(lm, np.zeros((2, 2)), 2, 0), "kl_weight"),
        (lambda: rr.GibbsLM(lm, np.zeros((2, 2)), 2, 1.0, prompt=[5]), "prompt"),
        (lambda: rr.sequence_gibbs(lm, np.zeros((2, 2)), 0, 1.0), "n"),
        (lambda: rr.implicit_reward([0.1, -1], [-1, -1], 1), "logpolicy"),
        (lambda: rr.implicit_reward([-1, -1], [-1, np.nan], 1), "logref"),
        (lambda: rr.bradley_terry(np.inf, 0), "reward_a"),
        (lambda: rr.sample_preferences(ref, r, 0), "n_pairs"),
        (lambda: rr.sample_preferences(ref, r, 5, prompt_law=[0.5, 0.5]), "prompt_law"),
        (lambda: rr.dpo_loss(np.log(ref), np.log(ref), (1, 2, 3), 1), "data"),
        (lambda: rr.dpo_loss(np.log(ref), np.log(ref), rr.PreferenceData(data[0], data[1] + 5, data[2]), 1), "chosen"),
        (lambda: rr.expected_dpo_loss(np.log([0.2, 0.3, 0.5]), ref, r, 1), "logpolicy"),
        (lambda: rr.fit_dpo([0.0, -np.inf], data, 1), "logref"),
        (lambda: rr.fit_dpo(np.log(ref), data, 1, steps=0), "steps"),
        (lambda: rr.fit_dpo(np.log(ref), data, 1, lr=-1), "lr"),
    ]
    for fn, name in cases:
        with pytest.raises(ValueError, match=name):
            fn()


@pytest.mark.parametrize(
    "fn",
    [
        srr.gibbs_from_stationarity,
        srr.gibbs_optimal_value,
        srr.gibbs_variational_gap,
        srr.dpo_implicit_reward,
        srr.rate_reward_slope,
        srr.soft_value_two_steps,
    ],
)
def test_symbolic_derivations_hold(fn):
    assert fn().holds()


def test_a_wrong_gibbs_form_does_not_hold():
    import sympy as sp

    d = srr.gibbs_from_stationarity()
    q, r, kl_weight, Z = srr.symbols()
    assert not type(d)("wrong", d.lhs, q[0] * sp.exp(-r[0] / kl_weight) / Z, "", "6").holds()


def test_exercise_answers():
    reg = registered()
    labels = [k for k in reg if k.startswith("ex-06-")]
    assert len(labels) >= 2
    for k in labels:
        ref = reg[k].compute()
        assert is_correct(k, ref)
        assert not is_correct(k, ref * 1.1 + 0.1)
    # the closed forms the solutions derive
    assert reg["ex-06-matching-rate"].compute() == pytest.approx(3 * (1 - measures.binary_entropy(1 / (1 + math.e))))
    assert reg["ex-06-implicit-reward"].compute() == pytest.approx(-reg["ex-06-gibbs-value"].compute())
    # independent routes for the other two: the soft maximum by hand, and R(2) by a constrained convex
    # minimisation of the KL over the simplex (scipy SLSQP), not through the Gibbs family
    from scipy.optimize import minimize

    assert reg["ex-06-gibbs-value"].compute() == pytest.approx(
        0.5 * math.log(0.5 + 0.3 * math.exp(2) + 0.2 * math.exp(6)), rel=1e-12)
    ref, r = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 3.0])
    kl = lambda q: float(np.sum(q * np.log(np.maximum(q, 1e-300) / ref))) / LN2  # noqa: E731
    res = minimize(kl, np.array([0.2, 0.3, 0.5]), method="SLSQP", bounds=[(1e-12, 1)] * 3,
                   constraints=[{"type": "eq", "fun": lambda q: q.sum() - 1}, {"type": "ineq", "fun": lambda q: q @ r - 2}],
                   options={"ftol": 1e-14, "maxiter": 500})
    assert res.success and reg["ex-06-rate-at-reward"].compute() == pytest.approx(res.fun, rel=1e-5)


@given(st.integers(0, 10_000), st.integers(2, 40))
@settings(max_examples=40, deadline=None)
def test_best_of_n_strict_on_finite_sets_and_capped_by_n(seed, n):
    # chapter 6: on a finite response set KL(pi_n || ref) < log n - (n-1)/n for n >= 2 (the data-processing
    # step is strict), and pi_n(y) = F(y)^n - F(y^-)^n <= n ref(y)
    ref, r = bandit(seed)
    q = rr.best_of_n_policy(ref, r, n)
    kl = measures.kl_divergence(q, ref, base=math.e)
    assert kl < math.log(n) - (n - 1) / n - 1e-12
    assert np.all(q <= n * ref + 1e-12)


def test_soft_value_splits_for_per_token_plus_last_token_reward():
    # chapter 6, DPO section: for r = sum_t a(y_t) + b(y_n) and a first-order reference, V_t(y^t) minus the
    # accumulated sum_{s<=t} a(y_s) depends on y_t alone (V_t itself does not), by brute-force recursion
    lm, n, prompt, kl_weight = channel.MarkovLM.random(3, 1, seed=2), 4, [1], 0.5
    a, b = np.array([0.0, 0.0, 1.0]), np.array([-2.0, 0.0, 0.0])
    import itertools
    V = {y: a[list(y)].sum() + b[y[-1]] for y in itertools.product(range(3), repeat=n)}
    for t in range(n, 0, -1):
        for y in itertools.product(range(3), repeat=t - 1):
            p = np.exp(lm.next_token_logprobs(prompt + list(y)))
            V[y] = kl_weight * math.log(sum(p[k] * math.exp(V[y + (k,)] / kl_weight) for k in range(3)))
    raw_spread, split_spread = 0.0, 0.0
    for t in range(1, n + 1):
        for last in range(3):
            ys = [y for y in itertools.product(range(3), repeat=t) if y[-1] == last]
            raw = [V[y] for y in ys]
            split = [V[y] - a[list(y)].sum() for y in ys]
            raw_spread, split_spread = max(raw_spread, np.ptp(raw)), max(split_spread, np.ptp(split))
    assert split_spread < 1e-12 and raw_spread > 0.5
    reward = lambda s: (s == 2).sum(axis=1) - 2.0 * (s[:, -1] == 0)
    star = rr.GibbsLM(lm, reward, n, kl_weight, prompt=prompt)
    assert abs(star.value - V[()]) < 1e-9


def test_dpo_losses_with_zero_policy_probabilities_are_inf_or_refused_never_nan_issue_16():
    import warnings

    ref, r = np.array([0.5, 0.25, 0.25]), np.array([1.0, 0.0, 0.5])
    data = rr.sample_preferences(ref, r, 20, seed=0)
    assert np.any(data.chosen == data.rejected)  # a response against itself occurs in this data
    with np.errstate(divide="ignore"):
        zero0 = np.log([0.0, 0.5, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rr.dpo_loss(zero0, np.log(ref), data, 1.0) == math.inf
        assert rr.expected_dpo_loss(zero0, ref, r, 1.0) == math.inf
        # a self-pair contributes log 2 whatever the policy: a data set of self-pairs only
        same = rr.PreferenceData(data.prompts[:3], np.array([1, 1, 1]), np.array([1, 1, 1]))
        assert rr.dpo_loss(np.log([0.3, 0.3, 0.4]), np.log(ref), same, 1.0) == pytest.approx(math.log(2))
    # two supported responses, both of policy probability 0, nothing infinite elsewhere: undefined
    ref2 = np.array([0.5, 0.5, 0.0])
    with np.errstate(divide="ignore"):
        lp = np.log([0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="logpolicy gives probability 0 to both responses"):
        rr.expected_dpo_loss(lp, ref2, np.array([1.0, 0.0, 0.5]), 1.0)
    pair = rr.PreferenceData(np.array([0]), np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match="logpolicy gives probability 0 to both responses"):
        rr.dpo_loss(lp, np.log(ref), pair, 1.0)
    assert rr.dpo_loss(lp, np.log(ref), rr.PreferenceData(np.array([0, 0]), np.array([0, 0]), np.array([1, 2])),
                       1.0) == math.inf  # the second pair is infinite: the undefined first one cannot lower it
    # finite cases unchanged: the numeric sum of the population loss against the data loss on many pairs
    lpol = np.log([0.3, 0.3, 0.4])
    big = rr.sample_preferences(ref, r, 20000, seed=1)
    assert rr.dpo_loss(lpol, np.log(ref), big, 1.0) == pytest.approx(rr.expected_dpo_loss(lpol, ref, r, 1.0), abs=0.02)


def test_docstring_examples_run():
    """The numpydoc ``Examples`` of every ratereward submodule run as doctests and print what they show."""
    import doctest
    import importlib

    tried = 0
    for sub in ("bandit", "curve", "causal", "directed_rr", "gibbs_lm", "dpo", "best_of_n"):
        mod = importlib.import_module(f"semtheory.ratereward.{sub}")
        res = doctest.testmod(mod, verbose=False, report=False)
        assert res.failed == 0, sub
        tried += res.attempted
    assert tried >= 30
