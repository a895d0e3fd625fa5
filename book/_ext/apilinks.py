"""Sphinx extension: each chapter links to the API page of every ``semtheory`` module it uses (issue #18).

The chapter's code cells are read from its source (hidden set-up cells included), and every import of a
public ``semtheory`` module is noted with the names it binds (``from semtheory import measures`` binds
``measures``; ``from semtheory.plotting import figure`` binds ``figure`` to ``semtheory.plotting``).  The
module is *first used* in the first code cell a reader sees that imports it or uses one of those names;
after that cell (and its output) a line "API reference: semtheory.measures" links to the module's page
``book/api/...`` (written by ``tools/apidocs.py``).  A module imported but never used in a visible cell is
linked after the first visible cell that follows its import.  Links are made only to API pages that are
part of the build, so a mini-book without the API part (``make chapter``) is built without them and
without warnings.  Enabled in ``_config.yml`` as the local extension ``apilinks`` (``sphinx.local_extensions``, path ``book/_ext``); no chapter file is edited.
"""

from __future__ import annotations

import ast
import pathlib

PACKAGE = "semtheory"
ROOT = pathlib.Path(__file__).resolve().parents[2]  # book/_ext/ -> the repository


def _is_module(dotted: str, root: pathlib.Path = ROOT) -> bool:
    base = root / dotted.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def api_docname(module: str) -> str:
    """The docname of a module's API page: ``semtheory.symbolic.flow`` -> ``book/api/symbolic/flow``."""
    parts = module.split(".")[1:]
    if (ROOT / module.replace(".", "/") / "__init__.py").exists():
        parts = parts + ["index"]
    return "book/api/" + "/".join(parts)


def _parse(source: str) -> ast.Module | None:
    lines = [("" if line.lstrip().startswith(("%", "!")) else line) for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def imports(source: str, root: pathlib.Path = ROOT) -> dict[str, str]:
    """Names bound by imports of public semtheory modules in ``source``: name -> dotted module."""
    tree = _parse(source)
    out: dict[str, str] = {}
    if tree is None:
        return out
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == PACKAGE or a.name.startswith(PACKAGE + "."):
                    mod = a.name if a.asname else PACKAGE
                    out[a.asname or PACKAGE] = mod
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
                continue
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out[a.asname or a.name] = sub if _is_module(sub, root) else node.module
    return {k: v for k, v in out.items() if not any(p.startswith("_") for p in v.split("."))}


def names_used(source: str) -> set[str]:
    """Every name that ``source`` loads (the roots of attribute chains included)."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def first_uses(all_cells: list[str], visible: list[tuple[int, str]], root: pathlib.Path = ROOT) -> dict[int, list[str]]:
    """Where to link each module: position in ``visible`` -> modules (in order of first use).

    ``all_cells`` is every code cell's source (hidden ones too); ``visible`` the (cell number, shown source)
    of the cells a reader sees, in order, where the cell number indexes ``all_cells``.
    """
    bound: dict[str, str] = {}
    first_import: dict[str, int] = {}
    for i, src in enumerate(all_cells):
        for name, mod in imports(src, root).items():
            bound.setdefault(name, mod)
            first_import.setdefault(mod, i)
    placed: dict[str, int] = {}
    for pos, (i, src) in enumerate(visible):
        here = list(imports(src, root).values())
        here += [bound[n] for n in sorted(names_used(src)) if n in bound and first_import[bound[n]] <= i]
        for mod in here:
            placed.setdefault(mod, pos)
    for mod, i in first_import.items():  # imported, never visibly used: after the next visible cell
        if mod not in placed:
            later = [pos for pos, (j, _) in enumerate(visible) if j >= i]
            if later:
                placed[mod] = later[0]
    out: dict[int, list[str]] = {}
    for mod, pos in sorted(placed.items(), key=lambda kv: (kv[1], kv[0])):
        out.setdefault(pos, []).append(mod)
    return out


def _code_cells(doctree):
    from docutils import nodes

    return [c for c in doctree.findall(nodes.container) if c.get("nb_element") == "cell_code"]


def _shown_source(cell) -> str:
    from docutils import nodes

    return "\n".join(lit.astext() for src in cell.children if isinstance(src, nodes.container)
                     and src.get("nb_element") == "cell_code_source" for lit in src.findall(nodes.literal_block))


def _link_paragraph(modules: list[str], docname: str):
    from docutils import nodes
    from sphinx import addnodes

    para = nodes.paragraph(classes=["semtheory-api-links"])
    para += nodes.Text("API reference: ")
    for k, mod in enumerate(modules):
        if k:
            para += nodes.Text(", ")
        ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + api_docname(mod),
                                    refexplicit=True, refwarn=True, refdoc=docname)
        ref += nodes.literal(mod, mod, classes=["xref", "doc"])
        para += ref
    return para


def notebook_code(markdown: str) -> dict[int, str]:
    """Notebook cell index -> source of every code cell, as myst-nb reads the MyST notebook."""
    from myst_nb.core.read import read_myst_markdown_notebook

    nb = read_myst_markdown_notebook(markdown)
    return {i: c.source for i, c in enumerate(nb.cells) if c.cell_type == "code"}


def _add_links(app, doctree) -> None:
    docname = app.env.docname
    if docname.startswith("book/api/"):
        return
    cells = _code_cells(doctree)
    if not cells:
        return
    path = pathlib.Path(app.env.doc2path(docname))
    if path.suffix != ".md" or not path.exists():
        return
    code = notebook_code(path.read_text())
    order = sorted(code)  # notebook indices of the code cells -> their code-cell number
    number = {ci: k for k, ci in enumerate(order)}
    cells = [c for c in cells if int(c.get("cell_index", -1)) in number]
    visible = [(number[int(c["cell_index"])], _shown_source(c)) for c in cells]
    for pos, mods in first_uses([code[i] for i in order], visible).items():
        mods = [m for m in mods if api_docname(m) in app.env.found_docs]
        if mods:
            cell = cells[pos]
            cell.parent.insert(cell.parent.index(cell) + 1, _link_paragraph(mods, docname))


def foreign_docstring(name: str, obj) -> bool:
    """True when ``obj`` (the member ``name`` of a semtheory class) has no docstring of its own and would
    inherit one from a class outside semtheory (``torch.nn.Module.forward``): that text is not the book's."""
    import importlib
    import inspect

    if getattr(obj, "__doc__", None) is not None or not callable(obj):
        return False
    parts = name.split(".")
    for k in range(len(parts) - 2, 0, -1):  # the longest importable prefix is the module, the rest the class
        try:
            cls = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for attr in parts[k:-1]:
            cls = getattr(cls, attr, None)
        if not inspect.isclass(cls):
            return False
        for base in cls.__mro__[1:]:
            member = base.__dict__.get(parts[-1])
            if member is not None and getattr(member, "__doc__", None):
                return not base.__module__.startswith("semtheory")
        return False
    return False


def _drop_foreign_docstrings(app, what, name, obj, options, lines) -> None:
    if what == "method" and foreign_docstring(name, obj):
        lines[:] = []


def _import_dotted(dotted: str):
    """The object a dotted name ``semtheory.a.b.Name.attr`` refers to, or None (nothing is raised)."""
    import importlib

    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except Exception:  # noqa: BLE001 - not a module (or an extra that is missing): try a shorter prefix
            continue
        try:
            for attr in parts[k:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def reexport_targets(target: str, modname: str | None = None, classname: str | None = None) -> list[str]:
    """Where a Python reference that Sphinx did not find may be documented: a name re-exported by another
    module (``semtheory.channel.LanguageModel``, ``sequence_law`` in channel's docstrings) is documented once,
    where it is defined or on the page of the package that re-exports it (``semtheory.core.LanguageModel``).
    Returns the dotted names to try: the defining module's path and each package above it."""
    target = target.lstrip("~.")
    bases = [target]
    if modname:
        bases += [f"{modname}.{classname}.{target}"] if classname else []
        bases += [f"{modname}.{target}"]
    for base in bases:
        if not base.startswith("semtheory"):
            continue
        obj = _import_dotted(base)
        home, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if obj is None or not home or not qual or not home.startswith("semtheory"):
            continue
        parts = home.split(".")
        return [".".join(parts[:k]) + "." + qual for k in range(len(parts), 0, -1)]
    return []


def _resolve_reexport(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    for name in reexport_targets(node.get("reftarget", ""), node.get("py:module"), node.get("py:class")):
        if name == node.get("reftarget"):
            continue
        ref = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], name, node, contnode)
        if ref is not None:
            return ref
    return None


def setup(app):
    """Add the API-reference links to every notebook page after it is read; keep the API pages ours; resolve
    references to re-exported names to the one place each is documented."""
    app.connect("doctree-read", _add_links)
    app.connect("autodoc-process-docstring", _drop_foreign_docstrings)
    app.connect("missing-reference", _resolve_reexport)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
