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
import * as policiesList from "./policies.list.ts";
import * as policiesCreate from "./policies.create.ts";
import * as policiesGet from "./policies.get.ts";
import * as policiesUpdate from "./policies.update.ts";
import * as policiesDelete from "./policies.delete.ts";
import * as policiesVersionsList from "./policies.versions.list.ts";
import * as policiesVersionsGet from "./policies.versions.get.ts";
import * as policiesDiff from "./policies.diff.ts";
import * as policiesRollback from "./policies.rollback.ts";

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
  policiesList,
  policiesCreate,
  policiesGet,
  policiesUpdate,
  policiesDelete,
  policiesVersionsList,
  policiesVersionsGet,
  policiesDiff,
  policiesRollback,
];
