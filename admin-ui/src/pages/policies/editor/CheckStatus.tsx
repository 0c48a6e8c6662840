// What the live check says about the draft: checking, compiles (with the inferred type), or its problems.
import type { UseQueryResult } from "@tanstack/react-query";
import type { PolicyCheck } from "../../../api/client.ts";
import { asApiError } from "../../../api/errors.ts";
import { sentence } from "../../../components/sentence.ts";

export function CheckStatus({
  check,
  pending,
  type,
  others,
}: {
  check: UseQueryResult<PolicyCheck>;
  pending: boolean;
  type: string | null | undefined;
  others: PolicyCheck["errors"];
}) {
  if (pending) return <span className="check-status is-pending">Checking…</span>;
  if (check.isError) {
    return (
      <span className="check-status is-failed" role="alert">
        Could not check the condition: {sentence(asApiError(check.error).message)}
      </span>
    );
  }
  if (!check.data) return null;
  if (check.data.ok) {
    return (
      <span className="check-status is-ok" role="status">
        Compiles
        {type ? (
          <>
            {" "}
            · evaluates to <code>{type}</code>
          </>
        ) : (
          " · no condition: the policy applies to every call it targets"
        )}
      </span>
    );
  }
  const n = check.data.errors.length;
  return (
    <span className="check-status is-bad" role="status">
      {n} {n === 1 ? "problem" : "problems"}
      {others.map((e) => (
        <span key={e.field + e.message} className="check-other">
          {" "}
          · {e.field.replace(/^body\./, "")}: {e.message}
        </span>
      ))}
    </span>
  );
}
