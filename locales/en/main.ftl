## Start, consent, menu, help, language, common hints.

start-greeting =
    Hello, { $name }! I will help you get an electronic medical book (EMK): fill in the application, check your data and photos, send the application for review and keep track of expiry dates.
start-not-gosuslugi = The bot works on behalf of the organisation that issues the books. It is not connected to Gosuslugi or EGISZ.

consent-title = Consent to the processing of personal data (version { $version })
consent-text =
    Data controller: { $operator }, address: { $address }. Contact: { $contact }.
    What data: full name, date of birth, sex, citizenship, address, phone, e-mail, passport or birth certificate, SNILS, OMS policy, employer, photo, document scans and health information (exam results, vaccinations).
    Why: to issue, keep and renew your personal medical book, to remind you of deadlines, and to share it with an employer through your link.
    Legal basis: articles 9 and 10 of Federal Law No. 152-FZ "On Personal Data".
    How long: while the book is valid and { $years } years after, or until you withdraw consent.
    How to withdraw: write to the controller at the contact above — your data will be erased.
consent-question = Do you consent to the processing of your personal and health data on these terms?
consent-accepted = ✅ Thank you, your consent is recorded ({ $date }).
consent-declined =
    You have not given consent. Without it I cannot accept an application, documents or photos — we keep only your Telegram ID and chosen language.
    If you change your mind, press "Give consent" in the menu or send /start.
consent-already = Consent already given ({ $date }).

btn-consent-accept = I agree
btn-consent-decline = I do not agree
btn-consent-give = Give consent
btn-menu-help = Help
btn-menu-language = Язык / Language
btn-back-to-menu = Menu

menu-title = Main menu. What would you like to do?
menu-title-no-consent = Main menu. To apply for a book, first give consent to data processing.

help-text =
    I help you get an electronic medical book: fill in the application step by step, check your data and photo, send the application to the issuing organisation and get status updates.
    The bot is not connected to Gosuslugi: records are kept by the organisation that issues the books.
    Commands:
    /start — start and open the menu
    /help — this help
    /language — change the language
    /cancel — stop the current step (what you entered is kept)

language-choose = Choose a language:
language-set = Language switched to English.

cancel-done = Stopped. What you entered is saved.
cancel-nothing = There is nothing to stop right now.

hint-idle = I understand the menu buttons and the commands /start, /help, /language. Please choose an action in the menu.
hint-consent = Please answer with a button under the consent text: "I agree" or "I do not agree".
hint-button-expired = This button is out of date. Open the menu: /start

error-unexpected = Sorry, something went wrong. We are looking into it. Error code: { $ref }. Please try again or send /start.
error-busy = The bot is very busy right now and did not save your last answer. Please send it again in a moment.
error-need-consent = Consent to data processing is needed first. Send /start.

cmd-start = Start and open the menu
cmd-help = Help
cmd-language = Change the language
cmd-cancel = Stop the current step
language-name-ru = Русский
language-name-en = English
