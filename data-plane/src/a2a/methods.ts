// The A2A JSON-RPC methods the gateway serves: every A2A v1.0 method and its v0.3 name. Policies see one name per
// operation whatever the version the client spoke, `a2a:{V1Method}` (e.g. `a2a:SendMessage` for both `SendMessage`
// and `message/send`). The method is forwarded unchanged: the gateway does not translate between versions.

/** What the gateway must check before forwarding, and how it reads the answer. */
export type A2aMethodKind =
  /** Sends a message (may create a task, continue one, name a context, carry a push config). */
  | "send"
  /** Reads, cancels or resubscribes to one task (`params.id`). */
  | "task"
  /** Lists tasks: the answer is filtered to the caller's own tasks. */
  | "list"
  /** Creates a push notification config for a task (URL checked against SSRF). */
  | "push_set"
  /** Reads, lists or deletes a task's push notification configs. */
  | "push_task"
  /** The authenticated extended agent card (rewritten and re-signed like the public card). */
  | "card";

export interface A2aMethod {
  /** The A2A v1.0 method name; the policy tool name is `a2a:${v1}`. */
  readonly v1: string;
  readonly kind: A2aMethodKind;
  /** The upstream answers with an SSE stream. */
  readonly streaming: boolean;
}

const m = (v1: string, kind: A2aMethodKind, streaming = false): A2aMethod => Object.freeze({ v1, kind, streaming });

const SEND = m("SendMessage", "send");
const STREAM = m("SendStreamingMessage", "send", true);
const GET = m("GetTask", "task");
const LIST = m("ListTasks", "list");
const CANCEL = m("CancelTask", "task");
const SUBSCRIBE = m("SubscribeToTask", "task", true);
const PUSH_CREATE = m("CreateTaskPushNotificationConfig", "push_set");
const PUSH_GET = m("GetTaskPushNotificationConfig", "push_task");
const PUSH_LIST = m("ListTaskPushNotificationConfigs", "push_task");
const PUSH_DELETE = m("DeleteTaskPushNotificationConfig", "push_task");
const CARD = m("GetExtendedAgentCard", "card");

/** Every method name the gateway accepts (v1.0 and v0.3), with what it is. */
export const A2A_METHODS: ReadonlyMap<string, A2aMethod> = new Map([
  // A2A v1.0
  ["SendMessage", SEND],
  ["SendStreamingMessage", STREAM],
  ["GetTask", GET],
  ["ListTasks", LIST],
  ["CancelTask", CANCEL],
  ["SubscribeToTask", SUBSCRIBE],
  ["CreateTaskPushNotificationConfig", PUSH_CREATE],
  ["GetTaskPushNotificationConfig", PUSH_GET],
  ["ListTaskPushNotificationConfigs", PUSH_LIST],
  ["ListTaskPushNotificationConfig", PUSH_LIST],
  ["DeleteTaskPushNotificationConfig", PUSH_DELETE],
  ["GetExtendedAgentCard", CARD],
  // A2A v0.3
  ["message/send", SEND],
  ["message/stream", STREAM],
  ["tasks/get", GET],
  ["tasks/list", LIST],
  ["tasks/cancel", CANCEL],
  ["tasks/resubscribe", SUBSCRIBE],
  ["tasks/pushNotificationConfig/set", PUSH_CREATE],
  ["tasks/pushNotificationConfig/get", PUSH_GET],
  ["tasks/pushNotificationConfig/list", PUSH_LIST],
  ["tasks/pushNotificationConfig/delete", PUSH_DELETE],
  ["agent/getAuthenticatedExtendedCard", CARD],
]);

/** The tool name policies, the session ledger and the audit trail know an A2A method by. */
export const a2aToolName = (method: A2aMethod): string => `a2a:${method.v1}`;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** What a request names that the gateway must check: tasks and contexts it must own, push URLs it must allow. */
export interface A2aReferences {
  /** Tasks the caller must own (read, cancel, continue, reference). */
  tasks: string[];
  /** A context the message continues (claimed for the caller when new, refused when another's). */
  contextId?: string;
  /** Push notification URLs the upstream would call. */
  pushUrls: unknown[];
}

/** Reads the ids and URLs of one request's params (v1.0 and v0.3 shapes). */
export function referencesOf(method: A2aMethod, params: Record<string, unknown>): A2aReferences {
  const out: A2aReferences = { tasks: [], pushUrls: [] };
  const pushUrlOf = (config: unknown) => {
    if (isObject(config) && "url" in config) out.pushUrls.push(config.url);
  };
  switch (method.kind) {
    case "send": {
      const message = isObject(params.message) ? params.message : {};
      const taskId = str(message.taskId);
      if (taskId) out.tasks.push(taskId);
      if (Array.isArray(message.referenceTaskIds)) {
        for (const ref of message.referenceTaskIds) if (str(ref)) out.tasks.push(ref as string);
      }
      const contextId = str(message.contextId);
      if (contextId) out.contextId = contextId;
      const configuration = isObject(params.configuration) ? params.configuration : {};
      pushUrlOf(configuration.taskPushNotificationConfig); // v1.0
      pushUrlOf(configuration.pushNotificationConfig); // v0.3
      break;
    }
    case "task":
      if (str(params.id)) out.tasks.push(params.id as string);
      break;
    case "push_set":
      if (str(params.taskId)) out.tasks.push(params.taskId as string);
      pushUrlOf(params); // v1.0: the config is the params
      pushUrlOf(params.pushNotificationConfig); // v0.3
      pushUrlOf(params.config);
      break;
    case "push_task": {
      const taskId = str(params.taskId) ?? str(params.id); // v1.0 taskId (+ config id), v0.3 id
      if (taskId) out.tasks.push(taskId);
      break;
    }
    case "list":
      if (str(params.contextId)) out.contextId = params.contextId as string;
      break;
    case "card":
      break;
  }
  return out;
}

/** The task and context ids an answer (a JSON-RPC result, or one SSE event's result) reveals, v1.0 and v0.3. */
export function idsInResult(result: unknown): { tasks: string[]; contexts: string[] } {
  const tasks: string[] = [];
  const contexts: string[] = [];
  const visit = (value: unknown, isTask: boolean) => {
    if (!isObject(value)) return;
    if (isTask && str(value.id)) tasks.push(value.id as string);
    if (str(value.taskId)) tasks.push(value.taskId as string);
    if (str(value.contextId)) contexts.push(value.contextId as string);
  };
  if (!isObject(result)) return { tasks, contexts };
  // v1.0: { task } | { message } | { statusUpdate } | { artifactUpdate }
  visit(result.task, true);
  visit(result.message, false);
  visit(result.statusUpdate, false);
  visit(result.artifactUpdate, false);
  // v0.3: the object itself, with `kind`
  if (result.kind === "task") visit(result, true);
  else if (typeof result.kind === "string") visit(result, false);
  // GetTask / CancelTask in v1.0 answer the Task itself (id + contextId + status)
  if (result.kind === undefined && str(result.id) && str(result.contextId) && "status" in result) visit(result, true);
  return { tasks, contexts };
}
