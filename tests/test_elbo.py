"""Tests for semtheory.elbo (chapter 11): the ELBO bound, its gap, the variational fit, derivations, exercises."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from semtheory import elbo as E
from semtheory import measures
from semtheory.exercises import is_correct, registered
from semtheory.symbolic import elbo as S

seeds = st.integers(0, 10_000)


def _model(seed, S_=2, V=3, n=4):
    rng = np.random.default_rng(seed)
    hmm = E.random_hmm(S_, V, seed=seed)
    x = rng.integers(0, V, size=n)
    return hmm, x, rng


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(1, 3), st.integers(1, 5))
def test_elbo_below_evidence_and_gap_is_kl(seed, S_, n):
    hmm, x, rng = _model(seed, S_, 3, n)
    lj = E.log_joint(hmm, x)
    q = rng.dirichlet(np.ones(lj.size)).reshape(lj.shape)
    logp = E.log_evidence(hmm, x, base=math.e)
    assert math.isclose(logp, float(logsumexp(lj)), rel_tol=1e-10, abs_tol=1e-10)
    value = E.elbo(lj, q, base=math.e)
    assert value <= logp + 1e-10
    kl = measures.kl_divergence(q, E.posterior(hmm, x), base=math.e)
    assert math.isclose(E.elbo_gap(lj, q, base=math.e), kl, rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(E.elbo(lj, E.posterior(hmm, x), base=math.e), logp, rel_tol=1e-10, abs_tol=1e-10)


@settings(max_examples=20, deadline=None)
@given(seeds)
def test_base_two_and_mean_field(seed):
    hmm, x, rng = _model(seed)
    lj = E.log_joint(hmm, x)
    f = rng.dirichlet(np.ones(2), size=4)
    q = E.mean_field(f)
    assert q.shape == (2,) * 4 and math.isclose(q.sum(), 1.0)
    assert math.isclose(q[1, 0, 1, 1], f[0, 1] * f[1, 0] * f[2, 1] * f[3, 1])
    assert math.isclose(E.elbo(lj, q, base=2), E.elbo(lj, q, base=math.e) / math.log(2))


def test_log_joint_matches_brute_force():
    hmm, x, _ = _model(3, 3, 2, 3)
    lj = E.log_joint(hmm, x)
    for z in np.ndindex(*lj.shape):
        p = hmm.initial[z[0]] * np.prod([hmm.emission[z[t], x[t]] for t in range(3)])
        p *= np.prod([hmm.transition[z[t - 1], z[t]] for t in range(1, 3)])
        assert math.isclose(lj[z], math.log(p))
    assert np.allclose(np.exp(E.log_prior(hmm, 3)).sum(), 1.0)


def test_sequence_pmf_and_bound_chain():
    data, model = E.random_hmm(2, 3, seed=1), E.random_hmm(2, 3, seed=5)
    p = E.sequence_law(data, 3)
    assert math.isclose(p.sum(), 1.0)
    assert math.isclose(math.log(p[0, 2, 1]), E.log_evidence(data, np.array([0, 2, 1]), base=math.e))
    c = E.bound_chain(data, model, 3)
    assert c.neg_elbo >= c.cross_entropy - 1e-12 >= c.entropy - 1e-12
    assert math.isclose(c.cross_entropy, c.entropy + c.kl)
    assert math.isclose(c.cross_entropy, measures.cross_entropy(p, E.sequence_law(model, 3)) / 3)
    exact = E.bound_chain(data, model, 3, variational="posterior")
    assert math.isclose(exact.neg_elbo, exact.cross_entropy, rel_tol=1e-9)
    same = E.bound_chain(data, data, 3, variational="posterior")
    assert abs(same.kl) < 1e-12 and math.isclose(same.neg_elbo, same.entropy, rel_tol=1e-9)


def test_fit_markov_reaches_evidence_and_is_deterministic():
    hmm, x = E.random_hmm(2, 3, seed=1), np.array([0, 2, 1, 1, 0])
    r = E.fit_variational(hmm, x, family="markov", steps=300, seed=0)
    assert r.elbos[-1] <= r.log_evidence + 1e-9
    assert r.log_evidence - r.elbos[-1] < 1e-3
    assert np.mean(np.diff(r.elbos)) > 0 and r.elbos[-1] > r.elbos[0]
    # non-decreasing on average over windows of 20 steps
    w = r.elbos[: 300 // 20 * 20].reshape(-1, 20).mean(axis=1)
    assert np.all(np.diff(w) > -1e-6)
    r2 = E.fit_variational(hmm, x, family="markov", steps=300, seed=0)
    assert np.array_equal(r.elbos, r2.elbos)
    assert math.isclose(E.elbo(E.log_joint(hmm, x), r.q, base=math.e), r.elbos[-1], rel_tol=1e-8)


def test_fit_mean_field_gap_is_kl():
    hmm, x = E.random_hmm(2, 3, seed=1), np.array([0, 2, 1, 1])
    r = E.fit_variational(hmm, x, family="mean-field", steps=200, seed=1)
    gap = r.log_evidence - r.elbos[-1]
    assert gap >= -1e-9
    assert math.isclose(gap, measures.kl_divergence(r.q, E.posterior(hmm, x), base=math.e), rel_tol=1e-6, abs_tol=1e-9)
    assert r.elbos[-1] > r.elbos[0]


def test_zero_probability_paths():
    hmm = E.make_hmm([1.0, 0.0], [[0.5, 0.5], [0.0, 1.0]], [[1.0, 0.0], [0.5, 0.5]])
    x = np.array([0, 1])
    lj = E.log_joint(hmm, x)
    assert E.elbo(lj, np.full((2, 2), 0.25), base=math.e) == -math.inf
    post = E.posterior(hmm, x)
    assert math.isclose(E.elbo(lj, post, base=math.e), E.log_evidence(hmm, x, base=math.e))
    r = E.fit_variational(hmm, x, steps=200)
    assert r.elbos[-1] <= r.log_evidence + 1e-9 and r.elbos[-1] > -3.0  # penalty drives mass off impossible paths
    with pytest.raises(ValueError, match="probability zero"):
        E.posterior(hmm, np.array([1, 1]))


def test_derivations_hold():
    for d in (S.elbo_decomposition(), S.elbo_gap_is_kl(), S.elbo_tight_at_posterior(), S.elbo_stationary_at_posterior()):
        assert d.holds(), d.name
    p1, p2, a, elbo, kl = S.symbols()
    num = {p1: 0.2, p2: 0.05, a: 0.3}
    assert math.isclose(float(elbo.subs(num) + kl.subs(num)), math.log(0.25))
    assert not S.symbols()[3].subs(a, 0.3).equals(S.symbols()[3].subs(a, 0.5))


def test_exercises():
    answers = {k: v for k, v in registered().items() if k.startswith("ex-11-")}
    assert len(answers) >= 2
    for label, ans in answers.items():
        ref = ans.compute()
        assert is_correct(label, ref)
        assert not is_correct(label, ref * 1.1 + 0.1)


def test_bad_input():
    hmm, x, _ = _model(0)
    lj = E.log_joint(hmm, x)
    q = np.full(lj.shape, 1 / lj.size)
    with pytest.raises(ValueError, match="initial"):
        E.make_hmm([0.5, 0.6], [[1, 0], [0, 1]], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="transition"):
        E.make_hmm([0.5, 0.5], [[1, 0, 0], [0, 1, 0]], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="emission"):
        E.make_hmm([0.5, 0.5], [[1, 0], [0, 1]], [[1.0]])
    with pytest.raises(ValueError, match="n_states"):
        E.random_hmm(0)
    with pytest.raises(ValueError, match="concentration"):
        E.random_hmm(2, 2, concentration=0)
    with pytest.raises(ValueError, match="hmm"):
        E.log_joint("hmm", x)
    for bad in ([0.5], [0, 7], np.array([], dtype=int)):
        with pytest.raises(ValueError, match="x"):
            E.log_evidence(hmm, np.asarray(bad), base=math.e)
    long = np.array(list(range(3)) * 50)          # any length: the forward recursion, no enumeration
    assert math.isclose(E.log_evidence(hmm, long, base=math.e), E.forward_backward(hmm, long).log_evidence, rel_tol=1e-12)
    with pytest.raises(ValueError, match="x"):
        E.posterior(hmm, long)                     # the exact posterior enumerates S^n paths
    with pytest.raises(ValueError, match="base"):
        E.log_evidence(hmm, x, base=1)
    with pytest.raises(ValueError, match="q"):
        E.elbo(lj, q * 2, base=math.e)
    with pytest.raises(ValueError, match="q"):
        E.elbo(lj, np.full(3, 1 / 3), base=math.e)
    with pytest.raises(ValueError, match="log_joint_table"):
        E.elbo(np.full(lj.shape, np.nan), q, base=math.e)
    with pytest.raises(ValueError, match="log_joint_table"):
        E.elbo(np.zeros(lj.shape) + 1.0, q, base=math.e)
    with pytest.raises(ValueError, match="factors"):
        E.mean_field([[0.5, 0.6]])
    with pytest.raises(ValueError, match="n"):
        E.sequence_law(hmm, 0)
    with pytest.raises(ValueError, match="n"):
        E.log_prior(hmm, 0)
    with pytest.raises(ValueError, match="variational"):
        E.bound_chain(hmm, hmm, 2, variational="flat")
    with pytest.raises(ValueError, match="model"):
        E.bound_chain(hmm, E.random_hmm(2, 4), 2)
    with pytest.raises(ValueError, match="family"):
        E.fit_variational(hmm, x, family="full")
    with pytest.raises(ValueError, match="steps"):
        E.fit_variational(hmm, x, steps=0)
    with pytest.raises(ValueError, match="lr"):
        E.fit_variational(hmm, x, lr=-1)
    with pytest.raises(ValueError, match="seed"):
        E.fit_variational(hmm, x, seed=-1)  # the seed convention: an int >= 0, a numpy Generator or None


# --- second edition: causal ELBO and directed information, CAVI, forward-backward, EM, IWAE ---------------

@pytest.mark.parametrize("seed", [0, 3, 7])
def test_causal_elbo_rate_is_directed_information_plus_prior_kl(seed):
    data, model = E.random_hmm(2, 3, seed=seed), E.random_hmm(2, 3, seed=seed + 100)
    c = E.causal_elbo_decomposition(data, model, 3, base=math.e)
    # DI comes from Massey's sum of conditional MIs (semtheory.directed), the rate from log q - log prior
    assert math.isclose(c.rate, c.directed + c.prior_kl, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(c.neg_elbo, c.distortion + c.rate, rel_tol=1e-12)
    assert c.directed >= -1e-12 and c.prior_kl >= -1e-12
    # the causal-encoder negative ELBO is above the cross-entropy of bound_chain (independent enumeration)
    chain = E.bound_chain(data, model, 3, base=math.e)
    assert math.isclose(c.cross_entropy, chain.cross_entropy, rel_tol=1e-10)
    assert c.neg_elbo >= c.cross_entropy - 1e-12
    # brute force of the per-sequence ELBO with the causal encoder, one x at a time
    p, total = E.sequence_law(data, 3), 0.0
    for xs in np.ndindex(*p.shape):
        lj = E.log_joint(model, np.array(xs))
        q = np.empty((2,) * 3)
        for z in np.ndindex(*q.shape):
            w = model.initial * model.emission[:, xs[0]]
            v = w[z[0]] / w.sum()
            for t in (1, 2):
                w = model.transition[z[t - 1]] * model.emission[:, xs[t]]
                v *= w[z[t]] / w.sum()
            q[z] = v
        total += p[xs] * -E.elbo(lj, q, base=math.e)
    assert math.isclose(total / 3, c.neg_elbo, rel_tol=1e-9)


@pytest.mark.parametrize("seed", [0, 5])
def test_causal_encoder_directed_information_equals_mutual_information(seed):
    # the tokens are drawn before the latents and never see them, so the reverse DI vanishes and
    # I(X^n -> Z^n) = I(X^n; Z^n); the MI here is a brute-force sum, independent of the package's tables
    data, model, n = E.random_hmm(2, 3, seed=seed), E.random_hmm(2, 3, seed=seed + 50), 3
    c = E.causal_elbo_decomposition(data, model, n, base=math.e)
    p = E.sequence_law(data, n)
    Q = {}
    for xs in np.ndindex(*p.shape):
        for z in np.ndindex(*(2,) * n):
            w = model.initial * model.emission[:, xs[0]]
            v = w[z[0]] / w.sum()
            for t in range(1, n):
                w = model.transition[z[t - 1]] * model.emission[:, xs[t]]
                v *= w[z[t]] / w.sum()
            Q[xs, z] = v
    qz = {z: sum(p[xs] * Q[xs, z] for xs in np.ndindex(*p.shape)) for z in np.ndindex(*(2,) * n)}
    mi = sum(p[xs] * v * math.log(v / qz[z]) for (xs, z), v in Q.items() if v > 0)
    assert math.isclose(c.mutual, mi / n, rel_tol=1e-9)
    assert math.isclose(c.directed, c.mutual, rel_tol=1e-9, abs_tol=1e-13)
    assert c.mutual > 1e-3                       # not the trivial 0 = 0


def test_causal_elbo_without_memory_has_no_information():
    # emissions independent of the state: the encoder ignores x, so I(X -> Z) = 0
    model = E.make_hmm([0.3, 0.7], [[0.6, 0.4], [0.1, 0.9]], [[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]])
    c = E.causal_elbo_decomposition(E.random_hmm(2, 3, seed=1), model, 3)
    assert abs(c.directed) < 1e-12 and abs(c.prior_kl) < 1e-12


@settings(max_examples=15, deadline=None)
@given(seeds)
def test_forward_backward_matches_enumeration(seed):
    hmm, x, _ = _model(seed, 3, 3, 5)
    fb = E.forward_backward(hmm, x)
    post = E.posterior(hmm, x)
    for t in range(5):
        other = tuple(a for a in range(5) if a != t)
        assert np.allclose(fb.gamma[t], post.sum(axis=other), atol=1e-12)
    for t in range(4):
        other = tuple(a for a in range(5) if a not in (t, t + 1))
        assert np.allclose(fb.xi[t], post.sum(axis=other), atol=1e-12)
    assert math.isclose(fb.log_evidence, E.log_evidence(hmm, x, base=math.e), rel_tol=1e-12)


@settings(max_examples=10, deadline=None)
@given(seeds)
def test_cavi_monotone_and_matches_enumeration_and_adam(seed):
    hmm, x, _ = _model(seed, 2, 3, 5)
    r = E.cavi_mean_field(hmm, x, n_iter=40, seed=seed)
    assert np.all(np.diff(r.elbos) >= -1e-10)
    lj = E.log_joint(hmm, x)
    assert math.isclose(r.elbos[-1], E.elbo(lj, E.mean_field(r.factors), base=math.e), rel_tol=1e-10, abs_tol=1e-10)
    assert r.elbos[-1] <= r.log_evidence + 1e-10
    # fixed point: one more coordinate update changes nothing (coordinatewise optimal)
    again = E.cavi_mean_field(hmm, x, n_iter=80, seed=seed)
    assert abs(again.elbos[-1] - r.elbos[-1]) < 1e-6


def test_cavi_agrees_with_gradient_ascent():
    hmm = E.make_hmm([0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    x = np.array([0, 1, 2, 2, 0, 2])
    r = E.cavi_mean_field(hmm, x, n_iter=30, seed=0)
    adam = E.fit_variational(hmm, x, family="mean-field", steps=300, lr=0.05, seed=0)
    assert abs(r.elbos[-1] - adam.elbos[-1]) < 1e-4
    # i.i.d. states: the posterior is a product, CAVI reaches the evidence
    iid = E.make_hmm([0.3, 0.7], [[0.3, 0.7], [0.3, 0.7]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    assert abs(E.cavi_mean_field(iid, x, n_iter=5).elbos[-1] - E.log_evidence(iid, x, base=math.e)) < 1e-10


def test_baum_welch_monotone_and_m_step_is_brute_force():
    data = E.make_hmm([0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    rng = np.random.default_rng(0)
    seqs = [rng.integers(0, 3, size=4) for _ in range(5)]
    start = E.random_hmm(2, 3, seed=2)
    r = E.baum_welch(start, seqs, n_iter=30)
    assert np.all(np.diff(r.log_likelihoods) >= -1e-9)
    assert math.isclose(r.log_likelihoods[-1], sum(E.log_evidence(r.hmm, s, base=math.e) for s in seqs), rel_tol=1e-10)
    # one M-step against expected counts from the enumerated posterior
    one = E.baum_welch(start, seqs, n_iter=1).hmm
    A, B, pi = np.zeros((2, 2)), np.zeros((2, 3)), np.zeros(2)
    for s in seqs:
        post = E.posterior(start, s)
        for z in np.ndindex(*post.shape):
            pi[z[0]] += post[z]
            for t in range(4):
                B[z[t], s[t]] += post[z]
                if t:
                    A[z[t - 1], z[t]] += post[z]
    assert np.allclose(one.initial, pi / pi.sum()) and np.allclose(one.transition, A / A.sum(1, keepdims=True))
    assert np.allclose(one.emission, B / B.sum(1, keepdims=True))


def test_iwae_bounds():
    hmm, x = E.random_hmm(2, 3, seed=4), np.array([0, 2, 1, 1, 2])
    lj, q = E.log_joint(hmm, x), np.exp(E.log_prior(hmm, 5))
    exact = [E.iwae_bound_exact(lj, q, k, base=math.e) for k in (1, 2, 3)]
    assert math.isclose(exact[0], E.elbo(lj, q, base=math.e), rel_tol=1e-12)
    assert exact[0] <= exact[1] <= exact[2] <= E.log_evidence(hmm, x, base=math.e)
    for k, v in zip((2, 3), exact[1:]):
        mc, se = E.iwae_bound(lj, q, k, n_samples=20000, seed=1, base=math.e)
        assert abs(mc - v) < 5 * se
    assert abs(E.iwae_bound_exact(lj, E.posterior(hmm, x), 2, base=math.e) - E.log_evidence(hmm, x, base=math.e)) < 1e-12
    assert math.isclose(E.iwae_bound_exact(lj, q, 2, base=2), exact[1] / math.log(2))


def test_second_edition_bad_input():
    hmm, x, _ = _model(0)
    lj, q = E.log_joint(hmm, x), np.full((2,) * 4, 1 / 16)
    with pytest.raises(ValueError, match="n"):
        E.causal_elbo_decomposition(hmm, hmm, 7)
    with pytest.raises(ValueError, match="model"):
        E.causal_elbo_decomposition(hmm, E.random_hmm(2, 4), 2)
    with pytest.raises(ValueError, match="n_iter"):
        E.cavi_mean_field(hmm, x, n_iter=0)
    with pytest.raises(ValueError, match="n_iter"):
        E.baum_welch(hmm, [x], n_iter=-1)
    with pytest.raises(ValueError, match="sequences"):
        E.baum_welch(hmm, [])
    with pytest.raises(ValueError, match="K"):
        E.iwae_bound(lj, q, 0, base=math.e)
    with pytest.raises(ValueError, match="K"):
        E.iwae_bound_exact(lj, q, 6, base=math.e)
    with pytest.raises(ValueError, match="q"):
        E.iwae_bound(lj, np.full(3, 1 / 3), 2, base=math.e)
    with pytest.raises(ValueError, match="probability zero"):
        E.forward_backward(E.make_hmm([1.0, 0.0], [[1, 0], [0, 1]], [[1.0, 0.0], [0.0, 1.0]]), np.array([1]))
    assert E.forward_backward(hmm, np.zeros(40, dtype=int)).gamma.shape == (40, 2)   # no enumeration limit


def test_sample_hmm_frequencies_match_sequence_pmf():
    hmm = E.random_hmm(2, 3, seed=9)
    xs = E.sample_hmm(hmm, 3, 60_000, seed=0)
    freq = np.zeros((3,) * 3)
    np.add.at(freq, tuple(xs.T), 1)
    p = E.sequence_law(hmm, 3)
    se = np.sqrt(p * (1 - p) / len(xs))
    assert np.all(np.abs(freq / len(xs) - p) < 5 * se + 1e-12)
    assert np.array_equal(xs[:5], E.sample_hmm(hmm, 3, 60_000, seed=0)[:5])
    with pytest.raises(ValueError, match="n_samples"):
        E.sample_hmm(hmm, 3, 0)


def test_chapter_counterexamples_hold():
    """The two counterexamples of chapter 11's prose: CAVI local optima, and a better ELBO that is a worse proposal."""
    hmm = E.make_hmm([0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    x = np.array([0, 1, 2, 2, 0, 2])
    sticky = E.make_hmm([0.5, 0.5], [[0.95, 0.05], [0.05, 0.95]], hmm.emission)
    ends = {round(E.cavi_mean_field(sticky, x, n_iter=30, seed=s).elbos[-1], 6) for s in range(20)}
    assert len(ends) >= 2
    lj, post = E.log_joint(hmm, x), E.posterior(hmm, x)
    prior = np.exp(E.log_prior(hmm, 6))
    q_mf = E.mean_field(E.cavi_mean_field(hmm, x, n_iter=30, seed=0).factors)
    assert E.elbo(lj, q_mf, base=math.e) > E.elbo(lj, prior, base=math.e)                       # better ELBO ...
    assert np.sum(post**2 / q_mf) > 100 * np.sum(post**2 / prior)      # ... far larger chi-square
    lo_prior, se1 = E.iwae_bound(lj, prior, 1024, n_samples=400, seed=1024, base=math.e)
    lo_mf, se2 = E.iwae_bound(lj, q_mf, 1024, n_samples=400, seed=1024, base=math.e)
    assert lo_prior - lo_mf > 5 * math.hypot(se1, se2)                 # ... worse importance-weighted bound


def test_second_edition_exercises_against_brute_force():
    from semtheory.exercises import ch11

    hmm = E.make_hmm(ch11.INIT, ch11.TRANS, ch11.EMIT)
    x = np.array(ch11.X)
    lj = E.log_joint(hmm, x).ravel()
    q = np.exp(E.log_prior(hmm, len(x))).ravel()
    w = np.exp(lj) / q
    l2 = sum(q[i] * q[j] * math.log((w[i] + w[j]) / 2) for i in range(16) for j in range(16))
    assert is_correct("ex-11-iwae-two", l2)
    # the CAVI gap against gradient ascent on the same family (a second algorithm)
    adam = E.fit_variational(hmm, x, family="mean-field", steps=400, lr=0.05, seed=0)
    assert is_correct("ex-11-cavi-gap", adam.log_evidence - adam.elbos[-1])


def test_vae_quadrature_bounds_and_monte_carlo_elbo():
    import torch

    hmm = E.make_hmm([0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    X = E.sample_hmm(hmm, 3, 2000, seed=1)
    r = E.train_vae(X, 3, steps=150, batch_size=64, seed=0)
    assert r.losses[-20:].mean() < r.losses[:20].mean()
    allx = np.array(list(np.ndindex(3, 3, 3)))
    b = E.vae_bounds(r, allx, K=(1, 50), n_samples=40, seed=0)
    assert math.isclose(np.exp(b.log_evidence).sum(), 1.0, rel_tol=1e-6)         # p_theta sums to one
    assert np.all(b.elbo <= b.log_evidence + 1e-9) and np.all(b.gap >= -1e-9)
    # the quadrature ELBO against a Monte-Carlo ELBO with the closed-form Gaussian KL (independent route)
    with torch.no_grad():
        xt = torch.as_tensor(allx)
        mu, ls = r.model.encode(xt)
        eps = torch.randn((4000,) + tuple(mu.shape), generator=torch.Generator().manual_seed(0), dtype=mu.dtype)
        lp = r.model.decode_logits(mu + ls.exp() * eps).gather(-1, xt[None, ..., None].expand(4000, *xt.shape, 1))
        rec = lp.squeeze(-1).sum(-1)
        kl = 0.5 * (mu**2 + (2 * ls).exp() - 2 * ls - 1).sum(-1)
        mc = (rec.mean(0) - kl).numpy()
        se = (rec.std(0) / math.sqrt(4000)).numpy()
    assert np.all(np.abs(mc - b.elbo) < 5 * se + 1e-9)
    assert np.all(b.iwae[1] <= b.log_evidence + 0.02) and np.mean(b.iwae[1]) > np.mean(b.iwae[0])
    r2 = E.train_vae(X, 3, steps=150, batch_size=64, seed=0)
    assert np.array_equal(r.losses, r2.losses)
    with pytest.raises(ValueError, match="sequences"):
        E.train_vae(X + 5, 3)
    with pytest.raises(ValueError, match="x must"):
        E.vae_bounds(r, allx[:, :2])


def test_chapter_em_claims():
    hmm = E.make_hmm([0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    train = list(E.sample_hmm(hmm, 40, 20, seed=0))
    true_ll = sum(E.log_evidence(hmm, s, base=math.e) for s in train)
    ends = [E.baum_welch(E.random_hmm(2, 3, seed=s), train, n_iter=40).log_likelihoods[-1] for s in (1, 2, 3)]
    assert ends[0] > true_ll and ends[2] > true_ll and abs(ends[0] - ends[2]) < 1e-3
    assert ends[1] < ends[0] - 1.0                                     # seed 2 still on its plateau


def test_rate_split_derivation_and_its_numbers():
    import sympy as sp

    d = S.rate_is_information_plus_prior_kl()
    assert d.holds()
    # with the logs put back and numbers substituted, both sides equal the package's rate for n = 1
    pi_, a, b, c = sp.symbols("pi a b c", positive=True)
    vals = {pi_: 0.3, a: 0.8, b: 0.1, c: 0.4}
    qz1 = 0.7 * 0.8 + 0.3 * 0.1
    logs = {sp.Function("L_q")(0, 1): math.log(0.8), sp.Function("L_q")(0, 0): math.log(0.2),
            sp.Function("L_q")(1, 1): math.log(0.1), sp.Function("L_q")(1, 0): math.log(0.9),
            sp.Function("L_Z")(1): math.log(qz1), sp.Function("L_Z")(0): math.log(1 - qz1)}
    lhs = float(d.lhs.subs(logs).subs(vals))
    # the averaged rate E_x KL(q(.|x) || r) computed directly from the same numbers
    direct = sum(px * sum(qq * math.log(qq / rr) for qq, rr in ((qa, 0.4), (1 - qa, 0.6)))
                 for px, qa in ((0.7, 0.8), (0.3, 0.1)))
    assert math.isclose(lhs, direct, rel_tol=1e-12)
    assert math.isclose(float(d.rhs.subs(logs).subs(vals)), direct, rel_tol=1e-12)


def test_iwae_is_minus_infinity_for_every_K_when_q_proposes_impossible_paths():
    # thm-11-iwae needs ELBO(q) > -inf: a weight that vanishes with probability rho makes all K weights vanish
    # with probability rho**K > 0, so L_K = -inf for every K; brute force over the K-tuples agrees
    import itertools
    import math

    pj = np.array([0.2, 0.1, 0.0, 0.05])
    q = np.full(4, 0.25)
    with np.errstate(divide="ignore"):
        lj = np.log(pj)
    for K in (1, 2, 3):
        assert E.iwae_bound_exact(lj, q, K, base=math.e) == -math.inf
        assert any(all(pj[i] == 0 for i in t) for t in itertools.product(range(4), repeat=K))
    # with the impossible path removed from q's support the bounds are finite and climb towards ln p(x)
    q2 = np.array([1 / 3, 1 / 3, 0.0, 1 / 3])
    vals = [E.iwae_bound_exact(lj, q2, K, base=math.e) for K in (1, 2, 4, 8)]
    assert all(np.isfinite(vals)) and all(np.diff(vals) > 0) and vals[-1] < math.log(pj.sum())


def test_elbo_gap_undefined_when_evidence_is_zero_and_infinite_when_q_misses_support():
    q = np.array([0.25, 0.75])
    with pytest.raises(ValueError, match="log_joint_table"):
        E.elbo_gap(np.full(2, -np.inf), q, base=math.e)
    # p(x, z=0) = 0 but p(x) > 0: q(z=0) > 0 makes the ELBO -inf, the gap KL(q || p(z|x)) = +inf (no NaN)
    lj = np.array([-np.inf, math.log(0.3)])
    assert E.elbo(lj, q, base=math.e) == -math.inf
    assert E.elbo_gap(lj, q, base=math.e) == math.inf
    # and finite when q sits on the support: gap = KL(q || posterior) with posterior = (0, 1)
    assert E.elbo_gap(lj, np.array([0.0, 1.0]), base=math.e) == pytest.approx(0.0, abs=1e-12)


def test_iwae_estimate_with_impossible_tuples_is_minus_inf_with_infinite_error_not_nan():
    import warnings

    lj = np.array([-1.0, -np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert E.iwae_bound(lj, np.array([0.5, 0.5]), 1, n_samples=50, seed=0, base=math.e) == (-math.inf, math.inf)
        assert E.iwae_bound_exact(lj, np.array([0.5, 0.5]), 1, base=math.e) == -math.inf  # the exact route agrees
        est, se = E.iwae_bound(lj, np.array([1.0, 0.0]), 2, n_samples=50, seed=0, base=math.e)
    assert est == pytest.approx(-1.0) and se == pytest.approx(0.0)  # q on the possible path only: exact


def test_torch_paths_take_the_seed_convention():
    # an int, a numpy Generator (one draw: the same state gives the same run) or None
    hmm = E.random_hmm(2, 3, seed=1)
    x = np.array([0, 2, 1])
    a = E.fit_variational(hmm, x, steps=5, seed=np.random.default_rng(3))
    b = E.fit_variational(hmm, x, steps=5, seed=np.random.default_rng(3))
    assert np.array_equal(a.elbos, b.elbos)
    assert np.isfinite(E.fit_variational(hmm, x, steps=5, seed=None).elbos).all()
