"""Budgets per IP and per client; stricter on public lookups; in memory, or shared through Redis.

The Redis tests run when REDIS_URL is set (`.ci/run` sets it), each on keys of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest

from motcua_gateway.config import RateLimitSettings
from motcua_gateway.ratelimit import Budget, MemoryWindows, RateLimiter, Window
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport, Transport
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.gateway.conftest import gateway_app
from tests.gateway.fakes import echo_app

REDIS_URL = os.environ.get("REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")


def budgets(storage_url: str | None = None) -> RateLimitSettings:
    return RateLimitSettings(
        anonymous="5/minute",
        client="8/minute",
        lookup="3/minute",
        storage_url=storage_url,
        key_prefix=f"motcua-test-{uuid.uuid4().hex[:8]}",
    )


@asynccontextmanager
async def limited_gateway(
    tokens: TokenFactory, database: RolledBackDatabase, settings: RateLimitSettings
) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    # The test client is a trusted proxy, so X-Forwarded-For stands for the caller's address.
    app = gateway_app(tokens, transports, database, rate_limits=settings, trusted_proxies=["127.0.0.1/32"])
    async with api_client(app) as client:
        yield client


def from_ip(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


async def test_anonymous_calls_are_limited_per_ip_with_a_problem_and_retry_after(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async with limited_gateway(tokens, gateway_database, budgets()) as client:
        for _ in range(5):
            assert (await client.get("/api/v1/procedures", headers=from_ip("203.0.113.7"))).status_code == 200
        refused = await client.get("/api/v1/procedures", headers=from_ip("203.0.113.7"))
        body = assert_problem(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["retry-after"]) <= 60 + 12  # the next window, and a fifth of it
        assert refused.headers["retry-after"] in body["detail"]
        assert (await client.get("/api/v1/procedures", headers=from_ip("203.0.113.8"))).status_code == 200


async def test_public_lookups_have_a_stricter_budget_so_codes_cannot_be_enumerated(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async with limited_gateway(tokens, gateway_database, budgets()) as client:
        ip = from_ip("198.51.100.1")
        for n in range(3):
            assert (await client.get(f"/api/v1/tracking/SNGV-260101-000{n}", headers=ip)).status_code == 200
        assert_problem(await client.get("/api/v1/tracking/SNGV-260101-0009", headers=ip), 429)
        assert_problem(await client.get("/api/v1/surveys/invitations/guess", headers=ip), 429)
        assert (await client.get("/api/v1/procedures", headers=ip)).status_code == 200  # other routes still work
        # A token does not buy more lookups from the same address.
        assert_problem(await client.get("/api/v1/tracking/X", headers={**ip, **tokens.headers("citizen")}), 429)
        # Nor do many addresses with one token.
        citizen = tokens.headers("citizen", subject="one-citizen")
        for n in range(3):
            response = await client.get("/api/v1/tracking/X", headers={**from_ip(f"192.0.2.{n}"), **citizen})
            assert response.status_code == 200
        assert_problem(await client.get("/api/v1/tracking/X", headers={**from_ip("192.0.2.99"), **citizen}), 429)


async def test_authenticated_clients_spend_their_own_budget(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async with limited_gateway(tokens, gateway_database, budgets()) as client:
        ip = from_ip("203.0.113.50")
        leader, other = tokens.headers("leader", subject="leader-1"), tokens.headers("leader", subject="leader-2")
        for _ in range(8):
            assert (await client.get("/api/v1/dossiers", headers={**ip, **leader})).status_code == 200
        assert_problem(await client.get("/api/v1/dossiers", headers={**ip, **leader}), 429)
        assert (await client.get("/api/v1/dossiers", headers={**ip, **other})).status_code == 200
        assert (await client.get("/api/v1/procedures", headers=ip)).status_code == 200  # the IP's budget is apart


async def test_failed_credentials_spend_the_ips_budget(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async with limited_gateway(tokens, gateway_database, budgets()) as client:
        ip = from_ip("203.0.113.66")
        for _ in range(5):
            assert_problem(await client.get("/api/v1/dossiers", headers={**ip, "X-API-Key": "mck_guess"}), 401)
        assert_problem(await client.get("/api/v1/dossiers", headers={**ip, "X-API-Key": "mck_guess"}), 429)


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    app = gateway_app(tokens, transports, gateway_database, rate_limits=budgets())
    async with api_client(app) as client:
        for n in range(5):
            assert (await client.get("/api/v1/procedures", headers=from_ip(f"10.9.9.{n}"))).status_code == 200
        assert_problem(await client.get("/api/v1/procedures", headers=from_ip("10.9.9.200")), 429)


@needs_redis
async def test_replicas_share_their_counters_through_redis(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    settings = budgets(REDIS_URL)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(limited_gateway(tokens, gateway_database, settings))
        second = await stack.enter_async_context(limited_gateway(tokens, gateway_database, settings))
        ip = from_ip("203.0.113.99")
        for replica in [first, second, first]:
            assert (await replica.get("/api/v1/tracking/X", headers=ip)).status_code == 200
        refused = await second.get("/api/v1/tracking/X", headers=ip)
        assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1
        ready = (await first.get("/readyz")).json()
        assert ready["checks"]["rate-limit-storage"] == "ok"
        limiter: RateLimiter = first._transport.app.state.rate_limiter  # type: ignore[attr-defined]
        await limiter.reset()


async def test_an_unreachable_redis_lets_requests_through(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    limiter = RateLimiter(budgets("redis://127.0.0.1:1/0"))
    assert await limiter.hit(Budget.ANONYMOUS, "ip:203.0.113.1") is None
    assert await limiter.healthy() == (False, "unreachable")
    await limiter.aclose()
    async with limited_gateway(tokens, gateway_database, budgets("redis://127.0.0.1:1/0")) as client:
        for _ in range(7):
            assert (await client.get("/api/v1/procedures", headers=from_ip("203.0.113.2"))).status_code == 200
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "degraded"
        assert ready["checks"]["rate-limit-storage"]["ok"] is False


async def test_limits_can_be_switched_off() -> None:
    limiter = RateLimiter(RateLimitSettings(enabled=False, anonymous="1/minute"))
    assert [await limiter.hit(Budget.ANONYMOUS, "ip:x") for _ in range(3)] == [None, None, None]
    assert await limiter.healthy() == (True, "disabled")


class FakeClock:
    def __init__(self, now: float = 60 * 16_667 + 20.0) -> None:  # 20 s into a one-minute window
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_sliding_window_counts_the_previous_window_by_its_remaining_share() -> None:
    clock = FakeClock()
    counters = MemoryWindows(clock)
    per_minute = Window(amount=10, seconds=60)
    assert [counters.hit(per_minute, "k") for _ in range(10)] == [None] * 10
    wait = counters.hit(per_minute, "k")
    assert wait is not None
    assert 40 < wait <= 60 + 6  # the next window, where these ten still weigh
    clock.now += 40  # next window, 0 s in: the previous ten weigh fully
    assert counters.hit(per_minute, "k") is not None
    clock.now += 30  # half way: the previous ten weigh five
    assert [counters.hit(per_minute, "k") for _ in range(5)] == [None] * 5
    refused = counters.hit(per_minute, "k")
    assert refused is not None
    assert 0 < refused <= 30
    clock.now += 120  # idle for two windows: nothing weighs any more
    assert [counters.hit(per_minute, "k") for _ in range(10)] == [None] * 10
    assert counters.hit(per_minute, "other") is None


def test_memory_counters_stay_bounded() -> None:
    clock = FakeClock()
    counters = MemoryWindows(clock)
    counters.MAX_KEYS = 100
    window = Window(amount=1, seconds=1)
    for n in range(100):
        counters.hit(window, f"ip:{n}")
    clock.now += 5
    counters.hit(window, "ip:new")
    assert len(counters._counters) == 1
    for n in range(250):
        counters.hit(window, f"flood:{n}")
    assert len(counters._counters) <= 100
