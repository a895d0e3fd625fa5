"""Write this project's JupyterLab settings into the folder named by JUPYTER_CONFIG_DIR (make lab sets it to
.venv/etc/jupyter-semtheory, so nothing is written to the user's home).

- book/*.md open as notebooks (jupytext's default viewer for Markdown and MyST);
- every cell is rendered (no windowing), so a chapter reads top to bottom like the book;
- no news or update checks (the machine may have no network).
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


def write(config_dir: str | os.PathLike) -> pathlib.Path:
    """Merge :data:`SETTINGS` into ``config_dir/labconfig/default_setting_overrides.json``; return its path."""
    path = pathlib.Path(config_dir) / "labconfig" / "default_setting_overrides.json"
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
