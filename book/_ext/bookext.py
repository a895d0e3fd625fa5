"""Sphinx extension for the book's HTML: math offline, and a clean browser console.

1. MathJax served from the book itself, so pages render math offline (below).
2. Duplicate inline ``<script>`` tags removed: sphinx-thebe's ``const THEBE_JS_URL = ...`` (and
   togglebutton's selector) are emitted twice by this stack, and the second ``const`` is a SyntaxError in
   every reader's console.
3. The theme's light/dark mode starts as ``auto`` on a first visit: pydata-sphinx-theme otherwise logs
   "Got invalid theme mode" (an error) when ``localStorage`` is empty, before resetting it to ``auto``.
4. With ``html_copy_source = False`` (the student edition) the page has no source to download, so the
   ``.md``/``.ipynb`` download links (which sphinx-book-theme would still show, pointing at a missing
   ``_sources/``) are dropped; the print-to-PDF button stays.

5. Bookkeeping hidden: the ``glue(...)`` calls that hand computed numbers to the prose are removed from
   the code a reader sees (a cell that does nothing else disappears), while the computation stays in the
   notebook and runs; see :func:`strip_glue`.
   The numbers reach the prose as ``{eval}`glued("name:fmt")``` (one source for the web and JupyterLab,
   :mod:`semtheory.glue`): the ``eval`` role is replaced by :class:`EvalGlued`, which pastes the glued value
   exactly as myst-nb's ``{glue:text}`name:fmt``` does (myst-nb's own ``eval`` needs inline execution;
   the book executes through the cache).
6. Long display equations scroll inside their own block instead of overflowing the text column
   (``semtheory.css``).

``tests/test_browser.py`` opens every page in headless Chromium and fails on any console error, so a
regression of 2 or 3 (or a new one) shows up there.

MathJax
-------

Sphinx loads MathJax from a CDN by default (``cdn.jsdelivr.net``); a reader without the network, a
classroom behind a firewall and the book's browser test (``tests/test_browser.py``, no internet) would
then see raw TeX.  This extension copies MathJax 3.2.2 from the PyPI package ``django-static-mathjax``
(a plain copy of the MathJax distribution; it does not need Django) into ``_static/mathjax/`` of every
HTML build, and ``_config.yml`` sets ``mathjax_path: mathjax/tex-chtml.js`` (relative to ``_static``).

Only what the TeX-input/CHTML-output component loads at run time is copied (about 7 MB): the
combined ``tex-chtml.js``, the TeX extensions that ``autoload``/``require`` fetch, the CHTML fonts,
the menu and the accessibility modules (with the speech-rule maps they load when a reader turns
speech on).  Enabled in ``_config.yml`` as the local extension ``bookext`` (``sphinx.local_extensions``, path ``book/_ext``).
"""

from __future__ import annotations

import ast
import pathlib

MATHJAX_VERSION = "3.2.2"
ENTRY = "tex-chtml.js"
#: Sub-folders of MathJax's ``es5/`` that ``tex-chtml.js`` may load at run time.
FOLDERS = ("input/tex", "output/chtml", "ui", "a11y", "sre", "adaptors")
FILES = (ENTRY, "startup.js", "loader.js", "core.js")


def source_dir() -> pathlib.Path:
    """The ``es5/`` folder of the MathJax distribution installed by ``django-static-mathjax``."""
    try:
        import mathjax  # the import name of the PyPI package django-static-mathjax
    except ImportError as exc:  # pragma: no cover - a broken install
        raise RuntimeError(
            "MathJax is served locally from the package django-static-mathjax; install the book extra "
            "(pip install -e '.[book]')"
        ) from exc
    es5 = pathlib.Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"
    if not (es5 / ENTRY).exists():  # pragma: no cover - a different package named mathjax
        raise RuntimeError(f"{es5 / ENTRY} not found: is django-static-mathjax=={MATHJAX_VERSION}.* installed?")
    return es5


def files_to_copy() -> list[pathlib.Path]:
    """Every file (relative to ``es5/``) that the book's MathJax may request."""
    es5 = source_dir()
    out = [pathlib.Path(f) for f in FILES if (es5 / f).exists()]
    for folder in FOLDERS:
        out += sorted(p.relative_to(es5) for p in (es5 / folder).rglob("*") if p.is_file())
    return out


def copy_mathjax(outdir: str | pathlib.Path) -> pathlib.Path:
    """Copy MathJax into ``outdir/_static/mathjax`` (files already identical are left alone)."""
    import filecmp
    import shutil

    es5 = source_dir()
    dest = pathlib.Path(outdir) / "_static" / "mathjax"
    for rel in files_to_copy():
        src, dst = es5 / rel, dest / rel
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return dest


def _on_config_inited(app, config) -> None:
    # Sphinx's default is the CDN; ``_config.yml`` sets the local path explicitly, this is a safety net.
    if not config.mathjax_path or "://" in config.mathjax_path:
        config.mathjax_path = f"mathjax/{ENTRY}"


def _on_builder_inited(app) -> None:
    if app.builder.format == "html":
        copy_mathjax(app.outdir)


#: Runs in <head> after the theme's own snippet, which sets ``data-mode`` to "" when localStorage is empty.
THEME_MODE_FIX = 'if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }'


def _script_key(js) -> tuple:
    attrs = getattr(js, "attributes", {}) or {}
    name = getattr(js, "filename", js) or ""  # inline scripts come as filename None or "": the same script
    return (str(name), tuple(sorted((k, str(v)) for k, v in attrs.items())))


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    files = context.get("script_files")
    if not files:
        return
    seen, out = set(), []
    for js in files:
        key = _script_key(js)
        if key not in seen:
            seen.add(key)
            out.append(js)
    if len(out) != len(files):
        context["script_files"] = out


SOURCE_BUTTONS = ("download-source-button", "download-notebook-button")


def _drop_source_downloads(app, pagename, templatename, context, doctree) -> None:
    if app.config.html_copy_source:
        return
    kept = []
    for group in context.get("header_buttons", []) or []:
        if isinstance(group, dict) and group.get("label") == "download-buttons":
            group = dict(group, buttons=[b for b in group.get("buttons", []) if b.get("label") not in SOURCE_BUTTONS])
            if not group["buttons"]:
                continue
        kept.append(group)
    if "header_buttons" in context:
        context["header_buttons"] = kept


#: Names whose import is bookkeeping (``from myst_nb import glue``, ``from semtheory.glue import glue, glued``).
GLUE_NAMES = ("glue", "glued")


def glued_key(expr: str) -> str | None:
    """``'glued("name:fmt")'`` -> ``'name:fmt'`` (the text of the equivalent ``{glue:text}`` role); else None."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        return None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "glued"
            and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return None


class EvalGlued:
    """The ``eval`` role: ``{eval}`glued("k")``` is myst-nb's ``{glue:text}`k```; anything else is myst-nb's eval."""

    def __call__(self, name, rawtext, text, lineno, inliner, options=None, content=()):
        from docutils.utils import unescape
        from myst_nb.ext.eval import EvalRoleAny
        from myst_nb.ext.glue.roles import PasteTextRole

        key = glued_key(unescape(text))
        if key is None:
            return EvalRoleAny()(name, rawtext, text, lineno, inliner, options, content)
        return PasteTextRole()("glue:text", rawtext, key, lineno, inliner, options, content)


def _add_eval_role(app, config) -> None:
    # after every extension's setup (myst-nb registers its own ``eval`` there)
    app.add_role("eval", EvalGlued(), override=True)


def _is_glue(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "glue")


def _only_glue(body: list[ast.stmt]) -> bool:
    return all(_is_glue(b) or (isinstance(b, ast.For) and not b.orelse and _only_glue(b.body)) for b in body)


def strip_glue(source: str) -> str:
    """``source`` without its glue bookkeeping: ``glue(...)`` statements, loops of them, the glue import.

    Returns ``""`` when nothing but bookkeeping and comments is left. Source that is not plain Python
    (an IPython magic) is returned unchanged.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    drop: set[int] = set()

    def visit(body: list[ast.stmt]) -> None:
        for st in body:
            glue_import = isinstance(st, ast.ImportFrom) and all(a.name in GLUE_NAMES for a in st.names)
            if _is_glue(st) or glue_import or (isinstance(st, ast.For) and not st.orelse and _only_glue(st.body)):
                drop.update(range(st.lineno, st.end_lineno + 1))
            else:  # glue calls inside a block that also computes (a loop that fills a table and glues it)
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(st, field, None)
                    if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                        visit(inner)

    visit(tree.body)
    if not drop:
        return source
    kept = [line for i, line in enumerate(source.splitlines(), 1) if i not in drop]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in kept):
        return ""
    out: list[str] = []
    for line in kept:  # no run of blank lines where statements were taken out
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out).strip("\n")


def _hide_glue(app, doctree) -> None:
    from docutils import nodes

    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code":
            continue
        for src in [c for c in cell.children if isinstance(c, nodes.container)
                    and c.get("nb_element") == "cell_code_source"]:
            for lit in list(src.findall(nodes.literal_block)):
                text = lit.astext()
                new = strip_glue(text)
                if new == text:
                    continue
                if not new:
                    src.parent.remove(src)
                    break
                repl = nodes.literal_block(new, new, **{k: v for k, v in lit.attributes.items()
                                                        if k not in ("ids", "backrefs", "dupnames", "names")})
                lit.replace_self(repl)
        if not cell.children:
            cell.parent.remove(cell)


#: Display math wider than the column scrolls inside its block (MathJax CHTML puts it in mjx-container).
CSS_NAME = "semtheory.css"
CSS = """mjx-container[display="true"], div.math { max-width: 100%; overflow-x: auto; overflow-y: hidden; }
"""


def _write_css(app) -> None:
    if app.builder.format == "html":
        static = pathlib.Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / CSS_NAME).write_text(CSS)


def setup(app):
    """Register the MathJax copy, script de-duplication, theme-mode fix, download fix, glue role and hiding, CSS."""
    app.connect("config-inited", _on_config_inited)
    app.connect("config-inited", _add_eval_role)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("builder-inited", _write_css)
    app.connect("doctree-read", _hide_glue)
    app.add_css_file(CSS_NAME)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _drop_source_downloads, priority=900)
    app.add_js_file(None, body=THEME_MODE_FIX)
    return {"version": MATHJAX_VERSION, "parallel_read_safe": True, "parallel_write_safe": True}
