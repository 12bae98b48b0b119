"""The collector paused around bulk work: off while any block runs, back as it was after the last."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from motcua_kit.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_resumed_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()


async def test_overlapping_blocks_share_one_pause() -> None:
    first_inside, second_done = asyncio.Event(), asyncio.Event()

    async def first() -> bool:
        with collector_paused():
            first_inside.set()
            await second_done.wait()
        return gc.isenabled()

    async def second() -> bool:
        await first_inside.wait()
        with collector_paused():
            pass
        still_paused = not gc.isenabled()  # the first block is still running
        second_done.set()
        return still_paused

    assert list(await asyncio.gather(first(), second())) == [True, True]


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
