r"""Measure your own model: ``python -m semtheory.measure --model PATH --text FILE``.

Prints the bits per byte, bits per token and perplexity of the text under a local Hugging Face causal LM
(the code length of the text's canonical tokenisation: see :func:`semtheory.hf.text_measures`), writes the
per-token information content to a CSV file, and saves a plot of the information accumulated along the
text.  With ``--prompt`` given twice or more, ``--generate N --samples K`` also estimates the directed
information from the prompt (one of the given prompts, equally likely) to ``N`` generated tokens, by
``K`` Monte Carlo paths, with its standard error (:func:`semtheory.semantic.sample_prompt_flow`).  Nothing
is downloaded: ``--model`` is a folder or a name in the local Hugging Face cache.  Chapter 14.
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import sys

__all__ = ["main"]


def _progress(stream):
    def show(done: int, total: int) -> None:
        width = 30
        k = int(width * done / total)
        stream.write(f"\rscoring [{'#' * k}{'.' * (width - k)}] {done}/{total} tokens")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options).

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status, 0 on success.
    """
    p = argparse.ArgumentParser(prog="python -m semtheory.measure", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="a folder from save_pretrained, or a name in the local HF cache")
    p.add_argument("--text", help="a UTF-8 text file to score")
    p.add_argument("--csv", help="per-token CSV to write (default: TEXT.tokens.csv)")
    p.add_argument("--plot", help="PNG of the information along the text (default: TEXT.flow.png)")
    p.add_argument("--window", type=int, help="tokens per scoring window (default: the model's positions)")
    p.add_argument("--prompt", action="append", default=[], help="a prompt (give two or more for --generate)")
    p.add_argument("--generate", type=int, default=0, help="tokens generated after a prompt")
    p.add_argument("--samples", type=int, default=200, help="Monte Carlo paths for the DI estimate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None, help='"cpu", "cuda", ... (default: cpu)')
    a = p.parse_args(argv)
    if a.text is None and not a.generate:
        p.error("give --text FILE, or --prompt ... --generate N")

    import numpy as np

    from . import hf, semantic

    try:
        lm = hf.load(a.model, device=a.device)
    except ValueError as e:
        print(f"measure: {e}", file=sys.stderr)
        return 2

    if a.text is not None:
        path = pathlib.Path(a.text)
        if not path.is_file():
            print(f"measure: --text {a.text!r} is not a file", file=sys.stderr)
            return 2
        text = path.read_text(encoding="utf-8")
        m = hf.text_measures(lm, text, window=a.window, progress=_progress(sys.stderr))
        print(f"tokens: {m.tokens.size}  bytes: {m.n_bytes}")
        print(f"bits/token: {m.bits_per_token:.4f}  bits/byte: {m.bits_per_byte:.4f}  perplexity: {m.perplexity:.3f}")
        print("(code length of the canonical tokenisation; the model also gives mass to other segmentations)")
        out_csv = pathlib.Path(a.csv) if a.csv else path.with_suffix(".tokens.csv")
        with open(out_csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["position", "token_id", "token", "bits", "cumulative_bits"])
            for i, (tid, d, c) in enumerate(zip(m.tokens, m.densities, m.flow)):
                w.writerow([i, int(tid), lm.tokenizer.decode([int(tid)]), f"{d:.6f}", f"{c:.6f}"])
        print(f"per-token CSV: {out_csv}")
        out_png = pathlib.Path(a.plot) if a.plot else path.with_suffix(".flow.png")
        import matplotlib

        matplotlib.use("Agg")
        from .plotting import figure

        fig, ax = figure()
        ax.plot(np.arange(1, m.tokens.size + 1), m.flow, label="information along the text")
        ax.set(xlabel="token", ylabel="bits", title=f"{m.bits_per_token:.2f} bits/token, {m.bits_per_byte:.2f} bits/byte")
        ax.legend()
        fig.savefig(out_png)
        print(f"plot: {out_png}")

    if a.generate:
        if len(a.prompt) < 2:
            print("measure: --generate needs two or more --prompt (the DI is from which prompt was given)",
                  file=sys.stderr)
            return 2
        enc = [lm.encode(s) for s in a.prompt]
        if len({e.size for e in enc}) != 1 or enc[0].size == 0:
            print(f"measure: the prompts must have the same number of tokens, got {[e.size for e in enc]}",
                  file=sys.stderr)
            return 2
        paths = semantic.sample_prompt_flow(lm, np.stack(enc), a.generate, a.samples, seed=a.seed)
        est = semantic.mean_flow(paths)
        print(f"directed information prompt -> {a.generate} tokens: {est.flow[-1]:.4f} ± {est.flow_se[-1]:.4f} bits "
              f"({a.samples} paths; {len(a.prompt)} equally likely prompts)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
