// Add a node: pick a gateway group, create a one-time bootstrap token, and show the token and the command that
// uses it exactly once. Closing the panel forgets them; the control plane keeps only a digest.
import { type FormEvent, useEffect, useId, useState } from "react";
import type { BootstrapTokenIssued } from "../../api/client.ts";
import { Icon } from "../../components/Icon.tsx";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { ErrorState } from "../../components/StateViews.tsx";
import { useCreateBootstrapToken, useGatewayGroups } from "./useNodes.ts";

const EXPIRY_CHOICES: { minutes: number; label: string }[] = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 24 * 60, label: "24 hours" },
  { minutes: 7 * 24 * 60, label: "7 days" },
];

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function AddNodePanel({ onClose }: { onClose: () => void }) {
  const titleId = useId();
  const groups = useGatewayGroups(true);
  const create = useCreateBootstrapToken();
  const [groupId, setGroupId] = useState("");
  const [expires, setExpires] = useState(60);
  const items = groups.data?.items ?? [];
  const chosen = groupId || items[0]?.id || "";

  function submit(event: FormEvent) {
    event.preventDefault();
    if (chosen) create.mutate({ groupId: chosen, expiresInMinutes: expires });
  }

  return (
    <section className="panel add-node" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 className="panel-title" id={titleId}>
          Add a node
        </h2>
        <button type="button" className="button button-quiet button-small" onClick={onClose}>
          {create.data ? "Done" : "Cancel"}
        </button>
      </div>
      {create.data ? (
        <IssuedToken issued={create.data} groupName={items.find((g) => g.id === create.data.groupId)?.name} />
      ) : groups.isError ? (
        <ErrorState error={groups.error} title="Could not load the gateway groups" onRetry={() => groups.refetch()} />
      ) : groups.data && items.length === 0 ? (
        <p className="panel-text">
          A node enrolls into a gateway group, and there is none yet. Create one with{" "}
          <code>POST /api/v1/gateway-groups</code> (see <a href="/openapi.json">the API reference</a>), then come back
          here.
        </p>
      ) : (
        <form className="inline-form" onSubmit={submit}>
          <p className="panel-text">
            A bootstrap token lets one node enroll into a gateway group. It works once, until it expires.
          </p>
          <div className="inline-fields">
            <label className="field">
              <span className="field-label">Gateway group</span>
              <select
                value={chosen}
                disabled={groups.isPending || create.isPending}
                onChange={(e) => setGroupId(e.target.value)}
              >
                {groups.isPending ? <option value="">Loading…</option> : null}
                {items.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">Token expires in</span>
              <select value={expires} disabled={create.isPending} onChange={(e) => setExpires(Number(e.target.value))}>
                {EXPIRY_CHOICES.map((c) => (
                  <option key={c.minutes} value={c.minutes}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="button button-primary" disabled={!chosen || create.isPending}>
              {create.isPending ? "Creating…" : "Create bootstrap token"}
            </button>
          </div>
          {create.isError ? <MutationAlert error={create.error} /> : null}
        </form>
      )}
    </section>
  );
}

function IssuedToken({ issued, groupName }: { issued: BootstrapTokenIssued; groupName: string | undefined }) {
  return (
    <div className="issued">
      <div className="alert alert-warning" role="status">
        <Icon name="alert" />
        <div>
          <p className="alert-title">Copy the command now: it will not be shown again.</p>
          <p className="alert-body">
            The token enrolls one node
            {groupName ? (
              <>
                {" "}
                into <strong>{groupName}</strong>
              </>
            ) : null}{" "}
            and expires <time dateTime={issued.expiresAt}>{absolute.format(new Date(issued.expiresAt))}</time>. The
            control plane keeps only a digest of it.
          </p>
        </div>
      </div>
      <div className="secret">
        <div className="secret-head">
          <span className="field-label">Run this on the new node</span>
          <CopyButton text={issued.command} label="Copy command" />
        </div>
        <pre className="secret-value" data-testid="bootstrap-command">
          <code>{issued.command}</code>
        </pre>
      </div>
      <div className="secret">
        <div className="secret-head">
          <span className="field-label">Bootstrap token</span>
          <CopyButton text={issued.token} label="Copy token" />
        </div>
        <pre className="secret-value">
          <code>{issued.token}</code>
        </pre>
      </div>
    </div>
  );
}

/** Copies with the async clipboard API where the browser offers it (secure contexts), and says when it cannot. */
function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const t = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(t);
  }, [state]);

  async function copy() {
    try {
      if (typeof navigator === "undefined" || !navigator.clipboard?.writeText) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }

  return (
    <span className="copy">
      <button type="button" className="button button-small" onClick={copy}>
        {state === "copied" ? "Copied" : label}
      </button>
      {state === "failed" ? (
        <span className="copy-failed" role="status">
          Copying is not available here; select the text and copy it.
        </span>
      ) : null}
    </span>
  );
}
