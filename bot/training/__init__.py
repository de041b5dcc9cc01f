"""Training and serving models, with no Telegram inside.

retrainer runs one training at a time (worker -> load -> gate -> swap) and records it;
worker_parent starts the training process from the bot and reads its progress; worker_child
is that process (`python -m bot.training.worker_child`); holdout picks the ratings every run
is judged on; gate decides whether a new model may replace the serving one; runs turns a
run's outcome into stored metrics; model_holder is the swappable recommender being served;
serving picks the model to serve at start-up; schedule parses RETRAIN_SCHEDULE.
"""
