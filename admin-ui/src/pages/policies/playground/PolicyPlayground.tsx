// The playground: describe a call (agent, person, tool, arguments, session so far) and see what the gateway
// would decide, with the saved policies or with this editor's draft in place of the saved policy.
import { type FormEvent, useId, useState } from "react";
import type { PolicyInput } from "../../../api/client.ts";
import { FormField } from "../../../components/FormField.tsx";
import { MutationAlert } from "../../../components/MutationAlert.tsx";
import { useSimulation } from "../usePolicy.ts";
import { buildSimulation, type CallFormState, emptyCall } from "./callForm.ts";
import { SimulationResultView } from "./SimulationResultView.tsx";

export function PolicyPlayground({
  policyId,
  draft,
  draftName,
}: {
  policyId?: string | undefined;
  draft?: PolicyInput | undefined;
  draftName?: string;
}) {
  const titleId = useId();
  const [call, setCall] = useState<CallFormState>(emptyCall);
  const [useDraft, setUseDraft] = useState(draft !== undefined);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const simulate = useSimulation();
  const set = (patch: Partial<CallFormState>) => setCall((c) => ({ ...c, ...patch }));

  function run(event: FormEvent) {
    event.preventDefault();
    const built = buildSimulation(
      call,
      useDraft && draft ? { ...draft, ...(policyId ? { id: policyId } : {}) } : undefined,
    );
    if (!built.ok) {
      setProblems(built.problems);
      return;
    }
    setProblems({});
    simulate.mutate(built.input);
  }

  return (
    <section className="panel playground" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 className="panel-title" id={titleId}>
          Playground
        </h2>
        {draft ? (
          <fieldset className="segmented">
            <legend className="visually-hidden">Evaluate with</legend>
            <label>
              <input type="radio" checked={useDraft} onChange={() => setUseDraft(true)} /> With {draftName}
            </label>
            <label>
              <input type="radio" checked={!useDraft} onChange={() => setUseDraft(false)} /> Saved policies only
            </label>
          </fieldset>
        ) : null}
      </div>
      <p className="panel-text">
        Evaluated by the control plane with the data plane's engine, against every saved policy
        {draft && useDraft ? (policyId ? ", with this draft in place of the saved version" : ", plus this draft") : ""}.
        Agents and people are looked up in the directory, so the answer is what the gateway would decide.
      </p>
      <form className="form playground-form" onSubmit={run}>
        <div className="playground-grid">
          <FormField label="Agent" error={problems.agent}>
            <input
              value={call.agent}
              placeholder="expense-report-v1"
              onChange={(e) => set({ agent: e.target.value })}
            />
          </FormField>
          <FormField label="On behalf of" error={problems.operator}>
            <input
              value={call.operator}
              placeholder='alice@company.com, or {"sub": "…", "groups": […]}'
              onChange={(e) => set({ operator: e.target.value })}
            />
          </FormField>
          <FormField label="Tool" error={problems.tool}>
            <input value={call.tool} placeholder="receipt_ocr" onChange={(e) => set({ tool: e.target.value })} />
          </FormField>
          <FormField label="Session taints">
            <input
              value={call.taints}
              placeholder="comma-separated, e.g. read_sensitive"
              onChange={(e) => set({ taints: e.target.value })}
            />
          </FormField>
        </div>
        <div className="playground-grid">
          <FormField label="Arguments (JSON object)" error={problems.args}>
            <textarea
              className="mono"
              rows={4}
              spellCheck={false}
              value={call.args}
              onChange={(e) => set({ args: e.target.value })}
            />
          </FormField>
          <FormField label="Earlier calls in this session (one per line: tool [decision])" error={problems.history}>
            <textarea
              className="mono"
              rows={4}
              spellCheck={false}
              value={call.history}
              placeholder={"receipt_ocr allow\ncreate_expense_report deny"}
              onChange={(e) => set({ history: e.target.value })}
            />
          </FormField>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={simulate.isPending}>
            {simulate.isPending ? "Evaluating…" : "Run"}
          </button>
        </div>
      </form>
      {simulate.isError ? <MutationAlert error={simulate.error} /> : null}
      {simulate.data ? <SimulationResultView result={simulate.data} /> : null}
    </section>
  );
}
