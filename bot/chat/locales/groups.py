"""Group chats, in each language: whose copy a message is, and the group's own list.

Held by the person-facing catalogues (bot.chat.locales.en, .ru, .es) as their `groups`. A
group is addressed as a whole, so where a language says "you" to several people the text
avoids the singular «ты»/«tú» (and, in Spanish, the «vosotros»/«ustedes» split).
"""

from __future__ import annotations

from bot.chat.locales import GroupCatalogue

EN = GroupCatalogue(
    private_only=(
        "That list is yours alone, so I show it only in our private chat: open it with the "
        "button below."
    ),
    button_private_chat="Open a private chat",
    in_group_privacy="Your ratings stay private: I never show anyone's stars in a group.",
    for_person="<b>For {name}</b>",
    names_and=" and ",
    nobody_rated=(
        "Nobody here has rated movies with me yet. Rate a few (/start), then ask again: "
        "I'll pick movies for everyone who has."
    ),
    nothing_for_all=(
        "I found nothing{scope} that {names} are all likely to enjoy "
        "(3 stars or more for each of you). Rate a few more movies, or try a genre."
    ),
    head=(
        "<b>For {names}{scope}</b>: movies none of you has rated or hidden, "
        "ranked by the least happy of you."
    ),
    item="{number}. <b>{title}</b> — ★{stars} at least",
    asker_unrated="You haven't rated anything yet: rate a few movies to be counted too.",
    footer="The list is for everyone who has rated movies with me and used me in this chat.",
)

RU = GroupCatalogue(
    private_only=(
        "Этот список только твой, поэтому я показываю его лишь в личном чате: открой его "
        "кнопкой ниже."
    ),
    button_private_chat="Открыть личный чат",
    in_group_privacy="Твои оценки остаются при тебе: в группе я ничьих звёзд не показываю.",
    for_person="<b>Для {name}</b>",
    names_and=" и ",
    nobody_rated=(
        "Здесь со мной ещё никто не оценивал фильмы. Оцените несколько (/start) и спросите "
        "снова: я подберу фильмы для всех, кто оценивал."
    ),
    nothing_for_all=(
        "Я не нашёл ничего{scope}, что наверняка понравится всем: {names} "
        "(3 звезды или больше у каждого). Оцените ещё несколько фильмов или выберите жанр."
    ),
    head=(
        "<b>Для {names}{scope}</b>: фильмы, которые никто из вас не оценивал и не скрывал, "
        "по оценке самого недовольного из вас."
    ),
    item="{number}. <b>{title}</b> — не меньше ★{stars}",
    asker_unrated="Ты пока ничего не оценил(а): оцени несколько фильмов, чтобы тебя тоже учли.",
    footer="Список для всех, кто оценивал со мной фильмы и пользовался мной в этом чате.",
)

ES = GroupCatalogue(
    private_only=(
        "Esa lista es solo tuya, así que solo la muestro en nuestro chat privado: ábrela con el "
        "botón de abajo."
    ),
    button_private_chat="Abrir un chat privado",
    in_group_privacy=(
        "Tus valoraciones son privadas: nunca muestro las estrellas de nadie en un grupo."
    ),
    for_person="<b>Para {name}</b>",
    names_and=" y ",
    nobody_rated=(
        "Aquí nadie ha valorado películas conmigo todavía. Hace falta valorar unas cuantas "
        "(/start) y volver a preguntar: elegiré películas para todos los que lo hayan hecho."
    ),
    nothing_for_all=(
        "No encontré nada{scope} que seguramente les guste a todos: {names} "
        "(3 estrellas o más para cada uno). Hace falta valorar algunas películas más, "
        "o probar un género."
    ),
    head=(
        "<b>Para {names}{scope}</b>: películas que nadie ha valorado ni ocultado, "
        "ordenadas según a quien menos le gustarían."
    ),
    item="{number}. <b>{title}</b> — ★{stars} como mínimo",
    asker_unrated="Aún no has valorado nada: valora algunas películas para que también cuentes.",
    footer=(
        "La lista es para todos los que han valorado películas conmigo y me han usado en este chat."
    ),
)
