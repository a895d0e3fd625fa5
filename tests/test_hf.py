"""semtheory.hf and semtheory.measure on tiny Hugging Face models built here (random weights, no download).

GPT-2 and Llama architectures from their configs, a byte-level BPE tokenizer trained in the test on a text
that ships with Python (pydoc_data.topics).  Skipped when the ``hf`` extra is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")
pytest.importorskip("tokenizers")

from semtheory import channel, directed, flow, hf, semantic  # noqa: E402

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
V = 8  # enumerable vocabulary for the exact laws
PROMPTS = np.array([[1, 2], [3, 4], [5, 6]])


def _gpt2(vocab=V, seed=0):
    torch.manual_seed(seed)
    cfg = transformers.GPT2Config(n_layer=2, n_head=2, n_embd=32, vocab_size=vocab, n_positions=64,
                                  bos_token_id=0, eos_token_id=0)
    return transformers.GPT2LMHeadModel(cfg).eval()


def _llama(vocab=V, seed=1):
    torch.manual_seed(seed)
    cfg = transformers.LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                   num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                                   bos_token_id=0, eos_token_id=0)
    return transformers.LlamaForCausalLM(cfg).eval()


@pytest.fixture(scope="module", params=["gpt2", "llama"])
def lm(request):
    return hf.CausalLM(_gpt2() if request.param == "gpt2" else _llama())


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A tiny GPT-2 with a BPE tokenizer trained here, saved as a real model folder."""
    import pydoc_data.topics
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    text = "\n".join(pydoc_data.topics.topics.values())[:30000]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([text], trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>",
                                                eos_token="<|endoftext|>")
    folder = tmp_path_factory.mktemp("tiny-gpt2")
    _gpt2(vocab=len(fast)).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder, text


def test_sequence_log_prob_equals_the_models_own_loss(lm):
    seq = np.array([3, 1, 4, 1, 5, 2, 6, 5, 3])
    ids = torch.tensor([[lm.bos, *seq]])
    with torch.no_grad():
        loss = lm.model(input_ids=ids, labels=ids).loss.item()  # mean over the tokens after BOS
    assert abs(-lm.token_logprobs(seq, base=np.e).mean() - loss) < 1e-6  # the loss is in nats
    # the same numbers three ways: one pass, a batch table, and the KV cache token by token
    inc = np.array([lm.next_token_logprobs(seq[:k])[seq[k]] for k in range(len(seq))])
    tab = lm.table(seq[None, :-1], start=0)[0][np.arange(len(seq)), seq]
    assert np.abs(inc - lm.token_logprobs(seq, base=np.e)).max() < 1e-5 and np.abs(tab - inc).max() < 1e-5
    lp = lm.next_token_logprobs(seq)
    assert lp.dtype == np.float64 and abs(np.logaddexp.reduce(lp)) < 1e-12


def test_token_logprobs_units_sum_and_enumerated_law(lm):
    """The unit convention of every LanguageModel (erratum #12): bits by default, base=np.e for nats."""
    from semtheory import channel

    prompt = [1, 2]
    seqs = [(a, b) for a in range(V) for b in range(V)]
    bits = np.array([lm.token_logprobs(s, prompt=prompt) for s in seqs])
    nats = np.array([lm.token_logprobs(s, prompt=prompt, base=np.e) for s in seqs])
    np.testing.assert_allclose(bits * np.log(2), nats, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bits.sum(axis=1), [lm.log_prob(s, prompt=prompt) for s in seqs], atol=1e-9)
    law = channel.sequence_law(lm, 2, prompt=prompt)  # the KV-cache route, one next-token law per prefix
    np.testing.assert_allclose(nats.sum(axis=1), np.log([law[s] for s in seqs]), atol=1e-5)
    for bad in (0, 1, -2, 1 + 1j, "2", float("nan")):
        with pytest.raises(ValueError, match="base"):
            lm.token_logprobs([0, 1], base=bad)


def test_flow_identities_hold_exactly_on_an_enumerable_law(lm):
    law = semantic.prompt_flow_law(lm, PROMPTS, 2)
    assert abs(law.sum() - 1) < 1e-12
    di = directed.directed_information(law)
    assert abs(flow.expected_flow(law)[-1] - di) < 1e-12  # E[Lambda_n] = I(X -> Y^n) (chapter 7)
    assert abs(directed.sequence_mutual_information(law) - di) < 1e-12  # a prompt, no feedback: DI = MI
    # the law's conditionals are the model's, read by a different route (one scoring pass per sequence)
    y = np.array([2, 7])
    cond = law[1].reshape(V, V)[tuple(y)] / law[1].sum()
    assert abs(cond - 2.0 ** lm.token_logprobs(y, prompt=PROMPTS[1]).sum()) < 1e-6  # bits by default


def test_monte_carlo_di_agrees_with_exact_enumeration_within_its_error(lm):
    exact = directed.directed_information(semantic.prompt_flow_law(lm, PROMPTS, 2))
    est = semantic.mean_flow(semantic.sample_prompt_flow(lm, PROMPTS, 2, 600, seed=5))
    assert abs(est.flow[-1] - exact) <= 4 * est.flow_se[-1] + 1e-9
    assert abs(est.compensator[-1] - exact) <= 4 * est.compensator_se[-1] + 1e-9


def test_a_reacting_user_di_by_monte_carlo_and_exactly(lm):
    user = semantic.echo_user(V, 0.7)
    law = channel.interaction_law(lm, user, 2)
    exact_di, exact_mi = directed.directed_information(law), directed.sequence_mutual_information(law)
    assert exact_di < exact_mi  # the user reacts: feedback, so DI < MI
    est = semantic.sample_feedback_information(lm, user, 2, 300, n_inner=64, seed=2)
    assert abs(est.directed - exact_di) <= 4 * est.directed_se + 0.02


def test_sampling_is_deterministic_under_a_seed_and_uses_the_cache(lm):
    a = lm.sample(6, prompt=[1, 2], seed=3)
    assert np.array_equal(a, lm.sample(6, prompt=[1, 2], seed=3)) and a.shape == (6,)
    with pytest.raises(ValueError, match="temperature"):
        lm.sample(3, temperature=0)


def test_text_measures_and_attention(saved):
    folder, text = saved
    lm = hf.load(folder)
    sample = text[:600]
    seen = []
    m = hf.text_measures(lm, sample, window=40, progress=lambda d, t: seen.append((d, t)))
    ids = lm.encode(sample)
    assert np.array_equal(m.tokens, ids) and seen[-1] == (ids.size, ids.size) and len(seen) > 1
    total = -sum(lm.token_logprobs(ids[s:s + 40], base=np.e).sum() for s in range(0, ids.size, 40)) / np.log(2)
    assert abs(m.bits_per_byte - total / len(sample.encode())) < 1e-9
    assert abs(m.bits_per_token * ids.size - m.bits_per_byte * m.n_bytes) < 1e-9
    assert abs(m.perplexity - 2 ** m.bits_per_token) < 1e-9
    att = hf.attention_maps(lm, ids[:10])
    assert att.weights.shape == (2, 2, 11, 11)
    assert np.allclose(att.weights.sum(-1), 1) and np.allclose(np.triu(att.weights, 1), 0)
    assert np.all(att.entropy[:, :, 0] == 0) and np.all(att.entropy <= np.log2(np.arange(1, 12)) + 1e-9)


def test_load_refuses_a_model_that_is_not_on_the_machine(tmp_path):
    with pytest.raises(ValueError, match="never downloads"):
        hf.load(tmp_path / "no-such-model")
    with pytest.raises(ValueError, match="never downloads"):
        hf.load("some-org/some-model-not-in-the-cache")


def test_the_command_end_to_end(saved, tmp_path):
    folder, text = saved
    f = tmp_path / "text.txt"
    f.write_text(text[:3000], encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    r = subprocess.run([sys.executable, "-m", "semtheory.measure", "--model", str(folder), "--text", str(f),
                        "--window", "50", "--prompt", "The", "--prompt", "def", "--generate", "2", "--samples", "20"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "bits/byte:" in r.stdout and "bits/token:" in r.stdout and "perplexity:" in r.stdout
    assert "directed information prompt -> 2 tokens:" in r.stdout and "±" in r.stdout
    assert "scoring [" in r.stderr  # the progress bar
    rows = (tmp_path / "text.tokens.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "position,token_id,token,bits,cumulative_bits" and len(rows) > 100
    assert (tmp_path / "text.flow.png").stat().st_size > 5000
    bad = subprocess.run([sys.executable, "-m", "semtheory.measure", "--model", str(tmp_path / "nope"), "--text", str(f)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2 and "never downloads" in bad.stderr


def test_perplexity_against_the_entropy_rate_of_a_source_written_as_text(saved):
    from semtheory.sources import MarkovSource

    folder, _ = saved
    lm = hf.load(folder)
    src = MarkovSource.two_state(0.1, 0.3)
    r = hf.source_text_report(lm, src, 300, alphabet="ab", seed=4)
    assert set(r.text) <= {"a", "b"} and len(r.text) == 300
    assert abs(r.entropy_rate - src.entropy_rate()) < 1e-12
    assert abs(r.model_bits_per_symbol - r.measures.bits_per_byte) < 1e-12  # one ASCII byte per symbol
    assert r.excess > 0  # a random model is far from the source
    with pytest.raises(ValueError, match="alphabet"):
        hf.source_text_report(lm, src, 10, alphabet="a")
    with pytest.raises(ValueError, match="window"):
        hf.text_measures(lm, r.text, window=10_000)  # longer than the model's positions
