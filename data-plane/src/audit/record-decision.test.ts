import { describe, expect, it } from "vitest";
import { recordingLogger } from "../../test/fixtures.ts";
import { createDecisionRecorder, type DecisionEvent } from "./record-decision.ts";
import { SpoolFullError } from "./spool.ts";

const event: DecisionEvent = {
  type: "decision",
  id: "0190f000-0000-7000-8000-000000000000",
  request_id: "0190f000-0000-7000-8000-000000000000",
  protocol: "http-tools",
  session_id: "sess_1",
  agent_id: "expense-report-v1",
  operator: "alice@company.com",
  tool: "t",
  outcome: "ok",
  code: "allowed",
  reason: "",
  latency_us: 1,
  config_version: 1,
  client_id: undefined,
};

describe("decision recorder", () => {
  it("applies the spool-full policy: deny_sensitive refuses sensitive calls only, deny_all every call", () => {
    let full = false;
    const make = (policy: "deny_sensitive" | "deny_all") =>
      createDecisionRecorder({
        spool: { append: async () => ({}) as never },
        spoolFull: () => full,
        policy,
        logger: recordingLogger(),
      });
    for (const policy of ["deny_sensitive", "deny_all"] as const) {
      full = false;
      expect([make(policy).refuses(true), make(policy).refuses(false)]).toEqual([false, false]);
    }
    full = true;
    expect([make("deny_sensitive").refuses(true), make("deny_sensitive").refuses(false)]).toEqual([true, false]);
    expect([make("deny_all").refuses(true), make("deny_all").refuses(false)]).toEqual([true, true]);
  });

  it("appends without undefined fields, durably when asked; reports (and logs) a refused append", async () => {
    const appended: { event: Record<string, unknown>; durable: boolean | undefined }[] = [];
    let fail: Error | undefined;
    const logger = recordingLogger();
    const recorder = createDecisionRecorder({
      spool: {
        append: async (e, options) => {
          if (fail) throw fail;
          appended.push({ event: e, durable: options?.durable });
          return { id: e.id as string, streamId: "s", seq: 1 };
        },
      },
      spoolFull: () => false,
      policy: "deny_sensitive",
      logger,
    });
    expect(await recorder.record(event, true)).toBe(true);
    expect(appended[0]?.durable).toBe(true);
    expect("client_id" in (appended[0]?.event ?? {})).toBe(false);
    fail = new SpoolFullError("events", "full");
    expect(await recorder.record(event, false)).toBe(false);
    expect(logger.entries.at(-1)).toMatchObject({ level: "error", message: "audit event not recorded" });
  });
});
