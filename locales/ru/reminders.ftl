# Reminders (validity running out) and «Настройки уведомлений».

remind-when = { $days ->
    [0] сегодня
    [1] завтра
    [one] через { $days } день
    [few] через { $days } дня
   *[many] через { $days } дней
}
push-remind-book = ⚠️ Срок действия медицинской книжки { $number } заканчивается { $when }, { $date }. Продлите её: бот заполнит новое заявление по данным книжки и спросит только то, что изменилось.
push-remind-exam =
    ⚠️ Срок периодического осмотра заканчивается { $when }, { $date }: { $items }.
    Запишитесь на осмотр и загрузите результат, чтобы книжка { $number } оставалась действительной.
push-remind-attestation =
    ⚠️ Срок гигиенической аттестации заканчивается { $when }, { $date }.
    Пройдите аттестацию и загрузите результат, чтобы книжка { $number } оставалась действительной.
push-remind-vaccination =
    ⚠️ Срок прививки заканчивается { $when }, { $date }: { $items }.
    Когда сделаете прививку, загрузите результат в книжку { $number }.
push-remind-elmk =
    ⚠️ По вашей ЭЛМК { $number } срок осмотра заканчивается { $when }, { $date }.
    Запишитесь на осмотр и загрузите результат.
btn-remind-renew = Продлить
btn-remind-book = Записаться на осмотр
btn-remind-upload = Загрузить результат
btn-notify-settings = Настройки уведомлений

btn-menu-notify = 🔔 Настройки уведомлений
notify-title = <b>Настройки уведомлений</b>
notify-always = Статусы заявлений и запросы документов приходят всегда: их не отключить.
notify-quiet = Тихие часы: { $quiet }
notify-zone = Часовой пояс: { $zone } (сейчас там { $now })
notify-explain = Напоминание, которое выпадает на тихие часы, придёт, когда они закончатся. Нажмите на вид напоминаний, чтобы включить или выключить его: ✅ — включено, ❌ — выключено.
notify-always-on = всегда
notify-kind-status = ✅ Статусы заявлений
notify-kind-book = Срок действия книжки
notify-kind-exam = Осмотры и анализы
notify-kind-attestation = Гигиеническая аттестация
notify-kind-vaccination = Прививки
notify-kind-appointment = Запись на осмотр
notify-kind-stuck = Долгое рассмотрение заявления
notify-always-alert = Статусы заявлений нельзя отключить: по ним вы узнаёте, что нужно сделать.
notify-quiet-none = Без тихих часов
btn-notify-quiet = Тихие часы: { $quiet }
btn-notify-zone = Часовой пояс: { $zone }
btn-notify-type = Ввести своё
notify-quiet-pick = Выберите тихие часы: в это время напоминания не придут.
notify-zone-pick = Выберите часовой пояс по ближайшему крупному городу.
notify-ask-quiet = Напишите тихие часы: начало и конец через дефис, например 22:30-07:00.
notify-ask-zone = Напишите часовой пояс по международному названию, например Asia/Novosibirsk или Europe/Samara.
notify-error-quiet = Не получилось прочитать время. Напишите начало и конец через дефис, например 22:30-07:00 (часы от 0 до 23, минуты от 00 до 59, начало и конец разные).
notify-error-zone = Такого часового пояса нет. Напишите его международное название, например Asia/Novosibirsk, или нажмите «Назад» под вопросом выше, затем кнопку «Часовой пояс» — и выберите город из списка.
notify-saved = ✅ Сохранено.
hint-notify-quiet = Сейчас я жду тихие часы текстом, например 22:30-07:00. Или нажмите «Назад».
hint-notify-zone = Сейчас я жду название часового пояса, например Asia/Novosibirsk. Или нажмите «Назад».

zone-europe-kaliningrad = Калининград (МСК−1)
zone-europe-moscow = Москва (МСК)
zone-europe-samara = Самара (МСК+1)
zone-asia-yekaterinburg = Екатеринбург (МСК+2)
zone-asia-omsk = Омск (МСК+3)
zone-asia-novosibirsk = Новосибирск (МСК+4)
zone-asia-krasnoyarsk = Красноярск (МСК+4)
zone-asia-irkutsk = Иркутск (МСК+5)
zone-asia-yakutsk = Якутск (МСК+6)
zone-asia-vladivostok = Владивосток (МСК+7)
zone-asia-magadan = Магадан (МСК+8)
zone-asia-kamchatka = Петропавловск-Камчатский (МСК+9)
