"""WeasyPrint, reduced to what a report may use. No Django import: a child process renders with
this module alone (``pdf.render_pdf`` outside a worker).

``StaticFilesFetcher`` is the only way WeasyPrint may read anything. It serves ``file:`` URLs
that resolve (after ``..`` and symbolic links) to a file inside the given static directories,
and ``data:`` URLs, which carry their bytes inline. Every other URL, ``http(s)`` to any address,
``ftp``, another file on the disk, is refused before a socket or a file is opened.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import DataHandler, OpenerDirector, Request, url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's fetcher, reduced to the static directories and inline ``data:`` URLs.

    ``refused`` lists the URLs it turned down (WeasyPrint only logs a warning and goes on
    without the resource, so a bad URL never breaks a report).
    """

    def __init__(self, roots: Sequence[Path | str]) -> None:
        # Not URLFetcher.__init__: it installs urllib's HTTP, HTTPS (loading the CA store takes
        # about 0.1 s) and FTP handlers, none of which may ever be used here. Without handlers,
        # even a direct call of ``open`` cannot reach the network.
        OpenerDirector.__init__(self)
        self._fail_on_errors = False  # read by weasyprint.urls.fetch: a refusal is a warning
        self.roots = tuple(Path(root).resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":  # the bytes are in the URL itself
            inline = DataHandler().data_open(Request(url))
            return URLFetcherResponse(url, inline.read(), dict(inline.headers.items()))
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = self._allowed_path(parts.path)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
        self.refused.append(url)
        raise ValueError(f"The report may only use the site's static files, not {url!r}")

    def _allowed_path(self, url_path: str) -> Path | None:
        try:
            path = Path(url2pathname(url_path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
            return path
        return None


def write_pdf(html: str, fetcher: StaticFilesFetcher) -> bytes:
    """HTML to PDF bytes, reading only what ``fetcher`` allows."""
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


class _Kept(logging.Handler):
    """WeasyPrint's warnings in a child process, to be logged again by the parent."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def render_in_child(connection, html: str, roots: Sequence[str]) -> None:
    """A child process's whole life: render, then send ("ok", bytes, warnings) or ("error",
    text, warnings), warnings as (logger, level, message) for the parent to log."""
    kept = _Kept()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(kept)
    logger.setLevel(logging.WARNING)
    try:
        connection.send(("ok", write_pdf(html, StaticFilesFetcher(roots)), kept.records))
    except Exception as error:  # noqa: BLE001 - the parent reports it
        connection.send(("error", f"{type(error).__name__}: {error}", kept.records))
    finally:
        connection.close()
