# Access over time (R28–R31, R37): dates of assignments, approvals, access reviews, requests.

nav-access-review = Access review
nav-access-requests = Access requests

# What an assignment does now.
access-state-active = Active
access-state-until = Until { $until }
access-state-from = From { $from }
access-state-from-until = From { $from } until { $until }
access-state-proposed = Awaiting a second administrator's approval
access-state-suspended = Suspended until the review confirms it
access-state-ended = Ended
access-status-active = Active
access-status-pending = Not yet in effect
access-status-suspended = Suspended
access-status-ended = Ended
access-last-used = Last used { $at }
access-never-used = Never used
access-no-end = No end

# Dates.
access-from = Start
access-from-hint = Empty: from now.
access-until = End (last day included)
access-until-hint = Empty: no end.
access-ends = Or end
access-ends-as-typed = On the date above
access-ends-month = At the end of this month
access-ends-3-months = In 3 months
access-ends-year = At the end of this year

# One login's e-services.
access-login-title = E-services of { $name }
access-login-back = All logins and e-services
access-login-lead = Tick the e-services this login may use, with a start and an end if access is for a limited time, then save. Dates are Macau dates.
access-login-use = May use { $eservice }
access-login-save = Save
access-login-saved = The e-services and their dates were saved.
access-login-approved = The assignment was approved and is now in effect.
access-proposals-title = Awaiting approval
access-proposal = { $by } proposed { $eservice }. It takes effect once a second administrator approves it.
access-proposal-yours = Another administrator must approve what you proposed.
access-approve = Approve
access-matrix-dates-hint = To give access for a limited time, open a login's name and set the start and the end.
access-staff-eservices-link = E-services and dates

# The access review.
access-review-title = Access review
access-review-due = This review began on { $started } and is due on { $due }. Confirm or remove every login's access to each e-service.
access-review-suspends = Access still undecided on { $suspends } is suspended until it is confirmed.
access-review-empty = No login has an e-service to review.
access-review-caption = The e-services of { $name } in this review
access-col-last-used = Last used
access-col-decision = Decision
access-decision-confirm = Confirmed
access-decision-remove = Removed
access-decided-by = by { $name }
access-confirm = Confirm
access-remove = Remove
access-confirm-all = Confirm all of { $name }
access-review-own = Another administrator confirms your own access.
access-review-saved = The decisions were saved.
access-review-finished = The review is finished: every item was decided. It can be exported below.
access-review-last = Last review finished { $at }
access-review-export-csv = Export as CSV
access-review-export-json = Export as JSON

# Requests.
access-request-title = Ask for an e-service
access-request-reason = Reason
access-request-reason-hint = Your administrators read it when they decide (at most 500 characters).
access-request-submit = Send the request
access-request-sent = Your request was sent to the administrators.
access-request-nothing = You already hold every e-service there is.
access-requests-mine = My requests
access-request-asked = Asked { $at }
access-request-answer = Answer: { $reason }
access-request-open = Waiting for an answer
access-request-granted = Granted
access-request-refused = Refused
access-requests-title = Access requests
access-requests-open = Waiting for an answer
access-requests-none = No request is waiting.
access-requests-who = { $name } asks for { $eservice }
access-grant = Grant
access-refuse = Refuse
access-refuse-reason = Reason for refusing
access-requests-answered = Answered
access-requests-answered-at = answered { $at } by { $name }
access-requests-granted = The request was granted; the requester is told.
access-requests-refused = The request was refused; the requester is told.

# Notices.
access-notice-ending = Access to { $eservice } for { $login } ends after { $until } (in { $days } days).
access-notice-proposed = { $login } was proposed for { $eservice }. A second administrator must approve it.
access-notice-proposed-link = Open the assignments
access-notice-review-due = The access review fell due on { $due }. Access left undecided for 14 more days is suspended.
access-notice-review-link = Open the access review
access-notice-requested = { $login } asks for { $eservice }.
access-notice-requested-link = Open the access requests
access-notice-granted = Your request for { $eservice } was granted.
access-notice-refused = Your request for { $eservice } was refused: { $reason }
access-sms-label = Also send me notices that my access is ending by SMS
access-sms-hint = Fourteen and three days before an e-service you may use ends, a text message to your registered mobile number.
access-sms-save = Save
access-sms-saved = Saved.
