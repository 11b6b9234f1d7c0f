"""Time to the first result row in Chromium, and the HTML's size on the wire (issue 17).

    make bench-firstrow (or: .venv/bin/python bench/firstrow.py [--sizes demo 1000 100000]
                         [--runs 10] [--throttle 4] [--modes cached uncached] [--path /meetings/])

For each size it starts gunicorn as bench/load.py does (gunicorn.conf.py, DEBUG off, whitenoise,
the static files collected) on a PostgreSQL database: 1000 and 100000 are bench/load.py's
(recovery_directory_load_<n>, filled by it with generate_meetings if missing: any other
number makes a database of that size the same way, e.g. 2127, the size the issue names); demo
is recovery_directory_load_demo, filled once with `manage.py load_demo` (the demo's 446
meetings, real names and places). Two servers side by side: one with the page cache on as in
production (each worker asked for the page at the start of each minute, so that visits find it
in the cache), one with it off (every page built from nothing). Chromium (Debian's, through
Playwright: --chromium) opens --path --runs times on each in a fresh browser context (an empty
cache, no cookies), the visits to the two alternating so that the machine's drift falls on both
alike, at normal speed and with the CPU throttled --throttle times (CDP
Emulation.setCPUThrottlingRate), after two warm-up visits. An init script's
MutationObserver records performance.now() when the first result row (`ol.results > li`,
`li.meeting`) is in the DOM; performance.now() counts from the navigation's start
(performance.timeOrigin). Medians over the runs, with the time to the first byte, first
contentful paint and DOMContentLoaded beside it, and the HTML's size from Navigation Timing:
encodedBodySize (on the wire, compressed if the server compressed it; Chromium sends its own
Accept-Encoding) and decodedBodySize.

Budgets (issue 17), printed PASS/MISS per size and page cache mode: first row under 150 ms,
under 400 ms with the CPU throttled 4x, HTML under 10 KB compressed on the wire. The issue's
case is "fresh context, no cache": a browser with nothing cached, the server as in production
(page cache on); the page cache off is the stricter case, printed beside it.
Results also go to bench/results/firstrow-<date>.json.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import (  # noqa: E402
    collectstatic,
    database_url,
    env_for,
    fill,
    free_port,
    manage,
    start_gunicorn,
    stop,
)
from search import prepare_database  # noqa: E402

FIRST_ROW_MS = 150.0
FIRST_ROW_THROTTLED_MS = 400.0
HTML_KB = 10.0
ROW_SELECTOR = "ol.results > li, li.meeting"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Runs before any of the page's own scripts, in every document of the context.
INIT_SCRIPT = """
(() => {
  window.__documentStart = performance.now();
  const selector = SELECTOR;
  const seen = () => {
    if (window.__firstRow !== undefined) return true;
    if (document.querySelector(selector)) {
      window.__firstRow = performance.now();
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => { if (seen()) observer.disconnect(); });
  observer.observe(document, {childList: true, subtree: true});
})();
""".replace("SELECTOR", json.dumps(ROW_SELECTOR))
METRICS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    first_row: window.__firstRow === undefined ? null : window.__firstRow,
    document_start: window.__documentStart === undefined ? null : window.__documentStart,
    ttfb: nav.responseStart,
    response_end: nav.responseEnd,
    dcl: nav.domContentLoadedEventEnd,
    fcp: fcp ? fcp.startTime : null,
    encoded: nav.encodedBodySize,
    decoded: nav.decodedBodySize,
    transfer: nav.transferSize,
    rows: document.querySelectorAll(SELECTOR).length,
  };
}""".replace("SELECTOR", json.dumps(ROW_SELECTOR))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["demo", "1000", "100000"])
    parser.add_argument("--runs", type=int, default=10, help="fresh contexts per case")
    parser.add_argument("--throttle", type=float, default=4, help="CPU slowdown, the second case")
    parser.add_argument(
        "--modes", nargs="+", default=["cached", "uncached"], choices=["cached", "uncached"]
    )
    parser.add_argument("--path", default="/meetings/")
    parser.add_argument("--base-url", default="postgres://postgres@127.0.0.1:5432/")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM") or "/usr/bin/chromium")
    return parser.parse_args()


def fill_demo(env: dict) -> None:
    """The demo's meetings (load_demo), once; then VACUUM ANALYZE."""
    import psycopg

    manage(env, "migrate", "--noinput", "--verbosity", "0")
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        if not conn.execute("SELECT count(*) FROM groups_meeting").fetchone()[0]:
            print("Loading the demo data...", flush=True)
            manage(env, "load_demo")
        conn.execute("VACUUM ANALYZE")


def prepare(args, size: str) -> tuple[dict, int]:
    import psycopg

    url = (
        f"{args.base_url.rstrip('/')}/recovery_directory_load_demo"
        if size == "demo"
        else database_url(args.base_url, int(size))
    )
    prepare_database(url, False)
    env = env_for(url, str(ROOT / "staticfiles"))
    if size == "demo":
        fill_demo(env)
    else:
        fill(env, int(size))
    collectstatic(env)
    with psycopg.connect(url) as conn:
        meetings = conn.execute("SELECT count(*) FROM groups_meeting").fetchone()[0]
    return env, meetings


def fetch(url: str) -> None:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()


def warm_server(port: int, path: str) -> None:
    """Every gunicorn worker asked a few times (each has its own page cache without Redis)."""
    url = f"http://127.0.0.1:{port}{path}"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(fetch, [url] * 24))


WARMED: dict[str, int] = {}


def keep_warm(url: str) -> None:
    """The page cache's key moves every minute: each new minute, every worker asked again, so
    that a visit to the cached server finds the page in the cache."""
    minute = int(time.time() // 60)
    if WARMED.get(url) != minute:
        split = urllib.parse.urlsplit(url)
        warm_server(split.port, split.path)
        WARMED[url] = int(time.time() // 60)


def visit(browser, url: str, throttle: float) -> dict:
    """One visit in a fresh context: nothing cached, no cookies."""
    context = browser.new_context()
    try:
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        if throttle != 1:
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        response = page.goto(url, wait_until="load")
        metrics = page.evaluate(METRICS)
        metrics["status"] = response.status if response else 0
        metrics["encoding"] = (response.headers.get("content-encoding") if response else "") or ""
        return metrics
    finally:
        context.close()


def summarise(visits: list[dict]) -> dict:
    def median(key):
        values = [v[key] for v in visits if v[key] is not None]
        return statistics.median(values) if values else None

    rows = [v["first_row"] for v in visits if v["first_row"] is not None]
    return {
        "first_row": median("first_row"),
        "first_row_min": min(rows) if rows else None,
        "first_row_max": max(rows) if rows else None,
        "ttfb": median("ttfb"),
        "document_start": median("document_start"),
        "fcp": median("fcp"),
        "dcl": median("dcl"),
        "encoded": median("encoded"),
        "decoded": median("decoded"),
        "transfer": median("transfer"),
        "encoding": visits[-1]["encoding"] or "none",
        "status": sorted({v["status"] for v in visits}),
        "rows": visits[-1]["rows"],
        "missing": sum(v["first_row"] is None for v in visits),
        "visits": visits,
    }


def run_size(args, playwright, size: str) -> dict:
    """Both servers (page cache on and off) at once, and their visits interleaved (on, off, on,
    off…), so that the machine's drift falls on both alike."""
    env, meetings = prepare(args, size)
    out = {"meetings": meetings}
    modes = [m for m in ("cached", "uncached") if m in args.modes]
    servers, urls = [], {}
    browser = None
    try:
        for mode in modes:
            port = free_port()
            seconds = "60" if mode == "cached" else "0"
            servers.append(start_gunicorn({**env, "PAGE_CACHE_SECONDS": seconds}, port))
            warm_server(port, "/healthz")
            urls[mode] = f"http://127.0.0.1:{port}{args.path}"
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for rate in (1, args.throttle):
            for _ in range(2):  # warm-up: each server's and the browser's first visits
                for mode in modes:
                    visit(browser, urls[mode], rate)
            visits = {mode: [] for mode in modes}
            for _ in range(args.runs):
                for mode in modes:
                    if mode == "cached":
                        keep_warm(urls[mode])
                    visits[mode].append(visit(browser, urls[mode], rate))
            for mode in modes:
                result = out[f"{mode} {rate:g}x"] = summarise(visits[mode])
                print(
                    f"  page cache {'on ' if mode == 'cached' else 'off'}, CPU {rate:g}x: "
                    f"first row {fmt(result['first_row'])} ms, "
                    f"HTML {result['encoded'] / 1024:.1f} KB ({result['encoding']})",
                    flush=True,
                )
    finally:
        if browser is not None:
            browser.close()
        for server in servers:
            stop(server)
    return out


def fmt(value, digits=0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(args, results: dict) -> list[str]:
    lines = [
        f"\nFirst result row of {args.path} in Chromium ({args.chromium}), fresh context each "
        f"visit, median of {args.runs} visits after 2 warm-up visits; times in ms from the "
        "navigation's start"
    ]
    header = (
        f"{'size':<7} {'meetings':>8} {'cache':<5} {'CPU':>3} {'1st row':>7} {'min':>5} "
        f"{'max':>5} {'TTFB':>5} {'doc':>5} {'FCP':>5} {'DCL':>5} {'wire KB':>7} {'HTML KB':>7} "
        f"{'encoding':<8} {'rows':>4}"
    )
    lines += [header, "-" * len(header)]
    verdicts = []
    for size, out in results.items():
        for key, r in sorted(out.items()):
            if key == "meetings":
                continue
            mode, rate = key.split()
            cache = "on" if mode == "cached" else "off"
            lines.append(
                f"{size:<7} {out['meetings']:>8,} {cache:<5} {rate:>3} {fmt(r['first_row']):>7} "
                f"{fmt(r['first_row_min']):>5} {fmt(r['first_row_max']):>5} {fmt(r['ttfb']):>5} "
                f"{fmt(r['document_start']):>5} "
                f"{fmt(r['fcp']):>5} {fmt(r['dcl']):>5} {r['encoded'] / 1024:>7.1f} "
                f"{r['decoded'] / 1024:>7.1f} {r['encoding']:<8} {r['rows']:>4}"
            )
            budget = FIRST_ROW_MS if rate == "1x" else FIRST_ROW_THROTTLED_MS
            where = f"{size} ({out['meetings']:,} meetings), page cache {cache}"
            first = r["first_row"]
            verdicts.append(
                (
                    first is not None and first < budget,
                    f"{where}, CPU {rate}: first row under {budget:g} ms: {fmt(first)} ms",
                )
            )
            if rate == "1x":
                verdicts.append(
                    (
                        r["encoded"] / 1024 < HTML_KB,
                        f"{where}: HTML under {HTML_KB:g} KB compressed on the wire: "
                        f"{r['encoded'] / 1024:.1f} KB ({r['encoding']})",
                    )
                )
            if r["missing"] or r["status"] != [200]:
                verdicts.append(
                    (False, f"{where}, CPU {rate}: {r['missing']} visits without a row, "
                     f"HTTP {r['status']}")
                )  # fmt: skip
    lines.append(
        "(TTFB: the first byte of the HTML; doc: the document created in its renderer, when "
        "the init script runs; wire KB: the HTML's body as sent, encodedBodySize; HTML KB: "
        "decoded; the issue's case is the page cache on, as in production; off: built from "
        "nothing)"
    )
    lines.append("\nBudgets (issue 17):")
    lines += [f"  {'PASS' if ok else 'MISS'}  {text}" for ok, text in verdicts]
    return lines


def main() -> None:
    from playwright.sync_api import sync_playwright

    args = parse_args()
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} before the run", flush=True)
    if not Path(args.chromium).exists():
        sys.exit(f"No Chromium at {args.chromium}: run `make chromium`.")
    results = {}
    with sync_playwright() as playwright:
        for size in args.sizes:
            print(f"\n== {size}", flush=True)
            results[size] = run_size(args, playwright, size)
    print("\n".join(report(args, results)))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    (out / f"firstrow-{stamp}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
