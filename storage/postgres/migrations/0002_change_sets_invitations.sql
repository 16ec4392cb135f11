-- Change sets and invitations, and the fields that came with them: a
-- token's role and invitation, and an org's shareable sign-up link.
--
-- Like the first migration, this one runs as the owner of the schema, in
-- the schema first on its search_path, inside the transaction that holds
-- Liaison's migration lock. Names are unqualified on purpose.

-- New fields of existing rows. The defaults are what the driver reads as
-- "none", so rows written before this migration read as they did; adding
-- a column with a constant default rewrites no table.
ALTER TABLE orgs ADD COLUMN invite_link text COLLATE "C" NOT NULL DEFAULT ''; -- a token hash, or ''
ALTER TABLE tokens
	ADD COLUMN role       text NOT NULL DEFAULT '',
	ADD COLUMN invitation text COLLATE "C" NOT NULL DEFAULT ''; -- an invitation ID of the token's org, or ''

-- A change set: its fields as columns, its edits and comments as jsonb
-- arrays in the contacts types' own JSON encoding (contacts.Edit,
-- contacts.Comment), each kept in order. IDs compare as bytes, as in the
-- first migration, so the primary key lists an org's change sets by ID.
CREATE TABLE change_sets (
	org              text COLLATE "C" NOT NULL,
	id               text COLLATE "C" NOT NULL,
	state            text NOT NULL,
	requester        text COLLATE "C" NOT NULL,
	edits            jsonb NOT NULL CHECK (jsonb_typeof(edits) = 'array'),
	comments         jsonb NOT NULL CHECK (jsonb_typeof(comments) = 'array'),
	ticket           text NOT NULL,
	created_contacts text[] NOT NULL,
	decided_by       text NOT NULL,
	version          bigint NOT NULL,
	created          timestamptz,
	updated          timestamptz,
	PRIMARY KEY (org, id)
);

CREATE TABLE invitations (
	org        text COLLATE "C" NOT NULL,
	id         text COLLATE "C" NOT NULL,
	contact    text COLLATE "C" NOT NULL,
	role       text NOT NULL,
	mode       text NOT NULL,
	workspace  text NOT NULL,
	invited_by text NOT NULL,
	token_hash text COLLATE "C" NOT NULL,
	created    timestamptz,
	expires    timestamptz,
	accepted   timestamptz,
	revoked    timestamptz,
	version    bigint NOT NULL,
	PRIMARY KEY (org, id)
);

-- Row-level security by org, exactly as on the first migration's tables.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['change_sets', 'invitations']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format($p$CREATE POLICY org_read ON %I FOR SELECT
			USING (org = current_setting('liaison.org', true) OR current_setting('liaison.all_orgs', true) = 'on')$p$, t);
		EXECUTE format($p$CREATE POLICY org_insert ON %I FOR INSERT
			WITH CHECK (org = current_setting('liaison.org', true))$p$, t);
		EXECUTE format($p$CREATE POLICY org_update ON %I FOR UPDATE
			USING (org = current_setting('liaison.org', true))
			WITH CHECK (org = current_setting('liaison.org', true))$p$, t);
		EXECUTE format($p$CREATE POLICY org_delete ON %I FOR DELETE
			USING (org = current_setting('liaison.org', true))$p$, t);
	END LOOP;
END
$$;

-- Least privilege: change sets and invitations are updated, never deleted.
-- The new columns of orgs and tokens fall under the first migration's
-- grants: orgs are updatable, a token's only updatable column stays used.
GRANT SELECT, INSERT, UPDATE ON change_sets, invitations TO liaison_app;
