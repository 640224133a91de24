## Payment for the organisation's service, only where the operator set a price (PRODUCT.md, journey step 11).
## It is the issuing organisation's own fee for its service.

apply-payment-ask = Оплата услуги организации: выберите способ оплаты кнопкой ниже.
apply-section-payment = Оплата
apply-field-payment = Оплата
apply-payment-paid = квитанция об оплате сохранена
apply-payment-exempt = льгота: { $exemption }

pay-title = Оплата услуги
pay-price-value = { $amount } ₽
pay-price = Стоимость: { $amount }
pay-covers = Что входит: { $covers }
pay-fee-note = Это плата организации, которая выдаёт ЭМК, за её услугу.
pay-choose = Выберите способ оплаты. Если вам положена льгота, нажмите её кнопку.
pay-status-paid = ✅ Оплачено в Telegram: { $amount }.
pay-status-receipt = ✅ Квитанция загружена, её проверит сотрудник. Можно оставить как есть или выбрать другой способ.
pay-status-exempt = ✅ Льгота: { $exemption }.

btn-pay-telegram = Оплатить в Telegram
btn-pay-manual = Оплачу по реквизитам
btn-pay-exempt-student = Я студент
btn-pay-exempt-pensioner = Я пенсионер
btn-pay-exempt-child-under-14 = Ребёнок до 14 лет

pay-exemption-student = студент
pay-exemption-pensioner = пенсионер
pay-exemption-child-under-14 = ребёнок до 14 лет

pay-invoice-title = Оформление ЭМК
pay-invoice-label = Услуга по оформлению ЭМК
pay-invoice-sent = Счёт — в сообщении ниже.
pay-already-paid = Оплата по этой анкете уже получена — платить ещё раз не нужно.
pay-child-not-eligible = Эта льгота — для детей младше 14 лет. Проверьте дату рождения в анкете.

pay-manual-ask = Оплата по реквизитам организации:

    { $instructions }

    После оплаты отправьте сюда квитанцию или чек — фото или файл (PDF, JPG, PNG, HEIC, до 5 МБ).
pay-proof-ask-student = Льгота для студентов. Отправьте фото или скан студенческого билета либо справки из учебного заведения (PDF, JPG, PNG, HEIC, до 5 МБ). Пример: разворот билета с фотографией и сроком действия.
pay-proof-ask-pensioner = Льгота для пенсионеров. Отправьте фото или скан пенсионного удостоверения либо справки Социального фонда о назначении пенсии (PDF, JPG, PNG, HEIC, до 5 МБ).
pay-proof-retry = Отправьте, пожалуйста, другой файл.
pay-proof-duplicate = Этот файл уже загружен в анкету как другой документ. Отправьте, пожалуйста, квитанцию или подтверждающий документ.
pay-receipt-saved = ✅ Квитанция принята — сотрудник сверит оплату.
pay-exemption-saved = ✅ Льгота учтена: { $exemption }.

pay-received = ✅ Оплата получена: { $amount }. Спасибо!
pay-received-saved = Она учтена в анкете. Продолжить заполнение можно из меню.

pay-error-not-needed = Оплата сейчас не требуется. Откройте анкету в боте.
pay-error-unknown-invoice = Этот счёт больше не действует. Откройте шаг «Оплата» в боте и нажмите «Оплатить в Telegram» ещё раз.
pay-error-amount = Сумма не совпадает с ценой услуги. Откройте шаг «Оплата» в боте и получите новый счёт.
pay-error-already-paid = Оплата по этой анкете уже получена — платить ещё раз не нужно.
pay-error-try-later = Не удалось проверить счёт. Попробуйте, пожалуйста, ещё раз через минуту.

hint-apply-payment = Выберите способ оплаты или льготу кнопкой под сообщением выше.
hint-apply-payment-proof = Здесь нужен файл: отправьте квитанцию или документ как фото или как файл (PDF, JPG, PNG, HEIC). Вернуться к выбору способа оплаты — кнопка «Назад» выше.
