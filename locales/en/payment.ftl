## Payment for the organisation's service, only where the operator set a price (PRODUCT.md, journey step 11).
## It is the issuing organisation's own fee for its service.

apply-payment-ask = Payment for the organisation's service: choose how to pay with a button below.
apply-section-payment = Payment
apply-field-payment = Payment
apply-payment-paid = payment receipt stored
apply-payment-exempt = exemption: { $exemption }

pay-title = Payment for the service
pay-price-value = RUB { $amount }
pay-price = Price: { $amount }
pay-covers = What it covers: { $covers }
pay-fee-note = This is the issuing organisation's own fee for its service.
pay-choose = Choose how to pay. If an exemption applies to you, press its button.
pay-status-paid = ✅ Paid in Telegram: { $amount }.
pay-status-receipt = ✅ Receipt uploaded; a staff member will check it. You can keep it or choose another way.
pay-status-exempt = ✅ Exemption: { $exemption }.

btn-pay-telegram = Pay in Telegram
btn-pay-manual = I'll pay by bank details
btn-pay-exempt-student = I'm a student
btn-pay-exempt-pensioner = I'm a pensioner
btn-pay-exempt-child-under-14 = Child under 14

pay-exemption-student = student
pay-exemption-pensioner = pensioner
pay-exemption-child-under-14 = child under 14

pay-invoice-title = Electronic medical book
pay-invoice-label = Medical book service
pay-invoice-sent = The invoice is in the message below.
pay-already-paid = This application is already paid for — there is no need to pay again.
pay-child-not-eligible = This exemption is for children under 14. Please check the date of birth in the application.

pay-manual-ask = Paying by the organisation's bank details:

    { $instructions }

    After paying, send the receipt here — a photo or a file (PDF, JPG, PNG, HEIC, up to 5 MB).
pay-proof-ask-student = Student exemption. Send a photo or a scan of your student card or a certificate from your school or university (PDF, JPG, PNG, HEIC, up to 5 MB). Example: the page of the card with your photo and its expiry date.
pay-proof-ask-pensioner = Pensioner exemption. Send a photo or a scan of your pension certificate or the Social Fund's letter granting the pension (PDF, JPG, PNG, HEIC, up to 5 MB).
pay-proof-retry = Please send another file.
pay-proof-duplicate = This file is already in the application as another document. Please send the receipt or the proof.
pay-receipt-saved = ✅ Receipt accepted — a staff member will check the payment.
pay-exemption-saved = ✅ Exemption noted: { $exemption }.

pay-received = ✅ Payment received: { $amount }. Thank you!
pay-received-saved = It is recorded in the application. You can continue filling it in from the menu.

pay-error-not-needed = No payment is needed now. Please open the application in the bot.
pay-error-unknown-invoice = This invoice is no longer valid. Open the "Payment" step in the bot and press "Pay in Telegram" again.
pay-error-amount = The amount does not match the price of the service. Open the "Payment" step in the bot to get a new invoice.
pay-error-already-paid = This application is already paid for — there is no need to pay again.
pay-error-try-later = The invoice could not be checked. Please try again in a minute.

hint-apply-payment = Choose how to pay, or an exemption, with a button under the message above.
hint-apply-payment-proof = A file is needed here: send the receipt or the document as a photo or as a file (PDF, JPG, PNG, HEIC). To go back to the ways of paying, press "Back" above.
