## Photo 3×4 and document scans.

apply-photo-ask = A 3×4 photo for the book. Take a front-facing picture against a light plain wall, in good light, without glasses or a hat, with your whole face in the frame. Send it as a photo or as a file (JPEG, PNG, HEIC) — I will check it and crop it to 3×4 myself.
apply-photo-result = ✅ The photo is good: the face is centred, the background is light, and I cropped it to 3×4 cm for printing. Use this photo?
apply-photo-result-warned = I cropped the photo to 3×4 cm with the face centred. You can use it, but a new one taken with the notes above in mind would be better. Use this photo?
apply-photo-retry = Please send another photo.
apply-photo-send-another = All right, send another photo.
apply-photo-saved = ✅ Photo saved.
apply-photo-accepted = ✅ accepted
btn-photo-use = Use this photo
btn-photo-retake = Take another

apply-doc-passport-main-ask = A scan or photo of the passport's main spread (with the photograph). Foreign citizens: the photo page of the national passport; no registration page, migration card or patent is needed.
apply-doc-passport-registration-ask = A scan or photo of the passport page with the registration.
apply-doc-birth-certificate-ask = A scan or photo of the birth certificate.
apply-doc-oms-policy-ask = A scan or photo of the OMS policy (or the policy statement). Foreign citizens: the OMS or DMS policy you entered.
apply-doc-others-ask = Other documents, if needed (for example, certificates). You may skip this step.
apply-upload-rules = PDF, JPG, PNG or HEIC up to 5 MB, one by one or as an album. Shoot in good light, the whole page. When everything is sent, press "Done".
apply-upload-accepted-title = Accepted:
apply-upload-item-pdf = { $n }) PDF, { $pages ->
    [one] { $pages } page
   *[other] { $pages } pages
}, { $size_kb } KB
apply-upload-item-image = { $n }) { $kind }, { $width }×{ $height }, { $size_kb } KB
btn-remove-file = 🗑 Remove { $n }
btn-upload-done = Done
apply-scan-accepted = ✅ File accepted.
apply-scan-retry = Please send another file.
apply-scan-duplicate = This file is already uploaded — no need to send it again.
apply-scan-limit = One document takes at most { $limit ->
    [one] { $limit } file
   *[other] { $limit } files
}. If one of them is not needed, remove it with its «🗑 Remove» button and send the right one.
apply-scan-removed = File removed.
apply-scan-none-yet = Please send at least one file first.
apply-scan-confirm-legible = Please check: are the signatures, stamps and dates on the scans easy to read?
btn-scan-legible = Yes, everything is readable
btn-scan-reupload = No, I will upload another file
apply-docs-confirmed = ✅ uploaded

apply-section-files = Photo and documents
apply-field-photo = Photo 3×4
apply-field-doc-passport-main = Passport, main spread
apply-field-doc-passport-registration = Passport, registration
apply-field-doc-birth-certificate = Birth certificate (scan)
apply-field-doc-oms-policy = OMS policy (scan)
apply-field-doc-dms-policy = DMS policy (scan)
apply-field-doc-others = Other documents

hint-apply-photo = A photograph is needed here: send a picture as a photo or as a file.
hint-apply-upload = A document is needed here: send a scan or photo (PDF, JPG, PNG, HEIC), then press "Done".
hint-apply-photo-confirm = Under the photo, press "Use this photo" or "Take another".
hint-apply-doc-confirm = Please answer with a button above: are the signatures, stamps and dates readable?

issue-file-too-big-to-download = The file is larger than { $limit_mb } MB — Telegram does not let bots download such files. Make it smaller (save the scan at a lower resolution or compress the PDF) and send it again.
issue-file-download-failed = Could not get the file from Telegram. Please try sending it again in a minute.
issue-file-check-busy = We are still checking the file you sent before. Please wait for the answer to it, then send this one again.
