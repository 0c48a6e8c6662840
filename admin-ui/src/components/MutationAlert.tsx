// A failed change (save, revoke, approve…) explained in words, with the request id to quote.
import { asApiError } from "../api/errors.ts";
import { Icon } from "./Icon.tsx";
import { sentence } from "./sentence.ts";

export function MutationAlert({ error }: { error: unknown }) {
  const err = asApiError(error);
  return (
    <div className="alert alert-danger" role="alert">
      <Icon name="alert" />
      <div>
        <p className="alert-body">{sentence(err.message)}</p>
        {err.requestId ? (
          <p className="alert-meta">
            Request ID <code>{err.requestId}</code>
          </p>
        ) : null}
      </div>
    </div>
  );
}
