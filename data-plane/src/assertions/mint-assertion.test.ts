import { generateSigningKeyPair } from "@portcullis/proto";
import { importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ASSERTION_TYP, createAssertionMinter } from "./mint-assertion.ts";

describe("mintAssertion", () => {
  const input = {
    aud: "upstream-1",
    sub: "alice@company.com",
    act: { sub: "agent-1", name: "expense-report-v1" },
    sid: "sess_1",
    tool: "create_expense_report",
    args_sha256: "a".repeat(64),
    decision_id: "0190f000-0000-7000-8000-000000000000",
    config_version: 7,
  };

  it("is a standard compact JWS that jose verifies, with explicit typ, 60 s lifetime and a fresh jti", async () => {
    const key = generateSigningKeyPair();
    const mint = createAssertionMinter({ issuer: "https://gw.test", key });
    const first = mint(input);
    const { payload, protectedHeader } = await jwtVerify(first, await importJWK(key.publicJwk, "EdDSA"), {
      algorithms: ["EdDSA"],
      issuer: "https://gw.test",
      audience: "upstream-1",
      typ: ASSERTION_TYP,
    });
    expect(protectedHeader).toEqual({ alg: "EdDSA", kid: key.kid, typ: ASSERTION_TYP });
    expect(payload).toMatchObject({ ...input, iss: "https://gw.test" });
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
    const second = JSON.parse(Buffer.from(mint(input).split(".")[1] as string, "base64url").toString());
    expect(second.jti).not.toBe(payload.jti);
  });

  it("does not verify with another audience or another key", async () => {
    const key = generateSigningKeyPair();
    const token = createAssertionMinter({ issuer: "gw", key })(input);
    await expect(
      jwtVerify(token, await importJWK(key.publicJwk, "EdDSA"), { audience: "upstream-2" }),
    ).rejects.toThrow();
    await expect(jwtVerify(token, await importJWK(generateSigningKeyPair().publicJwk, "EdDSA"))).rejects.toThrow();
  });
});
