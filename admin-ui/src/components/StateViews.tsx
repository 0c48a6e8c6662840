// The states every data view designs for: loading, empty, and failed (with the API's message and request id).
import type { ReactNode } from "react";
import { asApiError } from "../api/errors.ts";
import { Icon, type IconName } from "./Icon.tsx";
import { sentence } from "./sentence.ts";

export function EmptyState({
  icon = "inbox",
  title,
  children,
  action,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <section className="state" aria-label={title}>
      <div className="state-icon">
        <Icon name={icon} />
      </div>
      <h2 className="state-title">{title}</h2>
      {children ? <div className="state-body">{children}</div> : null}
      {action ? <div className="state-action">{action}</div> : null}
    </section>
  );
}

/** Explains a failure in words; shows the request id to quote when the server is at fault. */
export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const err = asApiError(error);
  const heading =
    title ??
    (err.unreachable
      ? "Cannot reach the control plane"
      : err.status === 403
        ? "Not allowed"
        : "Something went wrong loading this page");
  return (
    <section className="state state-error" role="alert">
      <div className="state-icon">
        <Icon name="alert" />
      </div>
      <h2 className="state-title">{heading}</h2>
      <p className="state-body">{sentence(err.message)}</p>
      {err.requestId ? (
        <p className="state-meta">
          Request ID <code>{err.requestId}</code>
        </p>
      ) : null}
      {onRetry ? (
        <div className="state-action">
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** Placeholder rows shaped like the table that is loading. */
export function LoadingRows({ columns, rows = 5 }: { columns: number; rows?: number }) {
  return (
    <tbody className="loading-rows" aria-hidden="true">
      {Array.from({ length: rows }, (_, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder rows
        <tr key={r}>
          {Array.from({ length: columns }, (_, c) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder cells
            <td key={c}>
              <span className="skeleton" />
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}
