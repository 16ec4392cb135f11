-- Liaison's first schema: every table of the contacts.Store contract, the
-- application role liaison_app, and row-level security by org.
--
-- The migration runs as the owner of the schema (the DSN's user), in the
-- schema first on its search_path, inside the transaction that holds
-- Liaison's migration lock. Names are unqualified on purpose.

-- The application role: no login, no superuser, no BYPASSRLS, owner of
-- nothing. The driver switches to it (SET LOCAL ROLE) in every transaction,
-- so row-level security applies to every statement the driver runs. Roles
-- are shared by the whole cluster: another database's migration may create
-- it at the same moment, hence the exception handler.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'liaison_app') THEN
		BEGIN
			CREATE ROLE liaison_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;
	END IF;
	-- The owner must be able to SET ROLE liaison_app. A superuser always
	-- can; PostgreSQL 16 separates the SET option from membership.
	IF current_setting('server_version_num')::int >= 160000 THEN
		IF NOT pg_has_role(current_user, 'liaison_app', 'SET') THEN
			EXECUTE format('GRANT liaison_app TO %I WITH INHERIT FALSE, SET TRUE', current_user);
		END IF;
	ELSIF NOT pg_has_role(current_user, 'liaison_app', 'MEMBER') THEN
		EXECUTE format('GRANT liaison_app TO %I', current_user);
	END IF;
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO liaison_app', current_schema());
END
$$;

-- IDs and keys compare as bytes (COLLATE "C"): "ordered by ID" is Go's
-- string order, whatever the database's default collation. A zero
-- time.Time is stored as NULL.

CREATE TABLE orgs (
	org                   text COLLATE "C" PRIMARY KEY, -- the org's ID
	name                  text NOT NULL,
	parent                text COLLATE "C" NOT NULL,
	allowed_email_domains text[] NOT NULL,
	confirmed_at          timestamptz,
	reviewed_at           timestamptz,
	closed_at             timestamptz,
	version               bigint NOT NULL,
	created               timestamptz,
	updated               timestamptz
);

CREATE TABLE contacts (
	org                text COLLATE "C" NOT NULL,
	id                 text COLLATE "C" NOT NULL,
	name               text NOT NULL,
	email              text NOT NULL,
	-- contacts.EmailKey(email), computed by the driver: the unique key.
	email_key          text COLLATE "C" NOT NULL,
	language           text NOT NULL,
	phone              text NOT NULL,
	title              text NOT NULL,
	kind               text NOT NULL,
	availability       text NOT NULL,
	availability_since timestamptz,
	-- Roles and groups exactly as given (order kept); contact_roles and
	-- contact_groups index them.
	roles              text[] NOT NULL,
	group_ids          text[] NOT NULL,
	consent            jsonb NOT NULL,
	verification       text NOT NULL,
	status             text NOT NULL,
	confirmed_at       timestamptz,
	version            bigint NOT NULL,
	created            timestamptz,
	updated            timestamptz,
	PRIMARY KEY (org, id),
	UNIQUE (org, email_key)
);

-- The role and group indexes of contacts: one row per (contact, role) and
-- (contact, group), kept by a trigger on contacts, so ContactsWithRole and
-- GroupMembers are index range scans in contact-ID order.
CREATE TABLE contact_roles (
	org     text COLLATE "C" NOT NULL,
	role    text COLLATE "C" NOT NULL,
	contact text COLLATE "C" NOT NULL,
	PRIMARY KEY (org, role, contact)
);

CREATE TABLE contact_groups (
	org     text COLLATE "C" NOT NULL,
	grp     text COLLATE "C" NOT NULL,
	contact text COLLATE "C" NOT NULL,
	PRIMARY KEY (org, grp, contact)
);

CREATE FUNCTION contacts_index() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM contact_roles WHERE org = OLD.org AND role = ANY (OLD.roles) AND contact = OLD.id;
		DELETE FROM contact_groups WHERE org = OLD.org AND grp = ANY (OLD.group_ids) AND contact = OLD.id;
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' THEN
		DELETE FROM contact_roles
		WHERE org = OLD.org AND role = ANY (OLD.roles) AND contact = OLD.id AND NOT (role = ANY (NEW.roles));
		DELETE FROM contact_groups
		WHERE org = OLD.org AND grp = ANY (OLD.group_ids) AND contact = OLD.id AND NOT (grp = ANY (NEW.group_ids));
	END IF;
	INSERT INTO contact_roles (org, role, contact)
	SELECT DISTINCT NEW.org, r, NEW.id FROM unnest(NEW.roles) AS r
	ON CONFLICT DO NOTHING;
	INSERT INTO contact_groups (org, grp, contact)
	SELECT DISTINCT NEW.org, g, NEW.id FROM unnest(NEW.group_ids) AS g
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE TRIGGER contacts_index AFTER INSERT OR DELETE ON contacts
	FOR EACH ROW EXECUTE FUNCTION contacts_index();
CREATE TRIGGER contacts_index_update AFTER UPDATE ON contacts
	FOR EACH ROW
	WHEN (OLD.roles IS DISTINCT FROM NEW.roles OR OLD.group_ids IS DISTINCT FROM NEW.group_ids)
	EXECUTE FUNCTION contacts_index();

CREATE TABLE groups (
	org     text COLLATE "C" NOT NULL,
	id      text COLLATE "C" NOT NULL,
	name    text NOT NULL,
	kind    text NOT NULL,
	version bigint NOT NULL,
	created timestamptz,
	updated timestamptz,
	PRIMARY KEY (org, id)
);

CREATE TABLE slot_holders (
	org     text COLLATE "C" NOT NULL,
	slot    text COLLATE "C" NOT NULL,
	holders jsonb NOT NULL, -- [{"kind", "id", "until"}], in order
	version bigint NOT NULL,
	updated timestamptz,
	PRIMARY KEY (org, slot)
);

CREATE TABLE consent_records (
	org            text COLLATE "C" NOT NULL,
	id             text COLLATE "C" NOT NULL,
	contact        text COLLATE "C" NOT NULL,
	purpose        text NOT NULL,
	granted        boolean NOT NULL,
	actor          text NOT NULL,
	self           boolean NOT NULL,
	channel        text NOT NULL,
	legal_basis    text NOT NULL,
	config_version text NOT NULL,
	text_hash      text NOT NULL,
	time           timestamptz,
	request_id     text NOT NULL,
	PRIMARY KEY (org, id)
);
CREATE INDEX consent_records_history ON consent_records (org, contact, id);

-- Tokens are found by hash alone, across orgs; org is kept for row-level
-- security.
CREATE TABLE tokens (
	hash      text COLLATE "C" PRIMARY KEY,
	org       text COLLATE "C" NOT NULL,
	kind      text NOT NULL,
	contact   text COLLATE "C" NOT NULL,
	email_key text NOT NULL,
	purpose   text NOT NULL,
	created   timestamptz,
	expires   timestamptz,
	used      timestamptz
);

CREATE TABLE audit_events (
	org         text COLLATE "C" NOT NULL,
	seq         bigint NOT NULL CHECK (seq > 0),
	time        timestamptz,
	actor       text NOT NULL,
	action      text NOT NULL,
	target      text NOT NULL,
	request_id  text NOT NULL,
	-- The exact bytes the data digest covers (jsonb would reorder keys).
	data_before bytea,
	data_after  bytea,
	salt        text NOT NULL,
	data_digest text NOT NULL,
	prev        text NOT NULL,
	hash        text NOT NULL,
	PRIMARY KEY (org, seq)
);

-- Row-level security by org, on every table, forced on the owner too. A
-- statement sees the rows of the org named by the liaison.org setting, or
-- every org's rows when liaison.all_orgs is 'on' (reads only); it writes
-- only rows of the org liaison.org names. Unset, both match nothing.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['orgs', 'contacts', 'contact_roles', 'contact_groups', 'groups',
		'slot_holders', 'consent_records', 'tokens', 'audit_events']
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

-- Least privilege: consent records and audit events are append-only, a
-- token changes only when used, orgs and slot records are never deleted.
GRANT SELECT, INSERT, UPDATE, DELETE ON contacts, contact_roles, contact_groups, groups TO liaison_app;
GRANT SELECT, INSERT, UPDATE ON orgs, slot_holders TO liaison_app;
GRANT SELECT, INSERT ON consent_records, audit_events, tokens TO liaison_app;
GRANT UPDATE (used) ON tokens TO liaison_app;
