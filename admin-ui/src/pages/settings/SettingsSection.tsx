// One part of the Settings page: a titled panel whose list loads, fails or is empty like every other list.
import { type ReactNode, useId } from "react";
import { ErrorState } from "../../components/StateViews.tsx";

export function SettingsSection({
  title,
  description,
  actions,
  error,
  onRetry,
  children,
}: {
  title: string;
  description: string;
  actions?: ReactNode;
  error?: unknown;
  onRetry?: () => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section className="panel settings-section" aria-labelledby={id}>
      <div className="panel-head">
        <h2 className="panel-title" id={id}>
          {title}
        </h2>
        {actions}
      </div>
      <p className="panel-text">{description}</p>
      {error ? (
        <ErrorState error={error} onRetry={onRetry} title={`Could not load ${title.toLowerCase()}`} />
      ) : (
        children
      )}
    </section>
  );
}

export function EmptyRow({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={columns} className="muted">
        {children}
      </td>
    </tr>
  );
}
