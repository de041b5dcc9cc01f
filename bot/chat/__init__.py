"""Everything a person sees in Telegram: the only package that imports `telegram`.

handlers (commands and text) and buttons (every inline press) parse the update, call storage
and the recommender through the typed context, and send a screen. screens builds what a
message shows; texts and keyboards hold the words and buttons; callbacks is the strict
`v1|...` codec of button data. admin holds the admin commands with their texts, the live
progress message and the /stats picture; jobs the scheduled retraining.
"""
