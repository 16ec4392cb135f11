-- The webhook outbox's state. The outbox itself is audit_events: every
-- committed change appends its events there in its own transaction. A
-- cursor per org and endpoint records how far delivery has come: the last
-- event the endpoint acknowledged (delivered, an audit Seq) and the failed
-- attempts at the next one.
--
-- Like the earlier migrations, this one runs as the owner of the schema, in
-- the schema first on its search_path, inside the transaction that holds
-- Liaison's migration lock. Names are unqualified on purpose.

CREATE TABLE webhook_cursors (
	org          text COLLATE "C" NOT NULL,
	endpoint     text COLLATE "C" NOT NULL, -- the endpoint's ID, as the host registered it
	delivered    bigint NOT NULL CHECK (delivered >= 0),
	attempts     bigint NOT NULL CHECK (attempts >= 0),
	next_attempt timestamptz,
	last_error   text NOT NULL,
	version      bigint NOT NULL,
	updated      timestamptz,
	PRIMARY KEY (org, endpoint)
);

-- Row-level security by org, exactly as on the other tables: the
-- dispatcher reads and writes an org's cursors in that org's scope.
ALTER TABLE webhook_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY org_read ON webhook_cursors FOR SELECT
	USING (org = current_setting('liaison.org', true) OR current_setting('liaison.all_orgs', true) = 'on');
CREATE POLICY org_insert ON webhook_cursors FOR INSERT
	WITH CHECK (org = current_setting('liaison.org', true));
CREATE POLICY org_update ON webhook_cursors FOR UPDATE
	USING (org = current_setting('liaison.org', true))
	WITH CHECK (org = current_setting('liaison.org', true));
CREATE POLICY org_delete ON webhook_cursors FOR DELETE
	USING (org = current_setting('liaison.org', true));

-- Least privilege: cursors move forward in place and are never deleted
-- through the application role.
GRANT SELECT, INSERT, UPDATE ON webhook_cursors TO liaison_app;
