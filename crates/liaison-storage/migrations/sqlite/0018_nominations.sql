-- Nominations (issue 7): a stay nominated from an exchange application remembers it, so that the
-- partner's answer (accepted / rejected) reaches the application too. One stay per application.

ALTER TABLE mobilities ADD COLUMN application_id INTEGER REFERENCES applications (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX mobilities_application ON mobilities (application_id) WHERE application_id IS NOT NULL;
