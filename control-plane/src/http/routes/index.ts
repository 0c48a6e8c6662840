// Every REST operation, one module each. The app registers them in this order, and the shared security
// suite walks this list, so an operation missing here is neither served nor tested.
import type { Operation } from "../common.ts";
import * as agentsCreate from "./agents.create.ts";
import * as agentsCredentialsCreate from "./agents.credentials.create.ts";
import * as agentsCredentialsRevoke from "./agents.credentials.revoke.ts";
import * as agentsDelete from "./agents.delete.ts";
import * as agentsGet from "./agents.get.ts";
import * as agentsList from "./agents.list.ts";
import * as agentsUpdate from "./agents.update.ts";
import * as authLogin from "./auth.login.ts";
import * as authLogout from "./auth.logout.ts";
import * as authSession from "./auth.session.ts";

export const operations: Operation[] = [
  authLogin,
  authLogout,
  authSession,
  agentsList,
  agentsCreate,
  agentsGet,
  agentsUpdate,
  agentsDelete,
  agentsCredentialsCreate,
  agentsCredentialsRevoke,
];
