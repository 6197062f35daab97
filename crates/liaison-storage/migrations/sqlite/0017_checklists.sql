-- Whole-process checklists (issue 7): staff keep a template of items per mobility type and
-- direction; each new stay gets its own copy of the items, with due dates computed from its
-- planned dates, so that later template changes never rewrite what a student was already asked.
-- An item is confirmed by the student or staff (`done_at`), some need an uploaded file first.

CREATE TABLE checklist_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mobility_type TEXT NOT NULL,
    direction TEXT NOT NULL,
    position INTEGER NOT NULL,
    title_en TEXT,
    title_zh TEXT,
    title_local TEXT,
    anchor TEXT NOT NULL,
    offset_days INTEGER NOT NULL,
    needs_upload INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX checklist_templates_kind ON checklist_templates (mobility_type, direction, position);

CREATE TABLE checklist_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mobility_id INTEGER NOT NULL REFERENCES mobilities (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title_en TEXT,
    title_zh TEXT,
    title_local TEXT,
    due_on TEXT NOT NULL,
    needs_upload INTEGER NOT NULL DEFAULT 0,
    document_id INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    done_at TEXT,
    done_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX checklist_items_mobility ON checklist_items (mobility_id, position);
CREATE INDEX checklist_items_open ON checklist_items (due_on) WHERE done_at IS NULL;

-- The shipped templates (staff edit them on /checklists).
INSERT INTO checklist_templates (mobility_type, direction, position, title_en, title_zh, anchor, offset_days, needs_upload, created_at, updated_at) VALUES
    ('student_studies', 'outgoing', 1, 'Acceptance letter from the host', '接收方录取函', 'start', -90, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 2, 'Learning agreement signed', '学习协议签署', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 3, 'Visa', '签证', 'start', -30, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 4, 'Health and travel insurance', '保险', 'start', -21, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 5, 'Accommodation arranged', '住宿安排', 'start', -14, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 6, 'Pre-departure briefing attended', '参加行前培训', 'start', -7, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 7, 'Arrival confirmation', '抵达确认', 'start', 3, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 8, 'Return confirmation', '返校确认', 'end', 7, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 9, 'Transcript of records from the host', '接收方成绩单', 'end', 60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'outgoing', 10, 'Credit recognition', '学分认定', 'end', 90, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 1, 'Acceptance letter from the host', '接收方录取函', 'start', -90, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 2, 'Learning agreement signed', '学习协议签署', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 3, 'Visa', '签证', 'start', -30, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 4, 'Health and travel insurance', '保险', 'start', -21, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 5, 'Accommodation arranged', '住宿安排', 'start', -14, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 6, 'Pre-departure briefing attended', '参加行前培训', 'start', -7, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 7, 'Arrival confirmation', '抵达确认', 'start', 3, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 8, 'Return confirmation', '返校确认', 'end', 7, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 9, 'Transcript of records from the host', '接收方成绩单', 'end', 60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'outgoing', 10, 'Credit recognition', '学分认定', 'end', 90, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'incoming', 1, 'Acceptance letter sent', '发送录取函', 'start', -90, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'incoming', 2, 'Visa invitation letter sent', '发送签证邀请函', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'incoming', 3, 'Health insurance', '保险', 'start', -14, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'incoming', 4, 'Accommodation arranged', '住宿安排', 'start', -14, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'incoming', 5, 'Arrival registration', '抵达确认', 'start', 3, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_studies', 'incoming', 6, 'Transcript of records issued', '出具成绩单', 'end', 30, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'incoming', 1, 'Acceptance letter sent', '发送录取函', 'start', -90, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'incoming', 2, 'Visa invitation letter sent', '发送签证邀请函', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'incoming', 3, 'Health insurance', '保险', 'start', -14, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'incoming', 4, 'Accommodation arranged', '住宿安排', 'start', -14, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'incoming', 5, 'Arrival registration', '抵达确认', 'start', 3, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('student_traineeship', 'incoming', 6, 'Transcript of records issued', '出具成绩单', 'end', 30, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'outgoing', 1, 'Invitation from the host', '接收方邀请函', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'outgoing', 2, 'Travel approval', '出访审批', 'start', -30, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'outgoing', 3, 'Visa', '签证', 'start', -21, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'outgoing', 4, 'Health and travel insurance', '保险', 'start', -14, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'outgoing', 5, 'Return confirmation', '返校确认', 'end', 7, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'outgoing', 6, 'Visit report', '出访报告', 'end', 30, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'outgoing', 1, 'Invitation from the host', '接收方邀请函', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'outgoing', 2, 'Travel approval', '出访审批', 'start', -30, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'outgoing', 3, 'Visa', '签证', 'start', -21, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'outgoing', 4, 'Health and travel insurance', '保险', 'start', -14, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'outgoing', 5, 'Return confirmation', '返校确认', 'end', 7, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'outgoing', 6, 'Visit report', '出访报告', 'end', 30, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'incoming', 1, 'Invitation letter sent', '发送邀请函', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'incoming', 2, 'Accommodation arranged', '住宿安排', 'start', -14, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_teaching', 'incoming', 3, 'Arrival registration', '抵达确认', 'start', 3, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'incoming', 1, 'Invitation letter sent', '发送邀请函', 'start', -60, 1, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'incoming', 2, 'Accommodation arranged', '住宿安排', 'start', -14, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z'),
    ('staff_training', 'incoming', 3, 'Arrival registration', '抵达确认', 'start', 3, 0, '2026-11-30T00:00:00.000000Z', '2026-11-30T00:00:00.000000Z');
