"""The printable edition: one PDF of the built book, printed by headless Chromium (no LaTeX toolchain).

    python tools/pdf.py [--edition reader|student|instructor] [--out PATH]      (make pdf [EDITION=student])

Reads the HTML that ``make book`` (or ``make student`` / ``make instructor``) built, so the PDF shows
exactly what the web edition shows: chapters numbered as on the web, figures, mathematics rendered by the
book's own MathJax, the bibliography.  Each page of the toc is opened from a server on 127.0.0.1, printed
once MathJax has typeset it, and the prints are joined behind a title page and a table of contents that
gives where each toc page starts; the PDF's outline (bookmarks) has one entry per page of the toc (a chapter's
section pages follow it, in the toc's order).  Offline: the
pages load nothing from the network.  Needs Debian's ``chromium`` and ``chromium-driver``, ``selenium``
and ``pypdf`` (the ``book`` and ``test`` extras).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import html
import http.server
import io
import pathlib
import re
import shutil
import socketserver
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
EDITIONS = {"reader": ROOT / "_build" / "html", "student": ROOT / "_build" / "student" / "html",
            "instructor": ROOT / "_build" / "instructor" / "html"}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1200,1600"]
#: A4 with 15 mm margins, backgrounds on (code cells and admonitions keep their shading).
PRINT = {"paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.6, "marginBottom": 0.6, "marginLeft": 0.6,
         "marginRight": 0.6, "printBackground": True, "preferCSSPageSize": False}
#: Only the article is printed: no navigation bars, buttons or "previous/next" links.
PRINT_CSS = """
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .header-article, .bd-footer,
.bd-footer-article, .prev-next-area, .footer-article, .search-button-field, #pst-back-to-top,
.headerbtn, .dropdown-buttons-trigger { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-page-width { max-width: 100% !important; }
body { font-size: 11pt; }
figure, img, .cell_output, div.math, .proof, .admonition { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
"""
WAIT_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const t0 = Date.now();
  while (document.readyState !== "complete" && Date.now() - t0 < 30000) await new Promise(r => setTimeout(r, 50));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { try { await MathJax.startup.promise; } catch (e) {} }
  const s = document.createElement("style"); s.textContent = arguments[0]; document.head.appendChild(s);
  // The theme prints its own copy of the title, without the chapter number: give it the article's title.
  const art = document.querySelector("article h1"), printed = document.querySelector("#jb-print-docs-body h1");
  if (art && printed) printed.textContent = [...art.childNodes].filter(n => !(n.classList && n.classList.contains("headerlink")))
      .map(n => n.textContent).join("").trim();
  await Promise.all([...document.images].map(im => im.complete ? 0 : new Promise(r => { im.onload = im.onerror = r; })));
  done((document.querySelector("article h1") || document.querySelector("h1") || {textContent: document.title}).textContent.trim());
})();
"""


def toc_pages(root: pathlib.Path = ROOT) -> list[str]:
    """The pages of ``_toc.yml`` in reading order, as paths relative to the HTML root (``book/01-….html``)."""
    text = (root / "_toc.yml").read_text()
    names = re.findall(r"^root:\s*(\S+)", text, re.M) + re.findall(r"file:\s*(\S+)", text)
    return [re.sub(r"\.md$", "", n) + ".html" for n in names]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(folder: pathlib.Path):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_bin = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (pathlib.Path(binary).exists() and pathlib.Path(driver_bin).exists()):
        raise SystemExit("pdf: headless Chromium missing: apt-get install -y chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="semtheory-pdf-")
    opts = Options()
    opts.binary_location = binary
    for f in FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(f)
    driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
    driver.set_script_timeout(90)
    driver.set_page_load_timeout(90)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _print(driver) -> bytes:
    return base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", PRINT)["data"])


def _print_html(driver, body: str) -> bytes:
    doc = ("<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:sans-serif;margin:0 8%;}"
           "h1{font-size:26pt;margin-top:30%;} .toc td{padding:2px 8px;} .toc td.n{text-align:right;}"
           "</style></head><body>" + body + "</body></html>")
    driver.get("data:text/html;base64," + base64.b64encode(doc.encode()).decode())
    return _print(driver)


def build_pdf(html_root: pathlib.Path, out: pathlib.Path, *, edition: str = "reader", root: pathlib.Path = ROOT,
              log=sys.stderr) -> pathlib.Path:
    """Print every toc page of ``html_root`` and join them behind a title page and contents into ``out``."""
    import yaml
    from pypdf import PdfReader, PdfWriter

    if not (html_root / "index.html").exists():
        raise SystemExit(f"pdf: no built book at {html_root}: run `make book` (or `make {edition}`) first")
    config = yaml.safe_load((root / "_config.yml").read_text())
    pages = [p for p in toc_pages(root) if (html_root / p).exists()]
    prints: list[tuple[str, bytes]] = []
    with _serve(html_root) as site, _chromium() as driver:
        for page in pages:
            driver.get(site + page)
            title = driver.execute_async_script(WAIT_JS, PRINT_CSS).replace("#", "").strip()
            prints.append((title, _print(driver)))
            print(f"pdf: {page}", file=log)
        counts = [len(PdfReader(io.BytesIO(b)).pages) for _, b in prints]
        title_page = (f"<h1>{html.escape(config['title'])}</h1><p>{html.escape(config.get('author', ''))}</p>"
                      f"<p>{html.escape(edition.capitalize())} edition, printed from the web edition.</p>")
        # the contents are printed until their length is stable: a first print with every row (and a page
        # number as wide as the last one) says how many pages they take, which fixes the page numbers
        n_contents, width = 0, len(str(2 + sum(counts))) + 1
        for _ in range(5):
            first = 1 + max(n_contents, 1) + 1  # the title page, the contents, then the first page of the book
            starts, toc_rows = [], []
            for (title, _), n in zip(prints, counts):
                starts.append(first)
                number = str(first) if n_contents else "9" * width
                toc_rows.append(f"<tr><td>{html.escape(title)}</td><td class='n'>{number}</td></tr>")
                first += n
            contents = _print_html(driver, "<h2>Contents</h2><table class='toc'>" + "".join(toc_rows) + "</table>")
            n_new = len(PdfReader(io.BytesIO(contents)).pages)
            if n_new == n_contents:
                break
            n_contents = n_new
        else:
            raise RuntimeError("the contents' length did not settle")
        title_pdf = _print_html(driver, title_page)
    writer = PdfWriter()
    for blob in (title_pdf, contents):
        writer.append(PdfReader(io.BytesIO(blob)))
    for (title, blob), start in zip(prints, starts):
        writer.append(PdfReader(io.BytesIO(blob)))
        writer.add_outline_item(title=title, page_number=start - 1)
    writer.add_metadata({"/Title": config["title"], "/Author": config.get("author", "")})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        writer.write(fh)
    print(f"PDF: {out} ({len(writer.pages)} pages)", file=log)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python tools/pdf.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--edition", choices=sorted(EDITIONS), default="reader")
    p.add_argument("--html", help="the built HTML to print (default: the edition's build folder)")
    p.add_argument("--out", help="the PDF to write (default: _build/pdf/book[-EDITION].pdf)")
    a = p.parse_args(argv)
    html_root = pathlib.Path(a.html) if a.html else EDITIONS[a.edition]
    suffix = "" if a.edition == "reader" else f"-{a.edition}"
    out = pathlib.Path(a.out) if a.out else ROOT / "_build" / "pdf" / f"book{suffix}.pdf"
    build_pdf(html_root, out, edition=a.edition)
    return 0


if __name__ == "__main__":
    sys.exit(main())
