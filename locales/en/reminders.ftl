# Reminders (validity running out) and "Notification settings".

remind-when = { $days ->
    [0] today
    [1] tomorrow
    [one] in { $days } day
   *[other] in { $days } days
}
push-remind-book = ⚠️ Your medical book { $number } stops being valid { $when }, { $date }. Renew it: the bot fills in a new application from the book and asks only what changed.
push-remind-exam =
    ⚠️ Your periodic exam runs out { $when }, { $date }: { $items }.
    Book the exam and upload the result to keep the book { $number } valid.
push-remind-attestation =
    ⚠️ Your hygiene attestation runs out { $when }, { $date }.
    Pass the attestation and upload the result to keep the book { $number } valid.
push-remind-vaccination =
    ⚠️ A vaccination runs out { $when }, { $date }: { $items }.
    Once you have had it again, upload the result to the book { $number }.
push-remind-elmk =
    ⚠️ The exam on your ELMK { $number } runs out { $when }, { $date }.
    Book the exam and upload the result.
btn-remind-renew = Renew
btn-remind-book = Book an exam
btn-remind-upload = Upload the result
btn-notify-settings = Notification settings

btn-menu-notify = 🔔 Notification settings
notify-title = <b>Notification settings</b>
notify-always = Application statuses and requests for documents always arrive: they cannot be switched off.
notify-quiet = Quiet hours: { $quiet }
notify-zone = Time zone: { $zone } (the time there now: { $now })
notify-explain = A reminder that falls in your quiet hours arrives when they end. Press a kind of reminder to switch it on or off: ✅ on, ❌ off.
notify-always-on = always
notify-kind-status = ✅ Application statuses
notify-kind-book = Book validity
notify-kind-exam = Exams and tests
notify-kind-attestation = Hygiene attestation
notify-kind-vaccination = Vaccinations
notify-kind-appointment = Exam appointments
notify-kind-stuck = Application taking long
notify-always-alert = Application statuses cannot be switched off: they tell you what to do next.
notify-quiet-none = No quiet hours
btn-notify-quiet = Quiet hours: { $quiet }
btn-notify-zone = Time zone: { $zone }
btn-notify-type = Type my own
notify-quiet-pick = Choose your quiet hours: no reminders arrive then.
notify-zone-pick = Choose your time zone by the nearest big city.
notify-ask-quiet = Type your quiet hours: start and end with a hyphen, for example 22:30-07:00.
notify-ask-zone = Type your time zone's international name, for example Asia/Novosibirsk or Europe/Samara.
notify-error-quiet = I could not read these times. Type the start and the end with a hyphen, for example 22:30-07:00 (hours 0 to 23, minutes 00 to 59, start and end different).
notify-error-zone = There is no such time zone. Type its international name, for example Asia/Novosibirsk, or press "Back" under the question above, then the "Time zone" button, and choose a city from the list.
notify-saved = ✅ Saved.
hint-notify-quiet = I am waiting for your quiet hours as text, for example 22:30-07:00. Or press "Back".
hint-notify-zone = I am waiting for a time zone name, for example Asia/Novosibirsk. Or press "Back".

zone-europe-kaliningrad = Kaliningrad (MSK−1)
zone-europe-moscow = Moscow (MSK)
zone-europe-samara = Samara (MSK+1)
zone-asia-yekaterinburg = Yekaterinburg (MSK+2)
zone-asia-omsk = Omsk (MSK+3)
zone-asia-novosibirsk = Novosibirsk (MSK+4)
zone-asia-krasnoyarsk = Krasnoyarsk (MSK+4)
zone-asia-irkutsk = Irkutsk (MSK+5)
zone-asia-yakutsk = Yakutsk (MSK+6)
zone-asia-vladivostok = Vladivostok (MSK+7)
zone-asia-magadan = Magadan (MSK+8)
zone-asia-kamchatka = Petropavlovsk-Kamchatsky (MSK+9)
