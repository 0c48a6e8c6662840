// The policy's plain fields: name, description, targets, effect, mode and priority, with the API's field errors.
import { FormField as Field } from "../../../components/FormField.tsx";
import type { PolicyFormState } from "./policyForm.ts";

export function PolicyFields({
  form,
  set,
  fieldError,
  readOnly,
}: {
  form: PolicyFormState;
  set: (patch: Partial<PolicyFormState>) => void;
  fieldError: (field: string) => string | undefined;
  readOnly: boolean;
}) {
  return (
    <fieldset className="policy-fields" disabled={readOnly}>
      <legend className="visually-hidden">Policy</legend>
      <Field label="Name" error={fieldError("body.name")} hint="Lowercase letters, digits, '.', '_' or '-'">
        <input
          value={form.name}
          maxLength={100}
          required
          placeholder="e.g. ocr-once-per-session"
          className="mono"
          onChange={(e) => set({ name: e.target.value })}
        />
      </Field>
      <Field label="Description" error={fieldError("body.description")}>
        <input
          value={form.description}
          maxLength={2000}
          placeholder="What this policy is for"
          onChange={(e) => set({ description: e.target.value })}
        />
      </Field>
      <Field
        label="Agents"
        error={fieldError("body.target.agents")}
        hint="Names or ids, label:key=value, or * — separated by commas"
      >
        <input value={form.agents} className="mono" onChange={(e) => set({ agents: e.target.value })} />
      </Field>
      <Field label="Tools" error={fieldError("body.target.tools")} hint="Tool names, label:key=value, or *">
        <input
          value={form.tools}
          className="mono"
          placeholder="e.g. receipt_ocr"
          onChange={(e) => set({ tools: e.target.value })}
        />
      </Field>
      <div className="inline-fields">
        <Field label="Effect" error={fieldError("body.effect")}>
          <select value={form.effect} onChange={(e) => set({ effect: e.target.value as PolicyFormState["effect"] })}>
            <option value="allow">Allow</option>
            <option value="deny">Deny</option>
            <option value="require_approval">Require approval</option>
          </select>
        </Field>
        <Field label="Mode" error={fieldError("body.mode")}>
          <select value={form.mode} onChange={(e) => set({ mode: e.target.value as PolicyFormState["mode"] })}>
            <option value="enforce">Enforce</option>
            <option value="shadow">Shadow (record only)</option>
          </select>
        </Field>
        <Field label="Priority" error={fieldError("body.priority")}>
          <input
            type="number"
            min={-1000}
            max={1000}
            step={1}
            value={form.priority}
            onChange={(e) => set({ priority: e.target.value })}
          />
        </Field>
      </div>
    </fieldset>
  );
}
