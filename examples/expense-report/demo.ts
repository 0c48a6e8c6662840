#!/usr/bin/env node
// `npm run demo`: plays the expense-report walkthrough against the gateway `npm start` runs, step by step, with
// ✓ when the gateway did what the scenario says and ✗ when not, and ends with the sessions' console and audit
// links. Reads the credentials the demo seed wrote (<PORTCULLIS_DATA_DIR or .portcullis>/demo/credentials.json).
// Exits 1 when a step's outcome differs from the scenario; with PORTCULLIS_DEMO_STRICT=1 also when a step needs
// a feature this gateway does not have yet. A call held for approval waits for bob to decide it in the console
// (the link is printed); with PORTCULLIS_DEMO_APPROVE=auto the demo approves it as bob through the REST API.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  approveAsManager,
  DEMO_APPROVER,
  type DemoCredentials,
  type HeldApproval,
  runWalkthrough,
  type StepResult,
  waitForDecision,
} from "./walkthrough.ts";

const dataDir = process.env.PORTCULLIS_DATA_DIR || ".portcullis";
const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), dataDir, "demo", "credentials.json");
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const green = (s: string) => paint("32", s);
const red = (s: string) => paint("31", s);
const dim = (s: string) => paint("2", s);
const bold = (s: string) => paint("1", s);

let credentials: DemoCredentials;
try {
  credentials = JSON.parse(readFileSync(file, "utf8")) as DemoCredentials;
} catch {
  process.stderr.write(
    `No demo credentials at ${file}.\nStart Portcullis first with \`npm start\` (it seeds the demo on a new database),\nor reseed with PORTCULLIS_DEMO=force npm start.\n`,
  );
  process.exit(2);
}
try {
  await fetch(`${credentials.gateway}/readyz`, { signal: AbortSignal.timeout(5_000) });
} catch {
  process.stderr.write(`The gateway at ${credentials.gateway} does not answer: is \`npm start\` running?\n`);
  process.exit(2);
}

const strict = process.env.PORTCULLIS_DEMO_STRICT === "1";
const autoApprove = process.env.PORTCULLIS_DEMO_APPROVE === "auto";
const approvalWaitMs = 15 * 60_000;
/** Auto: bob approves through the API. Otherwise a person approves in the console; the demo waits for it. */
const approve = async (approval: HeldApproval) => {
  if (autoApprove) {
    process.stdout.write(dim(`        approving ${approval.id} as ${DEMO_APPROVER} through the REST API\n`));
    return approveAsManager(credentials, approval);
  }
  const login = credentials.console.users.find((u) => u.email === DEMO_APPROVER);
  const url = approval.approveUrl ?? `${credentials.controlPlane}/approvals/${approval.id}`;
  process.stdout.write(
    `\n  ${bold("Waiting for approval")}: open ${url}\n` +
      `  sign in as ${DEMO_APPROVER}${login ? ` / ${login.password}` : ""} and approve` +
      dim(" (or run with PORTCULLIS_DEMO_APPROVE=auto to approve through the API)\n\n"),
  );
  const status = await waitForDecision(credentials, approval, { timeoutMs: approvalWaitMs });
  if (status !== "approved") throw new Error(`approval ${approval.id} ended ${status}, not approved`);
};
const started = performance.now();
const line = (step: StepResult) => {
  const o = step.observed;
  if (step.status === "unavailable") {
    return `  ${dim("·")} ${String(step.n).padStart(2)}. ${step.title} ${dim(`— not available yet (needs ${step.requires})`)}`;
  }
  const mark = step.status === "pass" ? green("✓") : red("✗");
  const got = o ? `${o.outcome}${o.code && o.code !== o.outcome ? ` (${o.code})` : ""}` : "not run";
  const want = step.status === "pass" ? "" : red(` expected ${step.expected}`);
  const extra = [
    o?.toolSaw ? `tool saw: ${o.toolSaw}` : "",
    o?.outcome !== "allowed" && o?.reason ? o.reason : "",
    step.status === "fail" && step.requires ? `needs ${step.requires}` : "",
  ].filter(Boolean);
  return `  ${mark} ${String(step.n).padStart(2)}. ${step.title} → ${bold(got)}${want}${extra.length ? dim(`\n        ${extra.join("\n        ")}`) : ""}`;
};

process.stdout.write(
  `\n${bold("Portcullis demo: the expense-report agent")}\n${dim(`gateway ${credentials.gateway}`)}\n`,
);
const result = await runWalkthrough({
  credentials,
  strict,
  approve,
  onSession: (_label, title, sessionId) =>
    process.stdout.write(`\n${bold(title)}${sessionId ? dim(`  [${sessionId}]`) : ""}\n`),
  onStep: (step) => process.stdout.write(`${line(step)}\n`),
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const count = (s: StepResult["status"]) => result.steps.filter((x) => x.status === s).length;
process.stdout.write(
  `\n${result.ok ? green("Walkthrough as the scenario says") : red("Walkthrough differs from the scenario")}: ` +
    `${count("pass")} passed, ${count("fail")} failed, ${count("unavailable")} not available yet (${seconds} s)\n`,
);
const happy = result.sessions.happy;
if (happy) {
  const cp = credentials.controlPlane;
  const login = credentials.console.users.find((u) => u.email === DEMO_APPROVER) ?? credentials.console.users[0];
  process.stdout.write(
    `\nThe happy path's session: ${happy}\n` +
      `  console   ${cp}/sessions/${encodeURIComponent(happy)}${login ? dim(`  (sign in as ${login.email} / ${login.password})`) : ""}\n` +
      `  audit     ${cp}/api/v1/sessions/${happy}/events\n` +
      `  verify    npx portcullis audit verify\n\n`,
  );
}
process.exit(result.ok ? 0 : 1);
