## The operator's kit: /myid, error alerts to the staff chat.

opkit-myid = Your Telegram ID: <code>{ $id }</code>
    The bot's administrator puts it into STAFF_IDS so that you can review applications.
opkit-myid-chat = This chat's ID: <code>{ $chat_id }</code> — it goes into STAFF_CHAT_ID.
