# The counter back-office (SAFP service counter).

counter-login-title = Service counter sign-in
counter-login-lead = For counter staff only. Sign out when you leave the counter.
counter-signed-out = You have signed out of the counter.
counter-login-submit = Sign in

counter-yes = Yes
counter-no = No
counter-actions = Actions
counter-created-at = Created

# Statuses and choices
counter-status = Status
counter-entity-type = Entity type
counter-role = Role
counter-role-representative = Legal representative
counter-role-proxy = Proxy
counter-role-administrator = Administrator
counter-login-kind = Kind
counter-login-status = Status
counter-assurance = Assurance level
counter-assurance-basic = Basic (password)
counter-assurance-advanced = Advanced (face recognition or security verification code)

# Queue
counter-queue-title = Applications
counter-filter-status = Show applications
counter-filter-all = All
counter-filter-submit = Show
counter-new-application = Register a new application
counter-application-number = Application number
counter-entity-name = Entity name
counter-registration-number = Registration number
counter-submitted-at = Submitted
counter-queue-empty = No applications to show.

# Application review
counter-application-title = Application
counter-back-to-queue = Back to the applications
counter-entity-number-given = Entity number given:
counter-approved-sms = An activation code has been sent by SMS to the entity's mobile number and to each administrator's.
counter-open-entity = Open the entity's page
counter-section-entity = Entity
counter-field-name-zh = Name in Chinese
counter-field-name-pt = Name in Portuguese
counter-field-name-en = Name in English
counter-entity-mobile = Entity's Macao mobile number
counter-agreement = Entity user account agreement
counter-decided-at = Decided
counter-reject-reason = Reason for rejection
counter-reject-reason-hint = Shown to the applicant. Up to 500 characters.
counter-section-representatives = Legal representatives and proxy
counter-section-administrators = Administrators
counter-person-name = Name
counter-id-document = Identity document
counter-mobile = Macao mobile number
counter-document-shown = Document shown
counter-poa-reference = Power of attorney reference
counter-section-decision = Decision
counter-start-review = Start review
counter-approve-hint = Approving creates the entity number and sends the activation codes by SMS.
counter-approve = Approve
counter-reject = Reject
counter-done-submitted = The application has been registered.
counter-done-review = The application is now under review.
counter-done-approved = The application has been approved.
counter-done-rejected = The application has been rejected.

# Application form
counter-form-title = New application
counter-form-lead = Fill in the application after checking the originals or certified copies of the documents.
counter-field-names-hint = Give the Chinese or the Portuguese name, or both; the English name is optional.
counter-registration-number-hint = As at the entity's registry.
counter-mobile-hint = 8 digits starting with 6; +853 may be omitted.
counter-representatives-hint = Every legal representative. Leave unused blocks empty.
counter-representative-n = Legal representative { $n }
counter-id-document-type = Identity document type
counter-id-document-number = Identity document number
counter-id-number-hint = A Macao resident identity card is written 1234567(8).
counter-document-shown-check = The original or a certified copy of the identity document was shown
counter-section-proxy = Proxy
counter-proxy-hint = Only when a proxy applies instead of the legal representatives: the original notarised power of attorney is needed.
counter-poa-notarised-check = The original notarised power of attorney was shown
counter-poa-reference-hint = The notary's reference of the power of attorney.
counter-administrators-hint = 1 to 3 people who will hold administrator logins. Each receives an activation code by SMS. Leave unused blocks empty.
counter-administrator-n = Administrator { $n }
counter-agreement-check = The entity user account agreement is signed and stamped
counter-form-submit = Register the application

# Entities
counter-entities-title = Find an entity
counter-entities-lead = Give the entity number, or the registration number at the entity's registry.
counter-lookup-registration-hint = Used when the entity number is left empty.
counter-lookup-submit = Find
counter-entities-found = Entities found
counter-back-to-lookup = Find another entity
counter-administrators-count = Administrators
counter-section-logins = Logins
counter-eservices = E-services
counter-admin-removed = Administrator rights removed
counter-restore-admin = Restore administrator rights
counter-reissue-code = Send a new activation code
counter-open-eid = Electronic identification
counter-add-admin-title = Add an administrator
counter-add-admin-hint = At the entity's request, after checking the document. An entity has at most 3 administrators; the person receives an activation code by SMS.
counter-add-admin-submit = Add the administrator
counter-registrations-title = Registrations with e-services
counter-registrations-hint = Some e-services can be assigned only after the entity has registered with them.
counter-registrations-none = None yet.
counter-eservice = E-service
counter-register-submit = Record the registration
counter-done-admin-added = The administrator was added; an activation code is on its way by SMS.
counter-done-restored = Administrator rights were restored.
counter-done-reissued = A new activation code is on its way to the registered mobile number.
counter-done-registered = The registration was recorded.

# E-services
counter-eservices-title = E-service catalogue
counter-done-eservice-added = The e-service was added.
counter-eservice-code = Code
counter-eservice-name = Name
counter-department = Department
counter-requires-registration = Registration required
counter-eservices-empty = No e-services yet.
counter-eservice-add-title = Add an e-service
counter-eservice-oidc-note = Sign-in settings for the e-service (OpenID Connect addresses and client secret) are set through the API or the command line, which shows the secret once.
counter-eservice-code-hint = 2 to 64 lower-case letters, digits, - and _, e.g. tax-returns.
counter-assurance-hint = Advanced e-services need face recognition or the security verification code.
counter-requires-registration-check = Entities must register with this e-service before their staff can be assigned to it
counter-four-eyes-check = Four eyes: an assignment takes effect only when a second administrator of the entity approves it
counter-review-days = Access review period (days)
counter-review-days-hint = From 30 to 180 days; empty means 180.
counter-eservice-add-submit = Add the e-service

# Electronic identification
counter-eid-title = Electronic identification
counter-eid-lead = Bind the mobile app for the security verification code, or switch face recognition back on, with the person present.
counter-login-id = Login ID
counter-login-id-hint = As shown on the entity's page.
counter-eid-find = Find
counter-eid-not-found = No such login.
counter-eid-state-title = E-ID state
counter-eid-face = Face recognition
counter-eid-code = Security verification code
counter-eid-state-na = Not applicable
counter-eid-state-on = On
counter-eid-state-off = Off
counter-eid-state-bound = App bound
counter-eid-state-unbound = Not bound
counter-eid-face-on-title = Switch face recognition back on
counter-eid-face-on-hint = Only at the person's request, after checking their identity card.
counter-eid-face-on = Switch face recognition on
counter-eid-bind-title = Bind the app
counter-eid-bind-hint = Check the same identity document the login was registered with, then scan the QR code the person shows in the app.
counter-eid-payload = Scanned QR code
counter-eid-payload-hint = The scanner types the code's text here.
counter-eid-bind = Bind the app
counter-eid-done-bound = The app is bound to this login.
counter-eid-done-face-on = Face recognition is on again.

error-invalid-eservice-code = Use 2 to 64 lower-case letters, digits, - and _.
