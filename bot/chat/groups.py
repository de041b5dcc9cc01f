"""Group chats: every bot message belongs to the person it answered.

In a private chat the chat is the person. In a group, a list Alice asked for stays Alice's: a
press by Bob never edits it, but opens Bob's own copy as a new message (replying to the one
he pressed), and whatever Bob rates is stored for Bob. So the owner of each bot message with
buttons is recorded when it is sent (bot.storage.chats) and checked when it is pressed.
"""

from __future__ import annotations

from html import escape

from telegram import Bot, CallbackQuery, Chat, Message, ReplyParameters, User
from telegram.constants import ParseMode

from bot.chat import group_texts, texts
from bot.chat.screens import Screen
from bot.storage import Storage


def in_group(chat: Chat) -> bool:
    """Whether the chat is shared by several people (a group or supergroup)."""
    return chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def pressed_in_group(query: CallbackQuery) -> bool:
    """Whether the press was on a message in a group."""
    return query.message is not None and in_group(query.message.chat)


async def note(storage: Storage, chat: Chat, user: User) -> None:
    """Remember that `user` uses the bot in this group (the group's /recommend is for the
    members who did); nothing for private chats."""
    if in_group(chat):
        await storage.note_member(chat.id, user.id, user.first_name)


async def owned(storage: Storage, message: Message, owner: User) -> Message:
    """Record that the bot's `message` answers `owner` (in a group; a private chat needs no
    record); returns the message."""
    if in_group(message.chat) and message.reply_markup is not None:
        await storage.own_message(message.chat.id, message.message_id, owner.id)
    return message


async def may_edit(storage: Storage, message: Message, presser: User) -> bool:
    """Whether a press by `presser` may edit the bot's `message`: always in a private chat;
    in a group only for the person the message answered (an unknown owner: nobody)."""
    if not in_group(message.chat):
        return True
    return await storage.message_owner(message.chat.id, message.message_id) == presser.id


async def send_copy(
    bot: Bot, storage: Storage, pressed: Message, presser: User, screen: Screen
) -> Message:
    """Send `presser` their own copy of `screen` in the group, replying to the message they
    pressed and naming them, and record that it is theirs."""
    text = texts.clip(f"{group_texts.for_person(escape(presser.first_name))}\n{screen.text}")
    sent = await bot.send_message(
        pressed.chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=screen.markup,
        reply_parameters=ReplyParameters(pressed.message_id, allow_sending_without_reply=True),
    )
    return await owned(storage, sent, presser)


def quoting(message: Message) -> ReplyParameters | None:
    """In a group, a reply quotes the message it answers, so everyone sees whose it is."""
    if not in_group(message.chat):
        return None
    return ReplyParameters(message.message_id, allow_sending_without_reply=True)
