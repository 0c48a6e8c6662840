import { describe, expect, it } from "vitest";
import { generateSigningKeyPair, trustedKeys } from "./keys.ts";
import { nodeTokenKid, signNodeToken, verifyNodeToken } from "./node-auth.ts";

describe("node tokens", () => {
  const node = generateSigningKeyPair();
  const other = generateSigningKeyPair();

  it("verifies a fresh token for its node and exposes its kid", () => {
    const token = signNodeToken({ nodeId: "n1", signingKey: node.privateKey, kid: node.kid });
    expect(nodeTokenKid(token)).toBe(node.kid);
    const r = verifyNodeToken(token, trustedKeys([node.publicKey]), { expectedNodeId: "n1" });
    expect(r.ok && r.value.sub).toBe("n1");
  });

  it("refuses another node's key, another node id, expiry and overlong lifetimes", () => {
    const token = signNodeToken({ nodeId: "n1", signingKey: node.privateKey, kid: node.kid });
    expect(verifyNodeToken(token, trustedKeys([other.publicKey]))).toMatchObject({ ok: false, code: "unknown_key" });
    expect(verifyNodeToken(token, other.publicKey)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(verifyNodeToken(token, node.publicKey, { expectedNodeId: "n2" })).toMatchObject({
      ok: false,
      code: "wrong_node",
    });
    const old = signNodeToken({
      nodeId: "n1",
      signingKey: node.privateKey,
      kid: node.kid,
      now: new Date(Date.now() - 3600_000),
    });
    expect(verifyNodeToken(old, node.publicKey)).toMatchObject({ ok: false, code: "expired" });
    const forged = signNodeToken({ nodeId: "n1", signingKey: other.privateKey, kid: node.kid });
    expect(verifyNodeToken(forged, node.publicKey)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(verifyNodeToken("a.b", node.publicKey)).toMatchObject({ ok: false, code: "malformed" });
    expect(nodeTokenKid("garbage")).toBeUndefined();
  });
});
