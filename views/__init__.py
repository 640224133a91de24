"""Views: what the bot shows, as functions of the translator and the data a use case returned (text and
keyboard), plus the few helpers that put a screen on Telegram (edit in place or send anew, download what a
person sent). Handlers import views; views import no handler and call no use case (they only read the data
types services/ returns)."""
