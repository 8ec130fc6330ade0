"""The post page, two ways, each against its floor, all measured in turns:

- through gunicorn alone (a visit, and a repeat view answered 304), against a
  bare Flask route rendering the same template with the same data
  (`floor.render_app`);
- as deployed, through deploy/nginx/leadsite.conf (`nginx_site`) with its
  micro-cache in front of the same gunicorn, against nginx serving the same bytes
  from a file.
"""

from __future__ import annotations

import difflib

from nginx_site import bench_config
from report import SECONDS
from servers import ROOT, free_port, get, gunicorn, nginx, site_environment

POST_PATH = "/blog/what-to-bring-to-an-iep-meeting"
FILE_SERVER = """\
server {{
    listen 127.0.0.1:{port};
    root {root};
    location /blog/ {{ default_type text/html; try_files $uri.html =404; }}
}}
"""


def same_bytes(name: str, body: bytes, expected: bytes) -> None:
    """Stop the run when a floor does not send the site's page: it would not be a
    floor for that page."""
    if body != expected:
        diff = difflib.unified_diff(
            expected.decode().splitlines(), body.decode().splitlines(), lineterm=""
        )
        raise RuntimeError(f"{name} differs from the site's page:\n" + "\n".join(diff))


def pages(run, database_url: str) -> None:
    app_port, floor_port, proxy_port, file_port = (free_port() for _ in range(4))
    # Every server says the same address, so that every copy is the same bytes.
    env = site_environment(
        app_port,
        database_url,
        SITE_URL=f"http://127.0.0.1:{proxy_port}",
        TRUSTED_PROXY_HOPS="1",  # as deployed behind nginx
    )
    floor_env = {**env, "PORT": str(floor_port), "BENCH_RENDER": "1"}
    site = run.start(gunicorn("site-pages", "wsgi:app", env, run.out))
    floor = run.start(
        gunicorn("floor-render", "bench.floor:render_app", floor_env, run.out)
    )
    url = f"http://127.0.0.1:{app_port}{POST_PATH}"
    floor_url = f"http://127.0.0.1:{floor_port}{POST_PATH}"
    status, headers, body = get(url)
    assert status == 200, status
    assert "Set-Cookie" not in headers, "public pages set no cookie"
    same_bytes("The render floor", get(floor_url)[2], body)

    root = run.out / "static"
    (root / "blog").mkdir(parents=True, exist_ok=True)
    (root / f"{POST_PATH.lstrip('/')}.html").write_bytes(body)
    site_conf = bench_config(
        proxy_port, app_port, run.out / "nginx-cache", ROOT / "instance"
    )
    proxy = run.start(nginx("nginx-deployed", proxy_port, site_conf, run.out))
    files = run.start(
        nginx(
            "nginx-file",
            file_port,
            FILE_SERVER.format(port=file_port, root=root),
            run.out,
        )
    )
    deployed_url = f"http://127.0.0.1:{proxy_port}{POST_PATH}"
    file_url = f"http://127.0.0.1:{file_port}{POST_PATH}"
    cache_states = [get(deployed_url)[1].get("X-Cache") for _ in range(2)]
    same_bytes("nginx's micro-cache", get(deployed_url)[2], body)
    same_bytes("nginx's file", get(file_url)[2], body)

    turns = {
        "site": (url, {}),
        "revalidated": (url, {"BENCH_ETAG": headers.get("ETag", "")}),
        "floor": (floor_url, {}),
        "deployed": (deployed_url, {}),
        "file": (file_url, {}),
    }
    if "ETag" not in headers:
        del turns["revalidated"]
    found = run.interleaved(turns)
    cache_states.append(get(deployed_url)[1].get("X-Cache"))
    for process in (proxy, files, floor, site):
        run.stop(process)

    render, file = found["floor"]["rps"], found["file"]["rps"]
    rows = [
        (f"Post page through gunicorn ({len(body):,} bytes)", "site", render),
        (
            "Post page through gunicorn, repeat view (If-None-Match: 304)",
            "revalidated",
            render,
        ),
        (
            "Floor: bare Flask route rendering the same template with the same data",
            "floor",
            render,
        ),
        (
            "Post page as deployed: nginx (deploy/nginx/leadsite.conf) with its "
            "micro-cache, then gunicorn",
            "deployed",
            file,
        ),
        ("Floor: nginx serving the same bytes from a file", "file", file),
    ]
    for name, key, floor_rps in rows:
        if key not in found:
            continue
        figures = found[key]
        run.rows.append(("pages", name, figures, floor_rps))
        if figures["status_errors"] or figures["socket_errors"]:
            run.notes.append(
                f"{name}: {figures['status_errors']} error answers, "
                f"{figures['socket_errors']} socket errors."
            )
    shown = ", ".join(
        f"{name}: {headers.get(name, '(none)')}"
        for name in ("Cache-Control", "ETag", "Vary")
    )
    run.notes.append(f"The post page's caching headers from the site: {shown}.")
    run.notes.append(
        "nginx's X-Cache for the post page: "
        + ", ".join(str(s) for s in cache_states)
        + " (first GET, second, after the runs); the site and both floors sent "
        "the same bytes."
    )
    run.notes.append(
        f"Requests/s of each {SECONDS} s turn, in the order run (the median is the "
        "row's): "
        + "; ".join(
            f"{key} {', '.join(f'{rps:,.0f}' for rps in found[key]['turns'])}"
            for key in turns
        )
        + ". The post page against its floor turn by turn (each site turn and the "
        "floor turn run soon after it): "
        + ", ".join(
            f"{site_rps / floor_rps:.2f}"
            for site_rps, floor_rps in zip(
                found["site"]["turns"], found["floor"]["turns"], strict=True
            )
        )
        + "."
    )
    ratio = found["site"]["rps"] / render
    run.targets.append(
        (
            "Post page through gunicorn at least 0.8 x a bare Flask route rendering "
            "the same template",
            f"{ratio:.2f}"
            + (
                f" ({found['revalidated']['rps'] / render:.2f} for a 304)"
                if "revalidated" in found
                else " (no 304 row: the site sent no ETag)"
            ),
            ratio >= 0.8,
        )
    )
    ratio = found["deployed"]["rps"] / file
    run.targets.append(
        (
            "Post page as deployed (nginx micro-cache) at least 0.7 x nginx serving "
            "the same bytes from a file",
            f"{ratio:.2f}",
            ratio >= 0.7,
        )
    )
