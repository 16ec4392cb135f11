-- The directory: each contact's folded name and address (contacts.FoldText,
-- computed by the driver, so Go and SQL never disagree on folding) and its
-- directory key (folded name, 0x01, ID), which orders the directory and is
-- its cursor. Rows written before this migration have empty values until
-- they are next written.
ALTER TABLE contacts
	ADD COLUMN dir_key    text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN name_fold  text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN email_fold text COLLATE "C" NOT NULL DEFAULT '';

CREATE INDEX contacts_directory ON contacts (org, dir_key);
