// A small identity provider for tests: its own key pairs (RS256, ES256 or EdDSA), tokens signed with them, and a
// JWKS served by a real node:http server on 127.0.0.1 that counts how often it is fetched.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export type IssuerAlg = "RS256" | "ES256" | "EdDSA";

export interface IssuerKey {
  kid: string;
  alg: IssuerAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function issuerKey(alg: IssuerAlg, kid: string = randomUUID()): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

export class LocalIssuer {
  /** Keys published in the JWKS; `signing` signs new tokens. */
  published: IssuerKey[];
  signing: IssuerKey;
  jwksFetches = 0;
  /** The JWKS endpoint failing: answering 500, or never answering. */
  outage: "error" | "hang" | undefined;
  private server: Server | undefined;
  jwksUrl = "";

  readonly issuer: string;

  private constructor(issuer: string, first: IssuerKey) {
    this.issuer = issuer;
    this.published = [first];
    this.signing = first;
  }

  static async create(issuer: string, alg: IssuerAlg = "RS256", kid = "kid1"): Promise<LocalIssuer> {
    return new LocalIssuer(issuer, await issuerKey(alg, kid));
  }

  /** Serves the JWKS at http://127.0.0.1:<port>/jwks. */
  async serve(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.url !== "/jwks") {
        res.writeHead(404).end();
        return;
      }
      this.jwksFetches++;
      if (this.outage === "error") return void res.writeHead(500, { "content-type": "text/plain" }).end("down");
      if (this.outage === "hang") return; // accepts and never answers (the fetch times out)
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(this.jwks()));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.jwksUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
    return this;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published.map((k) => k.publicJwk) };
  }

  /** Publishes a new key and signs with it from now on (the old one stays published). */
  async rotate(kid: string): Promise<IssuerKey> {
    const next = await issuerKey(this.signing.alg, kid);
    this.published.push(next);
    this.signing = next;
    return next;
  }

  /** Stops publishing a key (an issuer removing a compromised key); signing with it still works for the test. */
  unpublish(kid: string): void {
    this.published = this.published.filter((k) => k.kid !== kid);
  }

  /** A token for `sub` with one-hour validity unless `claims` says otherwise; `null` removes a claim. */
  async token(
    sub: string,
    claims: Record<string, unknown> = {},
    options: { key?: IssuerKey; kid?: string; header?: Record<string, unknown> } = {},
  ): Promise<string> {
    const key = options.key ?? this.signing;
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { iss: this.issuer, sub, iat: now, exp: now + 3600, ...claims };
    for (const [k, v] of Object.entries(payload)) if (v === null) delete payload[k];
    return new SignJWT(payload as JWTPayload)
      .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: "JWT", ...options.header })
      .sign(key.privateKey);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** An unsigned token (`alg` none or a variant of its spelling) with an empty signature. */
export function unsignedToken(alg: string, payload: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg, typ: "JWT" })}.${part(payload)}.`;
}
