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
