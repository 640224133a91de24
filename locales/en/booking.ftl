# Clinics and appointments (services/booking.py, views/booking.py)

btn-menu-book = 🏥 Book an exam
btn-menu-bookings = 🗓 My appointments
btn-book-other-region = Another region
btn-book-prev = ◀
btn-book-next = ▶
btn-book-pick-day = 📅 Choose a date
btn-book-to-clinics = ← Back to clinics
btn-book-to-clinic = ← Back to the clinic
btn-book-to-days = ← Back to the calendar
btn-book-to-times = ← Another time
btn-book-confirm = ✅ Book
btn-book-confirm-move = ✅ Move to this time
btn-book-move = Reschedule
btn-book-cancel = Cancel
btn-book-cancel-yes = Yes, cancel it
btn-book-cancel-no = No, keep it
btn-book-quit = Cancel

booking-region-ask = Where would you like to take the exams? Choose a region.
booking-clinics-title = Clinics: { $region } (page { $page } of { $pages }). Choose a clinic.
booking-clinics-none = There is no clinic in { $region } doing the exams you need. Choose another region.
booking-card =
    <b>{ $name }</b>
    Address: { $address }
    Phone: { $phone }
    Licence: { $licence }
    Opening hours ({ $zone }):
    { $hours }
    Exams: { $exams }
booking-card-break = break { $breaks }
booking-closed = closed
booking-days-ask = { $clinic }: choose a day. Only days with a free time can be pressed.
booking-days-none = { $clinic }: no free time in the next { $days } days. Choose another clinic or look again later.
booking-times-ask = { $clinic }, { $date }: choose a time (clinic time, { $zone }).
booking-times-none = There is no free time left on { $date }. Choose another day.
booking-slot-taken = Someone has just taken this time. Choose another one:
booking-slot-gone = This time can no longer be chosen. Choose the day and time again.
booking-confirm-ask =
    Check your appointment:
    { $clinic }
    { $address }
    { $when }
booking-confirm-move = Move appointment No. { $old } to this time? The old one stays until the new one is confirmed.
booking-when = { $date }, { $time } (clinic time, { $zone })
booking-other-zone = Note: the time is in the clinic's time zone ({ $zone }); yours is { $yours }.
booking-talon =
    <b>Appointment No. { $number }</b>
    { $clinic }
    { $address }
    { $when }
booking-bring = Bring: your passport, SNILS, OMS policy{ $referral ->
    [yes] {" "}and the referral from your employer
   *[no] {""}
}.
booking-moved = Appointment moved. The previous appointment No. { $old } is cancelled.
booking-cancel-ask = Cancel appointment No. { $number } ({ $when })?
booking-cancelled = Appointment No. { $number } is cancelled; the time is free again.
booking-cancel-gone = This appointment is no longer valid.
booking-mine-title = Your appointments:
booking-mine-empty = You have no appointments.
booking-mine-upcoming = Upcoming:
booking-mine-past = Past and cancelled:
booking-mine-item = No. { $number } · { $when } · { $clinic }
booking-mine-status = { $status ->
    [cancelled] cancelled
    [no_show] missed
    [superseded] moved
   *[active] past
}
booking-unavailable = Booking an exam is not available now.
booking-unknown-clinic = a clinic no longer on the list

booking-remind-day-before = Reminder: your exam is tomorrow.
booking-remind-hours-before = Reminder: your exam is soon.

booking-date = { $weekday ->
    [mon] Mon
    [tue] Tue
    [wed] Wed
    [thu] Thu
    [fri] Fri
    [sat] Sat
   *[sun] Sun
}, { $date }
booking-weekday = { $weekday ->
    [mon] Mo
    [tue] Tu
    [wed] We
    [thu] Th
    [fri] Fr
    [sat] Sa
   *[sun] Su
}
booking-month = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
booking-exam = { $exam ->
    [therapist] general practitioner
    [dermatovenereologist] dermatovenereologist
    [dentist] dentist
    [otorhinolaryngologist] ENT specialist
    [infectionist] infectious disease specialist
    [fluorography] chest X-ray
    [blood_urine_tests] blood and urine tests
    [hygiene_attestation] hygiene certification
    [vaccinations] vaccinations
   *[other] { $exam }
}

hint-booking-region = Choose a region with a button under the message, or press «Cancel».
hint-booking-clinic = Choose a clinic with a button under the message, or press «Cancel».
hint-booking-card = Press «Choose a date» or go back to the list of clinics.
hint-booking-day = Choose a day in the calendar with a button under the message.
hint-booking-time = Choose a time with a button under the message.
hint-booking-confirm = Confirm the appointment with the button under the message, or choose another time.

staff-bookings-clinics = Appointments on a date: choose a clinic.
staff-bookings-days = { $clinic }: choose a date.
staff-bookings-day = { $clinic }, { $date } — appointments: { $count }
staff-bookings-line = { $time } · seat { $seat } · No. { $number }{ $status ->
    [no_show] · did not come
   *[other] {""}
}
btn-staff-no-show = Did not come: { $time } No. { $number }
btn-staff-bookings-days = ← Dates
btn-staff-bookings-back = ← Clinics
staff-no-show-done = Recorded: did not come (No. { $number }).
staff-no-show-refused = A no-show can only be recorded for a valid appointment whose time has come.
staff-booking-misfit = Appointment No. { $number } ({ $clinic }, { $when }) no longer fits the clinics file: { $reason ->
    [clinic_gone] the clinic is not in the file
    [closed_day] the clinic is closed that day
    [outside_hours] the time is outside the opening hours
    [off_grid] the time is off the slot grid
   *[over_seats] the slot has fewer seats than appointments
}. It was not moved: contact the person.
