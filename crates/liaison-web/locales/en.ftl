# Liaison — English catalogue. Keys are shared with zh-CN.ftl; a test checks both hold the same keys.

app-name = Liaison
skip-to-content = Skip to content
nav-label = Main
nav-home = Dashboard
nav-institutions = Partners
nav-people = Contacts
language-switch = Language
sign-in = Sign in
sign-out = Sign out
login-failed = Wrong e-mail or password.
sign-out-everywhere = Sign out everywhere
sign-out-everywhere-hint = End every session of your account, on every device
login-throttled = Too many failed sign-ins. Try again in { $minutes } min.
footer = Liaison — international and industry cooperation office
back-home = Back to the dashboard

home-title = Dashboard
home-summary = { $count ->
    [one] The directory holds one partner.
   *[other] The directory holds { $count } partners.
}
home-empty = No partners yet. Add the first one, or start the server with --demo to explore sample data.

institutions-title = Partners
institutions-search-hint = Name in any language, city, SCHAC code…
institutions-empty = No partners match. Change the search or filters, or add a partner.
institution-new = New partner
institution-edit = Edit partner
institution-delete-title = Delete { $name }?
institution-delete-warning = This deletes the partner together with its { $units } org units and { $people } contacts. It cannot be undone.
units-title = Schools, colleges and offices
units-empty = No org units yet.
subunits-title = Sub-units
unit-new = New org unit
unit-edit = Edit org unit
unit-delete-title = Delete { $name }?
unit-delete-warning = The unit is removed; its contacts stay with the institution. It cannot be undone.
unit-has-children = This unit still has { $count } sub-units. Delete or move them first.
unit-none = — none —
parent-none = — top level —
contacts-title = Contacts
contacts-empty = No contacts yet.
agreements-title = Agreements
agreements-later = No agreements recorded yet.
events-title = Visits and events
events-later = No visits or events recorded yet.
people-title = Contacts
people-search-hint = Name in any language or e-mail…
people-empty = No contacts match.
person-new = New contact
person-edit = Edit contact
person-delete-title = Delete { $name }?
person-delete-warning = The contact is removed from the directory. It cannot be undone.
list-hint = Separate several e-mails, phones or languages with commas.
record-meta = Version { $version }, last changed { $updated }

search = Search
filter-any = Any
filter-apply = Apply
filter-clear = Clear
filter-invalid = Some filters were not understood and were ignored.
results-count = { $count ->
    [one] One result
   *[other] { $count } results
}
pagination = Pages
page-previous = ← Previous
page-next = Next →
page-of = Page { $page } of { $pages }

save = Save
cancel = Cancel
edit = Edit
delete = Delete
delete-confirm = Yes, delete
choose = — choose —
required = required
required-one-language = a name in at least one language is required
form-has-errors = { $count ->
    [one] Please correct one problem
   *[other] Please correct { $count } problems
}
conflict-message = This record was changed by someone else while you were editing. Your changes were not saved; they are kept below.
conflict-reload = Reload the current version

flash-institution-created = Partner created.
flash-institution-deleted = Partner deleted.
flash-unit-created = Org unit created.
flash-unit-deleted = Org unit deleted.
flash-person-created = Contact created.
flash-person-deleted = Contact deleted.
flash-saved = Changes saved.

page-not-found = Not found
page-not-found-help = The page or record does not exist, or it was deleted.
page-forbidden = Not allowed
page-forbidden-help = Your role does not allow this. Ask an administrator if you need access.
page-csrf = Form expired
page-csrf-help = The form could not be verified. Go back, reload the page and submit again.
page-too-large = Too much data
page-too-large-help = The submitted form was larger than allowed.
page-internal = Something went wrong
page-internal-help = The error was logged. Please try again; if it persists, tell the administrator.
page-conflict = Changed by someone else
page-conflict-help = The record changed since you opened it. Reload it and try again.
page-has-dependents = Still in use
page-has-dependents-help = Other records depend on this one. Remove them first.

lang-en = English
lang-zh = Chinese
lang-local = Local language

field-name = Name
field-name-en = Name (English)
field-name-zh = Name (Chinese)
field-name-local = Name (local language)
field-title = Title
field-title-en = Title (English)
field-title-zh = Title (Chinese)
field-title-local = Title (local language)
field-city = City
field-city-en = City (English)
field-city-zh = City (Chinese)
field-city-local = City (local language)
field-profile = Profile and strengths
field-profile-en = Profile (English)
field-profile-zh = Profile (Chinese)
field-profile-local = Profile (local language)
field-kind = Kind
field-country = Country
field-status = Relationship
field-website = Website
field-region-tags = Regions
field-hei-id = SCHAC code (EWP hei_id)
field-erasmus-code = Erasmus code
field-social-credit-code = Unified social credit code
field-unit = Org unit
field-unit-kind = Kind of unit
field-parent-unit = Part of
field-parent-id = Part of
field-ounit-id = EWP ounit_id
field-institution = Institution
field-institution-id = Institution
field-org-unit-id = Org unit
field-emails = E-mail addresses
field-phones = Phone numbers
field-languages = Languages
field-email = E-mail
field-password = Password
field-version = Version

kind-university = University
kind-enterprise = Enterprise
kind-foundation = Foundation
kind-government = Government body
kind-alliance = Alliance / network
kind-school = School
status-prospect = Prospect
status-active = Active
status-dormant = Dormant
status-ended = Ended
region-sco = SCO
region-belt-and-road = Belt and Road
region-eu = EU
region-asean = ASEAN
region-brics = BRICS
unit-kind-school = School
unit-kind-college = College
unit-kind-department = Department
unit-kind-office = Office
unit-kind-centre = Centre
unit-kind-other = Other unit
role-admin = Administrator
role-staff = Office staff
role-coordinator = Unit coordinator
role-editor = News editor
role-student = Student
role-partner = Partner contact
role-enterprise = Enterprise contact

error-required = This is required.
error-too-long = At most { $limit } characters.
error-invalid-country = Choose a country from the list.
error-invalid-url = Enter a full address starting with http:// or https://.
error-invalid-email = Enter a valid e-mail address, like name@example.org.
error-invalid-choice = Choose one of the offered values.
error-invalid-type = This value has the wrong form.
error-unknown-field = This field is not known.
error-not-found = The chosen record does not exist (any more).
error-invalid-parent = Choose another unit of the same institution, not this unit or one below it.
error-invalid-number = Enter a positive whole number.
error-too-many = At most { $limit } entries.
error-invalid-language = Use language codes such as en, zh, ru.
error-invalid-phone = Use digits, spaces and + - ( ) only.
error-invalid-code = Use letters, digits and . - _ / only.
error-taken = Another record already uses this value.
error-cannot-change = This cannot be changed once set.
error-wrong-institution = Choose a unit of this contact's institution.
error-outside-scope = Choose one of the units you look after.
error-password-too-short = Use at least { $limit } characters.
error-password-too-long = Use at most { $limit } characters.
error-password-common = This password is too common; choose another.

## audit and personal data
nav-audit = Audit log
audit-title = Audit log
audit-lead = Every change to the records: who, when and what changed. Newest first.
audit-export-csv = Export CSV
audit-filter-actor = User (e-mail)
audit-filter-entity = Kind of record
audit-filter-entity-id = Record id
audit-filter-action = Action
audit-filter-from = From
audit-filter-to = To
audit-empty = No audit entries match these filters.
audit-col-at = When
audit-col-actor = User
audit-col-action = Action
audit-col-record = Record
audit-col-changes = Changes
audit-diff-field = Field
audit-diff-before = Before
audit-diff-after = After
audit-no-changes = No field changed.
audit-empty-value = (empty)
audit-action-create = Created
audit-action-update = Changed
audit-action-delete = Deleted
audit-action-anonymise = Anonymised
audit-action-export = Exported
audit-entity-person = Contact
audit-entity-institution = Partner
audit-entity-org-unit = Org unit
audit-entity-user = User account
error-invalid-date = Enter a date as YYYY-MM-DD.
error-invalid-date-range = The end date must not be before the start date.
page-invalid-filter = Invalid filters
page-invalid-filter-help = Some filters were not understood. Go back, correct them and try again.
person-export = Export personal data
person-anonymise = Anonymise
person-anonymise-title = Anonymise { $name }?
person-anonymise-warning = Anonymise a person who has left:
person-anonymise-removes = the name becomes “Anonymised person”; title, e-mail addresses and phone numbers are removed;
person-anonymise-accounts = linked user accounts are disabled, their e-mail is blanked, and their sessions and API tokens end;
person-anonymise-keeps = the record itself stays with its institution, unit and languages, so statistics are kept.
person-anonymise-irreversible = This cannot be undone. The audit log records the anonymisation, including the previous values.
person-anonymise-confirm = Yes, anonymise
person-anonymised-name = Anonymised person
flash-person-anonymised = The contact was anonymised.
audit-value-yes = Yes
audit-value-no = No
audit-field-role = Role
audit-field-display-name = Display name
audit-field-person-id = Person
audit-field-unit-ids = Org units
audit-field-preferred-lang = Preferred language
audit-field-disabled = Disabled

## users, profile and e-mail
nav-users = Users
nav-profile = Profile
users-title = Users
users-search-hint = E-mail or name
users-empty = No accounts match. Invite someone to get started.
users-pending = Pending invitations
user-invite = Invite a user
user-invite-intro = The person gets an e-mail with a link that is valid for { $days } days. With it they choose their name and password, and the account exists with the role and scope you set here.
user-invite-send = Send invitation
user-invited = Invitation sent
user-scope = Scope
user-scope-hint = Partner and enterprise contacts speak for one institution; a unit coordinator looks after one or more org units (their numbers, separated by commas); a student account may be linked to a contact record (its number). Only the part that fits the role is kept.
user-person = Contact
user-status = Status
user-active = Active
user-disabled = Disabled
user-created = Created
user-edit = Role, scope and access
user-disable-label = Disabled: cannot sign in; sessions and API tokens end at once
user-reset-title = Password reset
user-reset-help = Sends the user a link to choose a new password, valid for { $hours } hours. Using it signs them out everywhere.
user-reset-send = Send reset link
user-reset-sent = Reset link sent
invitation-expires = Link valid until (UTC)
field-role = Role
field-display-name = Display name
field-lang = Language
field-unit-ids = Org units (numbers)
field-person-id = Contact record (number)
field-disabled = Disabled
field-current-password = Current password
field-new-password = New password
field-password-confirm = New password again
field-preferred-lang = Language
lang-name-en = English
lang-name-zh-CN = 简体中文 (Simplified Chinese)
lang-follow-browser = As the browser asks
link-queued = An e-mail to { $email } is in the outbox.
link-show-once = If e-mail is not set up, pass on this link yourself. It is shown only now and works once:
back = Back
link-unknown = Link not found
link-unknown-help = This link does not exist. Check that it was copied completely, or ask for a new one.
link-used = Link already used
link-used-help = This link has already been used and cannot be used again. Sign in, or ask an administrator for a new link.
link-expired = Link expired
link-expired-help = This link is no longer valid. Ask an administrator for a new one.
link-stale = Invitation can no longer be used
link-stale-help = An account with this e-mail address already exists, or the invitation refers to a record that was deleted. Ask an administrator for a new invitation.
invitation-title = Create your account
invitation-intro = You are invited to use Liaison as { $email } ({ $role }). Choose a display name and a password.
invitation-accept = Create account
password-reset-title = Choose a new password
password-reset-intro = Choose a new password for { $email }.
password-reset-save = Save password
password-hint = At least { $min } characters. A long phrase is easier to remember than a short jumble.
error-password-mismatch = The two passwords differ.
error-wrong-password = This is not your current password.
error-scope-not-allowed = This does not apply to the chosen role; leave it empty.
error-own-account = You cannot change your own role or disable your own account.
flash-account-created = Your account is ready. Sign in with your e-mail and new password.
flash-password-reset = Your password was changed. Sign in with the new one.
flash-password-changed = Your password was changed. Other sessions were signed out.
flash-token-revoked = The API token was revoked.
flash-calendar-rotated = Your calendar link was replaced; the old one no longer works.
profile-title = Your profile
profile-password = Change password
profile-password-save = Change password
profile-language = Language
profile-tokens = API tokens
profile-tokens-help = Tokens let programs use the API in your name (POST /api/v1/auth/token). Revoke any you no longer use.
profile-tokens-empty = You have no active API tokens.
token-name = Name
token-created = Created
token-expires = Expires
token-revoke = Revoke
profile-calendar = Calendar feed
profile-calendar-help = Subscribe to this address in your calendar program. Keep it private: anyone with it can read your calendar. Replacing it stops the old address at once.
profile-calendar-none = You have no calendar link yet.
profile-calendar-create = Create calendar link
profile-calendar-rotate = Replace calendar link
page-bad-choice = Invalid choice
page-bad-choice-help = The value sent is not one of those offered. Go back and choose again.
outbox-title = E-mail outbox
outbox-help = Every e-mail Liaison writes waits here until it is sent. Mail is sent only when the server runs with --smtp-url; without it, messages stay queued and can be read here.
outbox-empty = No e-mail yet.
outbox-col-to = To
outbox-col-subject = Subject
outbox-col-created = Written
outbox-col-attempts = Attempts
outbox-col-status = Status
outbox-col-sent = Sent
outbox-col-next = Next attempt
outbox-col-error = Last error
outbox-status-queued = Queued
outbox-status-retrying = Retrying
outbox-status-sent = Sent
outbox-status-failed = Given up
mail-invite-subject = Your invitation to Liaison
mail-invite-body =
    Hello,

    { $inviter } invites you to Liaison, the international office's system, as { $role }.

    To create your account, open this link and choose a display name and a password:

    { $link }

    The link works once and is valid for { $days } days. If you did not expect this e-mail, you can ignore it.
mail-reset-subject = Choose a new Liaison password
mail-reset-body =
    Hello,

    { $inviter } sent you a link to choose a new password for your Liaison account { $email }:

    { $link }

    The link works once and is valid for { $hours } hours. Using it signs you out everywhere. If you did not ask for this, tell the administrator.
audit-action-invite = Invited
audit-action-accept = Invitation used
audit-action-password-change = Password changed
audit-action-password-reset = Password reset
audit-action-password-reset-link = Reset link sent
audit-action-revoke = Revoked
audit-action-rotate-calendar = Calendar link replaced
audit-entity-invitation = Invitation
audit-entity-api-token = API token
audit-field-purpose = Purpose
audit-field-lang = Language
audit-field-invited-by = Invited by
audit-field-expires-at = Valid until
audit-field-used-at = Used
audit-field-user-id = Account
