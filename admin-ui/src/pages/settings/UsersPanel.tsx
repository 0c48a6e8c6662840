// Console users: create, change role, disable or enable. Changing a role or disabling signs the user out.
import type { Role } from "../../api/client.ts";
import { FormField } from "../../components/FormField.tsx";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { ActionsHeader, AddButton, AddForm, fieldErrorOf, RoleOptions, useAddForm } from "./AddForm.tsx";
import { EmptyRow, SettingsSection } from "./SettingsSection.tsx";
import { useCreateUser, useUpdateUser, useUsers } from "./useSettings.ts";

export function UsersPanel() {
  const users = useUsers();
  const create = useCreateUser();
  const update = useUpdateUser();
  const f = useAddForm({ email: "", displayName: "", role: "security" as Role, password: "" });
  const fieldError = fieldErrorOf(create.error);

  function submit() {
    create.mutate(
      { ...f.form, email: f.form.email.trim(), displayName: f.form.displayName.trim() },
      { onSuccess: f.done },
    );
  }

  return (
    <SettingsSection
      title="Console users"
      description="People who sign in to this console, and their roles. Changing a role or disabling a user signs them out everywhere."
      error={users.error}
      onRetry={() => users.refetch()}
      actions={f.adding ? null : <AddButton label="Add user" onClick={f.open} />}
    >
      {f.adding ? (
        <AddForm
          label="Add a console user"
          submitLabel="Add user"
          pending={create.isPending}
          error={create.error}
          onCancel={f.cancel}
          onSubmit={submit}
        >
          <FormField label="Email" error={fieldError("body.email")}>
            <input type="email" value={f.form.email} required onChange={(e) => f.set({ email: e.target.value })} />
          </FormField>
          <FormField label="Display name" error={fieldError("body.displayName")}>
            <input value={f.form.displayName} onChange={(e) => f.set({ displayName: e.target.value })} />
          </FormField>
          <FormField label="Role" error={fieldError("body.role")}>
            <select value={f.form.role} onChange={(e) => f.set({ role: e.target.value as Role })}>
              <RoleOptions />
            </select>
          </FormField>
          <FormField label="Initial password" error={fieldError("body.password")} hint="At least 12 characters">
            <input
              type="password"
              autoComplete="new-password"
              value={f.form.password}
              required
              minLength={12}
              onChange={(e) => f.set({ password: e.target.value })}
            />
          </FormField>
        </AddForm>
      ) : null}
      {update.isError ? <MutationAlert error={update.error} /> : null}
      <table className="table table-stack">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Last sign-in</th>
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {users.data?.items.length === 0 ? <EmptyRow columns={4}>No users.</EmptyRow> : null}
          {users.data?.items.map((u) => (
            <tr key={u.id} className={u.disabled ? "is-disabled" : undefined}>
              <td data-label="User">
                <div className="cell-primary">{u.email}</div>
                <div className="cell-secondary">
                  {u.displayName}
                  {u.disabled ? " · disabled" : ""}
                </div>
              </td>
              <td data-label="Role">
                <select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  disabled={update.isPending}
                  onChange={(e) => update.mutate({ id: u.id, patch: { role: e.target.value as Role } })}
                >
                  <RoleOptions />
                </select>
              </td>
              <td data-label="Last sign-in">{u.lastLoginAt ? <RelativeTime iso={u.lastLoginAt} /> : "never"}</td>
              <td className="row-actions">
                <button
                  type="button"
                  className={u.disabled ? "button button-small" : "button button-small button-danger-quiet"}
                  disabled={update.isPending}
                  onClick={() => update.mutate({ id: u.id, patch: { disabled: !u.disabled } })}
                >
                  {u.disabled ? "Enable" : "Disable"}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </SettingsSection>
  );
}
