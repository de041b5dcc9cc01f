"""Reply latency of button presses while the bot is idle and while it retrains, in one run.

    python benchmarks/retrain.py [--movielens DIR] [--people 4] [--pace 0.25]
                                 [--idle-presses 400] [--train-config JSON] [--dir DIR]

Starts the real bot process against the local fake Bot API server (tests/support/botapi.py) on a
fresh database with the whole ml-latest-small, waits for its first model, then has --people
simulated people press buttons (open a rating card, rate the movie, again and again), each
waiting --pace seconds after a reply before the next press: first while nothing else
happens, then during an admin's /retrain, then idle again. A press's latency is from
queueing the update to the bot's edited message (its answerCallbackQuery comes first).
Prints a Markdown table with p50/p95/p99 per phase and the
ratio the issue sets a target for: p99 during retraining <= 1.5 x p99 idle.

The pace keeps the edits under the 30 messages/s that PTB's rate limiter (like Telegram)
allows the whole bot: with --pace 0 the presses queue in the limiter, and the latency measures
that queue rather than the bot's own work.

The machine's cores are shared; the idle phases before and after bracket the retraining
phase so that drift in background load shows up as a difference between them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.botapi import Call, FakeBotApi, Message  # noqa: E402
from tests.support.harness import BotProcess, Person, make_token  # noqa: E402

ADMIN = 1_000_001
TARGET_RATIO = 1.5
FINAL = re.compile(r"swapped in|rejected|Training failed")


Sample = tuple[float, float]
"""(wall-clock time the press was queued, seconds until the bot's reply)."""


def press_loop(person: Person, stop: threading.Event, samples: list[Sample], pace: float) -> None:
    """Open a popular movie's card and rate it, round the first page, until `stop`."""
    listing = person.say("/popular")
    n, value = 0, 0
    while not stop.is_set():
        n, value = n % 10 + 1, value % 10 + 1
        queued, started = time.time(), time.perf_counter()
        card = person.tap(listing, f"{n}. ")
        samples.append((queued, time.perf_counter() - started))
        stop.wait(pace)
        queued, started = time.time(), time.perf_counter()
        listing = person.rate(card, f"{value / 2:g}")
        samples.append((queued, time.perf_counter() - started))
        stop.wait(pace)


def warm_up(person: Person) -> None:
    """Six ratings first, so the one-off "that's 5 ratings" message is out of the way."""
    mark = person.api.mark()
    listing = person.say("/popular")
    for n in range(1, 7):
        listing = person.rate(person.tap(listing, f"{n}. "), "4")
    person.wait_sent("5 ratings", since=mark, timeout=30)


def measure(people: list[Person], pace: float, until: Callable[[int], bool]) -> list[Sample]:
    """Every person presses buttons in their own thread until `until(samples so far)`."""
    stop = threading.Event()
    samples: list[Sample] = []
    threads = [
        threading.Thread(target=press_loop, args=(p, stop, samples, pace), daemon=True)
        for p in people
    ]
    for thread in threads:
        thread.start()
    while not until(len(samples)):
        time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join(60)
    return samples


def status_edit(api: FakeBotApi, status: Message, pattern: re.Pattern[str]) -> Call | None:
    """The first edit of the /retrain status message whose text matches `pattern`."""
    for call in api.calls("editMessageText"):
        same = call.ok and call.params.get("message_id") == status["message_id"]
        if same and call.chat_id == ADMIN and pattern.search(call.result.get("text", "")):
            return call
    return None


def row(name: str, seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"| {name} | {len(ms)} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {ms.max():.1f} |"


def run(args: argparse.Namespace, workdir: Path) -> None:
    with FakeBotApi(make_token()) as api:
        env = {"TRAIN_CONFIG": args.train_config, "RETRAIN_MARGIN": "1", "LOG_LEVEL": "INFO"}
        bot = BotProcess(api, workdir, args.movielens, admin_ids=(ADMIN,), env=env)
        try:
            started = time.monotonic()
            bot.start()
            bot.wait_polling(timeout=300)
            bot.wait_model(timeout=1800)
            print(f"setup: MovieLens import + first model in {time.monotonic() - started:.0f} s")
            people = [Person(api, 2_000_000 + i, f"P{i}") for i in range(args.people)]
            for person in people:
                warm_up(person)

            idle_before = measure(people, args.pace, lambda n: n >= args.idle_presses)
            status = Person(api, ADMIN, "Admin").say("/retrain")
            during = measure(
                people, args.pace, lambda n: status_edit(api, status, FINAL) is not None
            )
            idle_after = measure(people, args.pace, lambda n: n >= args.idle_presses)
        finally:
            bot.stop()

    begin = next(  # the whole run: from the "Retraining: starting" reply to the final report
        c
        for c in api.calls("sendMessage")
        if c.chat_id == ADMIN and c.result["message_id"] == status["message_id"]
    )
    end = status_edit(api, status, FINAL)
    assert end is not None
    inside = [s for queued, s in during if begin.at <= queued and queued + s <= end.at]
    idle = [s for _, s in idle_before + idle_after]
    ratio = np.percentile(inside, 99) / np.percentile(idle, 99)
    print(f"retraining run: {end.at - begin.at:.0f} s from /retrain to its report; outcome:")
    print(f"  {end.result['text'].splitlines()[0]}")
    print(
        f"{args.people} people pressing buttons, {args.pace:g} s between a reply and the next"
        " press; latency = update queued -> reply\n"
    )
    print("| phase | presses | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(row("idle (before)", [s for _, s in idle_before]))
    print(row("during retraining", inside))
    print(row("idle (after)", [s for _, s in idle_after]))
    print(row("idle (both)", idle))
    inside_run = [(seconds, queued - begin.at) for queued, seconds in during]
    slowest = sorted(x for x in inside_run if 0 <= x[1] <= end.at - begin.at)[::-1][:5]
    print(
        "\nslowest presses in the run: "
        + ", ".join(f"{s * 1000:.0f} ms @ {t:.1f} s" for s, t in slowest)
    )
    print("run stages (seconds after /retrain):")
    shown = ""
    for call in api.calls("editMessageText"):
        if call.ok and call.chat_id == ADMIN and call.params["message_id"] == status["message_id"]:
            stage = call.result.get("text", "").splitlines()[0]
            if stage != shown:
                print(f"  {call.at - begin.at:5.1f}  {stage}")
                shown = stage
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"\np99 during / p99 idle = {ratio:.2f} ({verdict} the target <= {TARGET_RATIO})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = REPO.parent / "shared" / "datasets" / "ml-latest-small"
    parser.add_argument(
        "--movielens", type=Path, default=Path(os.environ.get("MOVIELENS_DIR") or default_data)
    )
    parser.add_argument("--people", type=int, default=4)
    parser.add_argument("--pace", type=float, default=0.25, help="seconds between presses")
    parser.add_argument("--idle-presses", type=int, default=400)
    parser.add_argument("--train-config", default="{}", help="TRAIN_CONFIG JSON for the bot")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    json.loads(args.train_config)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="bench-retrain-"))
    run(args, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
