"""WeasyPrint reads nothing but the static files, reaches no network, and stops in time."""

import builtins
import multiprocessing
import socket
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import engines

from evaluations.reports import pdf, weasy


class NetworkUsed(BaseException):
    """A BaseException, so that no ``except Exception`` inside WeasyPrint can swallow it."""


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test loudly."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def no_passwd(monkeypatch):
    """Opening /etc/passwd from Python fails loudly too."""
    real_open = builtins.open
    opened = []

    def guarded(file, *args, **kwargs):
        if str(file).startswith("/etc/"):
            opened.append(file)
            raise NetworkUsed(f"a file outside static was opened: {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(Path, "read_bytes", lambda self: guarded(self, "rb").read())
    return opened


HOSTILE = """{% load static %}<!doctype html>
<html><head>
  <link rel="stylesheet" href="file:///etc/passwd">
  <link rel="stylesheet" href="http://127.0.0.1:9/x.css">
  <style>
    @import url("http://127.0.0.1:9/import.css");
    @font-face { font-family: Evil; src: url("http://127.0.0.1:9/font.woff"); }
    body { background: url("file:///etc/passwd"); font-family: Evil, sans-serif; }
  </style>
  <link rel="stylesheet" href="{{ stylesheet }}">
</head><body>
  <h1>{{ title }}</h1>
  <img src="file:///etc/passwd" alt="passwd">
  <img src="http://127.0.0.1:9/x.png" alt="remote">
  <object data="file:///etc/passwd"></object>
  <iframe src="http://127.0.0.1:9/frame.html"></iframe>
  <svg width="10" height="10"><image href="http://127.0.0.1:9/x.png" width="10" height="10"/></svg>
  <img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnLz4=">
</body></html>"""


def test_a_hostile_template_renders_without_fetching_anything(no_network, no_passwd):
    template = engines["django"].from_string(HOSTILE)
    stylesheet = Path(finders.find(pdf.STYLESHEET)).resolve().as_uri()
    html = template.render({"title": "Report", "stylesheet": stylesheet})
    fetcher = weasy.StaticFilesFetcher(pdf.static_roots())
    content = weasy.write_pdf(html, fetcher)  # what a worker runs, here in this process
    assert content.startswith(b"%PDF")
    assert no_network == [] and no_passwd == []
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/x.png" in fetcher.refused
    assert "http://127.0.0.1:9/x.css" in fetcher.refused
    assert stylesheet not in fetcher.refused  # the report's own stylesheet is allowed
    assert b"root:" not in content


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/report.css",
        "http://127.0.0.1:9/x.png",
        "https://example.com/style.css",
        "http://[::1]/x.png",
        "ftp://example.com/file",
        "gopher://127.0.0.1:70/",
        "//example.com/x.png",
        "x.png",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url, no_network):
    fetcher = weasy.StaticFilesFetcher(pdf.static_roots())
    with pytest.raises(ValueError, match="static files"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert no_network == []


def test_the_fetcher_refuses_a_way_out_of_static():
    escaped = (Path(settings.BASE_DIR) / "static" / ".." / "manage.py").as_posix()
    with pytest.raises(ValueError):
        weasy.StaticFilesFetcher(pdf.static_roots()).fetch(f"file://{escaped}")
    encoded = (Path(settings.BASE_DIR) / "static").as_posix() + "/%2E%2E/manage.py"
    with pytest.raises(ValueError):
        weasy.StaticFilesFetcher(pdf.static_roots()).fetch(f"file://{encoded}")


def test_the_fetcher_refuses_a_symbolic_link_out_of_static(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "link.css").symlink_to(secret)
    (root / "ok.css").write_text("p { color: red }")
    fetcher = weasy.StaticFilesFetcher((root,))
    with pytest.raises(ValueError):
        fetcher.fetch((root / "link.css").as_uri())
    response = fetcher.fetch((root / "ok.css").as_uri())
    assert response.read() == b"p { color: red }"
    assert response.content_type == "text/css"


def test_the_fetcher_serves_static_files_and_inline_data():
    fetcher = weasy.StaticFilesFetcher(pdf.static_roots())
    css = fetcher.fetch(Path(finders.find(pdf.STYLESHEET)).resolve().as_uri())
    assert b"@page" in css.read()
    inline = fetcher.fetch("data:text/plain;base64,SGVsbG8=")
    assert inline.read() == b"Hello"
    assert fetcher.refused == []


def _children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children()}


def test_outside_a_worker_a_long_render_is_stopped_by_killing_its_process():
    html = "<table>" + "<tr><td>cell</td><td>another cell</td></tr>" * 20_000 + "</table>"
    before = _children()
    started = time.monotonic()
    with pytest.raises(pdf.PdfTimeout):
        pdf.render_pdf(html, seconds=0.5)
    assert time.monotonic() - started < 10
    assert _children() <= before  # the child was killed and reaped, not left running


def test_outside_a_worker_a_render_runs_in_a_child_and_leaves_none_behind():
    before = _children()
    assert pdf.render_pdf("<p>fast</p>", seconds=30).startswith(b"%PDF")
    assert _children() <= before


def test_a_failing_render_says_why():
    with pytest.raises(pdf.PdfError, match="TypeError"):
        pdf.render_pdf(None, seconds=30)  # type: ignore[arg-type]


def test_on_a_worker_the_render_runs_inline(monkeypatch):
    """There the task's hard time limit kills the pool process; no child is made."""
    monkeypatch.setattr(pdf, "IN_WORKER_POOL", True)
    monkeypatch.setattr(pdf, "_render_in_child", lambda *args: pytest.fail("a child was made"))
    assert pdf.render_pdf("<p>inline</p>").startswith(b"%PDF")
