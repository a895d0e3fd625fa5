r"""The book's notation: one dict of LaTeX macros, the single source for every place that needs them.

``MACROS`` feeds (1) ``mathjax3_config.tex.macros`` in ``_config.yml`` (the rendered book), (2) the
hidden ``remove-cell`` macro cell at the top of each chapter (JupyterLab, where the book's config is not
loaded: a MyST front matter ``math:`` block, which jupyterlab-myst applies to every cell of the notebook and
which shows nothing; ``\newcommand`` lines would show, and KaTeX refuses to redefine ``\R`` or ``\H``),
(3) the ``\newcommand`` cell of the exported assignment notebooks (plain Jupyter's MathJax), and (4) the
notation appendix.  This module is the data; the book's tooling writes it into those places
(``python -m tools.macrosync`` rewrites (1) and (2) from the dict); ``tests/test_book_config.py`` fails if any
of them drifts.

Each entry: name -> (definition, number of arguments, meaning shown in the notation table).
"""

from __future__ import annotations

MACROS: dict[str, tuple[str, int, str]] = {
    "E": (r"\mathbb{E}", 0, "expectation"),
    "Prob": (r"\mathbb{P}", 0, "probability of an event"),
    "R": (r"\mathbb{R}", 0, "real numbers"),
    "X": (r"\mathcal{X}", 0, "input (prompt) alphabet"),
    "Y": (r"\mathcal{Y}", 0, "output (token) alphabet"),
    "V": (r"\mathcal{V}", 0, "vocabulary"),
    "H": (r"H", 0, "entropy"),
    "I": (r"I", 0, "mutual information"),
    "KL": (r"D_{\mathrm{KL}}", 0, "relative entropy (Kullback–Leibler divergence)"),
    "PPL": (r"\mathrm{PPL}", 0, "perplexity"),
    "DI": (r"I(#1 \to #2)", 2, "directed information from #1 to #2 (Massey)"),
    "cc": (r"\,\|\,", 0, "causal conditioning bar, as in P(y^n || x^n)"),
    "seq": (r"#1^{#2}", 2, "the sequence (#1_1, ..., #1_#2)"),
    "given": (r"\,\middle|\,", 0, "conditioning bar inside \\left( \\right)"),
    "softmax": (r"\operatorname{softmax}", 0, "softmax"),
    "argmax": (r"\operatorname*{arg\,max}", 0, "arg max"),
    "argmin": (r"\operatorname*{arg\,min}", 0, "arg min"),
    "Var": (r"\operatorname{Var}", 0, "variance"),
    "Cov": (r"\operatorname{Cov}", 0, "covariance"),
    "bits": (r"\,\mathrm{bits}", 0, "unit: bits (base 2)"),
    "nats": (r"\,\mathrm{nats}", 0, "unit: nats (base e)"),
    "dd": (r"\,\mathrm{d}", 0, "differential"),
    "ind": (r"\mathbb{1}", 0, "indicator"),
    "T": (r"\mathsf{T}", 0, "transpose"),
}


def mathjax_macros() -> dict[str, object]:
    """Macros in the form MathJax 3 expects: ``name -> definition`` or ``[definition, nargs]``.

    Returns
    -------
    dict
        ``name -> definition`` or ``name -> [definition, nargs]``, as MathJax 3's ``tex.macros``.
    """
    return {k: (d if n == 0 else [d, n]) for k, (d, n, _) in MACROS.items()}


def newcommands() -> str:
    r"""The macros as ``\newcommand`` lines (for the JupyterLab macro cell and a LaTeX preamble).

    Returns
    -------
    str
        One ``\newcommand`` line per macro.
    """
    lines = []
    for k, (d, n, _) in MACROS.items():
        arg = f"[{n}]" if n else ""
        lines.append(rf"\newcommand{{\{k}}}{arg}{{{d}}}")
    return "\n".join(lines)


def frontmatter() -> str:
    r"""The macros as a MyST front matter ``math:`` block (``'\E': '\mathbb{E}'``; arguments as ``#1``).

    Returns
    -------
    str
        A YAML ``math:`` block for a MyST front matter.
    """
    lines = ["---", "math:"]
    for k, (d, _, _) in MACROS.items():
        lines.append(f"  '\\{k}': '{d.replace(chr(39), chr(39) * 2)}'")
    return "\n".join(lines + ["---"])
