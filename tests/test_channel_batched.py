"""sequence_law / prompt_generation_law on a Transformer: the batched causal passes against the state walk."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from semtheory import channel as c  # noqa: E402
from semtheory.channel import interaction  # noqa: E402
from semtheory.transformer import Transformer  # noqa: E402


class Walked(c.LanguageModel):
    """The same Transformer seen only through next_token_logprobs: sequence_law walks it history by history."""

    def __init__(self, m):
        self.m, self.vocab_size = m, m.vocab_size

    def next_token_logprobs(self, context):
        return self.m.next_token_logprobs(context)


@pytest.fixture(scope="module")
def model():
    m = Transformer(3, d_model=8, n_heads=2, n_layers=2, context_length=8, seed=3)
    with torch.no_grad():
        m.unembed.weight.mul_(4.0)  # peaked laws, so a wrong history shows
    return m


@pytest.mark.parametrize("n, prompt", [(1, []), (1, [2]), (3, []), (3, [1, 0]), (4, [2, 2, 1])])
def test_batched_sequence_law_matches_the_walk(model, n, prompt):
    law = c.sequence_law(model, n, prompt=prompt)
    ref = c.sequence_law(Walked(model), n, prompt=prompt)
    assert law.shape == (3,) * n
    assert abs(law.sum() - 1) < 1e-12  # one law per history: normalised to double round-off
    np.testing.assert_allclose(law, ref, atol=1e-6, rtol=1e-5)


def test_per_position_fallback_agrees(model, monkeypatch):
    q = np.random.default_rng(0).dirichlet(np.ones(9)).reshape(3, 3)
    one_pass = c.prompt_generation_law(model, q, 3)
    seq = c.sequence_law(model, 4, prompt=[0, 1])
    monkeypatch.setattr(interaction, "_BATCH_TABLE_CELLS", 0)
    np.testing.assert_allclose(c.prompt_generation_law(model, q, 3), one_pass, atol=1e-6)
    np.testing.assert_allclose(c.sequence_law(model, 4, prompt=[0, 1]), seq, atol=1e-6)


def test_prompt_generation_law_matches_the_walk(model):
    q = np.random.default_rng(1).dirichlet(np.ones(9)).reshape(3, 3)
    law = c.prompt_generation_law(model, q, 3)
    walked = c.prompt_generation_law(Walked(model), q, 3)  # not a Transformer: sequence_law walks each prompt
    np.testing.assert_allclose(law, walked, atol=1e-6)
    rows = np.stack([c.sequence_law(model, 3, prompt=pr) for pr in np.indices((3, 3)).reshape(2, -1).T])
    np.testing.assert_allclose(law, (q.reshape(-1, 1, 1, 1) * rows).reshape(law.shape), atol=1e-15)


def test_window_too_short_walks(model):
    # BOS + prompt + continuation (1 + 6 + 2) exceed the window of 8: not batchable, the state walk decides
    law = c.sequence_law(model, 3, prompt=[0, 1, 2, 0, 1, 2])
    np.testing.assert_allclose(law, c.sequence_law(Walked(model), 3, prompt=[0, 1, 2, 0, 1, 2]), atol=1e-15)
    with pytest.raises(ValueError, match="prompt"):
        c.sequence_law(model, 2, prompt=[3])
