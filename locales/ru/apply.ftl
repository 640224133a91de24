## The application wizard: prompts, buttons, summary.

btn-menu-apply = Оформить ЭМК
btn-menu-continue = Продолжить заполнение
btn-back = ← Назад
btn-keep = Оставить как есть
btn-skip = Пропустить
btn-cancel = Отмена
btn-share-contact = 📱 Поделиться контактом
btn-apply-for-self = Анкета для себя
btn-apply-for-child = Анкета для ребёнка
btn-edit-section = Изменить: { $section }
btn-fill-field = Заполнить: { $field }

apply-choose-whom = Для кого оформляем медицинскую книжку?
apply-choose-profile = Выберите анкету, чтобы продолжить, или начните новую.
apply-profile-self = для себя
apply-profile-child = ребёнок
apply-profile-new = Новая анкета ({ $who })
apply-cancelled = Заполнение прервано, черновик сохранён. Продолжить можно из меню.
apply-progress = { $section } · { $n } из { $m }
apply-current-value = Сейчас указано: { $value }
apply-value-skipped = пропущено

apply-phone-ask = Поделитесь номером мобильного телефона для связи: нажмите кнопку «📱 Поделиться контактом» внизу экрана. Подойдёт только ваш собственный номер.
apply-phone-nav = Если передумали — кнопки ниже.
apply-phone-placeholder = Нажмите кнопку ниже
apply-phone-saved = ✅ Телефон сохранён.
apply-phone-saved-typed = ✅ Телефон сохранён. Он введён вручную, поэтому в анкете будет отмечен как не подтверждённый Telegram.
apply-phone-typed-note = Если кнопка не работает, номер можно написать сообщением. Пример: +7 912 345-67-89
apply-phone-unconfirmed = не подтверждён Telegram
apply-email-ask = Укажите адрес электронной почты — на него можно будет получать копии документов. Пример: ivanova@mail.ru. Этот шаг можно пропустить.
apply-surname-ask = { $child ->
    [yes] Фамилия ребёнка, как в свидетельстве о рождении или паспорте. Пример: Иванова
   *[no] Ваша фамилия, как в паспорте. Пример: Иванова
}
apply-name-ask = { $child ->
    [yes] Имя ребёнка. Пример: Мария
   *[no] Ваше имя. Пример: Мария
}
apply-patronymic-ask = Отчество, если есть. Пример: Сергеевна. Если отчества нет — нажмите «Пропустить».
apply-birth-date-ask = Дата рождения в формате ДД.ММ.ГГГГ. Пример: 01.02.1990
apply-sex-ask = Пол:
apply-citizenship-ask = Гражданство:
apply-address-ask = Адрес регистрации с почтовым индексом. Пример: 123456, г. Москва, ул. Ленина, д. 1, кв. 2
apply-category-ask = { $child ->
    [yes] Для какой работы или деятельности ребёнку нужна книжка? От этого зависят обследования и сроки:
   *[no] Категория работы — от неё зависят обследования и сроки:
}
apply-passport-number-ask = Серия и номер паспорта РФ. Пример: 45 08 123456
apply-passport-issue-date-ask = Дата выдачи паспорта (ДД.ММ.ГГГГ). Пример: 15.03.2015
apply-passport-division-code-ask = Код подразделения, выдавшего паспорт. Пример: 770-001
apply-passport-issued-by-ask = Кем выдан паспорт, как написано в паспорте. Пример: ОВД района Арбат г. Москвы
apply-birth-certificate-number-ask = Серия и номер свидетельства о рождении. Пример: IV-МЮ 123456
apply-birth-certificate-issue-date-ask = Дата выдачи свидетельства о рождении (ДД.ММ.ГГГГ). Пример: 20.05.2015
apply-foreign-passport-country-ask = Какая страна выдала ваш паспорт? Выберите кнопкой; если вашей страны нет в списке — нажмите «Другая страна» и напишите её название. Нужен только национальный паспорт: миграционную карту и патент указывать не нужно.
apply-foreign-passport-country-name-ask = Название страны, выдавшей паспорт. Пример: Вьетнам
apply-foreign-passport-number-ask = Номер паспорта, как он напечатан: латинские буквы и цифры. Пример: AA 1234567
apply-foreign-passport-issue-date-ask = Дата выдачи паспорта (ДД.ММ.ГГГГ). Пример: 15.03.2020
apply-foreign-passport-expiry-date-ask = Срок действия паспорта — дата, до которой он действует (ДД.ММ.ГГГГ). Пример: 14.03.2030. Если в паспорте её нет — нажмите «Пропустить».
apply-snils-ask = Номер СНИЛС — 11 цифр. Пример: 112-233-445 95
apply-oms-ask = Номер полиса ОМС: единый номер из 16 цифр. Пример: 7700 0000 0000 0016. Подойдёт и полис старого образца (серия и номер) или временное свидетельство (9 цифр).
apply-policy-kind-ask = Какой у вас медицинский полис? Если полиса нет — нажмите «Пропустить».
apply-dms-number-ask = Номер полиса ДМС, как он написан в полисе. Пример: 001-23/456789
apply-dms-insurer-ask = Страховая компания, выдавшая полис ДМС. Пример: АО «СОГАЗ»
apply-employer-name-ask = { $child ->
    [yes] Где работает ребёнок: название организации или ИП. Пример: ООО «Ромашка». Если ребёнок пока не работает — нажмите «Пропустить».
   *[no] Работодатель: название организации или ИП. Пример: ООО «Ромашка». Если работодателя пока нет — нажмите «Пропустить».
}
apply-employer-inn-ask = ИНН работодателя: 10 цифр для организации или 12 для ИП. Пример: 7707083893
apply-employer-ogrn-ask = ОГРН (13 цифр) или ОГРНИП (15 цифр) работодателя. Пример: 1027700132195
apply-employer-okpo-ask = Код ОКПО работодателя (8 или 10 цифр), если знаете. Пример: 00032537. Можно пропустить.
apply-employer-position-ask = { $child ->
    [yes] Должность ребёнка. Пример: помощник повара
   *[no] Ваша должность. Пример: повар
}
apply-employer-start-date-ask = Дата начала работы (ДД.ММ.ГГГГ). Пример: 01.12.2026

choice-sex-male = Мужской
choice-sex-female = Женский
choice-citizenship-ru = Российская Федерация
choice-citizenship-other = Другое гражданство

choice-foreign-passport-country-uz = Узбекистан
choice-foreign-passport-country-tj = Таджикистан
choice-foreign-passport-country-kg = Киргизия
choice-foreign-passport-country-kz = Казахстан
choice-foreign-passport-country-by = Беларусь
choice-foreign-passport-country-am = Армения
choice-foreign-passport-country-az = Азербайджан
choice-foreign-passport-country-ua = Украина
choice-foreign-passport-country-md = Молдова
choice-foreign-passport-country-other = Другая страна
choice-policy-kind-oms = Полис ОМС
choice-policy-kind-dms = Полис ДМС

category-food = Работа с пищевыми продуктами
category-children = Воспитание и обучение детей
category-communal = Коммунальное и бытовое обслуживание
category-water = Питьевое водоснабжение
category-medical = Медицинская работа
category-other = Другие работы из перечня

apply-summary-title = Проверьте анкету
apply-summary-missing = Не заполнено:
apply-summary-complete = ✅ Все обязательные поля заполнены.
apply-employer-skipped = Не указан (пропущено)
apply-section-contacts = Контакты
apply-section-person = Личные данные
apply-section-document = Паспорт
apply-section-document-child = Свидетельство о рождении
apply-section-document-foreign = Иностранный паспорт
apply-section-snils = СНИЛС
apply-section-oms = Полис ОМС
apply-section-oms-foreign = Медицинский полис
apply-section-employer = Работодатель

apply-field-phone = Телефон
apply-field-email = E-mail
apply-field-surname = Фамилия
apply-field-name = Имя
apply-field-patronymic = Отчество
apply-field-birth-date = Дата рождения
apply-field-sex = Пол
apply-field-citizenship = Гражданство
apply-field-address = Адрес регистрации
apply-field-category = Категория работы
apply-field-passport-number = Паспорт
apply-field-passport-issue-date = Дата выдачи паспорта
apply-field-passport-division-code = Код подразделения
apply-field-passport-issued-by = Кем выдан
apply-field-birth-certificate-number = Свидетельство о рождении
apply-field-birth-certificate-issue-date = Дата выдачи свидетельства
apply-field-foreign-passport-country = Страна паспорта
apply-field-foreign-passport-country-name = Страна (название)
apply-field-foreign-passport-number = Паспорт иностранного гражданина
apply-field-foreign-passport-issue-date = Дата выдачи паспорта
apply-field-foreign-passport-expiry-date = Паспорт действует до
apply-field-policy-kind = Вид полиса
apply-field-dms-number = Полис ДМС
apply-field-dms-insurer = Страховая компания
apply-field-snils = СНИЛС
apply-field-oms = Полис ОМС
apply-field-employer-name = Организация
apply-field-employer-inn = ИНН
apply-field-employer-ogrn = ОГРН / ОГРНИП
apply-field-employer-okpo = ОКПО
apply-field-employer-position = Должность
apply-field-employer-start-date = Начало работы

hint-apply-text = Здесь нужен ответ текстом — напишите его сообщением. Кнопки «Назад» и «Отмена» — под вопросом выше.
hint-apply-contact = Нажмите кнопку «📱 Поделиться контактом» внизу экрана или напишите номер мобильного сообщением. Пример: +7 912 345-67-89
hint-apply-choice = Выберите вариант кнопкой под вопросом выше.
hint-apply-choose-profile = Выберите анкету кнопкой выше или начните новую.
hint-apply-summary = Это сводка анкеты. Чтобы исправить раздел, нажмите «Изменить» под ней.

issue-phone-not-own = Можно отправить только свой контакт: нажмите кнопку «📱 Поделиться контактом» внизу экрана, не выбирая контакт из записной книжки.
issue-birth-date-child-adult = В анкете для ребёнка возраст должен быть меньше 18 лет. Проверьте дату рождения или оформите анкету для себя. Пример: 01.02.2015
issue-employer-start-before-birth = Дата начала работы не может быть раньше даты рождения. Пример: 01.12.2026
issue-employer-name-length = Название работодателя — от 2 до { $limit } символов. Пример: ООО «Ромашка»
issue-employer-position-length = Должность — от 2 до { $limit } символов. Пример: повар
issue-choice-unknown = Такого варианта нет — выберите кнопкой под вопросом.
issue-foreign-country-length = Название страны — от 2 до { $limit } символов. Пример: Вьетнам
issue-dms-insurer-length = Название страховой компании — от 2 до { $limit } символов. Пример: АО «СОГАЗ»
apply-profiles-limit = В одном аккаунте можно вести не больше { $limit } анкет. Продолжите одну из начатых — они в списке выше.
