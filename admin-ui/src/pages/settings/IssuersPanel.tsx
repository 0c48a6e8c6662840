// Trusted issuers: the identity providers whose tokens name the people agents act for. List, add, remove, and
// revoke one of an issuer's key ids at once (a compromised key the issuer still publishes; J11).
import { FormField } from "../../components/FormField.tsx";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { ActionsHeader, AddButton, AddForm, fieldErrorOf, useAddForm } from "./AddForm.tsx";
import { EmptyRow, SettingsSection } from "./SettingsSection.tsx";
import { useAddIssuer, useIssuers, useRemoveIssuer, useRevokeIssuerKeys } from "./useSettings.ts";

export function IssuersPanel() {
  const issuers = useIssuers();
  const add = useAddIssuer();
  const remove = useRemoveIssuer();
  const revoke = useRevokeIssuerKeys();
  const f = useAddForm({ name: "", issuer: "", jwksUrl: "", audience: "" });
  const fieldError = fieldErrorOf(add.error);

  function submit() {
    const audience = f.form.audience.trim();
    add.mutate(
      {
        name: f.form.name.trim(),
        issuer: f.form.issuer.trim(),
        jwksUrl: f.form.jwksUrl.trim(),
        ...(audience ? { audience } : {}),
      },
      { onSuccess: f.done },
    );
  }

  return (
    <SettingsSection
      title="Trusted issuers"
      description="Identity providers whose tokens name the people agents act for (token exchange)."
      error={issuers.error}
      onRetry={() => issuers.refetch()}
      actions={f.adding ? null : <AddButton label="Add issuer" onClick={f.open} />}
    >
      {f.adding ? (
        <AddForm
          label="Add a trusted issuer"
          submitLabel="Add issuer"
          pending={add.isPending}
          error={add.error}
          onCancel={f.cancel}
          onSubmit={submit}
        >
          <FormField label="Name" error={fieldError("body.name")}>
            <input value={f.form.name} required onChange={(e) => f.set({ name: e.target.value })} />
          </FormField>
          <FormField label="Issuer (iss)" error={fieldError("body.issuer")}>
            <input value={f.form.issuer} required onChange={(e) => f.set({ issuer: e.target.value })} />
          </FormField>
          <FormField label="JWKS URL" error={fieldError("body.jwksUrl")}>
            <input value={f.form.jwksUrl} required onChange={(e) => f.set({ jwksUrl: e.target.value })} />
          </FormField>
          <FormField label="Audience (optional)" error={fieldError("body.audience")}>
            <input value={f.form.audience} onChange={(e) => f.set({ audience: e.target.value })} />
          </FormField>
        </AddForm>
      ) : null}
      {remove.isError ? <MutationAlert error={remove.error} /> : null}
      {revoke.isError ? <MutationAlert error={revoke.error} /> : null}
      <table className="table table-stack">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Issuer</th>
            <th scope="col">Keys</th>
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {issuers.data?.items.length === 0 ? (
            <EmptyRow columns={4}>No trusted issuers: token exchange refuses every operator token.</EmptyRow>
          ) : null}
          {issuers.data?.items.map((i) => (
            <tr key={i.id}>
              <td data-label="Name" className="mono">
                {i.name}
                {i.enabled ? null : <span className="muted"> (disabled)</span>}
              </td>
              <td data-label="Issuer" className="mono">
                {i.issuer}
              </td>
              <td data-label="Keys" className="mono">
                <div>
                  <div>{i.jwksUrl ?? "static JWKS"}</div>
                  {i.revokedKids.length > 0 ? (
                    <div className="muted">
                      Revoked: {i.revokedKids.join(", ")}{" "}
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ id: i.id, revokedKids: [] })}
                      >
                        Restore keys
                      </button>
                    </div>
                  ) : null}
                </div>
              </td>
              <td className="row-actions">
                <button
                  type="button"
                  className="button button-small button-quiet"
                  disabled={revoke.isPending}
                  onClick={() => {
                    const kid = window.prompt(
                      `Revoke a key of ${i.name} now: tokens signed with it are refused at the next token exchange, whatever the issuer still publishes. Key id (kid):`,
                    );
                    if (kid?.trim()) revoke.mutate({ id: i.id, revokedKids: [...i.revokedKids, kid.trim()] });
                  }}
                >
                  Revoke key…
                </button>
                <button
                  type="button"
                  className="button button-small button-danger-quiet"
                  disabled={remove.isPending}
                  onClick={() => {
                    if (window.confirm(`Remove the trusted issuer ${i.name}? Its tokens stop being accepted.`)) {
                      remove.mutate(i.id);
                    }
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </SettingsSection>
  );
}
