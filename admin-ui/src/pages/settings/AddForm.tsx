// Pieces the Settings panels share: the "Add …" toggle and its form, role options, the actions column header.
import { type FormEvent, type ReactNode, useState } from "react";
import type { Role } from "../../api/client.ts";
import { asApiError } from "../../api/errors.ts";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { roleLabels } from "../../shell/roles.ts";

/** Whether the add form is open, its values, and a reset for after a successful add. */
export function useAddForm<T extends object>(initial: T) {
  const [adding, setAdding] = useState(false);
  const [form, setForm] = useState(initial);
  return {
    adding,
    form,
    set: (patch: Partial<T>) => setForm((f) => ({ ...f, ...patch })),
    open: () => setAdding(true),
    cancel: () => setAdding(false),
    done: () => {
      setAdding(false);
      setForm(initial);
    },
  };
}

export function AddButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="button button-small" onClick={onClick}>
      {label}
    </button>
  );
}

/** The add form; the API's field errors show at their fields, anything else above the buttons. */
export function AddForm({
  label,
  submitLabel,
  pending,
  error,
  onCancel,
  onSubmit,
  children,
}: {
  label: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }
  return (
    <form className="form settings-form" onSubmit={submit} aria-label={label}>
      <div className="inline-fields">{children}</div>
      {error && asApiError(error).fields.length === 0 ? <MutationAlert error={error} /> : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={pending}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

/** The message the API gave for one field of a failed add. */
export function fieldErrorOf(error: unknown): (field: string) => string | undefined {
  return (field) => (error ? asApiError(error).fieldMessage(field) : undefined);
}

export function RoleOptions() {
  return (
    <>
      {(Object.keys(roleLabels) as Role[]).map((r) => (
        <option key={r} value={r}>
          {roleLabels[r]}
        </option>
      ))}
    </>
  );
}

export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}
