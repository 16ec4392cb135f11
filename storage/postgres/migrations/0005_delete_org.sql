-- Erasing a whole org (contacts.Tx.DeleteOrg). The application role may
-- not delete consent records, audit events, tokens, orgs, slot records or
-- webhook cursors row by row: those stay append-only or never deleted.
-- Erasing an org is the one exception, and it goes through this function
-- alone: it runs with its owner's rights (SECURITY DEFINER), only for the
-- org the transaction's liaison.org setting names, only once that org is
-- closed, and deletes every row of that org in every table.
--
-- Like the earlier migrations, this one runs as the owner of the schema,
-- in the schema first on its search_path, inside the transaction that
-- holds Liaison's migration lock. The function's search_path is pinned
-- below to that schema and then pg_temp: PostgreSQL searches the session's
-- temporary schema first unless pg_temp is named, and a caller could then
-- shadow a table with a temporary one whose trigger would run with the
-- owner's rights.

CREATE FUNCTION liaison_delete_org(p_org text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
AS $$
BEGIN
	IF p_org IS NULL OR p_org = '' OR p_org IS DISTINCT FROM current_setting('liaison.org', true) THEN
		RAISE EXCEPTION 'liaison_delete_org: % is not the org in scope', p_org
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM orgs WHERE org = p_org AND closed_at IS NOT NULL) THEN
		RAISE EXCEPTION 'liaison_delete_org: org % is not closed', p_org
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM contact_roles WHERE org = p_org;
	DELETE FROM contact_groups WHERE org = p_org;
	DELETE FROM contacts WHERE org = p_org;
	DELETE FROM groups WHERE org = p_org;
	DELETE FROM slot_holders WHERE org = p_org;
	DELETE FROM consent_records WHERE org = p_org;
	DELETE FROM tokens WHERE org = p_org;
	DELETE FROM change_sets WHERE org = p_org;
	DELETE FROM invitations WHERE org = p_org;
	DELETE FROM audit_events WHERE org = p_org;
	DELETE FROM webhook_cursors WHERE org = p_org;
	DELETE FROM orgs WHERE org = p_org;
END
$$;

-- The same pin for the trigger function of 0001 that keeps contact_roles
-- and contact_groups: it runs as whoever deletes a contact, which inside
-- liaison_delete_org is the owner, and it named only the schema, leaving
-- the temporary schema searched first.
DO $$
BEGIN
	EXECUTE format('ALTER FUNCTION liaison_delete_org(text) SET search_path = %I, pg_temp', current_schema());
	EXECUTE format('ALTER FUNCTION contacts_index() SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Functions are executable by PUBLIC by default: only the application
-- role may call this one.
REVOKE ALL ON FUNCTION liaison_delete_org(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION liaison_delete_org(text) TO liaison_app;
