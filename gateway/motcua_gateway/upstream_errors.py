"""How a call to a service can fail; the proxy turns each into a problem document naming the service."""

from __future__ import annotations


class UpstreamError(Exception):
    """Base: 502 ``bad_gateway`` unless a subclass says otherwise.

    ``before_response``: no answer had begun and the service did not time out, so an idempotent
    request may be sent again (a refused or dropped connection, a kept-alive connection the service
    had just closed). A timeout is never retried: the service is slow, asking twice makes it slower.
    """

    status = 502
    code = "bad_gateway"
    what = "gave an invalid answer"

    def __init__(self, reason: str, *, before_response: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.before_response = before_response


class UpstreamUnavailable(UpstreamError):
    """No connection could be made: 503; the service never saw the request."""

    status, code, what = 503, "upstream_unavailable", "is not reachable"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, before_response=True)


class UpstreamTimeout(UpstreamError):
    """The service did not answer in time: 504."""

    status, code, what = 504, "upstream_timeout", "did not answer in time"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, before_response=False)


class UpstreamBroken(UpstreamError):
    """The connection broke, or the answer was not HTTP: 502."""

    status, code, what = 502, "bad_gateway", "gave an invalid answer"
