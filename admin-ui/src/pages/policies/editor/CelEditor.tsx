// A CEL source field: a plain text area over a coloured copy of the same text (so typing, selection, undo and
// screen readers behave like any text area), the problems the compiler reported underlined where they start and
// listed below with a "Show" that puts the caret there, and completions of context variables and fields.
import { type KeyboardEvent, type ReactNode, useId, useRef, useState } from "react";
import { type Completion, completionsAt } from "./celCompletions.ts";
import { offsetOf, tokenize } from "./celTokens.ts";

export interface SourceIssue {
  message: string;
  line?: number | undefined;
  column?: number | undefined;
}

export function CelEditor({
  label,
  value,
  onChange,
  issues,
  hint,
  placeholder,
  readOnly,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  issues: SourceIssue[];
  hint?: ReactNode;
  placeholder?: string;
  readOnly?: boolean;
}) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [completion, setCompletion] = useState<(Completion & { active: number }) | undefined>();
  const marks = issues.map((i) => ({ ...i, at: offsetOf(value, i.line ?? 1, i.column ?? 1) }));

  function refreshCompletion(target: HTMLTextAreaElement) {
    const c =
      target.selectionStart === target.selectionEnd ? completionsAt(target.value, target.selectionStart) : undefined;
    setCompletion(c ? { ...c, active: 0 } : undefined);
  }

  function accept(option: string) {
    const el = area.current;
    if (!el || !completion) return;
    const caret = el.selectionStart;
    const next = value.slice(0, completion.from) + option + value.slice(caret);
    onChange(next);
    setCompletion(undefined);
    const at = completion.from + option.length;
    requestAnimationFrame(() => el.setSelectionRange(at, at));
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (!completion) return;
    const n = completion.options.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : n - 1;
      setCompletion({ ...completion, active: (completion.active + step) % n });
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      accept(completion.options[completion.active] as string);
    } else if (event.key === "Escape") {
      setCompletion(undefined);
    }
  }

  function show(at: number) {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(at, at);
  }

  const lines = value.split("\n").length;
  return (
    <div className="field cel-field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className={issues.length > 0 ? "cel-editor has-issues" : "cel-editor"}>
        <pre className="cel-highlight" aria-hidden="true">
          <Highlighted source={value} marks={marks} />
        </pre>
        <textarea
          ref={area}
          id={id}
          className="cel-input"
          value={value}
          rows={Math.max(3, lines + 1)}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          readOnly={readOnly}
          placeholder={placeholder}
          aria-invalid={issues.length > 0 ? "true" : undefined}
          aria-describedby={`${id}-hint ${id}-issues`}
          aria-autocomplete="list"
          aria-controls={completion ? `${id}-completions` : undefined}
          onChange={(e) => {
            onChange(e.target.value);
            refreshCompletion(e.target);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setCompletion(undefined)}
        />
      </div>
      {completion ? (
        <div className="cel-completions" id={`${id}-completions`} role="listbox" aria-label="Completions">
          {completion.options.map((o, i) => (
            <div
              key={o}
              role="option"
              tabIndex={-1}
              aria-selected={i === completion.active}
              className={i === completion.active ? "is-active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(o);
              }}
            >
              {o}
            </div>
          ))}
        </div>
      ) : null}
      <div className="cel-hint" id={`${id}-hint`}>
        {hint}
      </div>
      <ul className="cel-issues" id={`${id}-issues`} aria-live="polite">
        {marks.map((m) => (
          <li key={`${m.at}:${m.message}`} className="cel-issue">
            {m.line !== undefined ? (
              <button type="button" className="cel-issue-at" onClick={() => show(m.at)}>
                Line {m.line}, column {m.column ?? 1}
              </button>
            ) : null}
            <span>{m.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The source as coloured spans, with the token at each problem's position marked. */
function Highlighted({ source, marks }: { source: string; marks: { at: number; message: string }[] }) {
  const tokens = tokenize(source);
  const marked = new Set<number>();
  const out: ReactNode[] = tokens.map((t, i) => {
    const hit = marks.find((m) => m.at >= t.start && m.at < t.start + t.text.length);
    const span = (
      <span key={`${t.start}`} className={`cel-${t.kind}`}>
        {t.text}
      </span>
    );
    if (!hit || marked.has(i)) return span;
    marked.add(i);
    return (
      <mark key={`${t.start}`} className="cel-error-mark" data-message={hit.message}>
        {span}
      </mark>
    );
  });
  if (marks.some((m) => m.at >= source.length)) {
    out.push(
      <mark key="end" className="cel-error-mark cel-error-end">
        {" "}
      </mark>,
    );
  }
  // A trailing newline keeps the last (empty) line as tall as in the text area.
  out.push("\n");
  return <>{out}</>;
}
