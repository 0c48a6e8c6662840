// A real A2A agent for the tests, built on the official SDK (@a2a-js/sdk, JSON-RPC binding, v0.3 compat on):
// "echo" answers with a completed task whose artifact repeats the text; a text starting with "slow" stays
// working (status updates over SSE) until cancelled. It records what the gateway forwarded (headers, bodies) so
// tests can assert the assertion, the stripped caller token and the exact bytes.
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type AgentCard, TaskState } from "@a2a-js/sdk";
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryPushNotificationStore,
  InMemoryTaskStore,
  type RequestContext,
} from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import express from "express";

export interface ForwardedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface TestA2aAgent {
  url: string;
  card: AgentCard;
  received: ForwardedRequest[];
  close(): Promise<void>;
}

const textOf = (context: RequestContext): string =>
  context.userMessage.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");

class EchoExecutor implements AgentExecutor {
  private readonly cancelled = new Set<string>();

  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = context;
    const text = textOf(context);
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [context.userMessage],
        metadata: undefined,
      }),
    );
    const status = (state: TaskState, final = false) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: { state, message: undefined, timestamp: new Date().toISOString() },
          metadata: undefined,
          ...(final ? {} : {}),
        } as Parameters<typeof AgentEvent.statusUpdate>[0]),
      );
    status(TaskState.TASK_STATE_WORKING);
    if (text.startsWith("slow")) {
      // Stays working until cancelled (polls; the test cancels it).
      while (!this.cancelled.has(taskId)) await new Promise((r) => setTimeout(r, 20));
      status(TaskState.TASK_STATE_CANCELED, true);
      bus.finished();
      return;
    }
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: randomUUID(),
          name: "echo",
          description: "",
          parts: [
            {
              content: { $case: "text", value: `echo: ${text}` },
              metadata: undefined,
              filename: "",
              mediaType: "text/plain",
            },
          ],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      } as Parameters<typeof AgentEvent.artifactUpdate>[0]),
    );
    status(TaskState.TASK_STATE_COMPLETED, true);
    bus.finished();
  }

  async cancelTask(taskId: string): Promise<void> {
    this.cancelled.add(taskId);
  }
}

export interface TestA2aAgentOptions {
  name?: string;
  /** What the card endpoint serves instead of the plain card (signed, tampered with, …). */
  serveCard?: (card: AgentCard) => Promise<unknown>;
}

export async function startTestA2aAgent(options: TestA2aAgentOptions = {}): Promise<TestA2aAgent> {
  const app = express();
  const received: ForwardedRequest[] = [];
  const card = {} as AgentCard;
  app.use(express.json({ limit: "1mb" }));
  app.use((req, _res, next) => {
    received.push({ method: req.method, path: req.path, headers: { ...req.headers }, body: req.body });
    next();
  });
  const handler = new DefaultRequestHandler(
    card,
    new InMemoryTaskStore(),
    new EchoExecutor(),
    undefined,
    new InMemoryPushNotificationStore(),
  );
  if (options.serveCard) {
    const serve = options.serveCard;
    app.get("/.well-known/agent-card.json", async (_req, res) => {
      res.json(await serve(card));
    });
  } else {
    app.use("/.well-known/agent-card.json", agentCardHandler({ agentCardProvider: handler }));
  }
  app.use(
    "/a2a/jsonrpc",
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(card, {
    name: options.name ?? "Echo agent",
    description: "Repeats what it is told",
    supportedInterfaces: [
      { url: `${url}/a2a/jsonrpc`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
      { url: `${url}/a2a/jsonrpc`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "0.3" },
    ],
    provider: { url: "https://example.test", organization: "Portcullis tests" },
    version: "1.0.0",
    capabilities: { streaming: true, pushNotifications: true, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [
      {
        id: "echo",
        name: "Echo",
        description: "Echoes text",
        tags: ["echo"],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  } satisfies AgentCard);
  return {
    url,
    card,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
