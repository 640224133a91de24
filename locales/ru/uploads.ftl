## Photo 3×4 and document scans.

apply-photo-ask = Фото 3×4 для книжки. Сфотографируйтесь анфас у светлой однотонной стены, при хорошем свете, без очков и головного убора; лицо целиком в кадре. Отправьте снимок как фото или как файл (JPEG, PNG, HEIC) — я проверю его и сам обрежу до 3×4.
apply-photo-result = ✅ Фото подходит: лицо по центру, фон светлый, я обрезал его до размера 3×4 см для печати. Использовать это фото?
apply-photo-result-warned = Я обрезал фото до размера 3×4 см, лицо по центру. Его можно использовать, но лучше переснять с учётом замечаний выше. Использовать это фото?
apply-photo-retry = Отправьте, пожалуйста, другое фото.
apply-photo-send-another = Хорошо, отправьте другое фото.
apply-photo-saved = ✅ Фото сохранено.
apply-photo-accepted = ✅ принято
btn-photo-use = Использовать это фото
btn-photo-retake = Переснять

apply-doc-passport-main-ask = Скан или фото главного разворота паспорта (с фотографией). Иностранным гражданам — разворот национального паспорта с фотографией; страница с регистрацией, миграционная карта и патент не нужны.
apply-doc-passport-registration-ask = Скан или фото страницы паспорта с регистрацией.
apply-doc-birth-certificate-ask = Скан или фото свидетельства о рождении.
apply-doc-oms-policy-ask = Скан или фото полиса ОМС (или выписки о полисе). Иностранным гражданам — полиса ОМС или ДМС, который вы указали.
apply-doc-others-ask = Другие документы, если нужны (например, справки). Этот шаг можно пропустить.
apply-upload-rules = Подойдут PDF, JPG, PNG или HEIC до 5 МБ, по одному или альбомом. Снимайте при хорошем свете, весь лист целиком. Когда всё отправите, нажмите «Готово».
apply-upload-accepted-title = Принято:
apply-upload-item-pdf = { $n }) PDF, { $pages ->
    [one] { $pages } страница
    [few] { $pages } страницы
   *[many] { $pages } страниц
}, { $size_kb } КБ
apply-upload-item-image = { $n }) { $kind }, { $width }×{ $height }, { $size_kb } КБ
btn-remove-file = 🗑 Удалить { $n }
btn-upload-done = Готово
apply-scan-accepted = ✅ Файл принят.
apply-scan-retry = Отправьте, пожалуйста, другой файл.
apply-scan-duplicate = Этот файл уже загружен — отправлять его ещё раз не нужно.
apply-scan-limit = К одному документу можно приложить не больше { $limit ->
    [one] { $limit } файла
   *[other] { $limit } файлов
}. Если какой-то файл лишний, удалите его кнопкой «🗑 Удалить» и отправьте нужный.
apply-scan-removed = Файл удалён.
apply-scan-none-yet = Сначала отправьте хотя бы один файл.
apply-scan-confirm-legible = Проверьте, пожалуйста: на сканах хорошо читаются подписи, печати и даты?
btn-scan-legible = Да, всё читается
btn-scan-reupload = Нет, загружу другой файл
apply-docs-confirmed = ✅ загружено

apply-section-files = Фото и документы
apply-field-photo = Фото 3×4
apply-field-doc-passport-main = Паспорт, главный разворот
apply-field-doc-passport-registration = Паспорт, регистрация
apply-field-doc-birth-certificate = Свидетельство о рождении (скан)
apply-field-doc-oms-policy = Полис ОМС (скан)
apply-field-doc-dms-policy = Полис ДМС (скан)
apply-field-doc-others = Другие документы

hint-apply-photo = Здесь нужна фотография: отправьте снимок как фото или как файл.
hint-apply-upload = Здесь нужен документ: отправьте скан или фото (PDF, JPG, PNG, HEIC), затем нажмите «Готово».
hint-apply-photo-confirm = Нажмите под фото «Использовать это фото» или «Переснять».
hint-apply-doc-confirm = Ответьте кнопкой выше: читаются ли подписи, печати и даты.

issue-file-too-big-to-download = Файл больше { $limit_mb } МБ — Telegram не даёт ботам скачивать такие файлы. Уменьшите его (например, сохраните скан в меньшем разрешении или сожмите PDF) и отправьте снова.
issue-file-download-failed = Не удалось получить файл от Telegram. Попробуйте отправить его ещё раз через минуту.
issue-file-check-busy = Мы ещё проверяем файл, который вы прислали раньше. Дождитесь ответа на него, а потом отправьте этот файл ещё раз.
