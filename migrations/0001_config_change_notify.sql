-- Every change to what data-plane snapshots contain notifies channel `portcullis_config` (payload: the table).
-- Control-plane replicas LISTEN and rebuild; edits made with plain SQL are seen as well as the API's.
CREATE OR REPLACE FUNCTION portcullis_notify_config_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('portcullis_config', TG_TABLE_NAME);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER agents_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agents FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER operators_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON operators FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER upstreams_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON upstreams FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER tools_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tools FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER policies_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policies FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER trusted_issuers_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trusted_issuers FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER signing_keys_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON signing_keys FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER gateway_groups_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON gateway_groups FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
--> statement-breakpoint
CREATE TRIGGER node_keys_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON node_keys FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
