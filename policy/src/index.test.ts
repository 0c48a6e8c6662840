// The public surface: what is exported, and (checked by tsc) the shapes other workspaces rely on.
import { expect, expectTypeOf, test } from "vitest";
import type {
  CallContext,
  Decision,
  ListContext,
  Outcome,
  Policy,
  PolicyEngine,
  ReasonCode,
  ToolContext,
} from "./index.ts";
import * as api from "./index.ts";

test("exports exactly the documented runtime API", () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      "DEFAULT_LIMITS",
      "PolicySetError",
      "annotationsFromMcp",
      "buildCallContext",
      "buildListContext",
      "buildSessionContext",
      "buildToolContext",
      "compilePolicy",
      "compilePolicySet",
      "countAllowedCalls",
      "decideForChain",
      "digestArgs",
      "formatPolicyError",
      "inferExpressionType",
      "listToolsForChain",
      "operatorFromDirectory",
    ].sort(),
  );
});

test("types", () => {
  expectTypeOf(api.compilePolicySet).returns.toEqualTypeOf<PolicyEngine>();
  expectTypeOf<PolicyEngine["decide"]>().parameters.toEqualTypeOf<[CallContext]>();
  expectTypeOf<PolicyEngine["decide"]>().returns.toEqualTypeOf<Decision>();
  expectTypeOf<PolicyEngine["listTools"]>().parameter(0).toEqualTypeOf<ListContext>();
  expectTypeOf<ReturnType<PolicyEngine["listTools"]>>().toEqualTypeOf<ToolContext[]>();
  expectTypeOf<Decision["outcome"]>().toEqualTypeOf<Outcome>();
  expectTypeOf<Outcome>().toEqualTypeOf<"allow" | "deny" | "require_approval">();
  expectTypeOf<"limit_exceeded:eval_cost">().toExtend<ReasonCode>();
  expectTypeOf<"delegator_denied">().toExtend<ReasonCode>();
  expectTypeOf(api.decideForChain).returns.toEqualTypeOf<Decision>();
  expectTypeOf<Policy["effect"]>().toEqualTypeOf<Outcome>();
  expectTypeOf<CallContext>().toExtend<ListContext>();
  const check = api.compilePolicy({});
  if (!check.ok) expectTypeOf(check.errors[0]?.line).toEqualTypeOf<number | undefined>();
});
