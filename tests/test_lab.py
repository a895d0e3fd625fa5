"""The chapters as a student meets them in JupyterLab (make lab).

1. Every chapter is in jupytext's canonical form under the project's ``jupytext.toml``, so opening and
   saving it in JupyterLab without edits leaves ``git diff`` empty (a byte-for-byte round trip).
2. Marked ``book``: a real JupyterLab server on 127.0.0.1 with a token, with the settings ``make lab`` writes
   (tools/labconfig.py) and jupyterlab-myst, serves a copy of a chapter; the contents API opens it as a
   notebook; headless Chromium shows a theorem rendered as a MyST block (not as code), the book's macros
   rendered in every cell (no error box; the macro cell, a front matter ``math:`` block, shows nothing), and after "Run All"
   a figure and computed numbers; a save from Lab leaves the file byte-identical.  Screenshots:
   ``_build/screenshots/lab-*.png``.
3. Marked ``book``: in chapter 11, after "Run All" the prose shows the numbers its cells computed, where the
   source has ``{eval}`glued("name:fmt")``` (jupyterlab-myst evaluates it in the kernel; semtheory.glue), not
   the expression, a placeholder or an error; the results do not leak into the file on save.
   Screenshot ``_build/screenshots/lab-numbers.png``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOTS = ROOT / "_build" / "screenshots"
CHAPTER = "17-conclusion.md"
THEOREM = "Intervening on a prompt is conditioning on it"
#: A chapter whose prose numbers are ``{eval}`glued(...)``` (tools/glue_to_eval.py), and one sentence of it.
NUMBERS = "11-elbo.md"
SENTENCE = "hidden paths"
#: The words after a number that the prose uses before the cell that computes it (glued("n_fixed:d")).
FORWARD = "different fixed points"


def _chapters():
    return [p for p in sorted((ROOT / "book").rglob("*.md"))
            if ".ipynb_checkpoints" not in p.parts and p.read_text().startswith("---\njupytext:")]


def test_every_chapter_is_in_jupytext_canonical_form():
    jupytext = pytest.importorskip("jupytext")
    from jupytext.config import load_jupytext_config

    config = load_jupytext_config(str(ROOT / "book"))
    assert config is not None and "jupytext_version" in str(config.notebook_metadata_filter)
    spec = importlib.util.spec_from_file_location("canonical", ROOT / "tools" / "canonical.py")
    canonical = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(canonical)
    bad = []
    for p in _chapters():
        text = p.read_text()
        nb = jupytext.reads(text, fmt="md:myst")
        again = jupytext.writes(nb, fmt="md:myst", config=config)
        if again != text or nb.metadata.get("kernelspec") != canonical.KERNELSPEC:
            bad.append(p.relative_to(ROOT).as_posix())
    assert not bad, f"not in canonical form (run tools/canonical.py): {bad}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab")
    pytest.importorskip("jupyterlab_myst")
    root = tmp_path_factory.mktemp("lab-root")
    (root / "book").mkdir()
    for name in (CHAPTER, NUMBERS):
        shutil.copy(ROOT / "book" / name, root / "book" / name)
    shutil.copy(ROOT / "jupytext.toml", root / "jupytext.toml")
    conf = tmp_path_factory.mktemp("lab-config")
    spec = importlib.util.spec_from_file_location("labconfig", ROOT / "tools" / "labconfig.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.write(conf)
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [str(pathlib.Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=dict(os.environ, JUPYTER_CONFIG_DIR=str(conf)), stdout=log, stderr=log,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                _get(base + "api/status", token)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start: " + (root / "lab.log").read_text()[-2000:])
        yield base, token, root
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    sys.path.insert(0, str(ROOT / "tests"))
    from test_browser import CHROMEDRIVER, CHROMIUM, FLAGS

    profile = tempfile.mkdtemp(prefix="semtheory-lab-")
    opts = Options()
    opts.binary_location = CHROMIUM
    for f in FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(f)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts), profile


def _wait(driver, js, seconds=120, *args):
    for _ in range(int(seconds * 2)):
        v = driver.execute_script(js, *args)
        if v:
            return v
        time.sleep(0.5)
    return driver.execute_script(js, *args)


#: Each rendered citation group: its text as the reader sees it (CSS generated content included), whether it
#: is narrative ({cite:t}), and how many icons are visible in it.
CITES = """const pc = (e, p) => { const c = getComputedStyle(e, p).content;
    return c && c !== 'none' && c !== 'normal' ? JSON.parse(c) : ''; };
return [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .cite-group')].map(g => ({
    text: pc(g, '::before') + [...g.children].map(k => pc(k, '::before') + k.textContent).join('') + pc(g, '::after'),
    narrative: g.classList.contains('narrative'),
    icons: [...g.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 0).length}));"""
CITE_TEXT = r"\([A-Za-z0-9_:-]+(; [A-Za-z0-9_:-]+)*\)"


@pytest.mark.book
def test_a_chapter_in_jupyterlab(lab):
    base, token, root = lab
    nb = _get(base + f"api/contents/book/{CHAPTER}?type=notebook&content=1", token)
    assert nb["type"] == "notebook" and len(nb["content"]["cells"]) > 10
    driver, profile = _chrome()
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = (root / "book" / CHAPTER).read_bytes()
    try:
        driver.get(base + f"lab/tree/book/{CHAPTER}?token={token}")

        def wait(js, seconds=120):
            return _wait(driver, js, seconds)

        title = wait(f"""const a = [...document.querySelectorAll('aside.myst-proof')].find(
            e => e.textContent.includes({THEOREM!r})); if (!a) return null;
            return a.closest('pre, code, .cm-editor') ? 'inside code' : a.querySelector('.myst-proof-title').textContent;""")
        assert title and title != "inside code" and title.startswith("Theorem"), title
        # the book's macros (semtheory.macros) render in every cell, and their cell shows nothing
        math = driver.execute_script("""const cells = [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')];
            const tex = [...document.querySelectorAll('.jp-Notebook .katex annotation')].map(a => a.textContent);
            return {first: cells[0].innerText.trim(), errors: [...document.querySelectorAll(
                    '.jp-Notebook .jp-MarkdownCell pre[title]')].map(e => e.title.slice(0, 120)),
                    macros: tex.filter(t => /\\\\(E|KL|DI|cc|seq|PPL|Prob)(?![A-Za-z])/.test(t)).length};""")
        assert math["first"] == "", f"the macro cell shows in Lab: {math['first'][:200]}"
        assert not math["errors"], f"mathematics that does not render in Lab: {math['errors'][:5]}"
        assert math["macros"] > 0, "no rendered formula uses one of the book's macros"
        # citations: jupyterlab-myst has no bibliography; it prints a group as (key; key), and the style sheet
        # of tools/labconfig.py hides its "Citation Not Found" icon (and that of unresolved cross-references)
        cites = driver.execute_script(CITES)
        assert cites, "no citation rendered in the chapter"
        bad = [c for c in cites if c["icons"] or not c["narrative"] and not re.fullmatch(CITE_TEXT, c["text"])]
        assert not bad, f"citations that do not read as (key; key): {bad[:3]}"
        keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text()))
        shown = {k for c in cites for k in re.findall(r"[A-Za-z0-9_:-]+", c["text"])}
        assert shown <= keys and any("; " in c["text"] for c in cites), (shown - keys, cites[:3])
        icons = driver.execute_script("""return [...document.querySelectorAll('.jp-Notebook span[title$="Not Found"] svg')]
            .filter(s => s.getBoundingClientRect().width > 0).length""")
        assert icons == 0, f"{icons} 'Not Found' warning icons are visible"
        driver.execute_script("""[...document.querySelectorAll('aside.myst-proof')].find(
            e => e.textContent.includes(arguments[0])).scrollIntoView();""", THEOREM)
        time.sleep(1)
        driver.save_screenshot(str(SHOTS / "lab-theorem.png"))
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        done = wait("""const busy = [...document.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('*'));
            const img = document.querySelector('.jp-OutputArea-output img');
            return !busy && img && img.naturalWidth > 0;""", seconds=240)
        assert done, "after Run All no figure appeared"
        outputs = driver.execute_script(
            "return [...document.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join(' ')")
        assert re.search(r"\d\.\d{3}", outputs), "no computed number in the outputs"
        assert "Error" not in outputs and "Traceback" not in outputs
        driver.execute_script("document.querySelector('.jp-OutputArea-output img').scrollIntoView()")
        time.sleep(1)
        driver.save_screenshot(str(SHOTS / "lab-run.png"))
        driver.execute_script("window.jupyterapp.commands.execute('docmanager:save')")
        time.sleep(3)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    saved = (root / "book" / CHAPTER).read_bytes()
    if saved != original:
        import difflib

        diff = difflib.unified_diff(original.decode().splitlines(), saved.decode().splitlines(), lineterm="", n=1)
        pytest.fail("saving from JupyterLab rewrote the chapter:\n" + "\n".join(list(diff)[:40]))



#: The rendered markdown cells of the open notebook: their visible text, and what jupyterlab-myst shows for
#: each inline expression (``{eval}``): the text, whether it is still code, an error box or a placeholder.
PROSE = """const cells = [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')];
return cells.map(c => {
  const out = c.querySelector('.jp-InputArea > .myst, .jp-MarkdownOutput');  // jupyterlab-myst's rendering
  return {text: out ? out.innerText : '', code: out ? [...out.querySelectorAll('code')].map(e => e.textContent) : [],
          errors: out ? out.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]').length : 0};
});"""


@pytest.mark.book
def test_computed_numbers_appear_in_the_prose_after_run_all(lab):
    base, token, root = lab
    source = (root / "book" / NUMBERS).read_text()
    n_eval = source.count("{eval}`glued(")
    assert n_eval > 10 and "{glue:text}" not in source, "convert the chapter: python tools/glue_to_eval.py"
    driver, profile = _chrome()
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = (root / "book" / NUMBERS).read_bytes()
    try:
        # a workspace of its own, so that Lab does not restore (and focus) the chapter of the other test
        driver.get(base + f"lab/workspaces/numbers/tree/book/{NUMBERS}?reset&token={token}")
        assert _wait(driver, "return document.querySelectorAll('.jp-Notebook .jp-MarkdownCell').length > 10")
        # a fresh workspace opens the notebook without focusing it: activate it, so "Run All" runs this one
        from selenium.webdriver.common.by import By

        tab = next(t for t in driver.find_elements(By.CSS_SELECTOR, ".lm-DockPanel-tabBar .lm-TabBar-tab")
                   if NUMBERS in t.text)
        tab.click()
        driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-MarkdownCell").click()
        assert _wait(driver, "const w = window.jupyterapp.shell.currentWidget; return w && w.context && w.context.path"
                     ) == f"book/{NUMBERS}"
        # not run yet: the expression shows as code (no number is made up)
        assert _wait(driver, "return [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .myst code')]"
                             ".some(e => e.textContent.startsWith('glued('))"), "the prose never rendered"
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        done = _wait(driver, """const busy = [...document.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('*'));
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')];
            return !busy && cells.every(c => !c.querySelector('code') || ![...c.querySelectorAll('code')].some(e => e.textContent.startsWith('glued(')));""",
                     seconds=300)
        prose = driver.execute_script(PROSE)
        left = [c for cell in prose for c in cell["code"] if c.startswith("glued(")]
        assert done and not left, f"after Run All some expressions are still shown as code: {left[:5]}"
        text = "\n".join(cell["text"] for cell in prose)
        assert "glued(" not in text and "{eval}" not in text
        assert "cell not run yet" not in text, "a number is missing after Run All"
        assert not sum(cell["errors"] for cell in prose), "an inline expression raised in the kernel"
        # the sentence with the first numbers: 2**6 hidden paths of a two-state chain over six times, and
        # ln p(x^6) to four decimals, as the source's format asks (glued("n_paths:d"), glued("logp:.4f"))
        sentence = next(cell["text"] for cell in prose if SENTENCE in cell["text"])
        assert re.search(rf"the {2 ** 6} {SENTENCE}", sentence), sentence
        assert re.search(r"=\s*-\d+\.\d{4} nats \(-\d+\.\d{3} bits\)", sentence), sentence
        # a forward reference: this sentence precedes the cell that glues n_fixed, and still shows its number
        forward = next(cell["text"] for cell in prose if FORWARD in cell["text"])
        assert re.search(rf"stops at \d+ {FORWARD}", forward), forward
        driver.execute_script("""const c = [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')].find(
            c => c.innerText.includes(arguments[0])); c.scrollIntoView();""", SENTENCE)
        time.sleep(1)
        driver.save_screenshot(str(SHOTS / "lab-numbers.png"))
        driver.execute_script("window.jupyterapp.commands.execute('docmanager:save')")
        time.sleep(3)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    assert (root / "book" / NUMBERS).read_bytes() == original, "saving after Run All rewrote the chapter"
