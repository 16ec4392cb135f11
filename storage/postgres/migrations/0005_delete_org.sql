-- Erasing a whole org (contacts.Tx.DeleteOrg). The application role may
-- not delete consent records, audit events, tokens, orgs, slot records or
-- webhook cursors row by row: those stay append-only or never deleted.
-- Erasing an org is the one exception, and it goes through this function
-- alone: it runs with its owner's rights (SECURITY DEFINER), only for the
-- org the transaction's liaison.org setting names, and deletes every row
-- of that org in every table.
--
-- Like the earlier migrations, this one runs as the owner of the schema,
-- in the schema first on its search_path, inside the transaction that
-- holds Liaison's migration lock. The function's search_path is pinned to
-- that schema (SET search_path FROM CURRENT), so a caller cannot redirect
-- its table names.

CREATE FUNCTION liaison_delete_org(p_org text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
BEGIN
	IF p_org IS NULL OR p_org = '' OR p_org IS DISTINCT FROM current_setting('liaison.org', true) THEN
		RAISE EXCEPTION 'liaison_delete_org: % is not the org in scope', p_org
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

-- Functions are executable by PUBLIC by default: only the application
-- role may call this one.
REVOKE ALL ON FUNCTION liaison_delete_org(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION liaison_delete_org(text) TO liaison_app;
