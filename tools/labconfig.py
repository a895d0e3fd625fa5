"""Write this project's JupyterLab settings into the folder named by JUPYTER_CONFIG_DIR (make lab sets it to
.venv/etc/jupyter-semtheory, so nothing is written to the user's home).

- book/*.md open as notebooks (jupytext's default viewer for Markdown and MyST);
- every cell is rendered (no windowing), so a chapter reads top to bottom like the book;
- no news or update checks (the machine may have no network);
- a small style sheet (``custom/custom.css``, loaded through ``LabApp.custom_css``) for what jupyterlab-myst
  cannot resolve: it has no bibliography and no other chapters, and shows a citation as its key, and a
  reference to a figure or exercise as its label, behind a yellow warning icon. The sheet hides the icon, so
  they read as "(bai2025forget; massey1990)" (not "(bai2025forgetmassey1990)") and "fig-17-budget". The web build resolves
  citations from book/references.bib as before.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


#: jupyterlab-myst renders ``{cite}`a,b``` as ``span.cite-group > span[title="Citation Not Found"]`` per key
#: (an icon, then the key; its own sheet adds the parentheses, but nothing between two keys), and an unresolved
#: ``{numref}``/``{ref}`` as ``span[title="Cross Reference Not Found"]`` (an icon, then the label).
CSS = """/* semtheory (tools/labconfig.py): citations and cross-references that Lab cannot resolve read as text */
span[title="Citation Not Found"], span[title="Cross Reference Not Found"] { color: inherit; }
span[title="Citation Not Found"] > svg, span[title="Cross Reference Not Found"] > svg { display: none; }
.cite-group > span[title="Citation Not Found"] + span[title="Citation Not Found"]::before { content: "; "; }
"""


def write(config_dir: str | os.PathLike) -> pathlib.Path:
    """Merge :data:`SETTINGS` into ``config_dir/labconfig/default_setting_overrides.json``, write :data:`CSS`
    to ``config_dir/custom/custom.css`` and turn ``LabApp.custom_css`` on in ``config_dir/jupyter_lab_config.json``;
    return the settings file's path."""
    config_dir = pathlib.Path(config_dir)
    (config_dir / "custom").mkdir(parents=True, exist_ok=True)
    (config_dir / "custom" / "custom.css").write_text(CSS)
    lab = config_dir / "jupyter_lab_config.json"
    conf = json.loads(lab.read_text()) if lab.exists() else {}
    conf.setdefault("LabApp", {})["custom_css"] = True
    lab.write_text(json.dumps(conf, indent=2) + "\n")
    path = config_dir / "labconfig" / "default_setting_overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.exists() else {}
    for plugin, values in SETTINGS.items():
        current.setdefault(plugin, {}).update(values)
    path.write_text(json.dumps(current, indent=2) + "\n")
    return path


if __name__ == "__main__":
    where = os.environ.get("JUPYTER_CONFIG_DIR")
    if not where:
        sys.exit("labconfig: set JUPYTER_CONFIG_DIR (make lab does)")
    print(f"JupyterLab settings: {write(where)}")
