## The operator's kit: /myid, error alerts to the staff chat.

opkit-myid = Your Telegram ID: <code>{ $id }</code>
    If you are on the organisation's staff, the bot's administrator adds it to STAFF_IDS so that you can review applications.
opkit-myid-chat = This chat's ID: <code>{ $chat_id }</code> — it goes into STAFF_CHAT_ID.
opkit-error-alert =
    ⚠️ Error in the bot: { $kind }, code { $ref }.
    The person was shown this code; the details are in the bot's log (journalctl -u emk-bot | grep { $ref }). No personal data here.{ $held ->
        [0] {""}
       *[other] {" "}Errors of this kind since the previous message about them, counted but not sent: { $held }.
    }
    For the next hour, errors of this kind are counted, not sent.
