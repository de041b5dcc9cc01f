"""The inbox of fetched updates (bot.storage.inbox)."""

from __future__ import annotations

from bot.storage import Storage
from bot.storage.inbox import KEEP_DONE_S
from tests.bot.storage.peek import peek


async def bodies(url: str) -> dict[int, tuple[str, bool]]:
    rows = await peek(url, "SELECT update_id, body, done_at IS NOT NULL FROM inbox")
    return {i: (body, bool(done)) for i, body, done in rows}


async def test_a_batch_is_stored_once_and_handled_updates_lose_their_content(
    database_url: str,
) -> None:
    async with await Storage.connect(database_url) as storage:
        assert await storage.last_update_id() is None
        assert await storage.store_updates([(7, '{"a": 1}'), (8, '{"b": 2}')]) == [7, 8]
        # Telegram sends 8 again (its offset was never confirmed) with a new one: only 9 is new.
        assert await storage.store_updates([(8, '{"b": 2}'), (9, '{"c": 3}')]) == [9]
        await storage.mark_updates_done([7, 9])
        assert await storage.undone_updates() == [(8, '{"b": 2}')]
        assert await storage.last_update_id() == 9
    assert await bodies(database_url) == {
        7: ("", True),
        8: ('{"b": 2}', False),
        9: ("", True),
    }


async def test_pruning_keeps_undone_updates_and_the_newest_id(database_url: str) -> None:
    now = [1_000_000.0]
    async with await Storage.connect(database_url, clock=lambda: now[0]) as storage:
        await storage.store_updates([(1, "{}"), (2, "{}"), (3, "{}")])
        await storage.mark_updates_done([1, 3])
        now[0] += KEEP_DONE_S + 1
        assert await storage.prune_inbox() == 1  # 1 goes; 2 is undone; 3 holds the offset
        assert await storage.last_update_id() == 3
        assert await storage.undone_updates() == [(2, "{}")]
