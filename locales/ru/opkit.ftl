## The operator's kit: /myid, error alerts to the staff chat.

opkit-myid = Ваш Telegram ID: <code>{ $id }</code>
    Если вы сотрудник организации, администратор бота впишет его в STAFF_IDS, чтобы вы могли проверять заявления.
opkit-myid-chat = ID этого чата: <code>{ $chat_id }</code> — его вписывают в STAFF_CHAT_ID.
opkit-error-alert =
    ⚠️ Ошибка в боте: { $kind }, код { $ref }.
    Человеку показан этот код; подробности — в журнале бота (journalctl -u emk-bot | grep { $ref }). Личных данных здесь нет.{ $held ->
        [0] {""}
       *[other] {" "}Ошибок этого вида с прошлого сообщения о них, посчитанных без отдельного сообщения: { $held }.
    }
    Следующий час ошибки этого вида только считаются, сообщений о них не будет.
