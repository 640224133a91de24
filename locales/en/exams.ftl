## Exams and attestation: the checklist, the results, staff confirmation.

exam-therapist = General practitioner (occupational pathologist)
exam-psychiatrist = Psychiatrist
exam-narcologist = Narcologist
exam-neurologist = Neurologist
exam-blood-test = Complete blood count
exam-urine-test = Urinalysis
exam-ecg = ECG
exam-fluorography = Chest X-ray (fluorography)
exam-glucose = Blood glucose
exam-cholesterol = Cholesterol
exam-gynecologist = Gynaecologist (with smears)
exam-mammography = Mammography
exam-eye-pressure = Eye pressure
exam-otorhinolaryngologist = ENT specialist
exam-dermatovenereologist = Dermatovenereologist
exam-dentist = Dentist
exam-syphilis = Syphilis test
exam-gonorrhea = Gonorrhoea test
exam-intestinal-infections = Intestinal infections and typhoid
exam-helminths = Helminth test
exam-staph-swab = Throat and nose swab for staphylococcus
exam-hygiene-attestation = Hygiene attestation
exam-vaccination-diphtheria-tetanus = Vaccination: diphtheria, tetanus
exam-vaccination-measles = Vaccination: measles
exam-vaccination-hepatitis-b = Vaccination: hepatitis B
exam-vaccination-hepatitis-a = Vaccination: hepatitis A
exam-vaccination-dysentery-sonne = Vaccination: Sonne dysentery

exam-result-fit = Fit
exam-result-unfit = Unfit
exam-result-admitted = Cleared
exam-result-not-admitted = Not cleared
exam-result-negative = Negative
exam-result-positive = Positive

exam-state-missing = Not uploaded
exam-state-uploaded = Not finished — tap to continue
exam-state-on-review = Under review
exam-state-confirmed = Confirmed, valid until { $until }
exam-state-confirmed-forever = Confirmed
exam-state-returned = Returned: { $reason }
exam-state-expired = Expired on { $until }, a new result is needed

exams-title = Exams · { $name }
exams-progress = { $done } of { $total } done
exams-kind-hiring = Preliminary exam (when starting a job).
exams-kind-periodic = Periodic exam.
exams-at-hiring = only when starting a job
exams-optional = optional
exams-attestation-rule = The hygiene attestation period is the rule of the organisation issuing the book, not a requirement of law.
exams-how = Tap an item to upload its result: the file, the date, where it was done, the result. Staff will check and confirm it.
exams-pick-profile = Whose exams should I show?
exams-none = The exam list depends on the kind of work: set it in the application first («Apply for an EMK»).
exams-ask-upload = { $item }: send the result — a photo or a scan (PDF, JPG, PNG, up to 5 MB). Stamps, signatures and dates must be readable.
exams-ask-date = { $item }: when was it done? Type the date, e.g. 15.11.2026.
exams-ask-institution = { $item }: where was it done? Pick a clinic with a button or type the organisation's name, e.g. City Polyclinic No. 5.
exams-ask-result = { $item }: what result does the report state?
exams-ask-certificate = { $item }: type the number of the hygiene attestation certificate, e.g. 77-123456.
exams-date-future = The date cannot be in the future. Type the date the exam was done, e.g. 15.11.2026.
exams-date-too-old = This result is no longer valid: it expired on { $date }. A newer result is needed — type another date or press «Cancel».
exams-text-length = Too short or too long: 3 to 200 characters (a certificate number up to 64). Please type it again.
exams-sent = ✅ { $item }: sent for review. I will write when staff have checked it.
exams-file-accepted = ✅ File accepted.
exams-scan-retry = Send another file of the result: a photo or a scan.
exams-item-done = This result is already under review or confirmed.
exams-cancelled = Stopped. What you entered is saved — continue whenever convenient.

hint-exams-upload = A file is needed here: send a photo or scan of the result (or press «Cancel»).
hint-exams-date = Type the date as text, e.g. 15.11.2026.
hint-exams-institution = Type the organisation's name or pick a clinic with a button.
hint-exams-result = Pick the result with a button above (type a certificate number as text).

btn-menu-exams = Exams
btn-exams-list = Exams
btn-exams-upload-again = Upload again

push-exam-confirmed = ✅ { $item }: the result is confirmed, valid until { $until }.
push-exam-confirmed-forever = ✅ { $item }: the result is confirmed.
push-exam-returned =
    ↩️ { $item }: the result was returned.
    Reason: { $reason }
    Please upload it again — button below.

staff-exams-title = Exams: { $name }
staff-exams-application = Application { $number }
staff-exams-no-application = Application not sent yet
staff-exams-entry = date { $date }, { $institution }, result: { $result }
staff-exams-open = Not confirmed ({ $count }): { $items }
btn-staff-exam-file = 📎 { $item }
btn-staff-exam-confirm = ✅ Confirm: { $item }
btn-staff-exam-return = ↩️ Return: { $item }
staff-exam-ask-reason = { $name }, write why «{ $item }» is returned as a reply to this message — the applicant will see it.
staff-exam-reason-controls = Returning «{ $item }». Write the reason as a reply to the message below. Changed your mind — press «Cancel».
staff-exam-file-sent = The file was sent to your private chat.
staff-exam-confirmed = Confirmed.
staff-exam-returned = «{ $item }» returned. The applicant will be notified.
staff-exam-conflict = Another staff member has already checked this result — the card is updated.
staff-card-exams-open = ⚠️ Exams not confirmed ({ $count }): { $items }. Approval is possible once all are confirmed.
review-exams-first = Upload the exam results first ({ $count } left) — see «Exams».
