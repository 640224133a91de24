## Обследования и аттестация: чек-лист, результаты, подтверждение сотрудником.

exam-therapist = Терапевт (профпатолог)
exam-psychiatrist = Психиатр
exam-narcologist = Нарколог
exam-neurologist = Невролог
exam-blood-test = Общий анализ крови
exam-urine-test = Общий анализ мочи
exam-ecg = ЭКГ
exam-fluorography = Флюорография
exam-glucose = Глюкоза крови
exam-cholesterol = Холестерин
exam-gynecologist = Гинеколог (с мазками)
exam-mammography = Маммография
exam-eye-pressure = Внутриглазное давление
exam-otorhinolaryngologist = Оториноларинголог
exam-dermatovenereologist = Дерматовенеролог
exam-dentist = Стоматолог
exam-syphilis = Анализ на сифилис
exam-gonorrhea = Анализ на гонорею
exam-intestinal-infections = Кишечные инфекции и брюшной тиф
exam-helminths = Анализ на гельминтозы
exam-staph-swab = Мазок из зева и носа на стафилококк
exam-hygiene-attestation = Гигиеническая аттестация
exam-vaccination-diphtheria-tetanus = Прививка: дифтерия, столбняк
exam-vaccination-measles = Прививка: корь
exam-vaccination-hepatitis-b = Прививка: гепатит B
exam-vaccination-hepatitis-a = Прививка: гепатит A
exam-vaccination-dysentery-sonne = Прививка: дизентерия Зонне

exam-result-fit = Годен
exam-result-unfit = Не годен
exam-result-admitted = Допущен
exam-result-not-admitted = Не допущен
exam-result-negative = Отрицательно
exam-result-positive = Положительно

exam-state-missing = Не загружено
exam-state-uploaded = Не закончено — нажмите, чтобы продолжить
exam-state-on-review = На проверке
exam-state-confirmed = Подтверждено, действует до { $until }
exam-state-confirmed-forever = Подтверждено
exam-state-returned = Возвращено: { $reason }
exam-state-expired = Срок истёк { $until }, нужен новый результат

exams-title = Обследования · { $name }
exams-progress = { $done } из { $total } готово
exams-kind-hiring = Предварительный осмотр (при приёме на работу).
exams-kind-periodic = Периодический осмотр.
exams-at-hiring = только при приёме на работу
exams-optional = по желанию
exams-attestation-rule = Срок гигиенической аттестации — правило организации, выдающей ЭМК, а не требование закона.
exams-how = Нажмите на пункт, чтобы загрузить результат: файл, дата, где проводилось, результат. Сотрудник проверит и подтвердит его.
exams-pick-profile = Чьи обследования показать?
exams-none = Список обследований зависит от вида работ: сначала укажите его в анкете («Оформить ЭМК»).
exams-ask-upload = { $item }: пришлите результат — фото или скан (PDF, JPG, PNG, до 5 МБ). Печати, подписи и даты должны читаться.
exams-ask-date = { $item }: когда проводилось? Напишите дату, например 15.11.2026.
exams-ask-institution = { $item }: где проводилось? Выберите клинику кнопкой или напишите название организации, например: ГБУЗ «Городская поликлиника № 5».
exams-ask-result = { $item }: какой результат указан в заключении?
exams-ask-certificate = { $item }: напишите номер удостоверения (сертификата) о гигиенической аттестации, например 77-123456.
exams-date-future = Дата не может быть в будущем. Напишите дату, когда проводилось обследование, например 15.11.2026.
exams-date-too-old = Этот результат уже недействителен: его срок истёк { $date }. Нужен результат новее — напишите другую дату или нажмите «Отмена».
exams-text-length = Слишком коротко или слишком длинно: от 3 до 200 символов (номер удостоверения — до 64). Напишите ещё раз.
exams-sent = ✅ { $item }: отправлено на проверку. Когда сотрудник проверит, я напишу.
exams-file-accepted = ✅ Файл принят.
exams-scan-retry = Пришлите другой файл результата: фото или скан.
exams-item-done = Этот результат уже на проверке или подтверждён.
exams-cancelled = Ввод прерван. Введённое сохранено — продолжите, когда будет удобно.

hint-exams-upload = Здесь нужен файл: отправьте фото или скан результата (или нажмите «Отмена»).
hint-exams-date = Напишите дату текстом, например 15.11.2026.
hint-exams-institution = Напишите название организации или выберите клинику кнопкой.
hint-exams-result = Выберите результат кнопкой выше (номер удостоверения пишите текстом).

btn-menu-exams = Обследования
btn-exams-list = Обследования
btn-exams-upload-again = Загрузить заново

push-exam-confirmed = ✅ { $item }: результат подтверждён, действует до { $until }.
push-exam-confirmed-forever = ✅ { $item }: результат подтверждён.
push-exam-returned =
    ↩️ { $item }: результат возвращён.
    Причина: { $reason }
    Загрузите его заново — кнопка ниже.

staff-exams-title = Обследования: { $name }
staff-exams-application = Заявление { $number }
staff-exams-no-application = Заявление ещё не отправлено
staff-exams-entry = дата { $date }, { $institution }, результат: { $result }
staff-exams-open = Не подтверждено ({ $count }): { $items }
btn-staff-exam-file = 📎 { $item }
btn-staff-exam-confirm = ✅ Подтвердить: { $item }
btn-staff-exam-return = ↩️ Вернуть: { $item }
staff-exam-ask-reason = { $name }, напишите, почему возвращаете «{ $item }», ответом на это сообщение — причину увидит заявитель.
staff-exam-reason-controls = Возврат результата «{ $item }». Причину пишите ответом на сообщение ниже. Передумали — нажмите «Отмена».
staff-exam-file-sent = Файл отправлен вам в личные сообщения.
staff-exam-confirmed = Подтверждено.
staff-exam-returned = «{ $item }» возвращено. Заявитель получит уведомление.
staff-exam-conflict = Этот результат уже проверил другой сотрудник — карточка обновлена.
staff-card-exams-open = ⚠️ Обследования не подтверждены ({ $count }): { $items }. Одобрить можно после подтверждения всех.
review-exams-first = Сначала загрузите результаты обследований (осталось: { $count }) — раздел «Обследования».
