## Submitting, statuses, "My applications", staff review.

btn-sign-and-send = ✍️ Sign and send
btn-sign-confirm = Sign and send
btn-back-to-summary = ← Back to the application
review-sign-explain =
    Please check the application once more before sending.
    By pressing "Sign and send", you, { $name }, sign the application with a simple electronic signature: we record who signed, when, and a digital fingerprint of exactly this data and these files. A sent application cannot be changed — only at a staff member's request.
review-submitted =
    ✅ Application { $number } is signed and sent.
    What happens next: a staff member will check your details and documents — usually within { $days ->
        [one] { $days } day
       *[other] { $days } days
    }. If something needs correcting or adding, they will say exactly what.
    When the status changes, I will message you here. You can follow the application under "My applications".
review-already-submitted = Application { $number } has been sent. Status: { $status }.

btn-my-applications = My applications
review-list-title = Your applications:
review-list-empty = You have not sent any applications yet.
review-list-item = { $number } — { $status }
review-timeline-title = Application { $number }. Now: { $status }
review-timeline-entry = { $when } — { $status }

status-accepted = Accepted
status-in_review = Under review
status-needs_documents = Documents needed
status-approved = Approved
status-issued = EMK issued
status-rejected = Rejected

push-status = Application { $number }: new status — { $status }.
push-status-comment = Comment: { $comment }
push-status-requested = Please upload: { $documents }.
btn-upload-requested = Upload documents
push-stuck-citizen =
    Application { $number } is taking longer than usual. We have reminded the staff.
    If you would like to ask: { $support }

review-upload-ask = Application { $number }, document { $n } of { $m }: { $document }. Send a scan or photo (PDF, JPG, PNG, HEIC), then press the button below.
btn-review-send = Send for review
review-photo-ok = ✅ Photo accepted and cropped to 3×4.
review-documents-sent = ✅ Documents sent. Application { $number } is under review again.

hint-review-confirm = Press "Sign and send", or go back to the application with the button above.
hint-review-upload = A file is needed here: send a scan or photo of the document.
hint-staff-pick = Mark the documents with the buttons above and press "Next".
hint-staff-reason = Write the reason as a reply to the bot's message asking for it.

staff-card-title = Application { $number }
staff-card-status = Status: { $status }
staff-acted = { $who }: { $status }
btn-staff-take = Take for review
btn-staff-approve = Approve
btn-staff-reject = Reject
btn-staff-request = Request documents
btn-staff-documents = Documents to my private chat
btn-staff-next = Next
staff-not-allowed = Only the organisation's staff can do this. Nothing was changed.
staff-done = Done.
staff-conflict = The application was already changed: { $who } — { $status }. Your action was not applied.
staff-pick-documents = Application { $number }: which documents to request?
staff-cancelled = Cancelled.
staff-ask-reason = { $name }, write the reason for application { $number } as a reply to this message — the applicant will see it.
staff-reason-length = The reason must be 3 to { $max } characters. Please write it again.
staff-done-with-reason = Application { $number }: { $status }. The applicant will be notified.
staff-stuck = ⏰ Application { $number } has been waiting more than { $hours } hours (status: { $status }).
staff-documents-arrived = The applicant sent the requested documents for application { $number }.
staff-applicant = The applicant
staff-documents-sent = The documents were sent to your private chat.
staff-start-bot-first = Could not write to you privately: open a chat with the bot and press "Start", then try again.
staff-reason-placeholder = Reason
staff-documents-chosen = Application { $number }: request { $documents }.

staff-reason-controls = { $name } — "{ $action }", application { $number }. Write the reason as a reply to the message below within { $minutes } min. Changed your mind? Press "Cancel".
staff-reason-reply = A reason is taken only as a reply to the bot's message asking for it (or press "Cancel").
staff-reason-expired = The time to answer is over; the action was cancelled. Press the button on the application card again.
staff-reason-taken = Reason received.
staff-cancel-not-yours = You can cancel only your own action. Nothing was changed.
staff-not-possible = This action is not possible now: the application is { $status }. Nothing was changed.

staff-card-payment-uploaded = 💳 Payment: receipt uploaded, not confirmed (the receipt is among the documents).
staff-card-payment-confirmed = 💳 Payment confirmed.
btn-staff-paid = Payment confirmed
staff-payment-confirmed-by = { $who }: payment confirmed
staff-payment-nothing = Nothing to confirm: the payment is already confirmed or was not made by receipt.
push-payment-confirmed = Application { $number }: your payment is confirmed.

btn-staff-full = Show in full
staff-full-title = Application { $number }: full data
staff-full-sent = The full data was sent to your private chat.

staff-queue-title = Applications by status
staff-queue-item = { $status }: { $count }
staff-queue-empty = No applications yet.
staff-queue-list = { $status } — page { $page } of { $pages }. Open an application:
btn-staff-prev = ← Back
btn-staff-more = More →
btn-staff-queue = To the statuses
