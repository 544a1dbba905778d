-- Notes on technical (JTAC) cases, e.g. the notifications of an RMA that
-- names the case (technical_case_notes.h). note_id is the adder's stable
-- key: one row per (technical_case_id, note_id). visibility is the
-- aftercare.cases.v1.NoteVisibility number (1 = PUBLIC). Lists page by id:
-- all notes of a case (technical_case_id, id), or only a scoped caller's
-- accounts (account_id, technical_case_id, id).
CREATE TABLE IF NOT EXISTS technical_case_notes (
  id BIGINT NOT NULL AUTO_INCREMENT,
  technical_case_id VARCHAR(64) NOT NULL,
  account_id VARCHAR(64) NOT NULL,
  note_id VARCHAR(128) NOT NULL,
  source VARCHAR(128) NOT NULL,
  subject VARCHAR(200) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  visibility TINYINT NOT NULL,
  created_at_us BIGINT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_technical_case_notes_note (technical_case_id, note_id),
  KEY idx_technical_case_notes_case (technical_case_id, id),
  KEY idx_technical_case_notes_account (account_id, technical_case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
