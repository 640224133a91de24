# Sharing a book with an employer: the questions in the chat, «Мои ссылки», the push, the employer's page.

btn-share = 📤 Поделиться
btn-share-links = 🔗 Мои ссылки
btn-share-skip-name = Пропустить
btn-share-level-full = Полный просмотр
btn-share-level-status = Только статус
btn-share-days = { $days } дней
btn-share-days-default = ✅ { $days } дней
btn-share-revoke = ⛔ Отозвать: { $employer }
btn-share-revoke-yes = Да, отозвать
btn-share-revoke-no = Нет, оставить

share-ask-employer = Введите ИНН (10 или 12 цифр) или ОГРН (13 или 15 цифр) работодателя, которому хотите показать ЭМК. Подтвердить получение сможет только он. ИНН есть в трудовом договоре, его можно узнать в отделе кадров.
share-ask-name = Как называется работодатель? Название увидите только вы — в списке ссылок. Можно пропустить.
share-ask-level = Что увидит работодатель?
    • Полный просмотр — все записи книжки: осмотры, анализы, аттестация.
    • Только статус — действует ли книжка и до какого числа.
share-ask-lifetime = Сколько дней будет работать ссылка? Обычно хватает 30.
share-refused-gone = Эта книжка больше недоступна. Откройте «Моя ЭМК» заново.
share-refused-revoked = Книжка отозвана — ею нельзя поделиться.
share-refused-superseded = Эта книжка заменена новой при продлении — поделитесь новой книжкой.
share-cancelled = Хорошо, ссылку не создаём.
share-created = Ссылка для { $employer } готова. Перешлите сообщение с QR-кодом работодателю. Когда он подтвердит получение, я сразу напишу.
share-link-caption = Электронная медицинская книжка № { $number } для работодателя ({ $level }).
    Откройте ссылку: { $url }
    Ссылка действует до { $until }. На странице можно подтвердить получение по ИНН или ОГРН.
share-employer-inn = ИНН { $id }
share-employer-ogrn = ОГРН { $id }
share-level-full = полный просмотр
share-level-status = только статус
share-state-created = Создана
share-state-opened = Открыта
share-state-delivered = Передана
share-state-revoked = Отозвана
share-state-expired = Истекла
share-line = { $mark } { $employer }
    Книжка { $number } · { $level } · до { $until }
    Состояние: { $state }
share-list-title = 🔗 Мои ссылки
share-list-empty = У вас пока нет ссылок. Чтобы поделиться книжкой, откройте «Моя ЭМК» и нажмите «Поделиться».
share-revoke-ask = Отозвать эту ссылку? Работодатель больше не сможет её открыть.

    { $line }
share-revoked = Ссылка отозвана
push-share-delivered = ✅ Работодатель { $employer } подтвердил получение вашей ЭМК { $number } ({ $at }). Ссылка — в состоянии «Передана».

hint-share-employer = Пришлите ИНН или ОГРН работодателя цифрами или нажмите «Отмена».
hint-share-name = Пришлите название работодателя текстом или нажмите «Пропустить».
hint-share-level = Выберите, что увидит работодатель, — кнопкой под вопросом.
hint-share-lifetime = Выберите срок действия ссылки — кнопкой под вопросом.

issue-share-employer-id-length = ИНН — это 10 или 12 цифр, ОГРН — 13 или 15, а вы ввели { $got } { $got ->
    [one] цифру
    [few] цифры
   *[many] цифр
}.

web-share-page-title = Медицинская книжка для работодателя
web-share-heading = Электронная медицинская книжка
web-share-level = Доступ: { $level }
web-share-birth-date = Дата рождения: { $date }
web-share-issuer = Выдала организация
web-share-entries = Все записи
web-share-confirmed = ✓ Получение подтверждено. Владелец книжки уже получил уведомление.
web-share-confirm-title = Подтвердите получение
web-share-confirm-hint = Введите ИНН или ОГРН вашей организации — тот, который указал владелец книжки.
web-share-employer-id = ИНН или ОГРН
web-share-confirm-button = Подтвердить получение
web-share-error-mismatch = Этот ИНН/ОГРН не совпадает с тем, который указал владелец книжки. Проверьте цифры.
web-share-gone-title = Ссылка недействительна
web-share-gone-text = Ссылка не найдена, отозвана владельцем или её срок истёк. Попросите владельца книжки прислать новую.
web-share-too-many-title = Слишком много запросов
web-share-too-many-text = Подождите немного и откройте ссылку снова.
web-share-refused-title = Форма устарела
web-share-refused-text = Откройте ссылку заново и отправьте форму ещё раз.
