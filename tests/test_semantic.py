"""Chapter 14: semantic measures of a language model; Monte Carlo estimators against exact values on small models."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import channel, directed, flow, semantic, sources
from semtheory.transformer import Transformer

SETTINGS = settings(max_examples=5, deadline=None)


def _markov(seed, V=3, order=2, conc=1.0):
    return channel.MarkovLM.random(V, order, seed=seed, concentration=conc)


def _tiny_transformer(V=3, seed=1, sharpen=4.0):
    m = Transformer(V, d_model=8, n_heads=2, n_layers=2, context_length=8, seed=seed)
    with torch.no_grad():  # untrained weights give near-uniform laws; sharpen them so that densities are not ~0
        m.unembed.weight.mul_(sharpen)
        for blk in m.blocks:
            blk.attn.W_Q.weight.mul_(3.0)
    return m


def _prompt_law(V, m, seed):
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.ones(V**m)).reshape((V,) * m)
    return q


def _exact_at(f: flow.ExactFlow, attr: str, paths, K: int, V: int):
    n = paths.iota.shape[1]
    arr = getattr(f, attr).reshape(K, V**n, n)
    return arr[paths.inputs[:, 0], np.ravel_multi_index(paths.outputs.T, (V,) * n)]


# ---------------------------------------------------------------------------------------------
# next_token_table
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [_markov(0), _tiny_transformer()])
def test_next_token_table_matches_next_token_logprobs(model):
    rng = np.random.default_rng(0)
    ctx = rng.integers(0, 3, size=(7, 5))
    ctx[3] = ctx[1]  # a duplicate row
    tab = semantic.next_token_table(model, ctx, start=1)
    assert tab.shape == (7, 5, 3)
    for b in range(7):
        for r in range(1, 6):
            np.testing.assert_allclose(tab[b, r - 1], model.next_token_logprobs(ctx[b, :r]), atol=2e-5)


def test_next_token_table_long_context_falls_back_to_the_interface():
    m = _tiny_transformer()
    ctx = np.random.default_rng(1).integers(0, 3, size=(2, 10))  # longer than the window
    tab = semantic.next_token_table(m, ctx, start=8)
    for b in range(2):
        for r in (8, 9, 10):
            np.testing.assert_allclose(tab[b, r - 8], m.next_token_logprobs(ctx[b, :r]), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Exact law of prompt and generation
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(seed=st.integers(0, 10_000), which=st.sampled_from(["markov", "transformer"]))
def test_prompt_flow_law_equals_prompt_generation_law(seed, which):
    model = _markov(seed) if which == "markov" else _tiny_transformer(seed=seed % 50)
    q = _prompt_law(3, 2, seed)
    P, w, idx = semantic.prompts_from_law(q)
    np.testing.assert_array_equal(idx, np.arange(9))
    law = semantic.prompt_flow_law(model, P, 3, weights=w)
    ref = channel.prompt_generation_law(model, q, 3)
    assert law.shape == ref.shape
    np.testing.assert_allclose(law, ref, atol=1e-6)
    assert directed.directed_information(law) == pytest.approx(directed.directed_information(ref), abs=1e-5)
    np.testing.assert_allclose(semantic.prompt_flow_law(model, P, 1, weights=w), channel.prompt_generation_law(model, q, 1), atol=1e-6)


def test_prompts_from_law_keeps_the_support_in_c_order():
    q = np.zeros((2, 2))
    q[0, 1], q[1, 1] = 0.25, 0.75
    P, w, idx = semantic.prompts_from_law(q)
    np.testing.assert_array_equal(P, [[0, 1], [1, 1]])
    np.testing.assert_allclose(w, [0.25, 0.75])
    np.testing.assert_array_equal(idx, [1, 3])


# ---------------------------------------------------------------------------------------------
# Monte Carlo flow: exact densities along paths, unbiased means
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["markov", "transformer"])
def test_sampled_densities_are_the_exact_ones(which):
    model = _markov(3) if which == "markov" else _tiny_transformer(seed=3)
    q = _prompt_law(3, 2, 3)
    P, w, _ = semantic.prompts_from_law(q)
    n = 3
    f = flow.exact_flow(semantic.prompt_flow_law(model, P, n, weights=w))
    paths = semantic.sample_prompt_flow(model, P, n, 300, weights=w, seed=4)
    tol = 1e-9 if which == "markov" else 5e-5
    np.testing.assert_allclose(paths.iota, _exact_at(f, "iota", paths, len(P), 3), atol=tol)
    np.testing.assert_allclose(paths.kl, _exact_at(f, "kl", paths, len(P), 3), atol=tol)
    np.testing.assert_allclose(paths.ranges, _exact_at(f, "ranges", paths, len(P), 3), atol=tol)
    assert np.all(paths.inputs[:, 1:] == 0)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_monte_carlo_directed_information_within_standard_errors(seed):
    """Both estimators of I(X; Y^t) lie within 4.5 standard errors of the exact value at every t."""
    model = _markov(seed, conc=0.5)
    q = _prompt_law(3, 2, seed + 1)
    P, w, _ = semantic.prompts_from_law(q)
    n = 4
    exact = flow.expected_flow(semantic.prompt_flow_law(model, P, n, weights=w))
    est = semantic.mean_flow(semantic.sample_prompt_flow(model, P, n, 3000, weights=w, seed=seed))
    assert est.n_samples == 3000
    assert np.all(np.abs(est.flow - exact) <= 4.5 * est.flow_se + 1e-12)
    assert np.all(np.abs(est.compensator - exact) <= 4.5 * est.compensator_se + 1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), K=st.integers(2, 6))
def test_flow_telescopes_to_the_log_posterior_ratio_and_obeys_the_log_k_ceiling(seed, K):
    model = _markov(seed, conc=0.3)
    rng = np.random.default_rng(seed)
    P = rng.integers(0, 3, size=(K, 3))
    n = 3
    paths = semantic.sample_prompt_flow(model, P, n, 200, seed=seed)
    law = semantic.prompt_flow_law(model, P, n).reshape(K, -1)
    post = law / law.sum(axis=0, keepdims=True)  # P(x_k | y^n)
    y = np.ravel_multi_index(paths.outputs.T, (3,) * n)
    k = paths.inputs[:, 0]
    np.testing.assert_allclose(paths.Lambda[:, -1], np.log2(post[k, y] * K), atol=1e-9)
    assert np.all(paths.Lambda[:, -1] <= math.log2(K) + 1e-9)
    assert np.all(paths.kl >= 0)


def test_sample_prompt_flow_is_deterministic_under_seed_and_units_scale():
    model = _markov(7)
    P = np.array([[0, 1], [2, 2], [1, 0]])
    a = semantic.sample_prompt_flow(model, P, 4, 50, seed=11)
    b = semantic.sample_prompt_flow(model, P, 4, 50, seed=11)
    c = semantic.sample_prompt_flow(model, P, 4, 50, seed=12)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.outputs, c.outputs)
    nat = semantic.sample_prompt_flow(model, P, 4, 50, seed=11, base=math.e)
    np.testing.assert_allclose(nat.iota, a.iota * math.log(2), atol=1e-12)


def test_mean_flow_on_identical_paths_has_zero_standard_error():
    paths = flow.FlowPaths(np.ones((3, 2)), np.full((3, 2), 0.5), np.zeros((3, 2)), np.zeros((3, 2), int), np.zeros((3, 2), int))
    est = semantic.mean_flow(paths)
    np.testing.assert_allclose(est.flow, [1, 2]); np.testing.assert_allclose(est.compensator, [0.5, 1.0])
    np.testing.assert_allclose(est.flow_se, 0); np.testing.assert_allclose(est.compensator_se, 0)


# ---------------------------------------------------------------------------------------------
# Perplexity against the entropy rate
# ---------------------------------------------------------------------------------------------


def test_batch_means_se_closed_form():
    means = np.array([1.0, 2.0, 4.0, 7.0])
    v = np.repeat(means, 5)
    assert semantic.batch_means_se(v, 4) == pytest.approx(means.std(ddof=1) / 2)
    assert semantic.batch_means_se(np.append(v, 100.0), 4) == pytest.approx(means.std(ddof=1) / 2)  # tail dropped


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_perplexity_report_against_exact_rates(seed):
    src = sources.MarkovSource.random(3, order=1, seed=seed, concentration=1.0)
    model = channel.MarkovLM.random(3, 1, seed=seed + 1, concentration=5.0)
    x = src.sample(20_000, seed=seed)
    r = semantic.perplexity_report(model, x, source=src)
    H = src.entropy_rate()
    exact_ce = sources.stationary_cross_entropy(src, model)
    assert r.entropy_rate == pytest.approx(H) and r.source_perplexity == pytest.approx(2**H)
    assert r.perplexity == pytest.approx(2**r.cross_entropy)
    assert abs(r.cross_entropy - exact_ce) <= 5 * r.cross_entropy_se
    assert abs(r.excess - (exact_ce - H)) <= 5 * r.excess_se
    assert r.excess == pytest.approx(r.cross_entropy - r.source_losses.mean())


def test_perplexity_report_of_the_source_itself_has_no_excess():
    src = sources.MarkovSource.random(4, order=2, seed=2, concentration=0.5)
    x = src.sample(3000, seed=1)
    r = semantic.perplexity_report(src, x, source=src, base=math.e)
    assert r.excess == 0.0 and r.excess_se == 0.0
    assert r.perplexity == pytest.approx(math.exp(r.cross_entropy))
    plain = semantic.perplexity_report(src, x)
    assert plain.entropy_rate is None and plain.excess is None
    assert plain.cross_entropy == pytest.approx(r.cross_entropy / math.log(2))


# ---------------------------------------------------------------------------------------------
# Attention energies
# ---------------------------------------------------------------------------------------------


def test_attention_energies_reproduce_the_layers_attention_and_never_rise():
    m = _tiny_transformer(V=4, seed=5)
    ctx = np.array([0, 3, 1, 1, 2, 0, 3])
    ae = semantic.attention_energies(m, ctx)
    tr = m.trace(ctx)
    n = len(ctx) + 1
    assert ae.energy.shape == (2, 2, n) and ae.beta == pytest.approx(1 / math.sqrt(4))
    np.testing.assert_allclose(ae.alpha, np.stack(tr.alpha), atol=1e-12)
    assert np.all(ae.energy_after <= ae.energy + 1e-12)
    a = ae.alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        H = -np.where(a > 0, a * np.log2(np.where(a > 0, a, 1.0)), 0.0).sum(-1)
    np.testing.assert_allclose(ae.entropy, H, atol=1e-12)
    np.testing.assert_allclose(ae.max_weight, a.max(-1))
    assert np.all(ae.entropy <= np.log2(np.arange(1, n + 1)) + 1e-12)
    np.testing.assert_allclose(ae.entropy[..., 0], 0, atol=1e-12)  # BOS sees only itself
    assert np.all(ae.energy - ae.free_energy >= -1e-12)
    # independent route: chapter 10's per-query energy functions on the stored queries and keys
    from semtheory import energy

    for layer, hd, i in [(0, 0, 3), (1, 1, 7), (1, 0, 0)]:
        q, K = ae.queries[layer, hd, i], ae.keys[layer, hd, : i + 1]
        assert ae.energy[layer, hd, i] == pytest.approx(energy.hopfield_energy(q, K, ae.beta, constant=False), abs=1e-10)
        E1 = energy.hopfield_energy(energy.hopfield_update(q, K, ae.beta), K, ae.beta, constant=False)
        assert ae.energy_after[layer, hd, i] == pytest.approx(E1, abs=1e-10)
        np.testing.assert_allclose(ae.alpha[layer, hd, i, : i + 1], energy.attention_weights(q, K, ae.beta), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_bad_input():
    model = _markov(0)
    P = np.array([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="model"):
        semantic.next_token_table("not a model", P)
    with pytest.raises(ValueError, match="contexts"):
        semantic.next_token_table(model, [0, 1, 2])
    with pytest.raises(ValueError, match="contexts"):
        semantic.next_token_table(model, [[0, 5]])
    with pytest.raises(ValueError, match="start"):
        semantic.next_token_table(model, P, start=3)
    with pytest.raises(ValueError, match="prompt_law"):
        semantic.prompts_from_law([0.5, 0.6])
    with pytest.raises(ValueError, match="prompt_law"):
        semantic.prompts_from_law(np.full((2, 3), 1 / 6))
    with pytest.raises(ValueError, match="prompts"):
        semantic.prompt_flow_law(model, [0, 1], 2)
    with pytest.raises(ValueError, match="prompts"):
        semantic.prompt_flow_law(model, [[0, 3]], 2)
    with pytest.raises(ValueError, match="weights"):
        semantic.prompt_flow_law(model, P, 2, weights=[1.0])
    with pytest.raises(ValueError, match="weights"):
        semantic.prompt_flow_law(model, P, 2, weights=[0.5, np.nan])
    with pytest.raises(ValueError, match="n"):
        semantic.prompt_flow_law(model, P, 0)
    with pytest.raises(ValueError, match="n="):
        semantic.prompt_flow_law(model, P, 40)
    with pytest.raises(ValueError, match="n_samples"):
        semantic.sample_prompt_flow(model, P, 2, 0)
    with pytest.raises(ValueError, match="seed"):
        semantic.sample_prompt_flow(model, P, 2, 5, seed=1.5)
    with pytest.raises(ValueError, match="base"):
        semantic.sample_prompt_flow(model, P, 2, 5, base=1)
    with pytest.raises(ValueError, match="paths"):
        semantic.mean_flow(np.zeros((3, 2)))
    one = semantic.sample_prompt_flow(model, P, 2, 1, seed=0)
    with pytest.raises(ValueError, match="paths"):
        semantic.mean_flow(one)
    with pytest.raises(ValueError, match="values"):
        semantic.batch_means_se([1.0, np.inf, 2.0])
    with pytest.raises(ValueError, match="n_batches"):
        semantic.batch_means_se(np.ones(10), 1)
    with pytest.raises(ValueError, match="values"):
        semantic.batch_means_se(np.ones(3), 5)
    with pytest.raises(ValueError, match="tokens"):
        semantic.perplexity_report(model, [0, 1, 7])
    with pytest.raises(ValueError, match="tokens"):
        semantic.perplexity_report(model, [0])
    with pytest.raises(ValueError, match="source"):
        semantic.perplexity_report(model, [0, 1, 2, 1], source=_markov(1), n_batches=2)
    with pytest.raises(ValueError, match="source"):
        semantic.perplexity_report(model, [0, 1, 2, 1], source=sources.MarkovSource.random(4, seed=0), n_batches=2)
    with pytest.raises(ValueError, match="n_batches"):
        semantic.perplexity_report(model, [0, 1, 2, 1], n_batches=9)
    with pytest.raises(ValueError, match="model"):
        semantic.attention_energies(model, [0, 1])
    with pytest.raises(ValueError, match="context"):
        semantic.attention_energies(_tiny_transformer(), np.zeros(8, dtype=int))
    with pytest.raises(ValueError, match="base"):
        semantic.attention_energies(_tiny_transformer(), [0, 1], base=0)


# ---------------------------------------------------------------------------------------------
# Feedback interaction, ergodicity, reading laws at paths (second edition)
# ---------------------------------------------------------------------------------------------


def _bsc(eps):
    return channel.MarkovLM(np.array([[1 - eps, eps], [eps, 1 - eps]]), initial=np.array([0.5, 0.5]))


@pytest.mark.parametrize("lam, n", [(0.0, 3), (0.6, 3), (1.0, 4)])
def test_interaction_law_of_a_bsc_equals_chapter_3s_echo_construction(lam, n):
    """Independent route: chapter 3's echo policy and memoryless BSC kernels, not the model's table."""
    law = channel.interaction_law(_bsc(0.1), semantic.echo_user(2, lam), n)
    ref = directed.joint_law(directed.echo_policy(lam, n), directed.memoryless_channel(directed.binary_symmetric_channel(0.1), n))
    np.testing.assert_allclose(law, ref, atol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_pure_echo_on_a_bsc_closed_form(n):
    eps = 0.1
    h = -eps * math.log2(eps) - (1 - eps) * math.log2(1 - eps)
    c = directed.conservation(channel.interaction_law(_bsc(eps), semantic.echo_user(2, 1.0), n))
    assert c.directed == pytest.approx(1 - h, abs=1e-10)
    assert c.mutual == pytest.approx(1 + (n - 2) * h, abs=1e-10)
    assert c.reverse == pytest.approx((n - 1) * h, abs=1e-10)


def test_interaction_channel_of_a_transformer_reads_its_next_token_laws():
    m = _tiny_transformer(V=3)
    ch = channel.interaction_channel(m, 3)
    rng = np.random.default_rng(0)
    for _ in range(10):
        x, y = rng.integers(0, 3, 3), rng.integers(0, 3, 2)
        ctx = [x[0], y[0], x[1], y[1], x[2]]
        np.testing.assert_allclose(ch[2][x[0], x[1], x[2], y[0], y[1]], np.exp(m.next_token_logprobs(ctx)), atol=1e-6)
        np.testing.assert_allclose(ch[0][x[0]], np.exp(m.next_token_logprobs(ctx[:1])), atol=1e-6)


@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_feedback_monte_carlo_agrees_with_the_exact_law(lam):
    m = _tiny_transformer(V=3)
    U = semantic.echo_user(3, lam)
    c = directed.conservation(channel.interaction_law(m, U, 3))
    e = semantic.sample_feedback_information(m, U, 3, 400, n_inner=128, seed=1)
    assert abs(e.directed - c.directed) < 4 * e.directed_se + 0.05
    assert abs(e.mutual - c.mutual) < 4 * e.mutual_se + 0.05
    assert e.reverse == pytest.approx(e.mutual - e.directed)
    if lam == 0.0:
        assert c.reverse == pytest.approx(0.0, abs=1e-10)
    else:
        assert c.mutual > c.directed + 0.05


@pytest.mark.parametrize("lam", [0.5, 1.0])
def test_reverse_term_vanishes_over_a_noiseless_channel_although_the_user_reacts(lam):
    """The chapter's counterexample: a zero reverse term does not mean a user who ignores the outputs."""
    noiseless = channel.MarkovLM(np.eye(2), initial=np.full(2, 0.5))
    c = directed.conservation(channel.interaction_law(noiseless, semantic.echo_user(2, lam), 3))
    assert c.reverse == pytest.approx(0.0, abs=1e-12) and c.mutual == pytest.approx(c.directed, abs=1e-12)
    noisy = directed.conservation(channel.interaction_law(_bsc(0.1), semantic.echo_user(2, lam), 3))
    assert noisy.reverse > 0.1  # the same user over a noisy channel: the reverse term is there


def test_feedback_estimator_bias_is_upward_and_shrinks_with_the_inner_draws():
    """log of an unbiased marginal estimate is biased low, so both estimates are biased up, roughly as 1/M."""
    U = semantic.echo_user(2, 0.5)
    c = directed.conservation(channel.interaction_law(_bsc(0.1), U, 4))
    bias = {}
    for M in (1, 4, 64):
        e = semantic.sample_feedback_information(_bsc(0.1), U, 4, 2000, n_inner=M, seed=0)
        bias[M] = (e.directed - c.directed, e.mutual - c.mutual, e.directed_se, e.mutual_se)
    for j in (0, 1):
        assert bias[1][j] > bias[4][j] > 4 * bias[4][j + 2]  # upward, and larger for fewer inner draws
        assert abs(bias[64][j]) < 4 * bias[64][j + 2] + 0.02
        assert bias[1][j] / bias[4][j] > 2  # 1/M would give 4; the small-M regime is slower


def test_feedback_estimate_is_deterministic_under_seed_and_scales_with_base():
    m, U = _bsc(0.2), semantic.echo_user(2, 0.5)
    a = semantic.sample_feedback_information(m, U, 3, 50, n_inner=8, seed=3)
    b = semantic.sample_feedback_information(m, U, 3, 50, n_inner=8, seed=3, base=math.e)
    assert a.directed * math.log(2) == pytest.approx(b.directed)
    assert a == semantic.sample_feedback_information(m, U, 3, 50, n_inner=8, seed=3)


def test_path_densities_and_generation_law_read_the_exact_law():
    model = _markov(2)
    P = np.array([[0, 1], [2, 2], [1, 0]])
    law = semantic.prompt_flow_law(model, P, 3, weights=[0.2, 0.5, 0.3])
    paths = semantic.sample_prompt_flow(model, P, 3, 60, weights=[0.2, 0.5, 0.3], seed=0)
    np.testing.assert_allclose(semantic.path_densities(law, paths), paths.iota, atol=1e-10)
    np.testing.assert_allclose(_exact_at(flow.exact_flow(law), "iota", paths, 3, 3), paths.iota, atol=1e-10)
    np.testing.assert_allclose(semantic.generation_law(law, 1), channel.sequence_law(model, 3, prompt=P[1]), atol=1e-12)


def test_mixing_modulus_predicts_convergence_of_the_lifted_chain():
    src = sources.MarkovSource.random(3, order=2, seed=4)
    lam = semantic.mixing_modulus(src)
    assert 0 < lam < 1
    from semtheory.sources import lifted_transition

    T = np.linalg.matrix_power(lifted_transition(src.transition), 200)
    np.testing.assert_allclose(T, np.broadcast_to(src.stationary.reshape(1, -1), T.shape), atol=1e-8)
    periodic = sources.MarkovSource(np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert semantic.mixing_modulus(periodic) == pytest.approx(1.0)  # period 2: not mixing
    assert semantic.mixing_modulus(sources.IIDSource([0.3, 0.7])) == 0.0


def test_markov_order_gap_is_the_excess_of_the_projected_model():
    """Independent route: score a long sample with the order-1 projection (paired excess of perplexity_report)."""
    from semtheory.transformer import markov_source

    src = markov_source(seed=0)
    gap = semantic.markov_order_gap(src, 1)
    law = src.stationary[..., None] * src.transition
    pair = law.sum(axis=0)
    Q = pair / pair.sum(axis=1, keepdims=True)
    x = src.sample(40000, seed=0)
    r = semantic.perplexity_report(channel.MarkovLM(Q, initial=law.sum(axis=(1, 2))), x, source=src)
    assert abs(r.excess - gap) < 4 * r.excess_se
    assert semantic.markov_order_gap(src, 2) == 0.0


def test_chapter_14_exercise_answers_by_independent_routes():
    from semtheory.exercises import is_correct
    from semtheory.transformer import markov_source

    src = markov_source(seed=0)
    rows = src.transition.reshape(-1, 4)
    H = float(-(src.stationary.reshape(-1)[:, None] * rows * np.log2(rows)).sum())
    assert is_correct("ex-14-source-perplexity", 2**H)
    assert is_correct("ex-14-density-by-hand", math.log2(0.2 / 0.55))
    seq = channel.sequence_law(src, 7)  # prompt X^3 and generation Y^4 as one stationary sequence
    from semtheory import measures

    assert is_correct("ex-14-source-di", measures.mutual_information(seq, (0, 1, 2), (3, 4, 5, 6)))
    # Rao-Blackwell ratio by brute force over the 2 prompts x 2^3 generations
    T, w = np.array([[0.9, 0.1], [0.2, 0.8]]), [0.3, 0.7]
    import itertools

    lam_, a_, pr = [], [], []
    for k in (0, 1):
        for ys in itertools.product((0, 1), repeat=3):
            p = w[k] * np.prod([T[([k] + list(ys))[t], ys[t]] for t in range(3)])
            L = A = 0.0
            for t in range(3):
                hist = ys[:t]
                post = np.array([w[j] * np.prod([T[([j] + list(hist))[s], hist[s]] for s in range(t)]) for j in (0, 1)])
                post /= post.sum()
                mix = sum(post[j] * T[([j] + list(hist))[t]] for j in (0, 1))
                own = T[([k] + list(hist))[t]]
                L += math.log2(own[ys[t]] / mix[ys[t]])
                A += float((own * np.log2(own / mix)).sum())
            lam_.append(L); a_.append(A); pr.append(p)
    pr, lam_, a_ = map(np.array, (pr, lam_, a_))
    var = lambda z: (pr * z**2).sum() - (pr * z).sum() ** 2  # noqa: E731
    assert is_correct("ex-14-rao-blackwell", var(lam_) / var(a_))
    h = -0.1 * math.log2(0.1) - 0.9 * math.log2(0.9)
    assert is_correct("ex-14-echo-feedback", (1 - h, 1 + h))
    assert not is_correct("ex-14-echo-feedback", (1 + h, 1 + h))
    # the order-1 gap is H(X3|X2) - H(X3|X1,X2) under the stationary law, by entropies
    law = src.stationary[..., None] * src.transition
    ent = lambda q: float(-(q[q > 0] * np.log2(q[q > 0])).sum())  # noqa: E731
    h32 = ent(law.sum(axis=0)) - ent(law.sum(axis=(0, 2)))
    assert is_correct("ex-14-shorter-memory", h32 - src.entropy_rate(base=2))
    # discrete semantic entropy: enumerate all 2^10 class sequences instead of the binomial sum
    seqs = np.array(list(itertools.product((0, 1), repeat=10)))
    j = seqs.sum(1)
    prob = 0.3**j * 0.7 ** (10 - j)
    f = np.stack([1 - j / 10, j / 10], axis=1)
    plug = -(np.where(f > 0, f * np.log2(np.where(f > 0, f, 1)), 0)).sum(1)
    bias = ent(np.array([0.7, 0.3])) - float((prob * plug).sum())
    assert is_correct("ex-14-semantic-bias", bias)
    first, second = 1 / (20 * math.log(2)), (1 / 0.7 + 1 / 0.3 - 1) / (12 * 100 * math.log(2))
    assert first < first + second < bias  # the solution: the next term has the same sign and matters


def test_new_functions_reject_bad_input():
    m = _bsc(0.1)
    with pytest.raises(ValueError, match="user"):
        channel.interaction_law(m, np.ones((2, 2, 2)), 2)
    with pytest.raises(ValueError, match="first"):
        channel.interaction_law(m, semantic.echo_user(2, 0.5), 2, first=[1.0])
    with pytest.raises(ValueError, match="repeat"):
        semantic.echo_user(2, 1.5)
    with pytest.raises(ValueError, match="vocab_size"):
        semantic.echo_user(1, 0.5)
    with pytest.raises(ValueError, match="n"):
        channel.interaction_channel(m, 20)
    with pytest.raises(ValueError, match="n_inner"):
        semantic.sample_feedback_information(m, semantic.echo_user(2, 0.5), 2, 10, n_inner=0)
    with pytest.raises(ValueError, match="source"):
        semantic.mixing_modulus(m)
    with pytest.raises(ValueError, match="order"):
        semantic.markov_order_gap(sources.MarkovSource.random(3, order=1, seed=0), 2)
    with pytest.raises(ValueError, match="law"):
        semantic.generation_law(np.full((2, 2, 2), 0.125), 0)
    law = semantic.prompt_flow_law(m, np.array([[0], [1]]), 2)
    with pytest.raises(ValueError, match="k"):
        semantic.generation_law(law, 2)
    with pytest.raises(ValueError, match="paths"):
        semantic.path_densities(law, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="field"):
        semantic.per_layer_values(semantic.attention_readout(_tiny_transformer(), np.arange(20) % 3, 5, windows=2), "x")
    with pytest.raises(ValueError, match="tokens"):
        semantic.attention_readout(_tiny_transformer(), [0, 1], 5)


def test_previous_token_weight_limits_and_the_network():
    def readout(alpha):  # an AttentionEnergies carrying only the weights (1 layer, heads, n, n)
        z = np.zeros(alpha.shape[:-1])
        return semantic.AttentionEnergies(z, z, z, z, z, alpha, 1.0)
    n = 6
    copy = np.eye(n, k=-1); copy[0, 0] = 1.0                                   # every query on its previous key
    uniform = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]          # 1 / (i + 1) on each causal key
    got = semantic.previous_token_weight([readout(np.stack([copy, uniform])[None])])
    np.testing.assert_allclose(got, [1.0, np.mean(1 / np.arange(3, n + 1))])
    m = _tiny_transformer(V=3, seed=2)
    reads = semantic.attention_readout(m, np.arange(30) % 3, 5, windows=3)
    tr = [m.trace(np.arange(30)[s:s + 5] % 3) for s in np.linspace(0, 24, 3).astype(int)]
    by_trace = np.mean([[np.diag(t.alpha[1][h], -1)[1:].mean() for h in range(t.alpha[1].shape[0])] for t in tr], 0)
    np.testing.assert_allclose(semantic.previous_token_weight(reads, layer=1), by_trace, atol=1e-5)
    with pytest.raises(ValueError, match="layer"):
        semantic.previous_token_weight(reads, layer=2)
    with pytest.raises(ValueError, match="readouts"):
        semantic.previous_token_weight([])


def test_residual_streams_equal_the_trace():
    m = _tiny_transformer(V=4, seed=3)
    ctx = np.array([[0, 3, 1, 2, 2], [1, 1, 0, 3, 2]])
    R = semantic.residual_streams(m, ctx)
    assert R.shape == (3, 2, 6, 8)
    for b in range(2):
        tr = m.trace(ctx[b])
        for layer in range(3):
            np.testing.assert_allclose(R[layer, b], tr.hidden[layer], atol=1e-5)


def test_probe_information_bounds_and_limits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 2000)
    onehot = np.eye(4)[y] + 0.01 * rng.standard_normal((2000, 4))
    full = semantic.probe_information(onehot, y, n_classes=4, entropy=2.0, seed=0)
    assert full.information == pytest.approx(2.0, abs=0.05)  # the label is linearly decodable
    noise = semantic.probe_information(rng.standard_normal((2000, 3)), y, n_classes=4, entropy=2.0, seed=0)
    assert abs(noise.information) < 4 * noise.information_se + 0.02  # independent features: no information
    # a noisy channel with a known mutual information: T uniform on 2 values, H = T +- 1 plus N(0, 1)
    t = rng.integers(0, 2, 4000)
    h = (2.0 * t - 1.0)[:, None] + rng.standard_normal((4000, 1))
    r = semantic.probe_information(h, t, n_classes=2, entropy=1.0, seed=1)
    from scipy import integrate, stats

    f = lambda x: 0.5 * (stats.norm.pdf(x, 1) + stats.norm.pdf(x, -1))  # noqa: E731
    hx = integrate.quad(lambda x: -f(x) * np.log2(f(x)), -12, 12)[0]
    mi = hx - 0.5 * np.log2(2 * np.pi * np.e)  # I(T;H) = h(H) - h(H|T); the logistic probe is Bayes-optimal here
    assert abs(r.information - mi) < 4 * r.information_se + 0.01


def test_state_probe_embeddings_carry_one_token_entropy():
    src = sources.MarkovSource(channel.MarkovLM.random(3, 2, seed=2, concentration=0.5).transition)
    x = src.sample(3000, seed=0)
    m = Transformer(3, d_model=8, n_heads=2, n_layers=2, context_length=16, seed=0)
    r = semantic.state_probe(m, src, x, length=12, windows=150, seed=0)
    px = src.stationary.sum(0)
    assert r[0].entropy == pytest.approx(float(-(src.stationary * np.log2(src.stationary)).sum()))
    assert r[0].information < float(-(px * np.log2(px)).sum()) + 4 * r[0].information_se + 0.02  # Prop: = H(X_i)
    with pytest.raises(ValueError, match="labels"):
        semantic.probe_information(np.ones((5, 2)), [0, 1, 2, 0, 1], n_classes=2)
    with pytest.raises(ValueError, match="features"):
        semantic.probe_information(np.ones((2, 2)), [0, 1], n_classes=2)
    with pytest.raises(ValueError, match="train_fraction"):
        semantic.probe_information(np.ones((5, 2)), [0, 1, 0, 0, 1], n_classes=2, train_fraction=1.0)
    with pytest.raises(ValueError, match="model"):
        semantic.residual_streams(_markov(0), [[0, 1]])
    with pytest.raises(ValueError, match="source"):
        semantic.state_probe(m, _markov(0), x)


def test_semantic_entropy_chain_rule_and_estimator_bias():
    rng = np.random.default_rng(0)
    law = rng.dirichlet(np.ones(9)).reshape(3, 3)
    classes = np.array([[0, 0, 1], [1, 2, 2], [0, 1, 2]])
    r = semantic.semantic_entropy(law, classes)
    pc = np.array([law[classes == c].sum() for c in range(3)])
    assert r.semantic == pytest.approx(float(-(pc * np.log2(pc)).sum()))
    assert r.lexical == pytest.approx(float(-(law * np.log2(law)).sum()))
    assert r.within == pytest.approx(r.lexical - r.semantic) and r.within > 0
    one = semantic.semantic_entropy(law, np.arange(9).reshape(3, 3))  # every answer its own class
    assert one.semantic == pytest.approx(one.lexical) and one.within == pytest.approx(0.0, abs=1e-12)
    stack = semantic.semantic_entropy(np.stack([law, law.T]), classes)
    assert stack.semantic[0] == pytest.approx(r.semantic)
    # the sampled estimator: mean close to H(C) minus the first-order plug-in bias (classes - 1) / (2 M ln 2)
    lm = channel.MarkovLM(np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]]), initial=np.ones(3) / 3)
    ex = semantic.semantic_entropy(semantic.generation_law(semantic.prompt_flow_law(lm, [[0]], 2), 0), classes)
    est = semantic.sampled_semantic_entropy(lm, [0], 2, classes, 200, repeats=400, seed=1)
    assert abs(est.mean() - (ex.semantic - 2 / (2 * 200 * math.log(2)))) < 4 * est.std(ddof=1) / math.sqrt(400) + 1e-3
    with pytest.raises(ValueError, match="classes"):
        semantic.semantic_entropy(law, np.full((3, 3), -1))
    with pytest.raises(ValueError, match="law"):
        semantic.semantic_entropy(np.ones((2, 2)), np.zeros((3, 3), dtype=int))
    with pytest.raises(ValueError, match="prompt"):
        semantic.sampled_semantic_entropy(lm, [[0], [1]], 2, classes, 5)
