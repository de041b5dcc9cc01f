"""Spanish: informal «tú», in words understood in Spain and Latin America alike."""

from __future__ import annotations

from bot.chat.locales import (
    ByMark,
    Catalogue,
    Commands,
    OneOther,
    admin,
    groups,
)

CATALOGUE = Catalogue(
    commands=Commands(
        start="Bienvenida y películas populares",
        popular="Las 50 películas con más valoraciones, para valorar",
        recommend="Películas elegidas para ti (añade un género: /recommend comedy)",
        search="Busca una película por título: /search matrix",
        myratings="Tus valoraciones: cámbialas o quítalas",
        watchlist="Películas que guardaste para más tarde",
        hidden="Películas que ocultaste (no vista, no me interesa): deshazlo desde aquí",
        export="Tus valoraciones y listas en un archivo CSV",
        language="Elige el idioma en que te hablo",
        forget="Borra todo lo que guardo sobre ti",
        help="Cómo funciona este bot",
    ),
    description=(
        "Te recomiendo películas que aún no has visto.\n\n"
        "Toca Iniciar y valora algunas películas que conozcas entre las más populares (o "
        "búscalas por título). Comparo tus gustos con unas cien mil valoraciones de MovieLens y "
        "te envío un top 10 personal; cada nueva valoración afina la siguiente lista."
    ),
    short_description="Películas según tus valoraciones: valora unas cuantas y recibe un top 10.",
    welcome=(
        "<b>¡Hola! Te recomiendo películas que aún no has visto.</b>\n\n"
        "1. Toca abajo una película que conozcas y valórala de 0.5 a 5 estrellas "
        "(o toca <i>No vista</i>).\n"
        "2. {after}, envía /recommend para ver tu top 10 personal.\n"
        "3. Cada nueva valoración afina la siguiente lista.\n\n"
        "/help muestra todo lo que sé hacer."
    ),
    welcome_after=OneOther(
        one="Tras {n} valoración",
        other="Tras {n} valoraciones",
    ),
    help_intro=(
        "<b>Cómo funciona</b>\n"
        "Valora las películas que has visto; comparo tus gustos con unas cien mil "
        "valoraciones de MovieLens y predigo cómo valorarías el resto."
    ),
    help_outro="También puedes enviarme sin más parte de un título para buscarlo.",
    busy_press_again="Perdona, estaba demasiado ocupado para hacerlo a tiempo. Vuelve a tocarlo.",
    bad_button="Este botón está caducado o no es válido. No se ha cambiado nada.",
    unknown_movie="No conozco esa película. No se ha cambiado nada.",
    not_yours="Este botón es de otra persona.",
    not_rated="No habías valorado esa película.",
    not_marked="No hay nada que deshacer en esa película.",
    already_rated="Ya valoraste esa película: primero quita la valoración.",
    marked=ByMark(
        not_seen="Oculta: no volverá a salir en tus listas. /hidden para deshacerlo.",
        not_interested="Entendido: no te la recomendaré, ni mucho las parecidas. "
        "/hidden para deshacerlo.",
        later="Guardada en tu /watchlist.",
    ),
    mark_state=ByMark(
        not_seen="Dijiste que no la has visto.",
        not_interested="Dijiste que no te interesa.",
        later="Está en tu lista para más tarde.",
    ),
    undone=ByMark(
        not_seen="Vuelve a estar en tus listas.",
        not_interested="Puede que te la vuelva a recomendar.",
        later="Quitada de tu lista para más tarde.",
    ),
    unknown_genre_button="Mi modelo ya no conoce ese género. No se ha cambiado nada.",
    nothing_new="Nada nuevo por ahora: valora algunas películas más y vuelve a actualizar.",
    forgotten_short="Borrado.",
    saved="Guardado: {title} ★{stars}",
    removed="Quitada tu valoración de {title}",
    language_saved="Listo: ahora te hablo en español.",
    unknown_command="No conozco ese comando. /help muestra lo que sé hacer.",
    error="Perdona, algo ha fallado por mi parte. Inténtalo de nuevo en un momento.",
    search_usage="Envía /search y parte de un título, por ejemplo: <code>/search toy story</code>",
    no_ratings="Aún no has valorado ninguna película. Envía /popular para empezar.",
    no_watchlist=(
        "Tu lista para más tarde está vacía. "
        "Toca <i>Más tarde</i> en una película para guardarla aquí."
    ),
    no_hidden="No has ocultado ninguna película.",
    no_similar="Aún no conozco películas parecidas a esa.",
    unknown_movie_link=(
        "Ese enlace lleva a una película que no conozco. Aquí tienes las populares."
    ),
    forget_nothing="No guardo nada sobre ti.",
    forget_cancelled="Cancelado: no se ha borrado nada.",
    forgotten=(
        "Listo: he borrado todo lo que guardaba sobre ti. Envía /start para empezar de nuevo."
    ),
    forgotten_models=OneOther(
        one="Listo: he borrado tus valoraciones, tus películas ocultas y guardadas y todo lo "
        "demás que guardaba sobre ti, y te he quitado del modelo entrenado que conservo. Lo "
        "que aprendió sobre las películas en sí de las valoraciones de todos, también las tuyas, "
        "se vuelve a aprender sin ti en el próximo entrenamiento. Envía /start para empezar de "
        "nuevo.",
        other="Listo: he borrado tus valoraciones, tus películas ocultas y guardadas y todo lo "
        "demás que guardaba sobre ti, y te he quitado de los {n} modelos entrenados que conservo. "
        "Lo que aprendieron sobre las películas en sí de las valoraciones de todos, también las "
        "tuyas, se vuelve a aprender sin ti en el próximo entrenamiento. Envía /start para "
        "empezar de nuevo.",
    ),
    forgotten_unclean=(
        "He borrado tus valoraciones, tus películas ocultas y guardadas y todo lo demás sobre ti "
        "de mi base de datos, pero no pude revisar ni reescribir todos los modelos entrenados "
        "que conservo, así que alguno aún podría conocerte: el admin puede ver por qué en mi "
        "registro. Lo vuelvo a intentar en cada reinicio, y ningún modelo nuevo te incluirá. "
        "Envía /start para empezar de nuevo."
    ),
    export_nothing="No guardo nada sobre ti que exportar. Valora antes una película: /popular",
    export_caption=(
        "Aquí van {ratings} y {marks}: columnas de MovieLens (movieId, title, rating, "
        "timestamp) más signal (rating, not_seen, not_interested o later)."
    ),
    export_ratings=OneOther(one="{n} valoración", other="{n} valoraciones"),
    export_marks=OneOther(
        one="{n} película oculta o guardada", other="{n} películas ocultas o guardadas"
    ),
    offer_recs=OneOther(
        one="¡Ya llevas {n} valoración: suficiente para recomendaciones personales! "
        "Valora más cuando quieras para afinarlas.",
        other="¡Ya llevas {n} valoraciones: suficientes para recomendaciones personales! "
        "Valora más cuando quieras para afinarlas.",
    ),
    needs_a_person=(
        "Aquí no sé quién eres (un admin anónimo, un canal o un bot), y las valoraciones "
        "son de una sola persona. Valora películas en un chat privado conmigo."
    ),
    admin_needs_a_person=(
        "Los comandos de admin necesitan saber quién eres: envíalos desde tu propia cuenta, "
        "no de forma anónima ni como canal."
    ),
    text_only="Solo leo texto: envíame parte del título de una película para buscarla, o /help.",
    database_busy="Estoy ocupado: eso no se ha guardado. Inténtalo de nuevo en un momento.",
    cannot_save=(
        "Ahora mismo no puedo guardar valoraciones ni otros cambios: mi base de datos no está "
        "disponible. No se ha cambiado nada. Ya he avisado al admin."
    ),
    button_prev="« Anterior",
    button_next="Siguiente »",
    button_back="« Volver",
    button_back_to="« Volver a {title}",
    button_not_seen="No vista",
    button_not_interested="No me interesa",
    button_later="Más tarde",
    button_more_like_this="Más como esta",
    button_remove="Quitar valoración",
    button_undo=ByMark(
        not_seen="Deshacer No vista",
        not_interested="Deshacer No me interesa",
        later="Quitar de más tarde",
    ),
    button_show_recs="Ver mis recomendaciones",
    button_genres="Géneros…",
    button_refresh="Actualizar",
    button_all_genres="Todos los géneros",
    button_rate_by_genre="Valorar por género",
    button_other_genres="« Géneros",
    button_forget_yes="Sí, borrar todo",
    button_forget_no="Cancelar",
    rated_enough="Valoradas: {rated}. Envía /recommend para ver tus recomendaciones.",
    rated_more=OneOther(
        one="Valoradas: {rated}. Valora {n} más para recibir recomendaciones personales.",
        other="Valoradas: {rated}. Valora {n} más para recibir recomendaciones personales.",
    ),
    popular=(
        "<b>Películas populares</b> (página {page}/{pages})\n"
        "Toca una que hayas visto para valorarla."
    ),
    popular_in=(
        "<b>Populares del género {genre}</b> (página {page}/{pages})\n"
        "Toca una que hayas visto para valorarla."
    ),
    nothing_left_in=(
        "Ya valoraste u ocultaste todas las películas populares del género {genre}: "
        "elige otro género."
    ),
    genres_to_rate=(
        "¿Qué género te gusta? Te mostraré sus películas más valoradas para que las valores."
    ),
    unknown_genre_to_rate="Ya no conozco ese género. Elige otro:",
    my_ratings=(
        "<b>Tus valoraciones</b>: {total} (página {page}/{pages})\n"
        "Toca una película para cambiar o quitar su valoración."
    ),
    watchlist=(
        "<b>Tu lista para más tarde</b>: {total} (página {page}/{pages})\n"
        "Toca una película para valorarla cuando la hayas visto, o para quitarla de la lista."
    ),
    hidden=(
        "<b>Películas ocultas</b>: {total} (página {page}/{pages})\n"
        "Toca una para deshacerlo: volverá a tus listas y recomendaciones."
    ),
    no_genres="sin géneros",
    card_year="Año: {year}",
    card_genres="Géneros: {genres}",
    card_average=OneOther(
        one="MovieLens: ★{mean:.1f} de media con {n} valoración",
        other="MovieLens: ★{mean:.1f} de media con {n} valoraciones",
    ),
    card_no_ratings="MovieLens: aún sin valoraciones",
    card_predicted="Creo que le darías <b>★{stars}</b>",
    card_your_rating="Tu valoración: <b>★{stars}</b>. Toca otro valor para cambiarla.",
    card_marked="{state} ¿Al final la viste? Valórala.",
    card_ask="¿Cómo la valorarías?",
    recs_scope=" del género {genre}",
    recs_none=(
        "Ahora mismo no tengo nada nuevo que recomendarte{scope}: nada que crea que "
        "valorarías con 3 estrellas o más. Valora algunas películas que te gustaron, "
        "prueba un género o mira /popular."
    ),
    recs_personal=OneOther(
        one="<b>Elegidas para ti{scope}</b> a partir de tu única valoración:",
        other="<b>Elegidas para ti{scope}</b> a partir de tus {n} valoraciones:",
    ),
    recs_few=OneOther(
        one="<b>Elegidas para ti{scope}</b>. Con solo {n} valoración, esta lista es poco "
        "personal: {more}",
        other="<b>Elegidas para ti{scope}</b>. Con solo {n} valoraciones, esta lista es poco "
        "personal: {more}",
    ),
    recs_few_more=OneOther(
        one="valora {n} película más para afinarla.",
        other="valora {n} películas más para afinarla.",
    ),
    recs_popular_new=(
        "<b>Populares{scope}</b>. Esta lista es poco personal: "
        "valora primero algunas películas (/popular)."
    ),
    recs_popular_learning=(
        "<b>Populares{scope}</b>. Esta lista es poco personal: mi modelo aún está "
        "aprendiendo; pronto llegarán las recomendaciones personales."
    ),
    recs_weak="Nada{scope} tiene pinta de gustarte mucho: es lo mejor que tengo, "
    "por debajo de 3 estrellas.",
    recs_item="{number}. <b>{title}</b> — previsión ★{stars}",
    recs_because="porque valoraste {title} con {stars}",
    recs_ignored=OneOther(
        one="{n} de tus valoraciones es de una película que mi modelo aún no ha aprendido; "
        "contará tras el próximo reentrenamiento.",
        other="{n} de tus valoraciones son de películas que mi modelo aún no ha aprendido; "
        "contarán tras el próximo reentrenamiento.",
    ),
    recs_tap="Toca una película para valorarla, o dime debajo: no vista, no me interesa, "
    "más tarde.",
    genre_picker="¿Qué género?",
    unknown_genre="No conozco el género «{given}». Prueba uno de estos: ",
    unknown_genre_example="Por ejemplo: <code>/recommend comedy</code>",
    search_count=OneOther(
        one="<b>{n:,} película coincide con «{query}»</b>{where}",
        other="<b>{n:,} películas coinciden con «{query}»</b>{where}",
    ),
    search_some_exact=OneOther(
        one="<b>{n} película coincide con «{query}»</b>, y luego títulos parecidos{where}:",
        other="<b>{n} películas coinciden con «{query}»</b>, y luego títulos parecidos{where}:",
    ),
    search_no_exact="Nada coincide exactamente con «{query}»; <b>títulos parecidos</b>{where}:",
    search_page=" (página {page}/{pages})",
    search_tap="Toca una para valorarla.",
    search_first="Estas son las primeras {shown:,}: añade una palabra para afinar la búsqueda.",
    no_results=(
        "Ningún título contiene «{query}» ni nada parecido. "
        "Prueba con una parte más corta del título, p. ej. <code>/search matrix</code>."
    ),
    similar="<b>Más como {title}</b>: toca una para valorarla.",
    forget_confirm=(
        "Esto borra {what} y todo lo demás que guardo sobre ti. No se puede deshacer. ¿Seguro?"
    ),
    forget_ratings=OneOther(one="tu valoración", other="tus {n} valoraciones"),
    forget_marks=OneOther(
        one=", la película que ocultaste o guardaste",
        other=", las {n} películas que ocultaste o guardaste",
    ),
    language_prompt="¿En qué idioma te hablo?",
    groups=groups.ES,
    admin=admin.ES,
)
