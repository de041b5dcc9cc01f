"""The inbox of fetched updates (bot.storage.inbox)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Storage
from bot.storage.inbox import KEEP_DONE_S


def bodies(path: Path) -> dict[int, tuple[str, bool]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT update_id, body, done_at IS NOT NULL FROM inbox").fetchall()
    return {i: (body, bool(done)) for i, body, done in rows}


async def test_a_batch_is_stored_once_and_handled_updates_lose_their_content(
    tmp_path: Path,
) -> None:
    async with await Storage.open(tmp_path / "bot.db") as storage:
        assert await storage.last_update_id() is None
        assert await storage.store_updates([(7, '{"a": 1}'), (8, '{"b": 2}')]) == [7, 8]
        # Telegram sends 8 again (its offset was never confirmed) with a new one: only 9 is new.
        assert await storage.store_updates([(8, '{"b": 2}'), (9, '{"c": 3}')]) == [9]
        await storage.mark_updates_done([7, 9])
        assert await storage.undone_updates() == [(8, '{"b": 2}')]
        assert await storage.last_update_id() == 9
    assert bodies(tmp_path / "bot.db") == {7: ("", True), 8: ('{"b": 2}', False), 9: ("", True)}


async def test_pruning_keeps_undone_updates_and_the_newest_id(tmp_path: Path) -> None:
    now = [1_000_000.0]
    async with await Storage.open(tmp_path / "bot.db", clock=lambda: now[0]) as storage:
        await storage.store_updates([(1, "{}"), (2, "{}"), (3, "{}")])
        await storage.mark_updates_done([1, 3])
        now[0] += KEEP_DONE_S + 1
        assert await storage.prune_inbox() == 1  # 1 goes; 2 is undone; 3 holds the offset
        assert await storage.last_update_id() == 3
        assert await storage.undone_updates() == [(2, "{}")]
