"""What Telegram accepts from a bot: message and keyboard limits, HTML parsing, errors.

The fake Bot API applies these so that a bot breaking them fails in tests the way it
would fail in production (a 400 answer), not silently.
"""

from __future__ import annotations

import html
import re
from typing import Any

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
BUTTON_LIMIT = 100
BUTTONS_PER_ROW = 8
CALLBACK_ANSWER_LIMIT = 200
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"tg-emoji", "code", "pre", "blockquote"}
)
_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z-]*)[^<>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<&]")
_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class ApiError(Exception):
    """A Bot API error response: Telegram's HTTP status and description."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        answer = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            answer["parameters"] = self.parameters
        return answer


def plain_text(text: str, parse_mode: str | None) -> str:
    """What the person sees: Telegram parses HTML and rejects what it cannot parse."""
    if not parse_mode:
        return text
    if parse_mode.upper() != "HTML":
        return re.sub(r"\\(.)", r"\1", text)  # Markdown: good enough to read the text
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _HTML_TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if match.group(2) is not None and token.startswith("<"):
            closing, tag = match.group(1), match.group(2).lower()
            if tag not in _HTML_TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag!r}")
            if not closing:
                stack.append(tag)
            elif not stack or stack.pop() != tag:
                raise ApiError(400, f"Bad Request: can't parse entities: unmatched </{tag}>")
        elif match.group(3) is not None:
            name = match.group(3)
            if not name.startswith("#") and name not in _ENTITIES:
                raise ApiError(400, f"Bad Request: can't parse entities: unknown entity &{name};")
            out.append(html.unescape(token))
        else:
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped {token!r}")
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed <{stack[-1]}>")
    out.append(text[pos:])
    return "".join(out)


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Telegram's limits on inline keyboards, which a bot only learns about in production."""
    if markup is None:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if rows is None:
        return markup  # reply keyboards etc.: echoed as they are
    count = 0
    for row in rows:
        if len(row) > BUTTONS_PER_ROW:
            raise ApiError(400, "Bad Request: too many buttons in a row")
        for button in row:
            count += 1
            if not button.get("text"):
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if count > BUTTON_LIMIT:
        raise ApiError(400, "Bad Request: reply markup is too long")
    return markup or None


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0
