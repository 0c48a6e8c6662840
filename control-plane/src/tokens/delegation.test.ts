// The pure parts of delegation: the `scope` parameter and the nested `act` chain. The exchange itself runs against
// real processes in test/delegation.e2e.test.ts.
import { describe, expect, it } from "vitest";
import { actChainOf, nestAct, parseScope } from "./delegation.ts";
import { OAuthError } from "./oauth-error.ts";

describe("nested act chains", () => {
  const hops = [
    { sub: "a-origin", name: "expense-report-v1", trust: "first_party" },
    { sub: "a-mid", name: "router", trust: "first_party" },
    { sub: "a-actor", name: "ocr-helper-v2", trust: "third_party" },
  ];

  it("nests origin-first hops with the current actor outermost (RFC 8693 §4.1) and reads them back", () => {
    const act = nestAct(hops);
    expect(act).toEqual({
      sub: "a-actor",
      name: "ocr-helper-v2",
      trust: "third_party",
      act: {
        sub: "a-mid",
        name: "router",
        trust: "first_party",
        act: { sub: "a-origin", name: "expense-report-v1", trust: "first_party" },
      },
    });
    expect(actChainOf(act, 17)).toEqual(hops);
  });

  it("refuses chains that are malformed, cyclic or deeper than allowed", () => {
    expect(actChainOf(undefined, 17)).toBe("the act claim is missing");
    expect(actChainOf({ sub: "a", act: "b" }, 17)).toBe("an act level is not an object");
    expect(actChainOf({ sub: "a", act: { name: "x" } }, 17)).toBe("an act level has no sub");
    expect(actChainOf({ sub: "a", act: { sub: "b", act: { sub: "a" } } }, 17)).toBe(
      "the act chain names an agent twice",
    );
    expect(actChainOf(nestAct(hops), 2)).toBe("the act chain is deeper than 1 delegations");
  });
});

describe("scope", () => {
  it("is a set of RFC 6749 scope tokens", () => {
    expect(parseScope(undefined)).toBeUndefined();
    expect(parseScope("receipts:read  reports:write receipts:read")).toEqual(["receipts:read", "reports:write"]);
  });

  it("refuses empty, oversized or malformed scopes with invalid_scope", () => {
    for (const bad of ["", " ", 'a"b', "a\\b", Array.from({ length: 65 }, (_, i) => `s${i}`).join(" ")]) {
      expect(() => parseScope(bad)).toThrow(OAuthError);
      try {
        parseScope(bad);
      } catch (e) {
        expect((e as OAuthError).code).toBe("invalid_scope");
        expect((e as OAuthError).status).toBe(400);
      }
    }
  });
});
