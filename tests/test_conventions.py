"""The library's conventions (book/appendix/conventions.md), checked over every public function.

Each rule has a list of the public names that do not follow it yet (the library issue, #15). A test fails when
a name outside its list breaks the rule (a new exception) and when a listed name follows it (the list is
stale: delete the name), so the lists, and the conventions page that points to them, stay exact.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re

import pytest

import semtheory

SKIP_MODULES = {"exercises"}

# ---- names that do not follow a rule yet (keep sorted; shrink them, never grow them) -------------------------
BASE_NOT_KEYWORD_ONLY: set[str] = {
    'channel.boltzmann_entropy',
    'channel.logprob_entropy',
    'channel.logprob_kl',
    'diffusion.any_order_loss',
    'diffusion.discrete_time_loss',
    'diffusion.llada_loss',
    'diffusion.loss_by_masked_count',
    'diffusion.loss_chain',
    'diffusion.loss_integrand',
    'diffusion.order_cross_entropy',
    'diffusion.schedule_entropy',
    'diffusion.schedule_flows',
    'diffusion.source_nll',
    'directed.amblard_michel_terms',
    'directed.causally_conditioned_entropy',
    'directed.conservation',
    'directed.directed_information',
    'directed.directed_information_decomposition',
    'directed.directed_information_density',
    'directed.directed_information_rate',
    'directed.directed_information_terms',
    'directed.feedback_capacity',
    'directed.markov_pair_rates',
    'directed.nonfeedback_capacity',
    'directed.reverse_causally_conditioned_entropy',
    'directed.reverse_directed_information',
    'directed.reverse_directed_information_terms',
    'directed.sequence_mutual_information',
    'elbo.elbo',
    'elbo.elbo_gap',
    'elbo.log_evidence',
    'embedding.encoder_information',
    'embedding.infonce',
    'embedding.infonce_exact',
    'flow.exact_flow',
    'flow.expected_flow',
    'granger.di_decomposition',
    'granger.gaussian_conditional_mutual_information',
    'measures.binary_entropy',
    'measures.conditional_entropy',
    'measures.conditional_mutual_information',
    'measures.cross_entropy',
    'measures.entropy',
    'measures.entropy_estimates',
    'measures.entropy_miller_madow',
    'measures.entropy_plugin',
    'measures.fano_bound',
    'measures.fano_error_lower_bound',
    'measures.joint_entropy',
    'measures.kl_divergence',
    'measures.mutual_information',
    'measures.mutual_information_plugin',
    'measures.plugin_bias',
    'ratedistortion.binary_hamming_rd',
    'ratedistortion.gauss_markov_block_rd',
    'ratedistortion.gauss_markov_rd',
    'ratedistortion.gauss_markov_sequential_rd',
    'ratedistortion.gaussian_rd',
    'ratedistortion.log_loss_distortion',
    'ratedistortion.log_loss_point',
    'ratedistortion.log_loss_rd',
    'ratedistortion.log_loss_sequence_lower_bound',
    'ratedistortion.pretraining_point',
    'ratedistortion.reverse_waterfilling',
    'ratedistortion.shannon_lower_bound',
    'ratedistortion.strictly_causal_predictor',
    'ratereward.best_of_n_curve',
    'ratereward.best_of_n_kl_bound',
    'ratereward.causal_rate_reward_curve',
    'ratereward.causally_conditioned_kl',
    'ratereward.directed_rate_reward',
    'ratereward.directed_rate_reward_curve',
    'ratereward.per_token_kl',
    'ratereward.proxy_reward_curve',
    'ratereward.rate_reward',
    'ratereward.rate_reward_curve',
    'ratereward.rate_reward_limits',
    'sources.plugin_entropy_rate',
    'sources.stationary_cross_entropy',
    'ssm.window_cross_entropy',
    'tokens.perplexity_to_rate',
    'tokens.rate_to_perplexity',
    'tokens.source_code',
}
BASE_DEFAULT_NOT_BITS: set[str] = {
    'elbo.elbo',
    'elbo.elbo_gap',
    'elbo.iwae_bound',
    'elbo.iwae_bound_exact',
    'elbo.log_evidence',
    'embedding.fit_sphere_softmax',
    'embedding.infonce',
    'embedding.infonce_exact',
    'embedding.infonce_monte_carlo',
    'embedding.pmi_matrix',
}
SEED_NOT_KEYWORD_ONLY: set[str] = {
    'generalization.gibbs_study',
    'generalization.random_hypotheses',
    'measures.entropy_estimates',
    'ssm.pretrained_ssm_on_markov',
    'transformer.markov_source',
    'transformer.pretrained_on_english',
    'transformer.pretrained_on_markov',
}
SEED_INT_ONLY: set[str] = {
    'diffusion.sampling_quality',
    'elbo.fit_variational',
    'elbo.train_vae',
    'elbo.vae_bounds',
    'embedding.train_infonce_critic',
    'ratereward.fit_dpo',
    'ratereward.fit_dpo_autoregressive',
    'ssm.pretrained_ssm_on_markov',
    'transformer.markov_source',
    'transformer.minimise',
    'transformer.pretrained_on_english',
    'transformer.pretrained_on_markov',
}
BETA_IS_A_TEMPERATURE: set[str] = {
    'ratereward.anticipative_value',
    'ratereward.best_random_objective',
    'ratereward.causal_gibbs',
    'ratereward.causal_objective',
    'ratereward.directed_rate_reward',
    'ratereward.dpo_loss',
    'ratereward.expected_dpo_loss',
    'ratereward.fit_dpo',
    'ratereward.fit_dpo_autoregressive',
    'ratereward.gibbs_logpolicy',
    'ratereward.gibbs_policy',
    'ratereward.implicit_reward',
    'ratereward.kl_objective',
    'ratereward.optimal_value',
    'ratereward.sequence_gibbs',
}
# ---------------------------------------------------------------------------------------------------------------


def _functions():
    """(qualified name, callable) for every public function and class of every public module."""
    out = []
    for m in sorted(m.name for m in pkgutil.iter_modules(semtheory.__path__)):
        if m.startswith("_") or m in SKIP_MODULES:
            continue
        try:
            mod = importlib.import_module(f"semtheory.{m}")
        except ImportError:  # an extra that is not installed
            continue
        names = getattr(mod, "__all__", None) or [
            n for n, o in vars(mod).items()
            if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o))
            and getattr(o, "__module__", None) == mod.__name__]
        out += [(f"{m}.{n}", getattr(mod, n)) for n in names]
    return out


FUNCTIONS = _functions()


def _signature(obj):
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _with(param: str):
    for name, obj in FUNCTIONS:
        if inspect.isclass(obj):
            continue
        sig = _signature(obj)
        if sig is not None and param in sig.parameters:
            yield name, obj, sig.parameters[param]


def scan() -> dict[str, set[str]]:
    """Every rule's offenders, as the test sees them (also: `python tests/test_conventions.py` prints them)."""
    found = {k: set() for k in ("BASE_NOT_KEYWORD_ONLY", "BASE_DEFAULT_NOT_BITS", "SEED_NOT_KEYWORD_ONLY",
                                "SEED_INT_ONLY", "BETA_IS_A_TEMPERATURE")}
    for name, _, p in _with("base"):
        if p.kind is not p.KEYWORD_ONLY:
            found["BASE_NOT_KEYWORD_ONLY"].add(name)
        if p.default != 2:
            found["BASE_DEFAULT_NOT_BITS"].add(name)
    for name, obj, p in _with("seed"):
        if p.kind is not p.KEYWORD_ONLY:
            found["SEED_NOT_KEYWORD_ONLY"].add(name)
        try:
            src = inspect.getsource(obj)
        except (OSError, TypeError):
            src = ""
        if re.search(r"check_int\(\s*seed\b", src):
            found["SEED_INT_ONLY"].add(name)
    for name, _, _ in _with("beta"):
        if name.startswith("ratereward."):  # the KL weight, a temperature (module docstring)
            found["BETA_IS_A_TEMPERATURE"].add(name)
    return found


FOUND = scan()


@pytest.mark.parametrize("rule", sorted(FOUND))
def test_no_new_exception_and_no_stale_one(rule):
    pending = globals()[rule]
    new, stale = FOUND[rule] - pending, pending - FOUND[rule]
    assert not new, f"{rule}: these break the convention (book/appendix/conventions.md): {sorted(new)}"
    assert not stale, f"{rule}: these follow the convention now; delete them from the list: {sorted(stale)}"


def test_the_scan_sees_the_library():
    """The scan is of the real surface: the functions every chapter uses carry base, seed and beta."""
    names = {n for n, _ in FUNCTIONS}
    assert {"measures.entropy", "directed.directed_information", "ratedistortion.blahut_arimoto"} <= names
    assert len(list(_with("base"))) > 100 and len(list(_with("seed"))) > 30 and len(list(_with("beta"))) > 20


def test_records_are_immutable():
    """Results are NamedTuples or frozen dataclasses."""
    mutable = [n for n, o in FUNCTIONS if inspect.isclass(o) and dataclasses.is_dataclass(o)
               and not o.__dataclass_params__.frozen]
    assert not mutable, mutable


if __name__ == "__main__":  # pragma: no cover - prints the lists to paste above
    for k, v in scan().items():
        print(f"{k}: set[str] = {{\n" + "".join(f"    {n!r},\n" for n in sorted(v)) + "}")
