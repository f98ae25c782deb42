"""One HTTP session for every download: timeouts, retries with backoff, the proxy settings of
the environment, and failures turned into one message a person can act on.

Corporate networks need HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and REQUESTS_CA_BUNDLE for a
proxy that re-signs TLS); requests reads them from the environment, so they just work."""

from __future__ import annotations

import logging
import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from helpers.core.errors import FetchError

log = logging.getLogger("needs")

TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds between bytes
RETRIES = 4
BACKOFF = 1.0  # seconds, doubled after each failed attempt (1, 2, 4, 8)
RETRY_STATUSES = (429, 500, 502, 503, 504)
USER_AGENT = "community-safety-health-needs-assessment (needs fetch; python-requests)"
PROXY_FIX = (
    "check the internet connection; on a council network set HTTPS_PROXY (and NO_PROXY) to "
    "your proxy, and REQUESTS_CA_BUNDLE if it re-signs TLS; then run the same command again "
    "(finished downloads are kept)"
)


class _TimeoutAdapter(HTTPAdapter):
    """An adapter that applies a default timeout: requests has none, so a stalled server
    would hang a fetch for ever."""

    def __init__(self, *args, timeout: tuple[float, float], **kwargs):
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def session(
    *,
    timeout: tuple[float, float] | None = None,
    retries: int | None = None,
    backoff: float | None = None,
) -> requests.Session:
    """A session with retries (on connection errors and 429/5xx, with exponential backoff,
    honouring Retry-After) and a default timeout. NEEDS_HTTP_TIMEOUT, NEEDS_HTTP_RETRIES and
    NEEDS_HTTP_BACKOFF override the defaults (tests make them short)."""
    timeout = timeout or _env_timeout()
    retries = retries if retries is not None else int(os.environ.get("NEEDS_HTTP_RETRIES", RETRIES))
    backoff = (
        backoff if backoff is not None else float(os.environ.get("NEEDS_HTTP_BACKOFF", BACKOFF))
    )
    policy = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    # urllib3 logs each retry as a warning; the one message at the end is what people need
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    s = requests.Session()
    s.trust_env = True  # HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE
    s.headers["User-Agent"] = USER_AGENT
    adapter = _TimeoutAdapter(max_retries=policy, timeout=timeout)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    return s


def _env_timeout() -> tuple[float, float]:
    value = os.environ.get("NEEDS_HTTP_TIMEOUT")
    return (float(value), float(value)) if value else TIMEOUT


def get(s: requests.Session, url: str, *, what: str, **kwargs) -> requests.Response:
    """GET with the session; any failure (no network, timeout, HTTP error) is one FetchError."""
    try:
        response = s.get(url, **kwargs)
        response.raise_for_status()
    except requests.exceptions.RequestException as exc:
        raise failure(exc, url, what, s) from exc
    return response


def failure(exc: BaseException, url: str, what: str, s: requests.Session) -> FetchError:
    """The one message for a failed request, by what went wrong."""
    host = _host(url)
    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        code = exc.response.status_code
        return FetchError(
            f"{what}: {host} answered HTTP {code} {exc.response.reason or ''}".rstrip()
            + f" for {url}",
            fix="the service may be down (5xx: try again later) or the request is wrong "
            "(4xx: check the indicator ids, area type and months)",
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError(
            f"{what}: the TLS certificate of {host} could not be verified ({reason(exc)})",
            fix="if your network re-signs TLS, set REQUESTS_CA_BUNDLE to its CA certificate",
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return FetchError(
            f"{what}: the proxy refused or failed ({reason(exc)})",
            fix="check HTTPS_PROXY / HTTP_PROXY; " + PROXY_FIX,
        )
    if isinstance(exc, requests.exceptions.RetryError):
        return FetchError(
            f"{what}: {host} kept failing ({reason(exc)})",
            fix="the service may be down; try again later",
        )
    kind = _kind(exc)
    if kind == "timeout":
        return FetchError(
            f"{what}: {host} did not answer within the time limit after {_retries(s)} retries",
            fix="try again later, or raise NEEDS_HTTP_TIMEOUT (seconds); " + PROXY_FIX,
        )
    if kind == "name":
        return FetchError(
            f"{what}: the name {host} could not be resolved: no network, or a proxy is needed",
            fix=PROXY_FIX,
        )
    return FetchError(f"{what}: could not connect to {host} ({reason(exc)})", fix=PROXY_FIX)


def _kind(exc: BaseException | None) -> str:
    """'name' (DNS failed), 'timeout' or 'other', from the chain of causes. urllib3's
    connection errors subclass its timeout error, so they are tested first."""
    import urllib3.exceptions as u3

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, u3.NameResolutionError):
            return "name"
        if isinstance(exc, u3.NewConnectionError):
            return "other"
        if isinstance(exc, u3.TimeoutError | TimeoutError):
            return "timeout"
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args:
            inner = exc.args[0]
        exc = inner if isinstance(inner, BaseException) else exc.__context__
    return "other"


def _host(url: str) -> str:
    return requests.utils.urlparse(url).netloc or url


def _retries(s: requests.Session) -> int:
    adapter = s.get_adapter("https://")
    return getattr(getattr(adapter, "max_retries", None), "total", 0) or 0


def reason(exc: Exception) -> str:
    """The innermost cause, without urllib3's long object reprs."""
    reason = exc
    while True:
        inner = getattr(reason, "reason", None) or (reason.args[0] if reason.args else None)
        if isinstance(inner, Exception) and inner is not reason:
            reason = inner
            continue
        break
    text = str(reason)
    if "Max retries exceeded" in text and "(Caused by" in text:
        text = text.split("(Caused by", 1)[1].rstrip(")")
    return " ".join(text.split())[:200]
