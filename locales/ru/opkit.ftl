## The operator's kit: /myid, error alerts to the staff chat.

opkit-myid = Ваш Telegram ID: <code>{ $id }</code>
    Администратор бота вписывает его в STAFF_IDS, чтобы вы могли проверять заявления.
opkit-myid-chat = ID этого чата: <code>{ $chat_id }</code> — его вписывают в STAFF_CHAT_ID.
