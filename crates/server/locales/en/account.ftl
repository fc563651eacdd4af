## Signed-in pages of an entity's logins

## Shared
account-problem-title = This cannot be done
account-cancel = Cancel
account-col-name = Name
account-col-kind = Type
account-col-status = Status
account-col-id-document = Identity document
account-col-mobile = Mobile
account-col-eservices = E-services
account-col-actions = Actions

## Labels of the domain's kinds, shared with the counter and public pages (`web::util`)
label-login-status-pending = Not yet activated
label-login-status-active = Active
label-login-status-deleted = Deleted
label-id-type-macau-resident = Macau resident identity card
label-id-type-passport = Passport
label-id-type-other = Other identity document
label-entity-type-association = Association
label-entity-type-foundation = Foundation
label-entity-type-company = Company
label-entity-type-entrepreneur = Natural-person commercial entrepreneur
label-entity-type-unincorporated = Organisation without legal personality (incl. building management bodies)
label-application-status-submitted = Submitted
label-application-status-under-review = Under review
label-application-status-approved = Approved
label-application-status-rejected = Rejected

## Entity account (R17, R18)
account-overview-title = Entity account
account-entity-name = Entity name
account-count-logins = Staff logins
account-count-admins = Administrators
account-count-staff = Staff (not administrators)
account-count-pending = Not yet activated
account-no-admins = The entity has no administrator at the moment, so nobody can create staff logins or assign e-services. Ask at the service counter to add an administrator or restore one.
account-can-title = What this account can do
account-can-view-logins = See all of the entity's logins
account-can-remove-admin = Remove administrator rights from an administrator (on the logins page)
account-can-view-audit = Read the entity's audit trail
account-counter-only = The entity account does not use e-services and cannot create logins. Adding administrators and restoring removed administrator rights are done at the service counter.
account-logins-title = The entity's logins
account-logins-lead = Every administrator and staff login of the entity. Identity document and mobile numbers are partly hidden.
account-logins-none = The entity has no administrator or staff login yet.
account-rights-removed = Administrator rights removed
account-remove-link = Remove administrator rights
account-remove-title = Remove administrator rights
account-remove-warning = { $name } will keep the login as an ordinary staff login, but will no longer be able to manage staff logins or assign e-services. Their current sessions end now.
account-remove-counter = The entity account cannot give these rights back. Only the service counter can restore them, at the entity's request.
account-remove-confirm = Remove the rights
account-removed-notice = Administrator rights were removed from { $name }. The login remains as a staff login.
account-back-to-logins = Back to the logins

## Administrators: staff logins (R15, R16)
admin-staff-title = Staff logins
admin-staff-new-link = Create a staff login
admin-staff-search = Search
admin-staff-search-hint = Part of a name or username.
admin-staff-search-submit = Search
admin-staff-count = { $count ->
    [one] 1 login
   *[other] { $count } logins
}
admin-staff-found = { $count ->
    [one] 1 login matches “{ $q }”
   *[other] { $count } logins match “{ $q }”
}
admin-staff-you = (you)
admin-staff-created = A staff login was created for { $name }.
admin-staff-created-sms = An activation code has been sent by SMS to { $mobile }. The person activates the login with the entity number and that code.
admin-staff-deleted = The login was deleted and its sessions ended.
admin-pager = Pages
admin-pager-prev = Previous page
admin-pager-next = Next page
admin-pager-position = Page { $page } of { $pages }
admin-new-title = Create a staff login
admin-new-lead = Enter the person's name, identity document and Macau mobile number. An activation code will be sent to the mobile by SMS; the person then chooses their own username and password.
admin-field-name = Name
admin-field-name-hint = As on the identity document.
admin-field-id-type = Identity document type
admin-field-id-number = Identity document number
admin-field-id-number-hint = For a Macau resident identity card, 8 digits as in 1234567(8); otherwise 5 to 20 letters and digits.
admin-field-mobile = Macau mobile number
admin-field-mobile-hint = 8 digits starting with 6; the activation code is sent here.
admin-new-submit = Create and send the code
admin-delete-link = Delete
admin-delete-title = Delete a login
admin-delete-warning = { $name } will no longer be able to sign in or use any e-service of the entity. This cannot be undone; a new login would have to be created.
admin-delete-confirm = Delete the login
admin-back-to-staff = Back to the staff logins

## Administrators: e-services (R19)
admin-assign-title = Assign e-services
admin-assign-lead = Tick the e-services each login may use, then save. Logins and e-services not ticked cannot be used.
admin-assign-caption = Logins and the e-services assigned to them
admin-assign-cell = { $eservice } for { $name }
admin-assign-needs-registration = The entity must first register with this e-service.
admin-assign-save-row = Save this row
admin-assign-save = Save all
admin-assign-saved = The assignments were saved.
admin-assign-no-eservices = No e-service is available yet.
admin-assign-no-logins = The entity has no administrator or staff login to assign.

## Audit trail (R26)
audit-title = Audit trail
audit-lead = Everything done with the entity's logins, oldest first. Passwords, codes and full identity numbers are never recorded.
audit-col-seq = No.
audit-col-at = When
audit-col-actor = Who
audit-col-action = What
audit-col-target = On
audit-col-result = Result
audit-col-source = From
audit-action-application-approved = Application approved
audit-action-login-created = Login created
audit-action-administrator-added = Administrator added
audit-action-login-activated = Login activated
audit-action-login-deleted = Login deleted
audit-action-admin-rights-removed = Administrator rights removed
audit-action-admin-rights-restored = Administrator rights restored
audit-action-activation-code-resent = Activation code sent again
audit-action-password-reset = Password reset
audit-action-login-succeeded = Signed in
audit-action-login-failed = Failed sign-in
audit-action-logout = Signed out
audit-action-eservices-assigned = E-services assigned
audit-action-eservice-registered = Registered with an e-service
audit-action-sign-in-authorized = Signed in to an e-service
audit-action-face-off = Face recognition switched off
audit-action-face-on = Face recognition switched on
audit-action-security-code-bound = App bound for the security code
audit-actor-former-login = Deleted login { $id }
audit-actor-operator = Service counter
audit-actor-client = E-service { $id }
audit-actor-anonymous = Not signed in
audit-actor-system = System
audit-result-success = Done
audit-result-refused = Refused
audit-time-zone = Times are Macau time.
audit-none = No records.
audit-first-page = First page

## My pages
my-eservices-title = My e-services
my-eservices-lead = The e-services your administrators assigned to this login.
my-eservices-none = No e-service is assigned to you yet. Ask one of the entity's administrators.
my-eservices-entity = The entity account manages logins and does not use e-services.
my-eservices-advanced-hint = E-services marked “advanced” also ask for face recognition or the security verification code.
my-col-eservice = E-service
my-col-department = Department
my-col-assurance = Sign-in level
my-assurance-basic = Basic
my-assurance-advanced = Advanced
my-notifications-title = Notifications
my-notifications-none = You have no notifications.
my-notice-application-approved = Application { $application_number } was approved. The entity number is { $entity_number }.
my-notice-login-created = A staff login was created for you in entity { $entity_number }. Activate it with the code sent to your mobile.
my-notice-administrator-added = An administrator login was created for you in entity { $entity_number }. Activate it with the code sent to your mobile.
my-notice-admin-rights-removed = The entity account removed your administrator rights. Your login remains as a staff login; only the service counter can restore the rights.
my-notice-admin-rights-restored = The service counter restored your administrator rights.
my-notice-eservices-assigned = You may now use: { $eservices }.
my-notice-password-reset = Your password was reset. If you did not do this, contact the service counter at once.
my-notice-department = Message from { $department } ({ $eservice }):
my-notice-security-code-bound = A mobile app was bound to your login for the security verification code. If this was not you, contact the service counter at once.
my-notice-security-code-unbound = After too many wrong security verification codes, the app was unbound from your login. Bind it again at the service counter.
my-notice-face-on = The service counter switched face recognition back on for your login.
my-notice-face-off = Face recognition was switched off for your login. Only the service counter can switch it back on.
my-notice-other = You have a new notice.
my-entity-title = My entity
my-entity-name-zh = Name in Chinese
my-entity-name-pt = Name in Portuguese
my-entity-name-en = Name in English
my-entity-type = Type of entity
my-entity-me = My login
my-entity-kind-entity = The entity account views the entity's logins and audit trail and may remove administrator rights.
my-entity-kind-admin = As an administrator you create and delete staff logins and assign e-services.
my-entity-kind-staff = As staff you use the e-services your administrators assign to you.
my-eid-title = E-ID tools
my-eid-lead = Advanced e-services ask for a second check after your password: face recognition or the security verification code.
my-eid-face = Face recognition
my-eid-code = Security verification code
my-eid-on = On
my-eid-off = Off
my-eid-not-applicable = Not applicable
my-eid-face-not-applicable = Face recognition is for logins registered with a Macau resident identity card.
my-eid-face-on-hint = Advanced e-services can check your face against your identity card.
my-eid-face-off-link = Switch face recognition off
my-eid-face-off-person = You switched face recognition off. Only the service counter can switch it back on.
my-eid-face-off-failures = Face recognition was switched off after too many failed matches. Only the service counter can switch it back on.
my-eid-face-switched-off = Face recognition is now off.
my-eid-code-not-applicable = The security verification code is for logins registered with a document other than a Macau resident identity card.
my-eid-code-bound = App bound
my-eid-code-bound-hint = Your mobile app gives the codes advanced e-services ask for.
my-eid-code-not-bound = Not bound
my-eid-code-not-bound-hint = To use advanced e-services, sign in to the mobile app, then bring your identity document to the service counter to bind it to this login.
my-face-off-title = Switch face recognition off
my-face-off-warning = Advanced e-services will no longer be able to check your face.
my-face-off-counter = You cannot switch it back on yourself: only the service counter can, with your identity document.
my-face-off-confirm = Switch it off
