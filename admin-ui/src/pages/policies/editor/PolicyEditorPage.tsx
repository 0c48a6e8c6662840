// The policy editor (/policies/new and /policies/{id}): the fields, the condition (and approvers) with a live
// check against the control plane as the user types, saving as a new immutable version, and the playground.
import { type FormEvent, useState } from "react";
import type { Policy } from "../../../api/client.ts";
import { asApiError } from "../../../api/errors.ts";
import { navigate } from "../../../app/router.tsx";
import type { NavItem } from "../../../app/sections.ts";
import { FormField } from "../../../components/FormField.tsx";
import { MutationAlert } from "../../../components/MutationAlert.tsx";
import { ErrorState } from "../../../components/StateViews.tsx";
import { useDebouncedValue } from "../../../hooks/useDebouncedValue.ts";
import { PolicyPageHeader } from "../PolicyPageHeader.tsx";
import { PolicyPlayground } from "../playground/PolicyPlayground.tsx";
import { usePolicy, usePolicyCheck, useSavePolicy } from "../usePolicy.ts";
import { CelEditor, type SourceIssue } from "./CelEditor.tsx";
import { CheckStatus } from "./CheckStatus.tsx";
import { PolicyFields } from "./PolicyFields.tsx";
import { draftOf, emptyForm, formOf, inputOf, type PolicyFormState } from "./policyForm.ts";

/** How long typing must pause before the draft is checked. */
export const CHECK_DEBOUNCE_MS = 400;

export function PolicyEditorPage({ item, id }: { item: NavItem; id: string | undefined }) {
  const policy = usePolicy(id);
  if (id !== undefined && policy.isError) {
    return (
      <>
        <PolicyPageHeader item={item} policy={undefined} tab="edit" />
        <ErrorState error={policy.error} onRetry={() => policy.refetch()} />
      </>
    );
  }
  if (id !== undefined && !policy.data) {
    return (
      <>
        <PolicyPageHeader item={item} policy={undefined} tab="edit" />
        <p className="muted" aria-busy="true">
          Loading the policy…
        </p>
      </>
    );
  }
  return <PolicyEditor key={policy.data?.id ?? "new"} item={item} policy={policy.data} />;
}

function PolicyEditor({ item, policy }: { item: NavItem; policy: Policy | undefined }) {
  const readOnly = item.access !== "full";
  const [form, setForm] = useState<PolicyFormState>(() => (policy ? formOf(policy) : emptyForm));
  const [savedAs, setSavedAs] = useState<number | undefined>();
  const set = (patch: Partial<PolicyFormState>) => {
    setSavedAs(undefined);
    setForm((f) => ({ ...f, ...patch }));
  };

  const typed = JSON.stringify(draftOf(form));
  const settled = useDebouncedValue(typed, CHECK_DEBOUNCE_MS);
  const check = usePolicyCheck(JSON.parse(settled));
  const pending = settled !== typed || check.isFetching;
  const issuesOf = (field: string): SourceIssue[] =>
    settled === typed ? (check.data?.errors ?? []).filter((e) => e.field === field) : [];

  const save = useSavePolicy(policy?.id, policy?.currentVersion);
  const saveError = save.isError ? asApiError(save.error) : undefined;
  const fieldError = (field: string) => saveError?.fieldMessage(field);
  const unchanged = policy !== undefined && JSON.stringify(inputOf(form)) === JSON.stringify(inputOf(formOf(policy)));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(inputOf(form), {
      onSuccess: (saved) => {
        if (!policy) navigate(`/policies/${saved.id}`, { replace: true });
        else {
          setForm(formOf(saved));
          setSavedAs(saved.currentVersion);
        }
      },
    });
  }

  const compileErrors = settled === typed && check.data && !check.data.ok;
  return (
    <>
      <PolicyPageHeader item={item} policy={policy} tab="edit" isNew={!policy} />
      <form className="policy-editor" onSubmit={submit} aria-label="Policy editor">
        <PolicyFields form={form} set={set} fieldError={fieldError} readOnly={readOnly} />
        <div className="policy-source">
          <CelEditor
            label="Condition (CEL) — empty means always"
            value={form.condition}
            onChange={(condition) => set({ condition })}
            issues={issuesOf("body.condition")}
            placeholder={'e.g. session.count("receipt_ocr") >= 1'}
            readOnly={readOnly}
            hint={
              <CheckStatus
                check={check}
                pending={pending}
                type={check.data?.types.condition}
                others={(check.data?.errors ?? []).filter(
                  (e) => e.field !== "body.condition" && e.field !== "body.approvers",
                )}
              />
            }
          />
          {form.effect === "require_approval" ? (
            <CelEditor
              label="Approvers (CEL: a string or list of strings) — empty means the security team"
              value={form.approvers}
              onChange={(approvers) => set({ approvers })}
              issues={issuesOf("body.approvers")}
              placeholder="e.g. [operator.manager]"
              readOnly={readOnly}
              hint={
                check.data?.types.approvers && !pending ? (
                  <span className="muted">
                    Evaluates to <code>{check.data.types.approvers}</code>
                  </span>
                ) : null
              }
            />
          ) : null}
        </div>
        {readOnly ? null : (
          <div className="policy-save">
            <FormField label="Why this change (kept with the version)" error={fieldError("body.comment")}>
              <input
                value={form.comment}
                maxLength={500}
                placeholder="e.g. allow OCR once per report"
                onChange={(e) => set({ comment: e.target.value })}
              />
            </FormField>
            <div className="form-actions">
              {savedAs !== undefined ? (
                <span className="notice" role="status">
                  Saved as version {savedAs}.
                </span>
              ) : null}
              <button
                type="submit"
                className="button button-primary"
                disabled={save.isPending || unchanged || Boolean(compileErrors)}
                title={compileErrors ? "Fix the problems above first" : undefined}
              >
                {save.isPending ? "Saving…" : policy ? "Save new version" : "Create policy"}
              </button>
            </div>
            {save.isError ? <MutationAlert error={save.error} /> : null}
          </div>
        )}
      </form>
      <PolicyPlayground policyId={policy?.id} draft={inputOf(form)} draftName={form.name || "this draft"} />
    </>
  );
}
