// What every service verb receives: the database, who is acting, the request id for the audit trail, and the
// process-wide dependencies built once in main.ts.
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import type { TokenSettings } from "../tokens/settings.ts";
import type { ApprovalSettings } from "./approvals.ts";
import type { Actor } from "./rbac.ts";

export interface Deps {
  db: Db;
  logger: Logger;
  /** AES-256-GCM master key for secrets at rest. */
  secretKey: Buffer;
  clock: () => Date;
  /** The control plane's signing keys (set by main.ts once loaded; absent in narrow unit tests). */
  keys?: () => KeyRing;
  /** Reloads the key ring now (after a rotation) instead of at the next periodic refresh. */
  reloadKeys?: () => Promise<void>;
  /** Token service settings (set by main.ts; absent in narrow tests, which get `tokenSettings()` defaults). */
  tokens?: TokenSettings;
  /** Approval settings (set by main.ts; absent in narrow tests, which get the defaults). */
  approvals?: ApprovalSettings;
}

export interface ServiceContext extends Deps {
  actor: Actor;
  requestId: string;
}
