"""What admins read, in each language: /retrain, /model, /rollback, /stats, scheduled runs.

Kept apart from the person-facing catalogues (bot.chat.locales.en, .ru, .es), which hold
these as their `admin` field. Numbers keep their English form (1,234 and 0.8512) in every
language, as the rest of the bot writes them.
"""

from __future__ import annotations

from bot.chat.locales import AdminCatalogue, AdminCommands, Columns, Outcomes, Stages

EN = AdminCatalogue(
    commands=AdminCommands(
        stats="Admin: people, ratings and training runs, with a chart",
        model="Admin: the serving model and its scores",
        retrain="Admin: train a new model now",
        rollback="Admin: switch back to the previous model",
    ),
    refusal="Sorry, this command is only for the bot's admins.",
    already_running="A training run is already going; /stats shows how it ended.",
    started="Retraining: starting…",
    stopped="Retraining stopped: the bot is shutting down. The old model keeps serving.",
    no_model="No trained model yet: people get the popularity list.",
    stages=Stages(
        starting="starting",
        snapshot="taking a snapshot of all ratings",
        training="training",
        evaluating="scoring the new and the current model on the held-out ratings",
        saving="saving the new model",
        loading="loading the new model",
    ),
    outcomes=Outcomes(
        succeeded="✅ New model swapped in",
        rejected="↩️ New model rejected; the old one keeps serving",
        failed="❌ Training failed; the old model keeps serving",
        busy="⏳ A training run is already going",
    ),
    columns=Columns(
        new="new", current="current", popular="popular", model="model", not_available="n/a"
    ),
    progress="<b>Retraining</b>: {stage}…",
    progress_data=(
        "Data: {n_ratings:,} ratings, {n_users:,} people, {n_movies:,} movies"
        " ({n_holdout:,} held out)"
    ),
    progress_epoch="Epoch {epoch}{total}{rmse}",
    progress_rmse=", validation RMSE {rmse:.4f}",
    report_run=" (run {run_id}, {seconds:.0f} s)",
    report_serving="Now serving <code>{version}</code>",
    model_head="<b>Serving model</b> <code>{version}</code>",
    model_unsaved="(unsaved)",
    model_kind="Kind: {kind}, trained {when}",
    model_data=(
        "Trained on {n_ratings:,} ratings from {n_users:,} people, {n_movies:,} movies"
        " (the held-out part excluded)"
    ),
    model_scores="Scores on the held-out ratings:",
    model_val_rmse="Validation RMSE {rmse:.4f} (no held-out scores stored)",
    model_since="Ratings from the bot since the last successful run: {since:,}",
    model_schedule="Scheduled retraining: {schedule}",
    rolled_back_to_older=(
        "↩️ <b>Rolled back</b> to the older model <code>{version}</code> (trained {created}).\n"
        "It replaces <code>{replaced}</code> (trained {replaced_at}). "
        "Send /rollback again to switch back to it."
    ),
    switched_to_newer=(
        "↪️ <b>Switched to the newer model</b> <code>{version}</code> (trained {created}).\n"
        "It replaces the older <code>{replaced}</code> (trained {replaced_at}). "
        "Send /rollback again to go back to that one."
    ),
    switched_to="<b>Switched models</b>: now serving <code>{version}</code> (trained {created}).",
    rollback_refused="Cannot roll back: {reason}. The current model keeps serving.",
    stats_title="<b>Stats</b>",
    stats_people="People: {telegram:,} from Telegram, {movielens:,} from MovieLens",
    stats_bot_ratings="Ratings from the bot: {today:,} today, {total:,} in total",
    stats_active="Active people in the last 7 days: {active:,}",
    stats_all="All ratings: {ratings:,}",
    stats_runs="<b>Last runs</b>",
    stats_no_runs="No training runs yet.",
    stats_caption=(
        "Left: validation RMSE by epoch. Right: each run's held-out scores against the serving "
        "model, the gate's margin and the popularity baseline."
    ),
    scheduled_failed="Scheduled retraining failed: {reason}",
)


RU = AdminCatalogue(
    commands=AdminCommands(
        stats="Админ: люди, оценки и запуски обучения, с графиком",
        model="Админ: текущая модель и её результаты",
        retrain="Админ: обучить новую модель сейчас",
        rollback="Админ: вернуться к предыдущей модели",
    ),
    refusal="Извини, эта команда только для админов бота.",
    already_running="Обучение уже идёт; чем оно закончилось, покажет /stats.",
    started="Переобучение: запускаю…",
    stopped="Переобучение остановлено: бот выключается. Работает прежняя модель.",
    no_model="Обученной модели пока нет: все получают список популярного.",
    stages=Stages(
        starting="запуск",
        snapshot="делаю снимок всех оценок",
        training="обучение",
        evaluating="сравниваю новую и текущую модели на отложенных оценках",
        saving="сохраняю новую модель",
        loading="загружаю новую модель",
    ),
    outcomes=Outcomes(
        succeeded="✅ Новая модель включена",
        rejected="↩️ Новая модель отклонена; работает прежняя",
        failed="❌ Обучение не удалось; работает прежняя модель",
        busy="⏳ Обучение уже идёт",
    ),
    columns=Columns(
        new="новая", current="текущая", popular="попул.", model="модель", not_available="н/д"
    ),
    progress="<b>Переобучение</b>: {stage}…",
    progress_data=(
        "Данные: оценок — {n_ratings:,}, людей — {n_users:,}, фильмов — {n_movies:,}"
        " (отложено — {n_holdout:,})"
    ),
    progress_epoch="Эпоха {epoch}{total}{rmse}",
    progress_rmse=", RMSE на валидации {rmse:.4f}",
    report_run=" (запуск {run_id}, {seconds:.0f} с)",
    report_serving="Теперь работает <code>{version}</code>",
    model_head="<b>Текущая модель</b> <code>{version}</code>",
    model_unsaved="(не сохранена)",
    model_kind="Тип: {kind}, обучена {when}",
    model_data=(
        "Данные обучения: оценок — {n_ratings:,}, людей — {n_users:,},"
        " фильмов — {n_movies:,} (без отложенной части)"
    ),
    model_scores="Результаты на отложенных оценках:",
    model_val_rmse="RMSE на валидации {rmse:.4f} (результатов на отложенных оценках нет)",
    model_since="Оценок из бота после последнего успешного обучения: {since:,}",
    model_schedule="Переобучение по расписанию: {schedule}",
    rolled_back_to_older=(
        "↩️ <b>Откат</b> к более старой модели <code>{version}</code> (обучена {created}).\n"
        "Она заменила <code>{replaced}</code> (обучена {replaced_at}). "
        "Отправь /rollback ещё раз, чтобы вернуть ту."
    ),
    switched_to_newer=(
        "↪️ <b>Включена более новая модель</b> <code>{version}</code> (обучена {created}).\n"
        "Она заменила более старую <code>{replaced}</code> (обучена {replaced_at}). "
        "Отправь /rollback ещё раз, чтобы вернуться к той."
    ),
    switched_to=(
        "<b>Модель заменена</b>: теперь работает <code>{version}</code> (обучена {created})."
    ),
    rollback_refused="Откатиться не получилось: {reason}. Работает текущая модель.",
    stats_title="<b>Статистика</b>",
    stats_people="Люди: из Telegram — {telegram:,}, из MovieLens — {movielens:,}",
    stats_bot_ratings="Оценки из бота: сегодня — {today:,}, всего — {total:,}",
    stats_active="Активных за последние 7 дней: {active:,}",
    stats_all="Всего оценок: {ratings:,}",
    stats_runs="<b>Последние запуски</b>",
    stats_no_runs="Запусков обучения ещё не было.",
    stats_caption=(
        "Слева: RMSE на валидации по эпохам. Справа: результаты каждого запуска на отложенных "
        "оценках рядом с текущей моделью, допуском проверки и базовой линией популярного."
    ),
    scheduled_failed="Переобучение по расписанию не удалось: {reason}",
)


ES = AdminCatalogue(
    commands=AdminCommands(
        stats="Admin: personas, valoraciones y entrenamientos, con un gráfico",
        model="Admin: el modelo en uso y sus resultados",
        retrain="Admin: entrenar un modelo nuevo ahora",
        rollback="Admin: volver al modelo anterior",
    ),
    refusal="Lo siento, este comando es solo para los admins del bot.",
    already_running="Ya hay un entrenamiento en marcha; /stats muestra cómo terminó.",
    started="Reentrenando: empezando…",
    stopped="Reentrenamiento detenido: el bot se está apagando. El modelo anterior sigue en uso.",
    no_model="Aún no hay ningún modelo entrenado: todos reciben la lista de populares.",
    stages=Stages(
        starting="empezando",
        snapshot="tomando una instantánea de todas las valoraciones",
        training="entrenando",
        evaluating="puntuando el modelo nuevo y el actual con las valoraciones reservadas",
        saving="guardando el modelo nuevo",
        loading="cargando el modelo nuevo",
    ),
    outcomes=Outcomes(
        succeeded="✅ Modelo nuevo en uso",
        rejected="↩️ Modelo nuevo rechazado; el anterior sigue en uso",
        failed="❌ El entrenamiento falló; el modelo anterior sigue en uso",
        busy="⏳ Ya hay un entrenamiento en marcha",
    ),
    # "popular" is Spanish as well as English
    columns=Columns(
        new="nuevo", current="actual", popular="popular", model="modelo", not_available="n/d"
    ),
    progress="<b>Reentrenamiento</b>: {stage}…",
    progress_data=(
        "Datos: {n_ratings:,} valoraciones, {n_users:,} personas, {n_movies:,} películas"
        " ({n_holdout:,} reservadas)"
    ),
    progress_epoch="Época {epoch}{total}{rmse}",
    progress_rmse=", RMSE de validación {rmse:.4f}",
    report_run=" (ejecución {run_id}, {seconds:.0f} s)",
    report_serving="Ahora en uso: <code>{version}</code>",
    model_head="<b>Modelo en uso</b> <code>{version}</code>",
    model_unsaved="(sin guardar)",
    model_kind="Tipo: {kind}, entrenado el {when}",
    model_data=(
        "Entrenado con {n_ratings:,} valoraciones de {n_users:,} personas sobre"
        " {n_movies:,} películas (sin la parte reservada)"
    ),
    model_scores="Resultados con las valoraciones reservadas:",
    model_val_rmse="RMSE de validación {rmse:.4f} (no hay resultados con valoraciones reservadas)",
    model_since="Valoraciones del bot desde el último entrenamiento correcto: {since:,}",
    model_schedule="Reentrenamiento programado: {schedule}",
    rolled_back_to_older=(
        "↩️ <b>Vuelta atrás</b> al modelo más antiguo <code>{version}</code> "
        "(entrenado el {created}).\n"
        "Sustituye a <code>{replaced}</code> (entrenado el {replaced_at}). "
        "Envía /rollback otra vez para volver a ese."
    ),
    switched_to_newer=(
        "↪️ <b>Cambio al modelo más nuevo</b> <code>{version}</code> (entrenado el {created}).\n"
        "Sustituye al más antiguo <code>{replaced}</code> (entrenado el {replaced_at}). "
        "Envía /rollback otra vez para volver a ese."
    ),
    switched_to=(
        "<b>Modelo cambiado</b>: ahora en uso <code>{version}</code> (entrenado el {created})."
    ),
    rollback_refused="No se puede volver atrás: {reason}. El modelo actual sigue en uso.",
    stats_title="<b>Estadísticas</b>",
    stats_people="Personas: {telegram:,} de Telegram, {movielens:,} de MovieLens",
    stats_bot_ratings="Valoraciones del bot: {today:,} hoy, {total:,} en total",
    stats_active="Personas activas en los últimos 7 días: {active:,}",
    stats_all="Todas las valoraciones: {ratings:,}",
    stats_runs="<b>Últimas ejecuciones</b>",
    stats_no_runs="Aún no ha habido ningún entrenamiento.",
    stats_caption=(
        "Izquierda: RMSE de validación por época. Derecha: los resultados de cada ejecución con "
        "las valoraciones reservadas frente al modelo en uso, el margen de la verificación y la "
        "referencia de popularidad."
    ),
    scheduled_failed="El reentrenamiento programado falló: {reason}",
)
