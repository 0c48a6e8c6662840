// Every REST operation, one module each. The app registers them in this order, and the shared security
// suite walks this list, so an operation missing here is neither served nor tested.
import type { Operation } from "../common.ts";
import * as adminAuditList from "./admin-audit.list.ts";
import * as agentsCreate from "./agents.create.ts";
import * as agentsCredentialsCreate from "./agents.credentials.create.ts";
import * as agentsCredentialsRevoke from "./agents.credentials.revoke.ts";
import * as agentsDelete from "./agents.delete.ts";
import * as agentsGet from "./agents.get.ts";
import * as agentsList from "./agents.list.ts";
import * as agentsUpdate from "./agents.update.ts";
import * as apiTokensCreate from "./api-tokens.create.ts";
import * as apiTokensList from "./api-tokens.list.ts";
import * as apiTokensRevoke from "./api-tokens.revoke.ts";
import * as approvalsDecide from "./approvals.decide.ts";
import * as approvalsGet from "./approvals.get.ts";
import * as approvalsList from "./approvals.list.ts";
import * as auditCheckpointsExport from "./audit.checkpoints.export.ts";
import * as auditCheckpointsList from "./audit.checkpoints.list.ts";
import * as auditVerify from "./audit.verify.ts";
import * as auditEventsExport from "./audit-events.export.ts";
import * as auditEventsList from "./audit-events.list.ts";
import * as authLogin from "./auth.login.ts";
import * as authLogout from "./auth.logout.ts";
import * as authSession from "./auth.session.ts";
import * as gatewayGroupsBootstrapTokensCreate from "./gateway-groups.bootstrap-tokens.create.ts";
import * as gatewayGroupsCreate from "./gateway-groups.create.ts";
import * as gatewayGroupsDelete from "./gateway-groups.delete.ts";
import * as gatewayGroupsGet from "./gateway-groups.get.ts";
import * as gatewayGroupsList from "./gateway-groups.list.ts";
import * as gatewayGroupsUpdate from "./gateway-groups.update.ts";
import * as keysList from "./keys.list.ts";
import * as keysRotate from "./keys.rotate.ts";
import * as nodesGet from "./nodes.get.ts";
import * as nodesList from "./nodes.list.ts";
import * as nodesRevoke from "./nodes.revoke.ts";
import * as operatorsCreate from "./operators.create.ts";
import * as operatorsDelete from "./operators.delete.ts";
import * as operatorsGet from "./operators.get.ts";
import * as operatorsList from "./operators.list.ts";
import * as operatorsUpdate from "./operators.update.ts";
import * as overviewGet from "./overview.get.ts";
import * as policiesCheck from "./policies.check.ts";
import * as policiesCreate from "./policies.create.ts";
import * as policiesDelete from "./policies.delete.ts";
import * as policiesDiff from "./policies.diff.ts";
import * as policiesGet from "./policies.get.ts";
import * as policiesList from "./policies.list.ts";
import * as policiesRollback from "./policies.rollback.ts";
import * as policiesSimulate from "./policies.simulate.ts";
import * as policiesUpdate from "./policies.update.ts";
import * as policiesVersionsGet from "./policies.versions.get.ts";
import * as policiesVersionsList from "./policies.versions.list.ts";
import * as sessionsEventsList from "./sessions.events.list.ts";
import * as sessionsGet from "./sessions.get.ts";
import * as sessionsList from "./sessions.list.ts";
import * as sessionsTimeline from "./sessions.timeline.ts";
import * as toolsApprove from "./tools.approve.ts";
import * as toolsCreate from "./tools.create.ts";
import * as toolsDelete from "./tools.delete.ts";
import * as toolsGet from "./tools.get.ts";
import * as toolsList from "./tools.list.ts";
import * as toolsUpdate from "./tools.update.ts";
import * as trustedIssuersCreate from "./trusted-issuers.create.ts";
import * as trustedIssuersDelete from "./trusted-issuers.delete.ts";
import * as trustedIssuersGet from "./trusted-issuers.get.ts";
import * as trustedIssuersList from "./trusted-issuers.list.ts";
import * as trustedIssuersUpdate from "./trusted-issuers.update.ts";
import * as upstreamsCreate from "./upstreams.create.ts";
import * as upstreamsDelete from "./upstreams.delete.ts";
import * as upstreamsGet from "./upstreams.get.ts";
import * as upstreamsList from "./upstreams.list.ts";
import * as upstreamsUpdate from "./upstreams.update.ts";
import * as usersCreate from "./users.create.ts";
import * as usersDelete from "./users.delete.ts";
import * as usersGet from "./users.get.ts";
import * as usersList from "./users.list.ts";
import * as usersUpdate from "./users.update.ts";

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
  upstreamsList,
  upstreamsCreate,
  upstreamsGet,
  upstreamsUpdate,
  upstreamsDelete,
  toolsList,
  toolsCreate,
  toolsGet,
  toolsUpdate,
  toolsDelete,
  toolsApprove,
  operatorsList,
  operatorsCreate,
  operatorsGet,
  operatorsUpdate,
  operatorsDelete,
  gatewayGroupsList,
  gatewayGroupsCreate,
  gatewayGroupsGet,
  gatewayGroupsUpdate,
  gatewayGroupsDelete,
  usersList,
  usersCreate,
  usersGet,
  usersUpdate,
  usersDelete,
  apiTokensList,
  apiTokensCreate,
  apiTokensRevoke,
  adminAuditList,
  policiesList,
  policiesCreate,
  policiesGet,
  policiesUpdate,
  policiesDelete,
  policiesVersionsList,
  policiesVersionsGet,
  policiesDiff,
  policiesRollback,
  nodesList,
  nodesGet,
  nodesRevoke,
  gatewayGroupsBootstrapTokensCreate,
  auditVerify,
  auditCheckpointsList,
  auditCheckpointsExport,
  policiesSimulate,
  policiesCheck,
  trustedIssuersList,
  trustedIssuersCreate,
  trustedIssuersGet,
  trustedIssuersUpdate,
  trustedIssuersDelete,
  sessionsList,
  sessionsGet,
  sessionsEventsList,
  sessionsTimeline,
  auditEventsList,
  auditEventsExport,
  overviewGet,
  approvalsList,
  approvalsGet,
  approvalsDecide,
  keysList,
  keysRotate,
];
