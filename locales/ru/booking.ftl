# Clinics and appointments (services/booking.py, views/booking.py)

btn-menu-book = 🏥 Записаться на осмотр
btn-menu-bookings = 🗓 Мои записи
btn-book-other-region = Другой регион
btn-book-prev = ◀
btn-book-next = ▶
btn-book-pick-day = 📅 Выбрать дату
btn-book-to-clinics = ← К списку клиник
btn-book-to-clinic = ← К клинике
btn-book-to-days = ← К календарю
btn-book-to-times = ← Другое время
btn-book-confirm = ✅ Записаться
btn-book-confirm-move = ✅ Перенести на это время
btn-book-move = Перенести
btn-book-cancel = Отменить
btn-book-cancel-yes = Да, отменить запись
btn-book-cancel-no = Нет, оставить
btn-book-quit = Отмена

booking-region-ask = Где вам удобнее пройти осмотр? Выберите регион.
booking-clinics-title = Клиники: { $region } (страница { $page } из { $pages }). Выберите клинику.
booking-clinics-none = В регионе «{ $region }» нет клиник, где делают нужные вам осмотры. Выберите другой регион.
booking-card =
    <b>{ $name }</b>
    Адрес: { $address }
    Телефон: { $phone }
    Лицензия: { $licence }
    Часы работы ({ $zone }):
    { $hours }
    Осмотры: { $exams }
booking-card-break = перерыв { $breaks }
booking-closed = выходной
booking-days-ask = { $clinic }: выберите день. Можно нажать только дни со свободным временем.
booking-days-none = { $clinic }: в ближайшие { $days } дн. свободного времени нет. Выберите другую клинику или загляните позже.
booking-times-ask = { $clinic }, { $date }: выберите время (время клиники, { $zone }).
booking-times-none = На { $date } свободного времени больше нет. Выберите другой день.
booking-slot-taken = Это время только что заняли. Выберите другое:
booking-slot-gone = Это время уже нельзя выбрать. Выберите день и время заново.
booking-confirm-ask =
    Проверьте запись:
    { $clinic }
    { $address }
    { $when }
booking-confirm-move = Перенести запись № { $old } на это время? Старая запись останется, пока новая не подтверждена.
booking-when = { $date }, { $time } (время клиники, { $zone })
booking-other-zone = Обратите внимание: время указано по часовому поясу клиники ({ $zone }), у вас сейчас { $yours }.
booking-talon =
    <b>Талон № { $number }</b>
    { $clinic }
    { $address }
    { $when }
booking-bring = Возьмите с собой: паспорт, СНИЛС, полис ОМС{ $referral ->
    [yes] , направление от работодателя
   *[no] {""}
}.
booking-moved = Запись перенесена. Прежняя запись № { $old } отменена.
booking-cancel-ask = Отменить запись № { $number } ({ $when })?
booking-cancelled = Запись № { $number } отменена, время освобождено.
booking-cancel-gone = Эта запись уже не действует.
booking-mine-title = Ваши записи:
booking-mine-empty = У вас нет записей.
booking-mine-upcoming = Предстоящие:
booking-mine-past = Прошедшие и отменённые:
booking-mine-item = № { $number } · { $when } · { $clinic }
booking-mine-status = { $status ->
    [cancelled] отменена
    [no_show] неявка
    [superseded] перенесена
   *[active] прошла
}
booking-unavailable = Запись на осмотр сейчас недоступна.
booking-unknown-clinic = клиника, которой больше нет в списке

booking-remind-day-before = Напоминаем: завтра осмотр.
booking-remind-hours-before = Напоминаем: скоро осмотр.

booking-date = { $weekday ->
    [mon] пн
    [tue] вт
    [wed] ср
    [thu] чт
    [fri] пт
    [sat] сб
   *[sun] вс
}, { $date }
booking-weekday = { $weekday ->
    [mon] Пн
    [tue] Вт
    [wed] Ср
    [thu] Чт
    [fri] Пт
    [sat] Сб
   *[sun] Вс
}
booking-month = { $month ->
    [1] Январь
    [2] Февраль
    [3] Март
    [4] Апрель
    [5] Май
    [6] Июнь
    [7] Июль
    [8] Август
    [9] Сентябрь
    [10] Октябрь
    [11] Ноябрь
   *[12] Декабрь
} { $year }
booking-exam = { $exam ->
    [therapist] терапевт
    [dermatovenereologist] дерматовенеролог
    [dentist] стоматолог
    [otorhinolaryngologist] оториноларинголог
    [infectionist] инфекционист
    [fluorography] флюорография
    [blood_urine_tests] анализы крови и мочи
    [hygiene_attestation] гигиеническая аттестация
    [vaccinations] прививки
   *[other] { $exam }
}

hint-booking-region = Выберите регион кнопкой под сообщением или нажмите «Отмена».
hint-booking-clinic = Выберите клинику кнопкой под сообщением или нажмите «Отмена».
hint-booking-card = Нажмите «Выбрать дату» или вернитесь к списку клиник.
hint-booking-day = Выберите день в календаре кнопкой под сообщением.
hint-booking-time = Выберите время кнопкой под сообщением.
hint-booking-confirm = Подтвердите запись кнопкой под сообщением или выберите другое время.

staff-bookings-clinics = Записи на дату: выберите клинику.
staff-bookings-days = { $clinic }: выберите дату.
staff-bookings-day = { $clinic }, { $date } — записей: { $count }
staff-bookings-line = { $time } · место { $seat } · талон № { $number }{ $status ->
    [no_show] · не пришёл
   *[other] {""}
}
btn-staff-no-show = Не пришёл: { $time } № { $number }
btn-staff-bookings-days = ← Даты
btn-staff-bookings-back = ← Клиники
staff-no-show-done = Отмечено: не пришёл (талон № { $number }).
staff-no-show-refused = Отметить неявку можно только для действующей записи, время которой уже наступило.
staff-booking-misfit = Запись № { $number } ({ $clinic }, { $when }) больше не подходит к файлу клиник: { $reason ->
    [clinic_gone] клиники нет в файле
    [closed_day] в этот день клиника закрыта
    [outside_hours] время вне часов работы
    [off_grid] время не совпадает с сеткой слотов
   *[over_seats] мест в слоте меньше, чем записей
}. Запись не перенесена: свяжитесь с человеком.
