# Sharing a book with an employer: the questions in the chat, 'My links', the push, the employer's page.

btn-share = 📤 Share
btn-share-links = 🔗 My links
btn-share-skip-name = Skip
btn-share-level-full = Full view
btn-share-level-status = Status only
btn-share-days = { $days } days
btn-share-days-default = ✅ { $days } days
btn-share-revoke = ⛔ Revoke: { $employer }
btn-share-revoke-yes = Yes, revoke
btn-share-revoke-no = No, keep it

share-ask-employer = Type the employer's INN (10 or 12 digits) or OGRN (13 or 15 digits). Only this employer will be able to confirm receipt. The INN is in your employment contract; HR can tell you.
share-ask-name = What is the employer called? Only you will see the name, in your list of links. You may skip this.
share-ask-level = What will the employer see?
    • Full view — every entry of the book: examinations, tests, attestation.
    • Status only — whether the book is valid and until when.
share-ask-lifetime = How many days should the link work? 30 is usually enough.
share-refused-gone = This book is no longer available. Open 'My EMK' again.
share-refused-revoked = The book is revoked and cannot be shared.
share-refused-superseded = This book was replaced by a new one on renewal: share the new book.
share-cancelled = All right, no link is made.
share-created = The link for { $employer } is ready. Forward the message with the QR code to the employer. I will tell you as soon as they confirm receipt.
share-link-caption = Electronic medical book No. { $number } for the employer ({ $level }).
    Open the link: { $url }
    The link works until { $until }. The page lets you confirm receipt with your INN or OGRN.
share-employer-inn = INN { $id }
share-employer-ogrn = OGRN { $id }
share-level-full = full view
share-level-status = status only
share-state-created = Created
share-state-opened = Opened
share-state-delivered = Delivered
share-state-revoked = Revoked
share-state-expired = Expired
share-line = { $mark } { $employer }
    Book { $number } · { $level } · until { $until }
    State: { $state }
share-list-title = 🔗 My links
share-list-empty = You have no links yet. To share a book, open 'My EMK' and press 'Share'.
share-revoke-ask = Revoke this link? The employer will no longer be able to open it.

    { $line }
share-revoked = Link revoked
push-share-delivered = ✅ The employer { $employer } confirmed receipt of your EMK { $number } ({ $at }). The link is now 'Delivered'.

hint-share-employer = Send the employer's INN or OGRN in digits, or press 'Cancel'.
hint-share-name = Send the employer's name as text, or press 'Skip'.
hint-share-level = Choose what the employer will see with a button under the question.
hint-share-lifetime = Choose how long the link works with a button under the question.

issue-share-employer-id-length = An INN has 10 or 12 digits and an OGRN 13 or 15, but you typed { $got } { $got ->
    [one] digit
   *[other] digits
}.

web-share-page-title = Medical book for the employer
web-share-heading = Electronic medical book
web-share-level = Access: { $level }
web-share-birth-date = Date of birth: { $date }
web-share-issuer = Issued by
web-share-entries = All entries
web-share-confirmed = ✓ Receipt confirmed. The book's holder has been notified.
web-share-confirm-title = Confirm receipt
web-share-confirm-hint = Type your organisation's INN or OGRN — the one the book's holder named.
web-share-employer-id = INN or OGRN
web-share-confirm-button = Confirm receipt
web-share-error-mismatch = This INN/OGRN is not the one the book's holder named. Check the digits.
web-share-gone-title = This link does not work
web-share-gone-text = The link is unknown, was revoked by its holder, or has expired. Ask the book's holder for a new one.
web-share-too-many-title = Too many requests
web-share-too-many-text = Please wait a little and open the link again.
web-share-refused-title = The form is out of date
web-share-refused-text = Open the link again and send the form once more.
