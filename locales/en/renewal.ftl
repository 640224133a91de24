# «Renew»: renewing the EMK — an application filled in from the book and the profile; only what changed is asked.

btn-renew = 🔄 Renew
renew-title = Renewing EMK { $number }
renew-continued = You have already started renewing this book — we continue where you left off, nothing is lost.
renew-changes-ask = What has changed since your last application? Press what needs updating: only those questions will open. Everything else is taken from the book and your profile. If nothing else changed, press “{ $go_on }”.
renew-changes-done = Updated: { $items }. You can update something else or go on.
renew-change-address = Registration address
renew-change-employer = Employer
btn-renew-nothing = Nothing changed →
btn-renew-next = Next →
renew-entries-title = These required entries run out before { $date } or are no longer valid — the new book needs new results:
renew-entries-none = ✅ Every required entry stays valid beyond { $date }: no new results are needed.
renew-entries-on-review = With staff for review: { $items }.
renew-entries-how = Upload a result with the buttons below now or later (under “Exams”): the application can be sent without them, and the new book is issued once staff confirm the results. To come back to the renewal, press “Renew” on the book's card.
renew-entry-until = valid until { $date }
renew-entry-expired = ran out on { $date }
renew-entry-missing = no entry
btn-renew-upload = 📎 Upload: { $item }
btn-renew-to-summary = To the application check →
renew-cancelled = The renewal is saved. Continue it with “Renew” on the book's card in “My EMK”.
renew-refused-not-found = This book is not among yours. Only your own valid book from “My EMK” can be renewed.
renew-refused-revoked = Book { $number } is revoked and cannot be renewed. Apply for a new one: “Apply for an EMK” in the main menu.
renew-refused-superseded = This book has already been renewed: the new book { $number } is valid. Open it in “My EMK”.
renew-refused-no-profile = The profile data of book { $number } is gone, so it cannot be renewed here. Apply for a new one: “Apply for an EMK” in the main menu.
renew-refused-under-review = The renewal application for book { $number } has already been sent: { $application }, status “{ $status }”. No second application is needed — follow its status in “My applications”.
renew-refused-other-application = Application { $application } of this profile is being decided (status “{ $status }”). Book { $number } can be renewed after that decision.
hint-renewal-changes = Press a button: what changed (passport, address, employer) — or the button with the arrow “→” below them to go on.
hint-renewal-entries = Press a button: upload a result, “To the application check”, or “Back”.

# A book replaced by a renewal's new book: the card, the PDF, the bot's check and the check page.
book-status-superseded = ❌ Replaced by a new book: { $number }
web-check-superseded = ✗ Replaced by a new book on renewal: { $number }. This book is no longer valid.
staff-card-renews = 🔄 Renewal of book { $number }
staff-card-book-superseded = Book { $number } replaced by a new one: { $new }
