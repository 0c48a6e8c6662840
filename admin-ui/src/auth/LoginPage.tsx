// Sign-in: email and password against POST /api/v1/auth/login. The API's own messages are shown, per field
// where it names one; the button is disabled while the request is in flight.
import { type FormEvent, useId, useState } from "react";
import { asApiError } from "../api/errors.ts";
import { Brand } from "../components/Brand.tsx";
import { Icon } from "../components/Icon.tsx";
import { sentence } from "../components/sentence.ts";
import { useSignIn } from "./session.ts";

const FIELD_EMAIL = "body.email";
const FIELD_PASSWORD = "body.password";

export function LoginPage() {
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const ids = { email: useId(), password: useId(), emailError: useId(), passwordError: useId() };

  const error = signIn.isError ? asApiError(signIn.error) : undefined;
  const emailError = error?.fieldMessage(FIELD_EMAIL);
  const passwordError = error?.fieldMessage(FIELD_PASSWORD);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (signIn.isPending) return;
    signIn.mutate({ email: email.trim(), password });
  }

  return (
    <main className="login">
      <div className="login-card">
        <div className="login-brand">
          <Brand />
        </div>
        <h1 className="login-title">Sign in to the console</h1>
        <p className="login-subtitle">Policies, identity and signed audit for every tool call your agents make.</p>

        {error ? <SignInError error={error} /> : null}

        <form className="form" onSubmit={submit} noValidate aria-label="Sign in">
          <div className="field">
            <label htmlFor={ids.email}>Email</label>
            <input
              id={ids.email}
              name="email"
              type="email"
              autoComplete="username"
              inputMode="email"
              required
              maxLength={254}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={emailError ? "true" : undefined}
              aria-describedby={emailError ? ids.emailError : undefined}
            />
            {emailError ? (
              <p className="field-error" id={ids.emailError}>
                {sentence(emailError)}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              id={ids.password}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={1024}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={passwordError ? "true" : undefined}
              aria-describedby={passwordError ? ids.passwordError : undefined}
            />
            {passwordError ? (
              <p className="field-error" id={ids.passwordError}>
                {sentence(passwordError)}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button button-primary button-block" disabled={signIn.isPending}>
            {signIn.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}

function SignInError({ error }: { error: ReturnType<typeof asApiError> }) {
  const fieldsShownInline = error.fields.every((f) => f.field === FIELD_EMAIL || f.field === FIELD_PASSWORD);
  const message =
    error.code === "validation_failed" && error.fields.length > 0 && fieldsShownInline
      ? "Check the highlighted fields."
      : sentence(error.message);
  return (
    <div className="alert alert-danger" role="alert">
      <Icon name="alert" />
      <div>
        <p className="alert-title">{error.unreachable ? "Cannot reach the control plane" : "Sign-in failed"}</p>
        <p className="alert-body">{message}</p>
        {error.status >= 500 && error.requestId ? (
          <p className="alert-meta">
            Request ID <code>{error.requestId}</code>
          </p>
        ) : null}
      </div>
    </div>
  );
}
