"""Chapter 17: the synthesis module and the cross-chapter identities the conclusion and its exercises rely on."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semtheory import (capacity, channel, directed, energy, flow, generalization, granger, measures,
                       ratedistortion, ratereward, synthesis)

probs = st.floats(0.02, 0.98)
FAST = settings(max_examples=25, deadline=None)


def _flip(qx, qy):
    return qx * (1 - qy) + qy * (1 - qx)


# ---------------------------------------------------------------------------------------------------
# synthesis: one observational law, many rung-2 and rung-3 answers
# ---------------------------------------------------------------------------------------------------


@FAST
@given(w=st.floats(0, 1), qx=probs, qy=probs)
def test_mixed_world_law_does_not_depend_on_weight(w, qx, qy):
    law = synthesis.mixed_world_scm(w, qx, qy).joint().sum(axis=0)
    ref = granger.direct_scm(_flip(qx, qy)).joint()
    assert np.allclose(law, ref, atol=1e-12)
    assert np.allclose(law, granger.confounded_scm(qx, qy).joint().sum(axis=0), atol=1e-12)


@FAST
@given(w=st.floats(0, 1), qx=probs, qy=probs)
def test_mixed_world_rungs_closed_form(w, qx, qy):
    s = _flip(qx, qy)
    r = synthesis.rung_answers(synthesis.mixed_world_scm(w, qx, qy))
    assert r.association == pytest.approx(1 - s, abs=1e-12)
    assert r.intervention == pytest.approx(w * (1 - s) + (1 - w) / 2, abs=1e-12)
    assert r.counterfactual == pytest.approx(1 - w, abs=1e-12)


def test_mixed_world_endpoints_are_chapter_8_worlds():
    qx, qy = 0.1, 0.2
    conf, direct = granger.confounded_scm(qx, qy), granger.direct_scm(_flip(qx, qy))
    assert np.allclose(synthesis.rung_answers(synthesis.mixed_world_scm(0.0, qx, qy)), synthesis.rung_answers(conf))
    assert np.allclose(synthesis.rung_answers(synthesis.mixed_world_scm(1.0, qx, qy)), synthesis.rung_answers(direct))
    # the by-hand rung answers of chapter 8's table
    assert synthesis.rung_answers(conf).counterfactual == pytest.approx(1.0)
    assert synthesis.rung_answers(direct).counterfactual == pytest.approx(0.0)


@FAST
@given(qx=probs, qy=probs, e=st.floats(0, 1), x=st.integers(0, 1), y=st.integers(0, 1))
def test_intervention_lies_inside_natural_bounds(qx, qy, e, x, y):
    m = granger.confounded_scm(qx, qy, e)
    law = m.joint().sum(axis=0)
    b = synthesis.natural_bounds(law, x=x, y=y)
    rung2 = m.probability({"Y": y}, do={"X": x})
    assert b.lower - 1e-12 <= rung2 <= b.upper + 1e-12
    assert b.width == pytest.approx(1 - law[x].sum(), abs=1e-12)


def _witness(p1, p0, px, favour):
    """An SCM with X = U_X, Y | X=x ~ Bern(p_x) observationally, and Y_1 = favour for units with X = 0."""
    return granger.DiscreteSCM(
        {"U": np.array([1 - px, px]), "B1": np.array([1 - p1, p1]), "B0": np.array([1 - p0, p0])},
        [("X", 2, lambda v: v["U"]),
         ("Y", 2, lambda v: np.where(v["X"] == 1, np.where(v["U"] == 1, v["B1"], favour), v["B0"]))],
    )


@FAST
@given(p1=probs, p0=probs, px=probs)
def test_natural_bounds_are_sharp(p1, p0, px):
    lo_m, hi_m = _witness(p1, p0, px, 0), _witness(p1, p0, px, 1)
    assert np.allclose(lo_m.joint(), hi_m.joint(), atol=1e-12)           # one observational law
    b = synthesis.natural_bounds(lo_m.joint(), x=1, y=1)
    assert lo_m.probability({"Y": 1}, do={"X": 1}) == pytest.approx(b.lower, abs=1e-12)
    assert hi_m.probability({"Y": 1}, do={"X": 1}) == pytest.approx(b.upper, abs=1e-12)


def test_natural_bounds_on_a_larger_alphabet():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(12)).reshape(3, 4)
    b = synthesis.natural_bounds(p, x=2, y=3)
    assert b.lower == pytest.approx(p[2, 3]) and b.upper == pytest.approx(p[2, 3] + 1 - p[2].sum())


def test_bad_input_names_the_argument():
    m = synthesis.mixed_world_scm(0.5)
    with pytest.raises(ValueError, match="scm"):
        synthesis.rung_answers("not a model")
    with pytest.raises(ValueError, match="cause"):
        synthesis.rung_answers(m, cause="W")
    with pytest.raises(ValueError, match="effect"):
        synthesis.rung_answers(m, effect=3)
    with pytest.raises(ValueError, match="cause and effect"):
        synthesis.rung_answers(m, cause="X", effect="X")
    with pytest.raises(ValueError, match="x_alt"):
        synthesis.rung_answers(m, x_alt=2)
    with pytest.raises(ValueError, match="x"):
        synthesis.rung_answers(m, x=-1)
    with pytest.raises(ValueError, match="y"):
        synthesis.rung_answers(m, y=5)
    with pytest.raises(ValueError, match="x and y"):            # evidence of probability zero
        synthesis.rung_answers(synthesis.mixed_world_scm(1.0, 0.0, 0.0), x=1, y=0)
    for bad in (-0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match="weight"):
            synthesis.mixed_world_scm(bad)
    with pytest.raises(ValueError, match="flip_x"):
        synthesis.mixed_world_scm(0.5, flip_x=2)
    with pytest.raises(ValueError, match="flip_y"):
        synthesis.mixed_world_scm(0.5, flip_y=-1)
    with pytest.raises(ValueError, match="p_xy"):
        synthesis.natural_bounds([0.5, 0.5], x=0, y=0)
    with pytest.raises(ValueError, match="p_xy"):
        synthesis.natural_bounds([[0.5, 0.6], [0.0, 0.0]], x=0, y=0)
    with pytest.raises(ValueError, match="x"):
        synthesis.natural_bounds([[0.5, 0.5]], x=1, y=0)
    with pytest.raises(ValueError, match="y"):
        synthesis.natural_bounds([[0.5, 0.5]], x=0, y=2)


# ---------------------------------------------------------------------------------------------------
# identities between chapters (the conclusion's table and exercises rely on them)
# ---------------------------------------------------------------------------------------------------


@FAST
@given(lagged=st.floats(0, 1), flip=st.floats(0, 0.5), n=st.integers(1, 4))
def test_one_law_three_chapters(lagged, flip, n):
    """Ch. 3, 7, 8: E[flow_n] = I(X^n -> Y^n) = transfer part + instantaneous part = I(X^n;Y^n) - reverse DI."""
    law = directed.markov_pair_law(granger.coupled_pair_transition(lagged=lagged, flip=flip), n)
    parts, cons = directed.directed_information_decomposition(law), directed.conservation(law)
    di = directed.directed_information(law)
    assert flow.expected_flow(law)[-1] == pytest.approx(di, abs=1e-10)
    assert parts.transfer + parts.instantaneous == pytest.approx(di, abs=1e-10)
    assert cons.mutual - cons.reverse == pytest.approx(di, abs=1e-10)


def test_interaction_with_feedback_budget():
    """Ch. 4's echoing user: reverse DI > 0, and every split of chapters 3, 7, 8 adds up on the same law."""
    user = channel.echo_inputs([1 / 3] * 3, repeat=0.5)
    law = channel.interaction_law(channel.MarkovLM.random(3, order=3, seed=2), user, 3, prompt=[0, 1])
    cons, parts = directed.conservation(law), directed.directed_information_decomposition(law)
    assert cons.reverse > 1e-3 and abs(cons.residual) < 1e-12 and parts.transfer > 1e-3
    # a second-order model reads the inputs only through the current one: no Granger (transfer) part
    law2 = channel.interaction_law(channel.MarkovLM.random(3, order=2, seed=2), user, 3, prompt=[0, 1])
    assert abs(directed.directed_information_decomposition(law2).transfer) < 1e-12 and directed.directed_information_decomposition(law2).instantaneous > 1e-3
    assert np.allclose(np.cumsum(parts.transfer_terms + parts.instantaneous_terms), flow.expected_flow(law), atol=1e-12)
    assert np.allclose(directed.directed_information_terms(law), parts.transfer_terms + parts.instantaneous_terms, atol=1e-12)


@FAST
@given(seed=st.integers(0, 10_000), beta=st.floats(0.1, 10), m=st.integers(1, 6), d=st.integers(1, 4))
def test_attention_is_a_boltzmann_law(seed, beta, m, d):
    """Ch. 4 + 10: softmax attention = Boltzmann law with E_j = -x_j.xi at T = 1/beta; Hopfield energy = F + |xi|^2/2."""
    rng = np.random.default_rng(seed)
    X, xi = rng.normal(size=(m, d)), rng.normal(size=d)
    w = energy.attention_weights(xi, X, beta)
    assert np.allclose(w, channel.boltzmann(-(X @ xi), 1 / beta), atol=1e-12)
    F = channel.free_energy(-(X @ xi), 1 / beta)
    assert energy.hopfield_energy(xi, X, beta, constant=False) == pytest.approx(F + 0.5 * xi @ xi, abs=1e-9)
    H = channel.boltzmann_entropy(-(X @ xi), 1 / beta)
    assert measures.perplexity(w) == pytest.approx(2.0 ** H, rel=1e-9)
    assert 1 - 1e-9 <= measures.perplexity(w) <= m + 1e-9


@settings(max_examples=8, deadline=None)
@given(p1=st.floats(0.55, 0.95), beta=st.floats(0.3, 1.5))
def test_matching_reward_is_hamming_rate_distortion(p1, beta):
    """Ch. 5 + 6: the directed rate-reward optimum of the matching reward sits on the binary R(D) at slope 1/beta."""
    n = 2
    pt = ratereward.directed_rate_reward(directed.iid_policy([1 - p1, p1], n), ratereward.matching_reward(n, 2), beta,
                                         tol=1e-13, max_iter=100_000)
    ba = ratedistortion.blahut_arimoto([1 - p1, p1], ratedistortion.hamming_distortion(2), 1 / beta, tol=1e-12)
    assert 1 - pt.reward / n == pytest.approx(ba.distortion, abs=1e-4)
    assert pt.rate / n == pytest.approx(ba.rate, abs=1e-4)
    d_star = 1 / (1 + math.exp(1 / beta))     # the slope-(1/beta) point of h(p) - h(D), chapter 5
    if d_star < 1 - p1 - 1e-3:
        assert ba.distortion == pytest.approx(d_star, abs=1e-7)
        assert ba.rate == pytest.approx(ratedistortion.binary_hamming_rd(p1, d_star), abs=1e-6)
    elif d_star > 1 - p1 + 1e-3:              # past the knee: zero rate, distortion min(p, 1 - p)
        assert ba.rate == pytest.approx(0.0, abs=1e-6) and ba.distortion == pytest.approx(1 - p1, abs=1e-6)


@FAST
@given(seed=st.integers(0, 10_000), beta=st.floats(0.2, 8), k=st.integers(2, 4))
def test_blahut_arimoto_rows_are_gibbs_policies(seed, beta, k):
    """Ch. 5 + 6: each BA channel row is the Gibbs tilt of the output marginal by reward -d at temperature 1/beta."""
    rng = np.random.default_rng(seed)
    p, dist = rng.dirichlet(np.ones(k)), rng.uniform(0, 1, size=(k, k))
    ba = ratedistortion.blahut_arimoto(p, dist, beta, tol=1e-12)
    ref = ba.output / ba.output.sum()
    rows = np.array([ratereward.gibbs_policy(ref, -dist[x], 1 / beta) for x in range(k)])
    assert np.allclose(rows, ba.channel, atol=1e-8)


def test_bsc_capacity_equals_fair_coin_rate_distortion():
    """Ch. 2 + 5: I(X;Y) of a BSC(e) with a fair input equals R(e) of a fair coin under Hamming distortion."""
    for e in (0.01, 0.1, 0.3):
        mi = measures.mutual_information(0.5 * directed.binary_symmetric_channel(e), 0, 1)
        assert mi == pytest.approx(ratedistortion.binary_hamming_rd(0.5, e), abs=1e-12)
        assert mi == pytest.approx(ratedistortion.rate_distortion_at([0.5, 0.5], ratedistortion.hamming_distortion(2), e).rate, abs=1e-6)


@pytest.mark.parametrize("N", [10, 50, 400])
def test_information_bound_at_capacity_does_not_shrink_with_width(N):
    """Ch. 12 + 13: storing P = alpha_c N fair labels (I = P ln 2) with n = P gives sigma sqrt(2 ln 2) for every N."""
    P = int(round(capacity.gardner_alpha(0.0) * N))
    sigma = generalization.hoeffding_sigma(0.0, float(generalization.cross_entropy_sup_given_range(2, 4.0)))
    assert generalization.mi_generalization_bound(P * math.log(2), P, sigma, base=math.e) == pytest.approx(sigma * math.sqrt(2 * math.log(2)))
    assert float(generalization.cross_entropy_sup_given_range(2, 4.0)) <= math.log(2) + 4.0


def test_spurious_granger_link_survives_every_history_length():
    """Ch. 8: a hidden confounder keeps TE^(k) > 0 for every k while every impulse response is zero."""
    A, S = granger.spurious_granger_var(a=1.0, b=1.0, rho=0.8)
    te = [granger.transfer_entropy_var(A, S, source_index=0, target_index=1, k=k, base=math.e) for k in (1, 2, 4, None)]
    assert min(te) > 0.01
    assert np.allclose(granger.var_impulse_response(A, 10)[:, 1, 0], 0.0)


def test_exercise_answers_are_consistent_with_the_text():
    from semtheory.exercises import registered

    reg = registered()
    lo, hi = reg["ex-17-natural-bounds"].compute()
    assert lo <= synthesis.rung_answers(granger.confounded_scm(0.1, 0.2)).intervention <= hi
    assert 1 <= reg["ex-17-attention-perplexity"].compute() <= 4
    assert reg["ex-17-one-law"].compute() > 0


def test_zero_granger_part_needs_the_user_as_well_as_the_model():
    """Ch. 17's reading of the second-order model: its transfer part vanishes with the echoing user (the input is
    drawn from the last output alone) and not with a user that draws inputs from its own past inputs."""
    lm = channel.MarkovLM.random(3, order=2, seed=2)
    echo = channel.interaction_law(lm, channel.echo_inputs([1 / 3] * 3, repeat=0.5), 3, prompt=[0, 1])
    remembering = channel.lm_inputs(channel.MarkovLM.random(3, order=1, seed=5), feedback=False)
    mem = channel.interaction_law(lm, remembering, 3, prompt=[0, 1])
    assert abs(directed.directed_information_decomposition(echo).transfer) < 1e-12
    assert directed.directed_information_decomposition(mem).transfer > 1e-3
    assert directed.conservation(mem).reverse == pytest.approx(0.0, abs=1e-12)   # no feedback: reverse DI is zero


def test_longer_context_exercise_conditioning_needs_two_lags_of_z():
    """ex-17-longer-context: condition=2 is Z's index and brings k lags of Z; one lag leaves Z_{t-2} hidden."""
    A, S = granger.spurious_granger_var(a=1.0, b=1.0, rho=0.8)
    te = lambda k: granger.transfer_entropy_var(A, S, source_index=0, target_index=1, k=k, condition_index=2, base=math.e)
    assert te(1) > 0.01
    assert te(2) == pytest.approx(0.0, abs=1e-10) and te(4) == pytest.approx(0.0, abs=1e-10)
