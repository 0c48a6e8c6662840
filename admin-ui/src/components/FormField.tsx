// A labelled form control with its hint or error below it, tied to the control (aria-describedby,
// aria-invalid) so the label stays the control's whole accessible name.
import { cloneElement, type ReactElement, useId } from "react";

type Control = ReactElement<{ id?: string; "aria-describedby"?: string; "aria-invalid"?: "true" }>;

export function FormField({
  label,
  error,
  hint,
  children,
  className,
}: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: Control;
  className?: string;
}) {
  const id = useId();
  const note = error ?? hint;
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, {
        id,
        ...(note ? { "aria-describedby": `${id}-note` } : {}),
        ...(error ? { "aria-invalid": "true" as const } : {}),
      })}
      {error ? (
        <span className="field-error" id={`${id}-note`} role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint" id={`${id}-note`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}
