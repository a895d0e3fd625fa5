"""The built book as a reader sees it: every page opened in headless Chromium from a local server.

Every page of the reader's edition (``_build/html``), and of the student edition (``_build/student/html``)
when it has been built.

Fails on TeX that MathJax did not render (raw ``$$``/``\\(``, math left unprocessed, ``mjx-merror`` such as
an undefined macro), a broken image or internal link, a console error, a page without its title, a
figure without alt text or caption, headings out of order, visible glue bookkeeping, template text that
escaped rendering, and display math that sticks out of the text column.  Saves screenshots of the front page and
one chapter to ``_build/screenshots/``.

Needs the built HTML (``make book``) and Debian's ``chromium`` + ``chromium-driver`` (``.ci/run`` installs
them); marked ``book``, so ``make test`` runs it after the build.  ``SEMTHEORY_HTML=path/to/html`` points
it at another build (e.g. a test book).  No network: the pages are served from 127.0.0.1 and MathJax
comes from the book's own ``_static/mathjax`` (``book/_ext/bookext.py``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import http.server
import json
import os
import pathlib
import queue
import re
import shutil
import socketserver
import tempfile
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
HTML = pathlib.Path(os.environ.get("SEMTHEORY_HTML", ROOT / "_build" / "html")).resolve()
SHOTS = HTML.parent / "screenshots"
# The reader's edition always; the student edition too when it has been built (`make test` builds it).
STUDENT = HTML.parent / "student" / "html"
EDITIONS = [HTML] + ([STUDENT] if (STUDENT / "index.html").exists() else [])
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900",
]
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "reports"}
# Chromium asks every site for /favicon.ico on its own; the book has none. Not a page's error.
IGNORED_CONSOLE = (re.compile(r"favicon\.ico"),)

pytestmark = pytest.mark.book


def pages(html: pathlib.Path) -> list[str]:
    """Every HTML page of a build, relative to its root (assets excluded)."""
    return sorted(
        p.relative_to(html).as_posix() for p in html.rglob("*.html")
        if not SKIP_DIRS & set(p.relative_to(html).parts[:-1])
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@contextlib.contextmanager
def serve(html: pathlib.Path):
    """An HTTP server for ``html`` on 127.0.0.1 and a free port; yields its base URL."""
    if not (html / "index.html").exists():
        pytest.fail(f"no built book at {html}: run `make book` (and `make student`) first")
    handler = functools.partial(_Quiet, directory=str(html))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda p: p.parent.name if p.name == "html" else p.name)
def html(request):
    return request.param


@pytest.fixture(scope="module")
def site(html):
    with serve(html) as url:
        yield url


#: Browsers that open the pages side by side (each page is still opened once, by one of them).
WORKERS = max(1, int(os.environ.get("SEMTHEORY_BROWSERS", min(4, os.cpu_count() or 1))))


def _start_chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="semtheory-chromium-")
    opts = Options()
    opts.binary_location = CHROMIUM
    for f in FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(f)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_script_timeout(120)  # MathJax on a long chapter, on a loaded machine
    driver.set_page_load_timeout(60)
    return driver, profile


@pytest.fixture(scope="module")
def browsers():
    """``WORKERS`` headless Chromiums (started once for both editions), each with its own profile and console."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("headless Chromium missing: apt-get install -y chromium chromium-driver (.ci/run does it)")
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        started = list(pool.map(lambda _: _start_chromium(), range(WORKERS)))
    yield [driver for driver, _ in started]
    for driver, profile in started:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(browsers):
    return browsers[0]


# Runs in the page after load: waits for MathJax's first typeset, then reports what a reader would see.
_INSPECT = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const t0 = Date.now();
  while (document.readyState !== "complete" && Date.now() - t0 < 30000) await new Promise(r => setTimeout(r, 50));
  const mathNodes = document.querySelectorAll(".math, span.math, div.math");
  let mathjax = "absent";
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; mathjax = "ok"; } catch (e) { mathjax = "error: " + e; }
  } else if (window.MathJax) { mathjax = "not loaded (configuration only)"; }
  const article = document.querySelector("article") || document.querySelector("main") || document.body;
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, textarea, mjx-container, .highlight").forEach(n => n.remove());
  const text = clone.textContent;
  const raw = [];
  for (const pat of ["$$", "\\(", "\\)", "\\[", "\\begin{"]) {
    const i = text.indexOf(pat);
    if (i >= 0) raw.push(text.slice(Math.max(0, i - 40), i + 40).replace(/\s+/g, " "));
  }
  const unprocessed = [...mathNodes].filter(n => !n.querySelector("mjx-container") &&
      !n.closest("pre, code")).map(n => n.textContent.slice(0, 80));
  const merrors = [...document.querySelectorAll("mjx-merror")].map(
      n => n.getAttribute("data-mjx-error") || n.textContent.slice(0, 80));
  const imgs = [...document.images].map(im => ({
    src: im.currentSrc || im.src, ok: im.complete && im.naturalWidth > 0, alt: (im.getAttribute("alt") || "").trim(),
    content: article.contains(im), figure: !!im.closest("figure"),
    caption: im.closest("figure") ? ((im.closest("figure").querySelector("figcaption") || {}).textContent || "").trim() : "",
  }));
  const figures = [...article.querySelectorAll("figure")].map(f => ({
    id: f.id || "", caption: ((f.querySelector("figcaption") || {}).textContent || "").trim(),
    imgs: f.querySelectorAll("img").length,
  }));
  const headings = [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(h => [+h.tagName[1], h.textContent.trim().slice(0, 60)]);
  const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
  // Code a reader sees: glue bookkeeping must not be part of it (bookext.strip_glue, book/_ext/bookext.py).
  const glueCells = [...article.querySelectorAll(".cell_input pre")].map(p => p.textContent)
      .filter(t => /(^|\n)\s*glue\(|import glue/.test(t)).map(t => t.slice(0, 80));
  // Template text that escaped rendering: an unrendered role, or a Python expression in braces.
  const template = [];
  // (and a glued-number expression, {eval}`glued("k:fmt")`, shown as itself instead of its value)
  for (const re of [/\{(glue|cite|numref|ref|doc|prf:ref|eq|eval)(:[a-z]+)?\}/, /\{[A-Za-z_][\w.]*\([^{}]*\}/,
                    /\bglued\(\s*["']/]) {
    const m = text.match(re);
    if (m) template.push(text.slice(Math.max(0, m.index - 30), m.index + 50).replace(/\s+/g, " "));
  }
  // Display math wider than the text column must scroll inside its own block.
  const col = article.getBoundingClientRect();
  const wideMath = [...document.querySelectorAll('mjx-container[display="true"]')].filter(c => {
    const inner = c.firstElementChild ? c.firstElementChild.getBoundingClientRect() : c.getBoundingClientRect();
    const box = c.getBoundingClientRect();
    const sticksOut = inner.right > col.right + 1 || inner.left < col.left - 1;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(c).overflowX) && box.right <= col.right + 1;
    return sticksOut && !scrolls;
  }).map(c => (c.getAttribute("aria-label") || c.textContent || "").slice(0, 60));
  // A cell output that is an error: a traceback (an exception in a display hook still builds with -W).
  const tracebacks = [...article.querySelectorAll(".cell_output .traceback, .cell_output pre, .cell_output .output")]
      .map(o => o.textContent).filter(t => /Traceback \(most recent call last\)|Error: |Exception: /.test(t))
      .map(t => t.slice(0, 120));
  // Numbers of theorems, figures, exercises, ... ("Theorem 5.3 "), as the page prints them.
  const numbers = [...article.querySelectorAll("span.caption-number")].map(s => s.textContent.trim());
  done(JSON.stringify({title: document.title.trim(), mathjax, nmath: mathNodes.length, raw, unprocessed, merrors,
                       imgs, figures, headings, links, glueCells, template, wideMath, numbers, tracebacks}));
})();
"""


def _inspect_pages(browser, site: str, todo: "queue.SimpleQueue[str]", out: dict) -> None:
    """Open pages from ``todo`` one at a time in ``browser`` until none is left; ``out[page]`` = what it showed."""
    browser.get_log("browser")  # drop anything from before
    while True:
        try:
            page = todo.get_nowait()
        except queue.Empty:
            return
        browser.get(site + page)
        data = json.loads(browser.execute_async_script(_INSPECT))
        # this browser has opened nothing else since its log was last read: the messages are this page's
        data["console"] = [e["message"] for e in browser.get_log("browser") if e.get("level") == "SEVERE"
                           and not any(p.search(e["message"]) for p in IGNORED_CONSOLE)]
        out[page] = data


@pytest.fixture(scope="module")
def report(html, site, browsers):
    """Open every page once (the browsers share the list); return ``{page: what the page showed}`` (plus its
    console messages), in page order."""
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    all_pages = pages(html)
    for page in all_pages:
        todo.put(page)
    seen: dict = {}
    with concurrent.futures.ThreadPoolExecutor(len(browsers)) as pool:
        for job in [pool.submit(_inspect_pages, b, site, todo, seen) for b in browsers]:
            job.result()
    return {page: seen[page] for page in all_pages}


def _fail_if(problems: list[str], what: str):
    assert not problems, f"{len(problems)} page(s) with {what}:\n  " + "\n  ".join(problems)


def test_every_page_was_opened(report, html):
    assert report, "no pages found"
    assert "book/intro.html" in report and len(report) == len(pages(html))


def test_math_is_rendered(report):
    problems = []
    for page, d in report.items():
        if d["nmath"] and d["mathjax"] != "ok":
            problems.append(f"{page}: {d['nmath']} math element(s) but MathJax is {d['mathjax']}")
        if d["raw"]:
            problems.append(f"{page}: raw TeX in the text: {d['raw']}")
        if d["unprocessed"]:
            problems.append(f"{page}: math left unprocessed: {d['unprocessed'][:3]}")
        if d["merrors"]:
            problems.append(f"{page}: MathJax errors: {d['merrors'][:5]}")
    _fail_if(problems, "math problems")


def test_no_console_errors(report):
    _fail_if([f"{p}: {d['console']}" for p, d in report.items() if d["console"]], "console errors")


def test_every_page_has_a_title_and_one_h1(report):
    problems = []
    for page, d in report.items():
        if not d["title"]:
            problems.append(f"{page}: empty <title>")
        h1 = [h for lvl, h in d["headings"] if lvl == 1]
        if len(h1) != 1:
            problems.append(f"{page}: {len(h1)} h1 headings in the content ({h1})")
    _fail_if(problems, "title problems")


def test_headings_in_order(report):
    problems = []
    for page, d in report.items():
        prev = 0
        for lvl, text in d["headings"]:
            if lvl > prev + 1:
                problems.append(f"{page}: h{lvl} {text!r} follows h{prev}")
            prev = lvl
    _fail_if(problems, "skipped heading levels")


def test_images_load_and_have_alt_text(report):
    problems = []
    for page, d in report.items():
        for im in d["imgs"]:
            if not im["ok"]:
                problems.append(f"{page}: broken image {im['src']}")
            if not im["alt"]:
                problems.append(f"{page}: image without alt text {im['src']}")
    _fail_if(problems, "image problems")


def test_figures_have_captions_and_alt_text(report):
    problems = []
    for page, d in report.items():
        for f in d["figures"]:
            if not f["caption"]:
                problems.append(f"{page}: figure {f['id'] or '(no id)'} without a caption")
        for im in d["imgs"]:
            if im["content"] and not im["figure"] and "/_static/" not in im["src"]:
                problems.append(f"{page}: content image outside a captioned figure: {im['src']}")
    _fail_if(problems, "figure problems")


def test_no_bookkeeping_cells_are_shown(report):
    """Cells that only hand numbers to the prose (glue calls) are hidden; the glue lines of others too."""
    _fail_if([f"{p}: {d['glueCells'][:2]}" for p, d in report.items() if d["glueCells"]], "visible glue bookkeeping")


def test_no_cell_output_is_an_error(report):
    _fail_if([f"{p}: {d['tracebacks'][:2]}" for p, d in report.items() if d["tracebacks"]], "error outputs")


def test_no_template_text_on_a_page(report):
    _fail_if([f"{p}: {d['template']}" for p, d in report.items() if d["template"]], "unrendered template text")


def test_display_math_stays_in_the_column(report):
    _fail_if([f"{p}: {d['wideMath'][:3]}" for p, d in report.items() if d["wideMath"]],
             "display math wider than the text column")


def test_numbered_within_the_chapter(report):
    """A chapter's theorems, figures and exercises read "Theorem 5.3", "Fig. 5.2": its number first."""
    problems = []
    for page, d in report.items():
        m = re.match(r"book/(\d{2})[b-z]?-", page)  # a chapter page or one of its section pages
        if not m:
            continue
        for label in d["numbers"]:
            num = re.search(r"(\d+)(?:\.(\d+))?\s*$", label)
            if not num or num.group(2) is None or int(num.group(1)) != int(m.group(1)):
                problems.append(f"{page}: {label!r}")
    _fail_if(problems, "numbers not of the form chapter.item")
    assert any(d["numbers"] for p, d in report.items() if p.startswith("book/0")), "no numbered item found"


@functools.lru_cache(maxsize=None)
def _ids(path: pathlib.Path) -> frozenset[str]:
    text = path.read_text(errors="ignore")
    return frozenset(re.findall(r'\b(?:id|name)="([^"]+)"', text))


def test_internal_links_resolve(report, site, html):
    problems = []
    for page, d in report.items():
        for href in sorted(set(d["links"])):
            if not href.startswith(site):
                continue
            url = urllib.parse.urlsplit(href)
            rel = urllib.parse.unquote(url.path)[len(urllib.parse.urlsplit(site).path):]
            target = html / rel
            if target.is_dir() or rel == "":
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page}: link to missing {rel}")
                continue
            frag = urllib.parse.unquote(url.fragment)
            if frag and target.suffix == ".html" and frag not in _ids(target):
                problems.append(f"{page}: link to {rel}#{frag}, which has no such anchor")
    _fail_if(problems, "broken internal links")


def test_screenshots(browser):
    """The front page and one chapter of the reader's edition, as PNGs in _build/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    all_pages = pages(HTML)
    chapters = [p for p in all_pages if re.match(r"book/\d{2}-", p)]
    with_math = [p for p in all_pages if p.startswith("book/") and 'class="math' in (HTML / p).read_text()]
    chapter = (chapters or with_math or ["book/intro.html"])[0]
    with serve(HTML) as site:
        for name, page in (("front", "index.html"), ("chapter", chapter)):
            browser.get(site + page)
            browser.execute_async_script(_INSPECT)  # waits for MathJax
            out = SHOTS / f"{name}.png"
            assert browser.save_screenshot(str(out)), f"screenshot of {page} failed"
            assert out.stat().st_size > 10_000, f"{out} looks empty"
    (SHOTS / "pages.txt").write_text(f"front: index.html\nchapter: {chapter}\n")
