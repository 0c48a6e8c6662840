-- Versions are normally added together with an update of `policies` (which already notifies), but a version row
-- changed by hand must reach the nodes too, so the snapshot is rebuilt (and nodes refuse what does not compile).
CREATE TRIGGER policy_versions_config_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policy_versions FOR EACH STATEMENT EXECUTE FUNCTION portcullis_notify_config_change();
