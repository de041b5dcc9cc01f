"""Many people at once against the real bot process, then against a bare PTB echo bot.

    python benchmarks/load.py [--people 200] [--database sqlite,postgresql] [--replicas 0,1,2]
                              [--messages-per-second N] [--faults SPEC] [--retrain] [--kill]
                              [--no-echo] [--seed 1] [--movies 600] [--timeout 30] [--dir DIR]

Starts the fake Bot API (tests/support/botapi.py) and the real bot (``python -m bot``, a fresh
database, a sample of ml-latest-small with the --movies most-rated movies, 0 for all, and the
tests' fast training config), waits for its first model, then lets --people simulated
people loose at once, each in a thread, as fast as the bot answers: /start, open and rate
5-10 movies of the popular list (a seeded random choice), /recommend. The same people,
pressing as many buttons, then do the same to benchmarks/echo_bot.py with and without
AIORateLimiter (each bot on a fresh fake server of its own).

--faults makes the fake server misbehave for the real bot once the load starts
("500=0.1,drop=0.1,delay5=0.1,429=0.1": see tests/support/api_faults.py). The echo bots run
without faults, as the yardstick: a bare bot has no error handling, so under faults its
people mostly wait out their timeouts. --retrain has an admin send /retrain a quarter of
the way in. --kill sends SIGKILL to the bot a third of the way in and restarts it on the
same database, then checks that every update the bot had fetched but not answered was
answered after the restart, and counts presses answered twice (handled twice).

--database and --replicas run the real bot once per pair: on a SQLite file or a fresh
PostgreSQL database (MOVIEBOT_TEST_POSTGRES, default 127.0.0.1:5432), as one process long
polling (0, the default) or as N replicas in webhook mode on that database and one models
directory, each update POSTed to the next replica in turn (tests/support/delivery.py). Each
process sends at most its share of Telegram's 30 messages a second (MESSAGES_PER_SECOND, 30/N)
unless --messages-per-second says otherwise: a large number shows what the CPUs allow.

Latency is from queueing an update to the fake server's record of the bot's call: the
first answer (a press's answerCallbackQuery; a command's first message) and the finished
screen (the edit or message that completes it). "Lost ratings" are ratings the bot
answered "Saved" for that the database lacks afterwards (or holds with another value).
Prints progress to stderr and a Markdown table to stdout; leaves the bots' logs, the call
logs and every person's steps (JSON lines) and the database in the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.chat import callbacks as cb  # noqa: E402
from bot.chat import texts  # noqa: E402
from tests.support.botapi import Call, FakeBotApi, Message, buttons, make_user  # noqa: E402
from tests.support.data import movielens_dir, write_subset  # noqa: E402
from tests.support.fleet import (  # noqa: E402
    DATABASES,
    Fleet,
    database_for,
    postgres_server_cpu_s,
    stored_ratings_of_all,
)
from tests.support.harness import EDIT_METHODS, make_token, numbered_buttons  # noqa: E402

ADMIN = 7_000_001
FIRST_PERSON = 8_000_001
RATING_BUTTON = re.compile(r"\d(\.5)?( ✓)?")
SAVED = texts.saved("\0", 5).split("\0")[0]  # "Saved: "
RUN_DONE = re.compile(r"training run \d+ (succeeded|rejected|failed)")


# ---- what one person does ------------------------------------------------------------------


@dataclass
class Step:
    """One update a person sent and what came back (wall-clock times)."""

    kind: str  # "command" or "press"
    update_id: int
    queued: float
    first: float | None = None  # the first answer (answerCallbackQuery, or a message)
    finished: float | None = None  # the edit or message that completes it
    sorry: bool = False
    refused: bool = False  # answered with a text such as "busy, press again", no new screen


class Router(threading.Thread):
    """Follows the fake server's call log and hands each call to the person it concerns."""

    def __init__(self, api: FakeBotApi) -> None:
        super().__init__(daemon=True)
        self.api = api
        self.since = api.mark()
        self.inboxes: dict[int, queue.Queue[Call]] = {}
        self.stopping = threading.Event()

    def inbox(self, person: int) -> queue.Queue[Call]:
        return self.inboxes.setdefault(person, queue.Queue())

    def run(self) -> None:
        while not self.stopping.is_set():
            calls = self.api.wait_calls(self.since, 0.2)
            self.since += len(calls)
            for call in calls:
                inbox = self.inboxes.get(_person_of(call) or 0)
                if inbox is not None:
                    inbox.put(call)


def _person_of(call: Call) -> int | None:
    if call.method == "answerCallbackQuery":
        query_id = str(call.params.get("callback_query_id") or "")
        return int(query_id.rsplit("-", 1)[1]) if "-" in query_id else None
    return call.chat_id


class Chat:
    """A person in a private chat, one step at a time; remembers what the bot said "Saved" to."""

    def __init__(self, api: FakeBotApi, router: Router, user_id: int, timeout: float) -> None:
        self.api, self.id, self.timeout = api, user_id, timeout
        self.user = make_user(user_id, f"P{user_id}")
        self.inbox = router.inbox(user_id)
        self.steps: list[Step] = []
        self.saved: dict[int, set[float]] = {}  # movie -> values the database may hold
        self.done = False
        self.crashed: str | None = None

    def command(self, text: str, finished: Callable[[Message], bool]) -> Message | None:
        """Send a command; returns the message that completes the answer (None if none did)."""
        mark, queued = self.api.mark(), time.time()
        sent = self.api.send_text(self.user, text)
        step = self._step("command", self.api.update_id(message=sent), queued)
        done = self._follow(
            step,
            mark,
            first=lambda c: c.method == "sendMessage" and not _is_offer(c.result),
            done=lambda c: c.method == "sendMessage" and finished(c.result),
        )
        return done.result if done else None

    def press(self, message: Message, data: str) -> tuple[Call | None, Message | None]:
        """Press a button; returns the answer and the screen it leads to (None if missing)."""
        mark, queued = self.api.mark(), time.time()
        query_id = self.api.press(self.user, message, data)
        step = self._step("press", self.api.update_id(query_id=query_id), queued)
        answer: list[Call] = []

        def first(call: Call) -> bool:
            ours = call.method == "answerCallbackQuery"
            if ours and call.params.get("callback_query_id") == query_id:
                answer.append(call)
                said = str(call.params.get("text") or "")
                step.refused = bool(said) and not said.startswith(SAVED) and not _is_sorry(call)
                return True
            return False

        def done(call: Call) -> bool:
            if call.method in EDIT_METHODS:
                return call.params.get("message_id") == message["message_id"]
            return call.method == "sendMessage" and _is_screen(call.result)  # a fresh copy

        finished = self._follow(step, mark, first=first, done=done)
        screen = None
        if finished is not None:
            key = (self.id, finished.result["message_id"])
            screen = self.api.message(*key) or finished.result
        return (answer[0] if answer else None), screen

    def current(self, message: Message) -> Message:
        return self.api.message(self.id, message["message_id"]) or message

    def rated(self, movie: int, value: float, answer: Call | None) -> None:
        if answer is not None and str(answer.params.get("text") or "").startswith(SAVED):
            self.saved[movie] = {value}
        elif movie in self.saved:  # an unanswered re-rating may or may not have been stored
            self.saved[movie].add(value)

    def _step(self, kind: str, update_id: int, queued: float) -> Step:
        step = Step(kind, update_id, queued)
        self.steps.append(step)
        return step

    def _follow(
        self, step: Step, mark: int, *, first: Callable[[Call], bool], done: Callable[[Call], bool]
    ) -> Call | None:
        """Read this person's calls until the step is done, the bot said Sorry, or timeout
        (counted from the update, and again from the first answer: the bot is still at it)."""
        deadline = step.queued + self.timeout
        while (remaining := deadline - time.time()) > 0:
            try:
                call = self.inbox.get(timeout=remaining)
            except queue.Empty:
                break
            if call.index < mark or not call.ok:
                continue
            if step.first is None and (first(call) or _is_sorry(call)):
                step.first = call.at
                deadline = call.at + self.timeout
            if _is_sorry(call):
                step.sorry = True
                return None
            if step.refused:  # no screen follows such an answer
                return None
            if done(call):
                step.finished = call.at
                return call
        return None


def _is_sorry(call: Call) -> bool:
    if call.method == "answerCallbackQuery":
        return call.params.get("text") == texts.current().error
    return call.method == "sendMessage" and (call.result or {}).get("text") == texts.current().error


def _is_offer(message: Message) -> bool:
    return str(message.get("text", "")).startswith(texts.offer_recs()[:20])


def _is_screen(message: Message) -> bool:
    return bool(numbered_buttons(message) or _rating_buttons(message))


def _rating_buttons(message: Message) -> list[dict[str, Any]]:
    return [b for b in buttons(message) if RATING_BUTTON.fullmatch(b["text"])]


def _movie(button: dict[str, Any]) -> int | None:
    action = cb.parse(button["callback_data"])
    return getattr(action, "movie_id", None)


def real_person(chat: Chat, rng: random.Random, ratings: int) -> None:
    """/start, open and rate `ratings` movies of the popular list, /recommend."""
    screen = chat.command("/start", lambda m: bool(numbered_buttons(m)))
    if screen is None:  # a person tries once more
        screen = chat.command("/popular", lambda m: bool(numbered_buttons(m)))
    opened: set[int] = set()
    presses = 0
    while screen is not None and len(chat.saved) < ratings and presses < 4 * ratings:
        presses += 1
        current = chat.current(screen)
        if rating := _rating_buttons(current):
            button = rng.choice(rating)
            action = cb.parse(button["callback_data"])
            assert isinstance(action, cb.Rate)
            answer, after = chat.press(current, button["callback_data"])
            chat.rated(action.movie_id, action.half_stars / 2, answer)
        else:
            choices = [b for b in numbered_buttons(current) if _movie(b) not in opened]
            if not choices:
                break
            button = rng.choice(choices)
            opened.add(_movie(button) or 0)
            _, after = chat.press(current, button["callback_data"])
        screen = after or screen
    chat.command("/recommend", lambda m: not _is_offer(m))  # "nothing to recommend" counts


def echo_person(chat: Chat, rng: random.Random, ratings: int) -> None:
    """As many updates as `real_person` sends when all goes well: 1 + 2 x ratings + 1."""
    screen = chat.command("/start", lambda m: bool(buttons(m)))
    for _ in range(2 * ratings):
        if screen is None:
            break
        current = chat.current(screen)
        _, after = chat.press(current, rng.choice(buttons(current))["callback_data"])
        screen = after or screen
    chat.command("/recommend", lambda m: bool(buttons(m)))


# ---- one run -------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    people: int
    updates: int = 0
    wall_s: float = 0.0
    first_press: list[float] = field(default_factory=list)
    first_command: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    silent: int = 0  # steps that got no answer at all before the timeout
    refused: int = 0
    sorry: int = 0
    unanswered: int = 0
    tracebacks: int = 0
    errors: int = 0
    saved: int | None = None
    lost: int | None = None
    duplicate_answers: int = 0
    duplicate_replies: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    driver_cpu_s: float = 0.0  # this process: the people's threads and the fake server
    bot_cpu_s: float | None = None
    database_cpu_s: float | None = None  # the PostgreSQL server's processes
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.updates / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_update(self) -> float | None:
        """The bot's CPU (and the database server's) per update sent: what sizes a replica."""
        if self.bot_cpu_s is None or not self.updates:
            return None
        return 1000 * (self.bot_cpu_s + (self.database_cpu_s or 0.0)) / self.updates


Script = Callable[[Chat, random.Random, int], None]


def run_people(
    api: FakeBotApi,
    script: Script,
    args: argparse.Namespace,
    name: str,
    hook: Callable[[int], None] = lambda sent: None,
) -> tuple[list[Chat], float, float]:
    """Everyone at once, each in a thread; `hook` is called meanwhile with the number of
    updates sent so far (for mid-run events). Returns the chats, the wall time and the CPU
    time this process spent meanwhile."""
    router = Router(api)
    chats = [Chat(api, router, FIRST_PERSON + i, args.timeout) for i in range(args.people)]
    router.start()
    gate = threading.Event()

    def person(index: int, chat: Chat) -> None:
        rng = random.Random(f"{args.seed}:{index}")
        gate.wait()
        try:
            script(chat, rng, rng.randint(5, 10))
        except Exception as error:  # a bug here, not in the bot: say so, keep the others going
            chat.crashed = f"{type(error).__name__}: {error}"
            print(f"[{name}] person {chat.id} stopped: {chat.crashed}", file=sys.stderr)
        finally:
            chat.done = True

    threads = [
        threading.Thread(target=person, args=(i, c), daemon=True) for i, c in enumerate(chats)
    ]
    for thread in threads:
        thread.start()
    started, cpu = time.monotonic(), time.process_time()
    gate.set()
    shown = started
    while not all(chat.done for chat in chats):
        time.sleep(0.1)
        sent = sum(len(chat.steps) for chat in chats)
        hook(sent)
        if time.monotonic() - shown >= 5:
            shown = time.monotonic()
            done = sum(chat.done for chat in chats)
            print(
                f"[{name}] {done}/{len(chats)} people done, {sent} updates, "
                f"{shown - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    wall = time.monotonic() - started
    router.stopping.set()
    return chats, wall, time.process_time() - cpu


def save_calls(api: FakeBotApi, path: Path) -> None:
    """The call log as JSON lines (without keyboards), to look into a run afterwards."""
    with path.open("w") as out:
        for c in api.calls():
            params = {k: v for k, v in c.params.items() if k != "reply_markup"}
            result = c.result
            if c.method == "getUpdates":
                result = [u["update_id"] for u in result or ()]
            elif isinstance(result, dict):
                result = {k: result.get(k) for k in ("message_id", "text") if k in result}
            row = {"i": c.index, "at": c.at, "method": c.method, "params": params, "ok": c.ok}
            row.update(result=result, error=c.error, fault=c.fault)
            out.write(json.dumps(row) + "\n")


def save_steps(chats: list[Chat], path: Path) -> None:
    """Every person's steps as JSON lines (times are wall-clock seconds)."""
    with path.open("w") as out:
        for chat in chats:
            for step in chat.steps:
                out.write(json.dumps({"person": chat.id, **asdict(step)}) + "\n")


def summarise(name: str, api: FakeBotApi, chats: list[Chat], wall: float, log_text: str) -> Result:
    """Latencies, errors and duplicates of one run, from the steps and the call log."""
    steps = [step for chat in chats for step in chat.steps]
    result = Result(name, len(chats), len(steps), wall)
    first = [(s.kind, s.first - s.queued) for s in steps if s.first is not None]
    result.first_press = [seconds for kind, seconds in first if kind == "press"]
    result.first_command = [seconds for kind, seconds in first if kind == "command"]
    result.finished = [s.finished - s.queued for s in steps if s.finished is not None]
    result.silent = sum(s.first is None for s in steps)
    result.refused = sum(s.refused for s in steps)
    if crashed := [chat for chat in chats if chat.crashed]:
        result.notes.append(f"{len(crashed)} people's scripts stopped early: {crashed[0].crashed}")
    calls = api.calls()
    result.sorry = sum(c.ok and _is_sorry(c) for c in calls)
    result.unanswered = len(api.unanswered())
    result.tracebacks = log_text.count("Traceback")
    result.errors = sum(" ERROR " in line for line in log_text.splitlines())
    result.faults = api.fault_counts()
    # A press handled twice is answered twice with its own text (the error handler's
    # "Sorry" after a failed edit is not a second handling); faulted calls never arrived.
    answers = Counter(
        str(c.params.get("callback_query_id"))
        for c in calls
        if c.method == "answerCallbackQuery"
        and (c.fault is None or c.fault.startswith("delay"))
        and c.params.get("text") != texts.current().error
    )
    replies = Counter(
        (c.chat_id, c.result["text"])
        for c in calls
        if c.ok and c.method == "sendMessage" and c.result.get("text") != texts.current().error
    )
    result.duplicate_answers = sum(n - 1 for n in answers.values() if n > 1)
    result.duplicate_replies = sum(n - 1 for n in replies.values() if n > 1)
    return result


def check_ratings(result: Result, chats: list[Chat], database: str) -> None:
    """Ratings answered "Saved" that the database lacks (or holds with another value)."""
    result.saved = result.lost = 0
    stored = stored_ratings_of_all(database, FIRST_PERSON)
    for chat in chats:
        for movie, values in chat.saved.items():
            result.saved += 1
            result.lost += stored.get(chat.id, {}).get(movie) not in values


@dataclass(frozen=True)
class Setup:
    """How the real bot runs: on which database, and as how many replicas (0: one process
    long polling; 1 or more: that many in webhook mode behind one round-robin URL)."""

    database: str = "sqlite"
    replicas: int = 0

    @property
    def name(self) -> str:
        if self == Setup():
            return "real bot"
        if not self.replicas:
            return f"polling, {self.database}"
        return f"{self.replicas} replica{'s' * (self.replicas > 1)}, {self.database}"

    @property
    def slug(self) -> str:
        return f"{self.database}-{self.replicas or 'polling'}"


def real_bot_run(
    args: argparse.Namespace, workdir: Path, movielens: Path, setup: Setup = Setup()
) -> Result:
    root = workdir / setup.slug
    api = FakeBotApi(make_token()).start()
    with database_for(setup.database, root) as database:
        fleet = Fleet(
            api,
            root,
            movielens,
            database,
            replicas=setup.replicas,
            admin_ids=(ADMIN,),
            messages_per_second=args.messages_per_second,
        )
        try:
            return _load_fleet(args, api, fleet, setup, root)
        finally:
            fleet.stop()
            api.stop()


def _load_fleet(
    args: argparse.Namespace, api: FakeBotApi, fleet: Fleet, setup: Setup, root: Path
) -> Result:
    started = time.monotonic()
    fleet.start()
    print(
        f"[{setup.name}] first model serving after {time.monotonic() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    marks = fleet.log_marks()
    api.set_faults(args.faults, args.seed)
    events = MidRun(api, fleet, args)
    bot_cpu, database_cpu = fleet_cpu(fleet), postgres_server_cpu_s()
    chats, wall, driver_cpu = run_people(api, real_person, args, setup.name, events.poll)
    bot_cpu_after = fleet_cpu(fleet) if events.killed_at is None else None
    database_cpu_after = postgres_server_cpu_s()
    api.set_faults(None)
    events.finish()
    delivery = fleet.delivery
    fleet.stop()
    result = summarise(setup.name, api, chats, wall, fleet.logs_since(marks))
    save_calls(api, root / "calls.jsonl")
    save_steps(chats, root / "steps.jsonl")
    result.driver_cpu_s = driver_cpu
    if bot_cpu is not None and bot_cpu_after is not None:
        result.bot_cpu_s = bot_cpu_after - bot_cpu
    if setup.database == "postgresql":
        result.database_cpu_s = database_cpu_after - database_cpu
    result.notes += events.notes
    if delivery is not None:
        result.notes.append(
            f"webhook POSTs per replica {delivery.delivered}, {delivery.failed_posts} retried,"
            f" {delivery.undelivered} given up"
        )
    if args.kill:
        result.notes += kill_report(api, chats, events.killed_at)
    check_ratings(result, chats, fleet.database)
    return result


def fleet_cpu(fleet: Fleet) -> float | None:
    """CPU seconds of every bot process so far, None once one is gone."""
    seconds = [cpu_seconds(pid) for pid in fleet.pids()]
    return None if None in seconds else sum(s for s in seconds if s is not None)


class MidRun:
    """--retrain and --kill: things that happen once enough updates went out."""

    def __init__(self, api: FakeBotApi, fleet: Fleet, args: argparse.Namespace) -> None:
        self.api, self.fleet, self.args = api, fleet, args
        self.bot = fleet.bots[0]  # the one killed (--kill runs one polling process)
        self.retrain_at = args.people * 4 if args.retrain else None
        self.kill_at = args.people * 6 if args.kill else None
        self.retrain_sent: float | None = None
        self.retrain_checked = 0.0
        self.runs_before = 0
        self.killed_at: float | None = None
        self.notes: list[str] = []

    def poll(self, sent: int) -> None:
        if self.retrain_at is not None and sent >= self.retrain_at:
            self.retrain_at = None
            self.runs_before = len(RUN_DONE.findall(self.fleet.log()))
            self.retrain_sent = time.monotonic()
            self.api.send_text(make_user(ADMIN, "Admin"), "/retrain")
            print("[bot] admin sent /retrain", file=sys.stderr, flush=True)
        if self.retrain_sent is not None and time.monotonic() - self.retrain_checked >= 1:
            self.retrain_checked = time.monotonic()
            self.retrain_ended()
        if self.kill_at is not None and sent >= self.kill_at:
            self.kill_at = None
            self.kill_and_restart()

    def retrain_ended(self) -> bool:
        """Whether the admin's run has ended (noted once, with how long it took)."""
        if self.retrain_sent is None:
            return True
        found = RUN_DONE.findall(self.fleet.log())
        if len(found) <= self.runs_before:
            return False
        took = time.monotonic() - self.retrain_sent
        self.notes.append(f"/retrain mid-run: {found[-1]} about {took:.0f} s after the command")
        self.retrain_sent = None
        return True

    def kill_and_restart(self) -> None:
        self.bot.kill()  # SIGKILL to the whole process group
        self.killed_at = time.time()
        print("[bot] killed with SIGKILL; restarting", file=sys.stderr, flush=True)
        self.api.set_faults(None)  # let it start: getMe must not fail
        started = time.monotonic()
        self.bot.start()
        self.bot.wait_polling(120)
        self.api.set_faults(self.args.faults, self.args.seed + 1)
        self.notes.append(
            f"restarted after kill -9, polling again in {time.monotonic() - started:.1f} s"
        )
        if self.retrain_sent is not None and not self.retrain_ended():
            self.notes.append("/retrain mid-run: killed with the bot before it finished")
            self.retrain_sent = None

    def finish(self) -> None:
        """Wait for the admin's run, if one is still going."""
        deadline = time.monotonic() + 600
        while not self.retrain_ended():
            if time.monotonic() > deadline:
                self.notes.append("/retrain mid-run: no result within 10 minutes")
                return
            for bot in self.fleet.bots:
                bot.check_alive()
            time.sleep(0.5)


def kill_report(api: FakeBotApi, chats: list[Chat], killed_at: float | None) -> list[str]:
    """Updates the bot had fetched before the kill but not answered: answered afterwards?"""
    if killed_at is None:
        return ["kill: the load ended before the kill point"]
    fetched = {
        u["update_id"] for c in api.calls("getUpdates") if c.at <= killed_at for u in c.result or ()
    }
    steps = {s.update_id: s for chat in chats for s in chat.steps}
    pending = [steps[u] for u in fetched if u in steps]
    pending = [s for s in pending if s.first is None or s.first > killed_at]
    after = sum(s.first is not None for s in pending)
    return [
        f"kill: {len(pending)} updates fetched before the kill were unanswered then; "
        f"{after} answered after the restart, {len(pending) - after} never"
    ]


def echo_run(args: argparse.Namespace, workdir: Path, limiter: bool) -> Result:
    name = "echo bot, limiter" if limiter else "echo bot, no limiter"
    api = FakeBotApi(make_token()).start()
    log_path = workdir / ("echo-limiter.log" if limiter else "echo-nolimiter.log")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url}
    command = [sys.executable, str(REPO / "benchmarks" / "echo_bot.py")]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command + ([] if limiter else ["--no-limiter"]),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        if not api.wait_poll(0, timeout=60):
            raise RuntimeError(f"the echo bot did not start; see {log_path}")
        bot_cpu = cpu_seconds(process.pid)
        chats, wall, driver_cpu = run_people(api, echo_person, args, name)
        bot_cpu_after = cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        api.stop()
    result = summarise(name, api, chats, wall, log_path.read_text(errors="replace"))
    save_calls(api, log_path.with_suffix(".calls.jsonl"))
    save_steps(chats, log_path.with_suffix(".steps.jsonl"))
    result.driver_cpu_s = driver_cpu
    if bot_cpu is not None and bot_cpu_after is not None:
        result.bot_cpu_s = bot_cpu_after - bot_cpu
    return result


# ---- the table -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _seconds(values: list[float]) -> str:
    shown = [percentile(values, q) for q in (50, 95, 99)]
    return " / ".join("-" if v is None else f"{v:.2f}" for v in shown)


def _cpu(result: Result) -> str:
    shown = [result.driver_cpu_s, result.bot_cpu_s, result.database_cpu_s]
    return " / ".join("-" if v is None else f"{v:.0f}" for v in shown)


def _per_update(result: Result) -> str:
    ms = result.cpu_ms_per_update
    return "-" if ms is None else f"{ms:.1f}"


def cpu_seconds(pid: int) -> float | None:
    """CPU time of a process and its waited-for children so far (Linux), None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def table(results: list[Result]) -> str:
    rows: list[tuple[str, Callable[[Result], object]]] = [
        ("people", lambda r: r.people),
        ("updates sent", lambda r: r.updates),
        ("wall time, s", lambda r: f"{r.wall_s:.1f}"),
        ("updates/s", lambda r: f"{r.rate:.1f}"),
        ("first answer to a press p50 / p95 / p99, s", lambda r: _seconds(r.first_press)),
        ("first reply to a command p50 / p95 / p99, s", lambda r: _seconds(r.first_command)),
        ("finished screen p50 / p95 / p99, s", lambda r: _seconds(r.finished)),
        ("updates without an answer within --timeout", lambda r: r.silent),
        ("presses refused (busy...), no new screen", lambda r: r.refused),
        ('"Sorry" replies', lambda r: r.sorry),
        ("unanswered presses", lambda r: r.unanswered),
        ("tracebacks in the log", lambda r: r.tracebacks),
        ("ERROR lines in the log", lambda r: r.errors),
        ("ratings answered Saved", lambda r: "-" if r.saved is None else r.saved),
        ("lost ratings", lambda r: "-" if r.lost is None else r.lost),
        ("extra answers to one press", lambda r: r.duplicate_answers),
        ("duplicate replies", lambda r: r.duplicate_replies),
        ("CPU s: driver and fake server / bot / PostgreSQL server", _cpu),
        ("bot + database CPU ms per update", _per_update),
        (
            "faulted calls",
            lambda r: ", ".join(f"{k}: {v}" for k, v in sorted(r.faults.items())) or "-",
        ),
    ]
    lines = [
        "| | " + " | ".join(r.name for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    lines += [
        f"| {label} | " + " | ".join(str(cell(r)) for r in results) + " |" for label, cell in rows
    ]
    return "\n".join(lines)


def setups(args: argparse.Namespace) -> list[Setup]:
    """--database x --replicas, every pair; refused where --kill cannot apply."""
    databases = [d.strip() for d in args.database.split(",") if d.strip()]
    if unknown := set(databases) - set(DATABASES):
        raise SystemExit(f"--database: unknown {sorted(unknown)}; choose from {DATABASES}")
    try:
        counts = [int(n) for n in args.replicas.split(",") if n.strip()]
    except ValueError:
        raise SystemExit(f"--replicas: numbers, comma-separated; got {args.replicas!r}") from None
    if not databases or not counts or min(counts) < 0:
        raise SystemExit("--database and --replicas each need at least one value (replicas >= 0)")
    if args.kill and max(counts) > 0:
        raise SystemExit("--kill restarts one polling process: use it with --replicas 0")
    return [Setup(database, count) for database in databases for count in counts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql or both")
    parser.add_argument(
        "--replicas", default="0", help="e.g. 1,2: that many in webhook mode; 0: one polling"
    )
    parser.add_argument(
        "--messages-per-second",
        type=float,
        help="each bot process's MESSAGES_PER_SECOND (default: Telegram's 30 split between"
        " the replicas; a large number measures what the CPUs allow)",
    )
    parser.add_argument("--faults", default="", help='e.g. "500=0.1,drop=0.1,delay5=0.1,429=0.1"')
    parser.add_argument("--retrain", action="store_true", help="an admin sends /retrain mid-run")
    parser.add_argument("--kill", action="store_true", help="kill -9 the bot mid-run, restart")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo bot runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--movies", type=int, default=600, help="most-rated movies; 0: all")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a person waits")
    parser.add_argument("--dir", type=Path, help="work folder (default: a new temporary one)")
    args = parser.parse_args()
    FakeBotApi("1:check", faults=args.faults)  # a bad spec fails here, before anything starts
    runs = setups(args)
    if args.kill:
        args.timeout = max(args.timeout, 90.0)  # the restart takes a while
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="moviebot-load-"))
    movielens = movielens_dir()
    if args.movies:
        movielens = write_subset(movielens, workdir / "movielens", n_movies=args.movies)

    results = [real_bot_run(args, workdir, movielens, setup) for setup in runs]
    real = list(results)
    if not args.no_echo:
        results += [echo_run(args, workdir, limiter=True), echo_run(args, workdir, limiter=False)]

    flags = " ".join(
        f
        for f in (
            f"--faults {args.faults}" if args.faults else "",
            "--retrain" * args.retrain,
            "--kill" * args.kill,
            f"--messages-per-second {args.messages_per_second:g}"
            if args.messages_per_second
            else "",
        )
        if f
    )
    if flags and not args.no_echo:
        flags += " (the real bot only: the echo bots run without)"
    print(f"\n{args.people} people, seed {args.seed}{', ' + flags if flags else ''}\n")
    print(table(results))
    for echo in results[len(real) :]:
        for bot in real:
            if echo.rate:
                print(
                    f"\n{bot.name} / {echo.name}: {bot.rate / echo.rate:.2f} x the updates/s",
                    end="",
                )
    print()
    for result in results:
        for note in result.notes:
            print(f"- {result.name}: {note}")
    print(f"\nlogs and databases: {workdir} (PostgreSQL databases are dropped)")


if __name__ == "__main__":
    main()
