## Problems found in what a person typed: one message per issue code of domain/person.py and
## domain/identifiers.py. The bot shows issue-<code> with the issue's params as variables.

## Dates

issue-date-format = We could not read the date. Please write it as DD.MM.YYYY, for example: 01.02.1990
issue-date-invalid = There is no such day in the calendar — please check the day and the month. Example: 28.02.2020
issue-birth-date-future = The date of birth cannot be later than today — please check the year. Example: 01.02.1990
issue-birth-date-too-old = This date of birth gives an age over { $max } { $max ->
        [one] year
       *[other] years
    } — please check the year. Example: 01.02.1990

## Surname, name, patronymic

issue-name-empty = { $field ->
    [surname] Please write your surname. Example: Иванова
    [name] Please write your first name. Example: Анна
   *[patronymic] Please write your patronymic, or press "Skip" if you have none. Example: Сергеевна
}
issue-name-latin = { $field ->
    [surname] Please write the surname in Russian (Cyrillic) letters, as in the passport. Example: Иванова
    [name] Please write the first name in Russian (Cyrillic) letters, as in the passport. Example: Анна
   *[patronymic] Please write the patronymic in Russian (Cyrillic) letters, as in the passport. Example: Сергеевна
}
issue-name-chars = { $field ->
    [surname] A surname may contain only Russian letters, a hyphen, an apostrophe and spaces, no digits or other signs. Example: Иванова-Петрова
    [name] A first name may contain only Russian letters, a hyphen, an apostrophe and spaces, no digits or other signs. Example: Анна-Мария
   *[patronymic] A patronymic may contain only Russian letters, a hyphen, an apostrophe and spaces, no digits or other signs. Example: Сергеевна
}
issue-name-too-long = { $field ->
    [surname] The surname is too long: at most { $max } { $max ->
        [one] character
       *[other] characters
    }. Example: Иванова-Петрова
    [name] The first name is too long: at most { $max } { $max ->
        [one] character
       *[other] characters
    }. Example: Анна
   *[patronymic] The patronymic is too long: at most { $max } { $max ->
        [one] character
       *[other] characters
    }. Example: Сергеевна
}
issue-name-looks-full = { $field ->
    [surname] It looks like you wrote the surname, first name and patronymic together. Only the surname is needed here, for example: Иванова. If this is right, you can go on.
    [name] It looks like you wrote several words. Only the first name is needed here, for example: Анна. If this is right, you can go on.
   *[patronymic] It looks like you wrote several words. Only the patronymic is needed here, for example: Сергеевна. If this is right, you can go on.
}

## Phone and e-mail

issue-phone-invalid = We could not recognise the phone number. Please send it with the "Share contact" button or type your mobile number. Example: +7 912 345-67-89
issue-phone-not-russian = A Russian mobile number is needed; it starts with +7. Example: +7 912 345-67-89
issue-phone-not-mobile = This is a landline or toll-free number, but a mobile one is needed; it starts with +7 9. Example: +7 912 345-67-89
issue-email-invalid = The e-mail address has a mistake — please check that it has an @ and a domain name. Example: ivanova@mail.ru

## Address

issue-address-no-index = The address has no 6-digit postal code. Please add it at the beginning. Example: 125009, г. Москва, ул. Тверская, д. 1, кв. 2
issue-address-index-invalid = The postal code { $index } does not look Russian: it must start with a digit from 1 to 6. Please check it. Example: 125009, г. Москва, ул. Тверская, д. 1, кв. 2
issue-address-too-short = The address is too short: besides the postal code it needs the town, street, house and flat — at least { $min } { $min ->
        [one] character
       *[other] characters
    }. Example: 125009, г. Москва, ул. Тверская, д. 1, кв. 2
issue-address-too-long = The address is too long: at most { $max } { $max ->
        [one] character
       *[other] characters
    }. Please write it shorter, as in the registration stamp. Example: 125009, г. Москва, ул. Тверская, д. 1, кв. 2
issue-postal-index-format = A postal code is 6 digits. Example: 125009

## СНИЛС

issue-snils-chars = The SNILS may contain only digits, spaces and hyphens. Example: 112-233-445 95
issue-snils-length = A SNILS has 11 digits, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 112-233-445 95
issue-snils-checksum = The SNILS check number does not match — please check the digits. Example: 112-233-445 95
issue-snils-no-checksum = A SNILS with such a low number has no check number, so it cannot be verified. Please compare the digits with the document; if they are right, you can go on. A SNILS looks like this: 112-233-445 95

## OMS policy

issue-oms-length = The unified OMS policy number has 16 digits, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 1234 5678 9012 3452. For an old-style policy, write the series and the number with a space, for example: ЯМ 1234567890; if the series is digits only, use the words «series» and «number», for example: series 3401 number 123456
issue-oms-checksum = The last (check) digit of the OMS policy number does not match the others — please check the digits. Example: 1234 5678 9012 3452
issue-oms-temporary = This is the number of a temporary certificate (9 digits). We accept it; when you get the policy, please enter its unified 16-digit number, for example: 1234 5678 9012 3452
issue-oms-old-format = This is an old-style policy: its series and number cannot be verified, so please compare them with the policy. If they are right, you can go on. A unified policy number looks like this: 1234 5678 9012 3452

## INN, OGRN, OKPO

issue-inn-chars = The INN may contain only digits. Example: 7707083893
issue-inn-length = { $allowed ->
    [legal] An organisation's INN has 10 digits, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 7707083893
    [individual] A person's INN has 12 digits, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 500100732259
   *[both] An organisation's INN has 10 digits and an entrepreneur's 12, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 7707083893
}
issue-inn-checksum = The INN check digit does not match — please check the digits. Example: 7707083893
issue-ogrn-chars = The OGRN may contain only digits. Example: 1027700132195
issue-ogrn-length = An organisation's OGRN has 13 digits and an entrepreneur's OGRNIP 15, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 1027700132195
issue-ogrn-first-digit = An organisation's OGRN starts with 1 or 5 — please check the first digit. Example: 1027700132195
issue-ogrn-checksum = The OGRN check digit does not match — please check the digits. Example: 1027700132195
issue-ogrnip-first-digit = An entrepreneur's OGRNIP starts with 3 — please check the first digit. Example: 304500116000157
issue-ogrnip-checksum = The OGRNIP check digit does not match — please check the digits. Example: 304500116000157
issue-okpo-chars = The OKPO code may contain only digits. Example: 00032537
issue-okpo-length = An organisation's OKPO code has 8 digits and an entrepreneur's 10, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 00032537
issue-okpo-checksum = The OKPO check digit does not match — please check the digits. Example: 00032537
issue-okpo-ambiguous = Registries compute the check digit of this OKPO code in different ways, so it cannot be verified for certain. Please compare the code with the employer's documents; if it is right, you can go on. Example of a code: 0123456789

## Passport

issue-passport-chars = The passport series and number may contain only digits. Example: 45 08 123456
issue-passport-length = The passport series and number are 10 digits: 4 for the series and 6 for the number, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: 45 08 123456
issue-passport-region-unknown = The first two digits of the passport series ({ $code }) match no region code. Please check the series; if it is right, you can go on. Example: 45 08 123456
issue-passport-issue-future = The passport issue date cannot be later than today — please check the date. Example: 15.03.2015
issue-passport-issue-before-14 = Passports are issued from the age of 14, and this date is before the holder's 14th birthday — please check the issue date. Example: 15.03.2015
issue-passport-not-replaced-20 = The passport was issued before the holder turned 20, and at 20 it must be replaced within 90 days. If it has been replaced, please enter the new one; if not, you can go on, but the passport has to be replaced. Example of an issue date: 15.03.2015
issue-passport-not-replaced-45 = The passport was issued before the holder turned 45, and at 45 it must be replaced within 90 days. If it has been replaced, please enter the new one; if not, you can go on, but the passport has to be replaced. Example of an issue date: 15.03.2015
issue-division-code-format = The division code is 6 digits, usually with a hyphen. Example: 770-001
issue-issued-by-length = "Issued by" must be { $min } to { $max } characters long. Please copy it from the passport. Example: ГУ МВД России по г. Москве

## Birth certificate

issue-birth-cert-format = We could not read the series and number of the birth certificate. Please write them as in the document: a Roman numeral, a hyphen, two Russian letters and a 6-digit number. Example: IV-МЮ 123456
issue-birth-cert-series-roman = The certificate series must start with a Roman numeral in the Latin letters I, V, X, L — please check it. Example: IV-МЮ 123456
issue-birth-cert-series-letters = After the Roman numeral the certificate series must have two Russian capital letters. Example: IV-МЮ 123456
issue-birth-cert-number = The birth certificate number is 6 digits, and you entered { $got } { $got ->
        [one] digit
       *[other] digits
    }. Example: IV-МЮ 123456
issue-birth-cert-issue-future = The birth certificate issue date cannot be later than today — please check the date. Example: 20.05.2015
issue-birth-cert-issue-before-birth = A birth certificate cannot be issued before the date of birth — please check the issue date. Example: 20.05.2015

## A foreign citizen's passport and a DMS policy

issue-foreign-passport-chars = The passport number may hold only Latin letters and digits, as printed in the passport. Example: AA 1234567
issue-foreign-passport-length = The passport number has { $min } to { $max } letters and digits, and you entered { $got }. Example: AA 1234567
issue-foreign-passport-digits = The passport number must contain digits — copy it as printed in the passport. Example: AA 1234567
issue-foreign-passport-issue-future = The passport issue date cannot be later than today — please check the date. Example: 15.03.2020
issue-foreign-passport-issue-before-birth = A passport cannot be issued before the date of birth — please check the issue date. Example: 15.03.2020
issue-foreign-passport-expiry-before-issue = The passport's expiry date must be later than its issue date — please check the date. Example: 14.03.2030
issue-foreign-passport-expired = This passport has already expired. If you have a new passport, enter its details; if not, you may go on, but a medical book may be refused on an expired passport. Example of an expiry date: 14.03.2030
issue-dms-number-format = A DMS policy number is { $min } to { $max } characters: letters, digits, spaces, «-», «/» or «.», with at least one digit. Example: 001-23/456789
