## Submitting, statuses, «Мои заявления», staff review.

btn-sign-and-send = ✍️ Подписать и отправить
btn-sign-confirm = Подписать и отправить
btn-back-to-summary = ← К анкете
review-sign-explain =
    Перед отправкой проверьте анкету ещё раз.
    Нажимая «Подписать и отправить», вы, { $name }, подписываете заявление простой электронной подписью: мы сохраним, кто и когда подписал, и цифровой отпечаток именно этих данных и файлов. Изменить отправленное заявление будет нельзя — только по запросу сотрудника.
review-submitted =
    ✅ Заявление { $number } отправлено и подписано.
    Что дальше: сотрудник проверит анкету и документы — обычно в течение { $days ->
        [one] { $days } дня
       *[other] { $days } дней
    }. Если что-то нужно исправить или дослать, он напишет, что именно.
    Когда статус изменится, я пришлю сообщение сюда. Следить за заявлением можно в разделе «Мои заявления».
review-already-submitted = Заявление { $number } уже отправлено. Статус: { $status }.

btn-my-applications = Мои заявления
review-list-title = Ваши заявления:
review-list-empty = У вас пока нет отправленных заявлений.
review-list-item = { $number } — { $status }
review-timeline-title = Заявление { $number }. Сейчас: { $status }
review-timeline-entry = { $when } — { $status }

status-accepted = Принято
status-in_review = В проверке
status-needs_documents = Нужны документы
status-approved = Одобрено
status-issued = ЭМК выдана
status-rejected = Отклонено

push-status = Заявление { $number }: новый статус — { $status }.
push-status-comment = Комментарий: { $comment }
push-status-requested = Нужно загрузить: { $documents }.
btn-upload-requested = Загрузить документы
push-stuck-citizen =
    Заявление { $number } рассматривается дольше обычного. Мы напомнили сотрудникам.
    Если хотите уточнить: { $support }

review-upload-ask = Заявление { $number }, документ { $n } из { $m }: { $document }. Отправьте скан или фото (PDF, JPG, PNG, HEIC), затем нажмите кнопку ниже.
btn-review-send = Отправить на проверку
review-photo-ok = ✅ Фото принято и обрезано до 3×4.
review-documents-sent = ✅ Документы отправлены. Заявление { $number } снова в проверке.

hint-review-confirm = Нажмите «Подписать и отправить» или вернитесь к анкете кнопкой выше.
hint-review-upload = Здесь нужен файл: отправьте скан или фото документа.
hint-staff-pick = Отметьте документы кнопками выше и нажмите «Далее».
hint-staff-reason = Напишите причину ответом на сообщение бота, где она запрошена.

staff-card-title = Заявление { $number }
staff-card-status = Статус: { $status }
staff-acted = { $who }: { $status }
btn-staff-take = Взять в работу
btn-staff-approve = Одобрить
btn-staff-reject = Отклонить
btn-staff-request = Запросить документы
btn-staff-documents = Документы мне в личку
btn-staff-next = Далее
staff-not-allowed = Это действие доступно только сотрудникам организации. Ничего не изменено.
staff-done = Готово.
staff-conflict = Заявление уже изменено: { $who } — { $status }. Ваше действие не применено.
staff-pick-documents = Заявление { $number }: какие документы запросить?
staff-cancelled = Действие отменено.
staff-ask-reason = { $name }, напишите причину для заявления { $number } ответом на это сообщение — её увидит заявитель.
staff-reason-length = Причина — от 3 до { $max } символов. Напишите её ещё раз.
staff-done-with-reason = Заявление { $number }: { $status }. Заявитель получит уведомление.
staff-stuck = ⏰ Заявление { $number } ждёт уже больше { $hours } ч (статус: { $status }).
staff-documents-arrived = Заявитель прислал запрошенные документы по заявлению { $number }.
staff-applicant = Заявитель
staff-documents-sent = Документы отправлены вам в личные сообщения.
staff-start-bot-first = Не получилось написать вам лично: откройте чат с ботом и нажмите «Старт», затем повторите.
staff-reason-placeholder = Причина
staff-documents-chosen = Заявление { $number }: запросить { $documents }.

staff-reason-controls = { $name } — «{ $action }», заявление { $number }. Причину пишите ответом на сообщение ниже в течение { $minutes } мин. Передумали — нажмите «Отмена».
staff-reason-reply = Причина принимается только ответом на сообщение бота, где она запрошена (или нажмите «Отмена»).
staff-reason-expired = Время на ответ вышло, действие отменено. Нажмите кнопку на карточке заявления ещё раз.
staff-reason-taken = Причина получена.
staff-cancel-not-yours = Отменить можно только своё действие. Ничего не изменено.
staff-not-possible = Это действие сейчас невозможно: статус заявления — { $status }. Ничего не изменено.

staff-card-payment-uploaded = 💳 Оплата: квитанция загружена, не подтверждена (квитанция — среди документов).
staff-card-payment-confirmed = 💳 Оплата подтверждена.
btn-staff-paid = Оплата подтверждена
staff-payment-confirmed-by = { $who }: оплата подтверждена
staff-payment-nothing = Подтверждать нечего: оплата уже подтверждена или не вносилась по квитанции.
push-payment-confirmed = Заявление { $number }: оплата подтверждена.

btn-staff-full = Показать полностью
staff-full-title = Заявление { $number }: полные данные
staff-full-sent = Полные данные отправлены вам в личные сообщения.

staff-queue-title = Заявления по статусам
staff-queue-item = { $status }: { $count }
staff-queue-empty = Заявлений пока нет.
staff-queue-list = { $status } — страница { $page } из { $pages }. Откройте заявление:
btn-staff-prev = ← Назад
btn-staff-more = Дальше →
btn-staff-queue = К списку статусов
