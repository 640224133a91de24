## The application wizard: prompts, buttons, summary.

btn-menu-apply = Apply for an EMK
btn-menu-continue = Continue the application
btn-back = ← Back
btn-keep = Keep as is
btn-skip = Skip
btn-cancel = Cancel
btn-share-contact = 📱 Share my contact
btn-apply-for-self = Application for myself
btn-apply-for-child = Application for a child
btn-edit-section = Edit: { $section }
btn-fill-field = Fill in: { $field }

apply-choose-whom = Who is the medical book for?
apply-choose-profile = Choose an application to continue, or start a new one.
apply-profile-self = myself
apply-profile-child = child
apply-profile-new = New application ({ $who })
apply-cancelled = Stopped; your draft is saved. You can continue from the menu.
apply-progress = { $section } · { $n } of { $m }
apply-current-value = Currently: { $value }
apply-value-skipped = skipped

apply-phone-ask = Share your mobile number so we can reach you: press "📱 Share my contact" at the bottom of the screen. Only your own number is accepted.
apply-phone-nav = Changed your mind? Use the buttons below.
apply-phone-placeholder = Press the button below
apply-phone-saved = ✅ Phone number saved.
apply-phone-saved-typed = ✅ Phone number saved. It was typed by hand, so the application marks it as not confirmed by Telegram.
apply-phone-typed-note = If the button does not work, you may type the number in a message. Example: +7 912 345-67-89
apply-phone-unconfirmed = not confirmed by Telegram
apply-email-ask = Your e-mail address, for copies of documents. Example: ivanova@mail.ru. You may skip this step.
apply-surname-ask = { $child ->
    [yes] The child's surname, as in the birth certificate or passport, in Cyrillic. Example: Иванова
   *[no] Your surname as in your passport, in Cyrillic. Example: Иванова
}
apply-name-ask = { $child ->
    [yes] The child's first name, in Cyrillic. Example: Мария
   *[no] Your first name, in Cyrillic. Example: Мария
}
apply-patronymic-ask = Patronymic, if any, in Cyrillic. Example: Сергеевна. No patronymic? Press "Skip".
apply-birth-date-ask = Date of birth as DD.MM.YYYY. Example: 01.02.1990
apply-sex-ask = Sex:
apply-citizenship-ask = Citizenship:
apply-address-ask = Registration address with the postal code. Example: 123456, Moscow, Lenina st. 1, apt. 2
apply-category-ask = { $child ->
    [yes] What work or activity does the child need the book for? It decides the exams and periods:
   *[no] Type of work — it decides the exams and periods:
}
apply-passport-number-ask = Russian passport series and number. Example: 45 08 123456
apply-passport-issue-date-ask = Passport issue date (DD.MM.YYYY). Example: 15.03.2015
apply-passport-division-code-ask = Code of the issuing office. Example: 770-001
apply-passport-issued-by-ask = Issued by, as written in the passport. Example: ОВД района Арбат г. Москвы
apply-birth-certificate-number-ask = Birth certificate series and number. Example: IV-МЮ 123456
apply-birth-certificate-issue-date-ask = Birth certificate issue date (DD.MM.YYYY). Example: 20.05.2015
apply-foreign-passport-country-ask = Which country issued your passport? Choose with a button; if your country is not listed, press «Other country» and type its name. Only your national passport is needed: no migration card or patent.
apply-foreign-passport-country-name-ask = The name of the country that issued the passport. Example: Vietnam
apply-foreign-passport-number-ask = The passport number as printed: Latin letters and digits. Example: AA 1234567
apply-foreign-passport-issue-date-ask = Passport issue date (DD.MM.YYYY). Example: 15.03.2020
apply-foreign-passport-expiry-date-ask = Passport expiry date — the date it is valid until (DD.MM.YYYY). Example: 14.03.2030. If your passport has none, press «Skip».
apply-snils-ask = SNILS number, 11 digits. Example: 112-233-445 95
apply-oms-ask = OMS policy number: the 16-digit unified number. Example: 7700 0000 0000 0016. An old-style policy (series and number) or a temporary certificate (9 digits) also works.
apply-policy-kind-ask = What health insurance policy do you have? If you have none, press «Skip».
apply-dms-number-ask = The voluntary health insurance (DMS) policy number as written on the policy. Example: 001-23/456789
apply-dms-insurer-ask = The insurance company that issued the DMS policy. Example: SOGAZ
apply-employer-name-ask = { $child ->
    [yes] Where the child works: organisation or sole trader name. Example: ООО «Ромашка». Not working yet? Press "Skip".
   *[no] Employer: organisation or sole trader name. Example: ООО «Ромашка». No employer yet? Press "Skip".
}
apply-employer-inn-ask = Employer's INN: 10 digits for an organisation, 12 for a sole trader. Example: 7707083893
apply-employer-ogrn-ask = Employer's OGRN (13 digits) or OGRNIP (15 digits). Example: 1027700132195
apply-employer-okpo-ask = Employer's OKPO code (8 or 10 digits), if you know it. Example: 00032537. You may skip it.
apply-employer-position-ask = { $child ->
    [yes] The child's position. Example: kitchen assistant
   *[no] Your position. Example: cook
}
apply-employer-start-date-ask = Start date of the job (DD.MM.YYYY). Example: 01.12.2026

choice-sex-male = Male
choice-sex-female = Female
choice-citizenship-ru = Russian Federation
choice-citizenship-other = Other citizenship

choice-foreign-passport-country-uz = Uzbekistan
choice-foreign-passport-country-tj = Tajikistan
choice-foreign-passport-country-kg = Kyrgyzstan
choice-foreign-passport-country-kz = Kazakhstan
choice-foreign-passport-country-by = Belarus
choice-foreign-passport-country-am = Armenia
choice-foreign-passport-country-az = Azerbaijan
choice-foreign-passport-country-ua = Ukraine
choice-foreign-passport-country-md = Moldova
choice-foreign-passport-country-other = Other country
choice-policy-kind-oms = OMS policy
choice-policy-kind-dms = DMS (voluntary) policy

category-food = Work with food
category-children = Upbringing and education of children
category-communal = Communal and household services
category-water = Drinking-water facilities
category-medical = Medical work
category-other = Other jobs from the list

apply-summary-title = Check your application
apply-summary-missing = Not filled in yet:
apply-summary-complete = ✅ All required fields are filled in.
apply-employer-skipped = Not given (skipped)
apply-section-contacts = Contacts
apply-section-person = Personal data
apply-section-document = Passport
apply-section-document-child = Birth certificate
apply-section-document-foreign = Foreign passport
apply-section-snils = SNILS
apply-section-oms = OMS policy
apply-section-oms-foreign = Medical policy
apply-section-employer = Employer

apply-field-phone = Phone
apply-field-email = E-mail
apply-field-surname = Surname
apply-field-name = First name
apply-field-patronymic = Patronymic
apply-field-birth-date = Date of birth
apply-field-sex = Sex
apply-field-citizenship = Citizenship
apply-field-address = Registration address
apply-field-category = Type of work
apply-field-passport-number = Passport
apply-field-passport-issue-date = Passport issue date
apply-field-passport-division-code = Issuing office code
apply-field-passport-issued-by = Issued by
apply-field-birth-certificate-number = Birth certificate
apply-field-birth-certificate-issue-date = Certificate issue date
apply-field-foreign-passport-country = Passport country
apply-field-foreign-passport-country-name = Country (name)
apply-field-foreign-passport-number = Foreign passport
apply-field-foreign-passport-issue-date = Passport issue date
apply-field-foreign-passport-expiry-date = Passport valid until
apply-field-policy-kind = Policy kind
apply-field-dms-number = DMS policy
apply-field-dms-insurer = Insurance company
apply-field-snils = SNILS
apply-field-oms = OMS policy
apply-field-employer-name = Organisation
apply-field-employer-inn = INN
apply-field-employer-ogrn = OGRN / OGRNIP
apply-field-employer-okpo = OKPO
apply-field-employer-position = Position
apply-field-employer-start-date = Start date

hint-apply-text = A text answer is needed here — type it as a message. "Back" and "Cancel" are under the question above.
hint-apply-contact = Press "📱 Share my contact" at the bottom of the screen, or type your mobile number in a message. Example: +7 912 345-67-89
hint-apply-choice = Choose an option with a button under the question above.
hint-apply-choose-profile = Choose an application with a button above, or start a new one.
hint-apply-summary = This is the summary of your application. To correct a section, press "Edit" under it.

issue-phone-not-own = Only your own contact can be sent: press "📱 Share my contact" at the bottom of the screen rather than picking a contact from your address book.
issue-birth-date-child-adult = In an application for a child, the age must be under 18. Check the date of birth or apply for yourself. Example: 01.02.2015
issue-employer-start-before-birth = The start date cannot be before the date of birth. Example: 01.12.2026
issue-employer-name-length = The employer's name must be 2 to { $limit } characters. Example: ООО «Ромашка»
issue-employer-position-length = The position must be 2 to { $limit } characters. Example: cook
issue-choice-unknown = There is no such option — choose with a button under the question.
issue-foreign-country-length = The country name is 2 to { $limit } characters long. Example: Vietnam
issue-dms-insurer-length = The insurance company name is 2 to { $limit } characters long. Example: SOGAZ
apply-profiles-limit = One account can hold at most { $limit } application forms. Please continue one of those you started — they are in the list above.
