"""Validation has one home, :mod:`semtheory._validate` (issue #15, "a core layer").

A generic check (a real array, token ids, a probability, a logits array, +-1 spins, a choice among strings ...)
lives in ``_validate`` under a public name and chapter modules import it.  What remains in a chapter module is
a validator of an object only that module defines, or a named alias of a ``_validate`` primitive; each is listed
here with its reason.  The test fails on a new module-local ``as_*``/``check_*`` helper that is not listed (move
it to ``_validate`` or list it with a reason) and on a listed one that is gone (delete its entry): the same
stale-entry rule as ``tests/test_imports.py``.  ``python tests/test_validate_home.py`` prints what the scan finds.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "semtheory"
HOME = PACKAGE / "_validate.py"
PATTERN = re.compile(r"^_?(as|check)_")

#: Module-local validators that stay where they are: "path relative to semtheory/:name" -> one-line reason.
REMAINING = {
    "ratereward/dpo.py:_as_logs": "log-probabilities of DPO responses (<= 0, -inf allowed), on as_float",
    "ratereward/dpo.py:_check_data": "a PreferenceData record (prompt and response indices), ratereward's own type",
    "ratereward/_common.py:check_kl_weight": "named alias: check_positive for the rate-reward KL weight",
    "ratereward/_common.py:check_kl_weight0": "named alias: check_positive(allow_zero=True), the greedy end",
    "ratereward/_common.py:as_reward": "a reward table broadcast to a policy's shape, on as_float",
    "ratereward/_common.py:as_ref": "named alias: as_stochastic for a reference policy",
    "channel/interaction.py:_check_pmf_vector": "a pmf over the model's V tokens (as_pmf plus the size V)",
    "channel/interaction.py:_as_user": "a user: a pmf, a callable sampler or a memory-one kernel with its first law",
    "channel/interaction.py:_check_interaction": "the shared boundary of interaction_kernels and interaction_law",
    "channel/_common.py:as_energies": "Boltzmann energies (+inf masks a token, -inf refused), on as_real_array",
    "channel/_common.py:as_logpmf": "a normalised log-pmf within core's NORM_ATOL, on as_logits",
    "tokens.py:_check_tokenizer": "a BPETokenizer, tokens' own type",
    "diestimate.py:_check_trace": "two aligned symbol traces of equal length >= 2, on as_token_ids",
    "diffusion/_common.py:check_law": "a joint law of shape (V,)*n small enough to enumerate masks for",
    "diffusion/_common.py:check_table": "a mask-predictor table of shape (V+1,)*n + (n, V)",
    "diffusion/_common.py:check_pair": "a data law and a predictor table for the same n and V",
    "diffusion/_common.py:check_order": "a decoding order: a permutation of 0..n-1, on as_int_array",
    "energy.py:as_energy_lm": "a public converter (any LanguageModel in Boltzmann form), not a validator",
    "energy.py:_as_state": "a query state whose last axis is the stored patterns' dimension d, on as_real_array",
    "elbo/_common.py:check_hmm": "an HMM, elbo's own type",
    "elbo/_common.py:check_x": "an HMM observation sequence short enough to enumerate, on as_token_ids",
    "semantic/feedback.py:_as_user": "a simulated user's kernel of shape (V, V, V) and first-turn pmf",
    "semantic/_common.py:as_markov_source": "a sources.MarkovSource (imported lazily: sources is a later chapter)",
    "embedding/vectorisation.py:_as_labels": "one class label per context row, on as_token_ids",
    "embedding/_common.py:as_real_matrix": "a dense or scipy-sparse real matrix (-inf optional), embedding's input",
    "embedding/_common.py:check_eps": "named alias: check_probability(open ends) for the smoothing eps",
    "embedding/_common.py:as_joint": "named alias: as_pmf(ndim=2) for the joint p_xy",
    "embedding/_common.py:check_counts": "a dense or sparse co-occurrence count matrix with mass",
    "gaussian.py:_check_alpha": "a correlation coefficient in [-1, 1], on check_real",
    "ratedistortion/_common.py:as_distortion": "a distortion matrix d[x, y] (+inf forbids a pair), BA's input",
    "ratedistortion/_common.py:check_beta": "named alias: check_positive(allow_zero=True) for the BA slope",
    "ratedistortion/_common.py:check_tol": "named alias: check_positive and check_int for (tol, max_iter)",
    "ratedistortion/_common.py:as_betas": "a sorted grid of BA slopes >= 0 for a rate-distortion curve",
    "ratedistortion/_common.py:as_output": "not a validator: a 0-d result returned as a float",
    "ratedistortion/_common.py:as_source_law": "a block source law over one alphabet per step, on as_pmf",
    "ratedistortion/_common.py:check_ar": "an AR(1) source's (a, noise_variance): |a| < 1, variance > 0",
    "chapters.py:check_path": "a public reading-path check over the chapter graph, not an argument validator",
    "sources/_common.py:check_n": "named alias: check_int(minimum=0) for a sequence length",
    "sources/_common.py:check_temperature": "named alias: check_positive for a sampling temperature",
    "ssm/ssd.py:_check_ssd": "the tensors (x, a, B, C) of the state-space dual form, their shapes together",
    "granger/discrete.py:_as_int_series": "a discrete series (booleans are the symbols 0, 1), on as_int_array",
    "granger/_common.py:as_series": "a time series (n,) or (n, m), a float copy, on as_real_array",
    "granger/var.py:as_var": "a VAR(p): coefficients (p, d, d) and a noise covariance (as_covariance), granger's model",
    "core/law.py:as_joint_law": "a joint law of (X^n, Y^n) in core's axis layout",
    "core/law.py:check_kernels": "a list of per-step kernels (a policy or a channel) in core's layout",
    "core/law.py:check_kernel_shape": "a kernel broadcastable to its full shape in core's layout",
    "core/tables.py:as_contexts": "public core name: rows of token ids, rows may be empty (on as_token_ids)",
    "core/models.py:check_model": "public core name: a LanguageModel with an int vocab_size >= 1",
    "generalization/_common.py:check_pxy": "a joint pmf and a hypothesis table of matching shape",
}

#: Entries that match the name pattern but validate no argument (a converter, a result rule, a chapter-graph query).
NOT_VALIDATORS = {"energy.py:as_energy_lm", "ratedistortion/_common.py:as_output", "chapters.py:check_path"}


def local_validators() -> dict[str, Path]:
    """Every top-level ``as_*``/``check_*`` (or ``_as_*``/``_check_*``) function outside ``_validate.py``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == HOME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and PATTERN.match(node.name):
                found[f"{path.relative_to(PACKAGE).as_posix()}:{node.name}"] = path
    return found


def test_no_new_module_local_validator():
    new = sorted(set(local_validators()) - set(REMAINING))
    assert not new, (
        "module-local validators not in REMAINING (move a generic check into semtheory/_validate.py as a "
        f"public function, or list it here with a reason): {new}"
    )


def test_no_stale_entry():
    gone = sorted(set(REMAINING) - set(local_validators()))
    assert not gone, f"REMAINING lists validators that no longer exist (delete them): {gone}"


def test_reasons_are_one_line():
    bad = [k for k, why in REMAINING.items() if not why.strip() or "\n" in why]
    bad += sorted(NOT_VALIDATORS - set(REMAINING))
    assert not bad, f"each REMAINING entry needs a one-line reason: {bad}"


def test_files_with_remaining_validators_use_the_home():
    """A file that keeps a validator imports ``_validate`` (or core's checks, which do) for its primitives."""
    lacking = []
    files = {path for key, path in local_validators().items() if key not in NOT_VALIDATORS}
    for path in sorted(files):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        mods = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        if not any(m.endswith("_validate") or m.endswith("core.models") for m in mods):
            lacking.append(path.relative_to(PACKAGE).as_posix())
    assert not lacking, f"files whose validators do not use semtheory._validate: {lacking}"


def test_home_validators_are_public():
    """``_validate``'s validators are public names (chapter modules import them); helpers stay private."""
    tree = ast.parse(HOME.read_text(encoding="utf-8"))
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert not [n for n in names if re.match(r"^_(as|check)_", n)], "a _validate validator has a leading underscore"
    for name in ("as_token_ids", "as_spins", "as_logits", "as_sizes", "as_covariance", "check_text", "as_real_array", "check_choice"):
        assert name in names


if __name__ == "__main__":
    for key in sorted(local_validators()):
        print(("  listed  " if key in REMAINING else "  NEW     ") + key)
