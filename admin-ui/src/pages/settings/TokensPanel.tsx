// API tokens for automation: create (the secret is shown once), list, revoke.
import { type FormEvent, useState } from "react";
import type { Role } from "../../api/client.ts";
import { FormField } from "../../components/FormField.tsx";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { roleLabels } from "../../shell/roles.ts";
import { ActionsHeader, RoleOptions } from "./AddForm.tsx";
import { EmptyRow, SettingsSection } from "./SettingsSection.tsx";
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from "./useSettings.ts";

export function TokensPanel() {
  const tokens = useApiTokens();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [form, setForm] = useState({ name: "", role: "auditor" as Role, days: "90" });

  function submit(event: FormEvent) {
    event.preventDefault();
    const days = Number.parseInt(form.days, 10);
    create.mutate(
      { name: form.name.trim(), role: form.role, ...(days > 0 ? { expiresInDays: days } : {}) },
      { onSuccess: () => setForm((f) => ({ ...f, name: "" })) },
    );
  }

  return (
    <SettingsSection
      title="API tokens"
      description="Bearer tokens for scripts and CI, each with a role. The secret is shown once, when it is created; revoked tokens leave the list."
      error={tokens.error}
      onRetry={() => tokens.refetch()}
    >
      <form className="form settings-form" onSubmit={submit} aria-label="Create an API token">
        <div className="inline-fields">
          <FormField label="Token name">
            <input
              value={form.name}
              required
              maxLength={100}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
          </FormField>
          <FormField label="Token role">
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              <RoleOptions />
            </select>
          </FormField>
          <FormField label="Expires in days (0: never)">
            <input
              type="number"
              min={0}
              value={form.days}
              onChange={(e) => setForm({ ...form, days: e.target.value })}
            />
          </FormField>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
      {create.isError ? <MutationAlert error={create.error} /> : null}
      {create.data ? (
        <div className="alert alert-warning" role="status">
          <div>
            <p className="alert-title">Copy the token now: it will not be shown again.</p>
            <p className="alert-body">
              <code className="token-secret" data-testid="api-token-secret">
                {create.data.token}
              </code>
            </p>
            <button type="button" className="button button-small" onClick={() => create.reset()}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {revoke.isError ? <MutationAlert error={revoke.error} /> : null}
      <table className="table table-stack">
        <thead>
          <tr>
            <th scope="col">Token</th>
            <th scope="col">Role</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {tokens.data?.items.length === 0 ? <EmptyRow columns={5}>No API tokens.</EmptyRow> : null}
          {tokens.data?.items.map((t) => (
            <tr key={t.id}>
              <td data-label="Token">
                <div className="cell-primary">{t.name}</div>
                <div className="cell-secondary mono">{t.prefix}…</div>
              </td>
              <td data-label="Role">{roleLabels[t.role]}</td>
              <td data-label="Last used">{t.lastUsedAt ? <RelativeTime iso={t.lastUsedAt} /> : "never"}</td>
              <td data-label="Expires">
                {t.revokedAt ? "revoked" : t.expiresAt ? <RelativeTime iso={t.expiresAt} /> : "never"}
              </td>
              <td className="row-actions">
                {t.revokedAt ? null : (
                  <button
                    type="button"
                    className="button button-small button-danger-quiet"
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke the API token ${t.name}? Scripts using it stop working at once.`)) {
                        revoke.mutate(t.id);
                      }
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </SettingsSection>
  );
}
