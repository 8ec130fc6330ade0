"""Lighthouse on five pages, served as in production: gunicorn behind nginx with
deploy/nginx/leadsite.conf (micro-cache, gzip, static files from instance/static/,
proxy headers; made runnable on 127.0.0.1 by `nginx_site`).

Lighthouse runs with its defaults: a mobile phone, simulated slow 4G and a slowed
CPU. Reports go to bench/out/lighthouse-<time>/, the summary table into
bench/RESULTS.md (between the `lighthouse:` markers). Run it through
bench/lighthouse.sh, which installs Lighthouse from package-lock.json first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from nginx_site import bench_config
from report import replace_block
from servers import ROOT, free_port, gunicorn, nginx, site_environment

BENCH = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--no-first-run --disable-default-apps"
)
ATTEMPTS = 3
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = {
    "home": "/",
    "post": "/blog/what-to-bring-to-an-iep-meeting",
    "free-resource": "/free-resource",
    "waitlist": "/state-guides",
    "contact": "/contact",
}


def run_lighthouse(url: str, report: Path) -> dict:
    command = [
        "npx",
        "--no-install",
        "lighthouse",
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for attempt in range(1, ATTEMPTS + 1):
        # Lighthouse now and then fails to record a trace (NO_NAVSTART): try again.
        done = subprocess.run(command, cwd=BENCH, env=env, timeout=180, check=False)
        if done.returncode == 0:
            return json.loads(report.read_text())
        print(f"Lighthouse failed on {url} (attempt {attempt} of {ATTEMPTS})")
    raise RuntimeError(f"Lighthouse failed {ATTEMPTS} times on {url}")


def failing_audits(result: dict, weighted: bool) -> list[str]:
    """Titles of the audits that did not pass: those that count in a category's
    score (`weighted`), or the others (advice, with no weight in the score)."""
    weights = {
        ref["id"]: ref["weight"]
        for name in CATEGORIES
        for ref in result["categories"][name]["auditRefs"]
    }
    return sorted(
        audit["title"]
        for audit_id, audit in result["audits"].items()
        if audit_id in weights
        and (weights[audit_id] > 0) == weighted
        and audit["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        and audit["score"] is not None
        and audit["score"] < 1
    )


def summary_row(name: str, path: str, result: dict) -> str:
    scores = [round(result["categories"][c]["score"] * 100) for c in CATEGORIES]
    audits = result["audits"]
    items = audits["network-requests"]["details"]["items"]
    requests = len(items)
    transfer = sum(item.get("transferSize", 0) for item in items)
    metric = lambda key: audits[key]["displayValue"]  # noqa: E731
    cells = [
        f"{name} (`{path}`)",
        *[str(s) for s in scores],
        metric("first-contentful-paint"),
        metric("largest-contentful-paint"),
        metric("total-blocking-time"),
        metric("cumulative-layout-shift"),
        f"{requests}",
        f"{transfer / 1000:.1f} KB",
    ]
    return "| " + " | ".join(cells) + " |"


def write_results(block: str) -> None:
    """Replace the Lighthouse block of RESULTS.md; the bench block stays."""
    replace_block("lighthouse", "Lighthouse", block)


def lighthouse_version() -> str:
    package = BENCH / "node_modules" / "lighthouse" / "package.json"
    return json.loads(package.read_text())["version"]


def main() -> None:
    started = datetime.now(UTC)
    # run.sh's `timeout` sends SIGTERM: stop what was started before leaving.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped: out of time"))
    out = BENCH / "out" / f"lighthouse-{started:%Y%m%d-%H%M%S}"
    out.mkdir(parents=True)
    sys.path.insert(0, str(BENCH))
    from measure import prepare_database

    database = f"sqlite:///{out / 'site.db'}"
    prepare_database(database)
    app_port, port = free_port(), free_port()
    env = site_environment(app_port, database, TRUSTED_PROXY_HOPS="1")
    env["SITE_URL"] = f"http://127.0.0.1:{port}"
    site = gunicorn("site", "wsgi:app", env, out)
    site_conf = bench_config(port, app_port, out / "nginx-cache", ROOT / "instance")
    proxy = None
    rows, failed, advice = [], [], []
    try:
        proxy = nginx("nginx", port, site_conf, out)
        for name, path in PAGES.items():
            print(f"Lighthouse: {path} ...", flush=True)
            result = run_lighthouse(
                f"http://127.0.0.1:{port}{path}", out / f"{name}.json"
            )
            rows.append(summary_row(name, path, result))
            failed += [f"{name}: {t}" for t in failing_audits(result, weighted=True)]
            advice += [f"{name}: {t}" for t in failing_audits(result, weighted=False)]
    finally:
        if proxy:
            proxy.stop()
        site.stop()
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        f"Run of {started:%Y-%m-%d %H:%M} UTC (`bench/lighthouse.sh`): Lighthouse "
        f"{lighthouse_version()}, {chromium}, Node {node_version()}; mobile, "
        "simulated throttling (Lighthouse's defaults); the site under gunicorn "
        "behind nginx with deploy/nginx/leadsite.conf (no TLS, on 127.0.0.1: see "
        "bench/nginx_site.py). Requests and transfer: everything the page "
        "loaded, as Lighthouse counted it.",
        "",
        "| Page | Performance | Accessibility | Best practices | SEO | FCP | LCP "
        "| TBT | CLS | Requests | Transfer |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Audits that count in a score and did not pass: "
        + ("; ".join(failed) if failed else "none."),
        "",
        "Advice not followed (no weight in any score): "
        + ("; ".join(advice) if advice else "none."),
    ]
    block = "\n".join(lines)
    write_results(block)
    print(block)
    print(f"\nReports in {out}.")


def node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True)
    return done.stdout.strip().lstrip("v")


if __name__ == "__main__":
    main()
