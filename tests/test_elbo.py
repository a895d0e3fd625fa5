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
    logp = E.log_evidence(hmm, x)
    assert math.isclose(logp, float(logsumexp(lj)), rel_tol=1e-10, abs_tol=1e-10)
    value = E.elbo(lj, q)
    assert value <= logp + 1e-10
    kl = measures.kl_divergence(q, E.posterior(hmm, x), base=math.e)
    assert math.isclose(E.elbo_gap(lj, q), kl, rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(E.elbo(lj, E.posterior(hmm, x)), logp, rel_tol=1e-10, abs_tol=1e-10)


@settings(max_examples=20, deadline=None)
@given(seeds)
def test_base_two_and_mean_field(seed):
    hmm, x, rng = _model(seed)
    lj = E.log_joint(hmm, x)
    f = rng.dirichlet(np.ones(2), size=4)
    q = E.mean_field(f)
    assert q.shape == (2,) * 4 and math.isclose(q.sum(), 1.0)
    assert math.isclose(q[1, 0, 1, 1], f[0, 1] * f[1, 0] * f[2, 1] * f[3, 1])
    assert math.isclose(E.elbo(lj, q, base=2), E.elbo(lj, q) / math.log(2))


def test_log_joint_matches_brute_force():
    hmm, x, _ = _model(3, 3, 2, 3)
    lj = E.log_joint(hmm, x)
    for z in np.ndindex(*lj.shape):
        p = hmm.init[z[0]] * np.prod([hmm.emit[z[t], x[t]] for t in range(3)])
        p *= np.prod([hmm.trans[z[t - 1], z[t]] for t in range(1, 3)])
        assert math.isclose(lj[z], math.log(p))
    assert np.allclose(np.exp(E.log_prior(hmm, 3)).sum(), 1.0)


def test_sequence_pmf_and_bound_chain():
    data, model = E.random_hmm(2, 3, seed=1), E.random_hmm(2, 3, seed=5)
    p = E.sequence_pmf(data, 3)
    assert math.isclose(p.sum(), 1.0)
    assert math.isclose(math.log(p[0, 2, 1]), E.log_evidence(data, np.array([0, 2, 1])))
    c = E.bound_chain(data, model, 3)
    assert c.neg_elbo >= c.cross_entropy - 1e-12 >= c.entropy - 1e-12
    assert math.isclose(c.cross_entropy, c.entropy + c.kl)
    assert math.isclose(c.cross_entropy, measures.cross_entropy(p, E.sequence_pmf(model, 3)) / 3)
    exact = E.bound_chain(data, model, 3, q="posterior")
    assert math.isclose(exact.neg_elbo, exact.cross_entropy, rel_tol=1e-9)
    same = E.bound_chain(data, data, 3, q="posterior")
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
    assert math.isclose(E.elbo(E.log_joint(hmm, x), r.q), r.elbos[-1], rel_tol=1e-8)


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
    assert E.elbo(lj, np.full((2, 2), 0.25)) == -math.inf
    post = E.posterior(hmm, x)
    assert math.isclose(E.elbo(lj, post), E.log_evidence(hmm, x))
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
    with pytest.raises(ValueError, match="init"):
        E.make_hmm([0.5, 0.6], [[1, 0], [0, 1]], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="trans"):
        E.make_hmm([0.5, 0.5], [[1, 0, 0], [0, 1, 0]], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="emit"):
        E.make_hmm([0.5, 0.5], [[1, 0], [0, 1]], [[1.0]])
    with pytest.raises(ValueError, match="n_states"):
        E.random_hmm(0)
    with pytest.raises(ValueError, match="concentration"):
        E.random_hmm(2, 2, concentration=0)
    with pytest.raises(ValueError, match="hmm"):
        E.log_joint("hmm", x)
    for bad in ([0.5], [0, 7], np.array([], dtype=int), list(range(3)) * 5):
        with pytest.raises(ValueError, match="x"):
            E.log_evidence(hmm, np.asarray(bad))
    with pytest.raises(ValueError, match="base"):
        E.log_evidence(hmm, x, base=1)
    with pytest.raises(ValueError, match="q"):
        E.elbo(lj, q * 2)
    with pytest.raises(ValueError, match="q"):
        E.elbo(lj, np.full(3, 1 / 3))
    with pytest.raises(ValueError, match="log_joint_table"):
        E.elbo(np.full(lj.shape, np.nan), q)
    with pytest.raises(ValueError, match="log_joint_table"):
        E.elbo(np.zeros(lj.shape) + 1.0, q)
    with pytest.raises(ValueError, match="factors"):
        E.mean_field([[0.5, 0.6]])
    with pytest.raises(ValueError, match="n"):
        E.sequence_pmf(hmm, 0)
    with pytest.raises(ValueError, match="n"):
        E.log_prior(hmm, 0)
    with pytest.raises(ValueError, match="q"):
        E.bound_chain(hmm, hmm, 2, q="flat")
    with pytest.raises(ValueError, match="model"):
        E.bound_chain(hmm, E.random_hmm(2, 4), 2)
    with pytest.raises(ValueError, match="family"):
        E.fit_variational(hmm, x, family="full")
    with pytest.raises(ValueError, match="steps"):
        E.fit_variational(hmm, x, steps=0)
    with pytest.raises(ValueError, match="lr"):
        E.fit_variational(hmm, x, lr=-1)
    with pytest.raises(ValueError, match="seed"):
        E.fit_variational(hmm, x, seed=None)
