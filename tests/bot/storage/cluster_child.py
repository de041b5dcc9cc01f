"""A process that takes the training lock and holds it until killed (for the SIGKILL tests).

python -m tests.bot.storage.cluster_child DATABASE    prints "held" (or "refused"), then waits
"""

from __future__ import annotations

import asyncio
import sys

from bot.storage.cluster import training_lock


async def hold_forever(database: str) -> None:
    async with training_lock(database).try_hold() as held:
        print("held" if held else "refused", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(hold_forever(sys.argv[1]))
