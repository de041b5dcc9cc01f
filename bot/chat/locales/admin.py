"""What admins read, in each language: /retrain, /model, /rollback, /stats, scheduled runs.

Kept apart from the person-facing catalogues (bot.chat.locales.en, .ru, .es), which hold
these as their `admin` field. Numbers keep their English form (1,234 and 0.8512) in every
language, as the rest of the bot writes them.
"""

from __future__ import annotations

from bot.chat.locales import AdminCatalogue, Columns, Outcomes, Stages

EN = AdminCatalogue(
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
    stats_title="<b>Stats</b>",
    stats_people="People: {telegram:,} from Telegram, {movielens:,} from MovieLens",
    stats_bot_ratings="Ratings from the bot: {today:,} today, {total:,} in total",
    stats_active="Active people in the last 7 days: {active:,}",
    stats_all="All ratings: {ratings:,}",
    stats_runs="<b>Last runs</b>",
    stats_no_runs="No training runs yet.",
    stats_caption="Training curve and held-out metrics per run",
    plot_title="validation RMSE",
    plot_title_run="validation RMSE, run {run_id}",
    rollback_failed="Cannot roll back: {error}",
    rolled_back="Rolled back: now serving {version}.",
    scheduled_failed="Scheduled retraining failed: {reason}",
)


RU = AdminCatalogue(
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
    stats_title="<b>Статистика</b>",
    stats_people="Люди: из Telegram — {telegram:,}, из MovieLens — {movielens:,}",
    stats_bot_ratings="Оценки из бота: сегодня — {today:,}, всего — {total:,}",
    stats_active="Активных за последние 7 дней: {active:,}",
    stats_all="Всего оценок: {ratings:,}",
    stats_runs="<b>Последние запуски</b>",
    stats_no_runs="Запусков обучения ещё не было.",
    stats_caption="Кривая обучения и метрики на отложенных оценках по запускам",
    plot_title="RMSE на валидации",
    plot_title_run="RMSE на валидации, запуск {run_id}",
    rollback_failed="Не получилось откатиться: {error}",
    rolled_back="Откат выполнен: теперь работает {version}.",
    scheduled_failed="Переобучение по расписанию не удалось: {reason}",
)


ES = AdminCatalogue(
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
    stats_title="<b>Estadísticas</b>",
    stats_people="Personas: {telegram:,} de Telegram, {movielens:,} de MovieLens",
    stats_bot_ratings="Valoraciones del bot: {today:,} hoy, {total:,} en total",
    stats_active="Personas activas en los últimos 7 días: {active:,}",
    stats_all="Todas las valoraciones: {ratings:,}",
    stats_runs="<b>Últimas ejecuciones</b>",
    stats_no_runs="Aún no ha habido ningún entrenamiento.",
    stats_caption="Curva de entrenamiento y métricas con valoraciones reservadas por ejecución",
    plot_title="RMSE de validación",
    plot_title_run="RMSE de validación, ejecución {run_id}",
    rollback_failed="No se puede volver al modelo anterior: {error}",
    rolled_back="Hecho: vuelve a estar en uso {version}.",
    scheduled_failed="El reentrenamiento programado falló: {reason}",
)
