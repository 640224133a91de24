## "My data": download, erase, withdraw consent (152-FZ).

btn-menu-mydata = 🔐 My data
btn-privacy-export = 📦 Download my data
btn-privacy-erase = 🗑 Erase my data
btn-privacy-withdraw = Withdraw consent
btn-privacy-export-yes = Yes, send the archive
btn-privacy-erase-yes = Erase for good
btn-privacy-cancel = Cancel

privacy-menu =
    🔐 My data

    "Download" — I will send here a ZIP archive with everything the bot keeps about you: profiles and drafts, applications with their status history, books with their exam entries, exam appointments, added ELMK, links for employers, payments, notification settings, your consent history, the notifications sent to you, and your files.
    "Erase" — I will erase your data. Before that I will show what goes and what the organisation must keep by law.
privacy-menu-withdraw = "Withdraw consent" — I stop accepting applications and documents; the data already kept stays until you erase it. You can give consent again from the menu.
privacy-export-confirm =
    Send an archive with your data to this chat?
    It holds your passport details, SNILS and document scans — do not forward it to anyone else.
privacy-export-wait = Putting the archive together…
privacy-export-sent = The archive with your data is below.
privacy-export-caption = Your data: data.json and files ({ $files }). The organisation that issues the book can explain the fields.
privacy-export-too-big = The archive is about { $size } MB, and Telegram takes at most 50 MB from a bot. Contact the organisation that issues the book: it will hand the data over another way.
privacy-erase-confirm =
    This will be erased for good:
    { $what }

    { $kept }

    Your consent to data processing will be withdrawn. The log keeps only that your data was erased at your request, and when. You can start again with /start.
    Erase?
privacy-erase-line = — { $section ->
        [profiles] Profiles and drafts
        [applications] Applications
        [status_history] Application status history
        [files] Files (photos and scans)
        [exam_results] Exam results
        [exam_cards] Staff's exam cards
        [bookings] Exam appointments
        [books] Books
        [added_elmk] Added ELMK
        [shares] Links for employers
        [notification_settings] Notification settings
        [payments] Payments
        [notifications] Notifications
        [conversation] An unfinished conversation with the bot
       *[other] Other records
    }: { $count }
privacy-erase-nothing = — no profiles, applications or files; only your account in the bot will be reset.
privacy-erase-nothing-kept = The organisation does not have to keep any of it.
privacy-erase-kept = The organisation must keep by law the record of the issued book { $number } until { $until }; then it is erased.
privacy-erased = ✅ Your data is erased (records: { $rows }, files: { $files }). Consent is withdrawn. To start again, send /start.
privacy-withdrawn =
    Consent withdrawn. I will not accept new applications or documents.
    Erase the data already kept too? Or keep it — you can give consent again from the menu.
privacy-cancelled = All right, nothing changed.
hint-privacy-confirm = Please answer with a button under the message: confirm, or press "Cancel".
