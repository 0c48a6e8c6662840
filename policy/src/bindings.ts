// Per-decision variable bindings. Each root variable is converted to CEL values on first read and cached, so a
// decision pays only for what its applicable policies read. List-phase bindings stand in for what is not known
// yet (args, session, request, now) with an error value, and remember whether a condition reached for one.
import { toCelValue, unknownValue } from "./cel/values.ts";
import type { CallContext, ListContext, ToolContext } from "./context.ts";
import { AgentT, DelegationT, EnvT, OperatorT, RequestT, SessionT, ToolT, VARIABLES } from "./context-schema.ts";

const ArgsT = VARIABLES.args as NonNullable<(typeof VARIABLES)["args"]>;
const NowT = VARIABLES.now as NonNullable<(typeof VARIABLES)["now"]>;

export class CallBindings {
  readonly #ctx: CallContext;
  #agent: unknown;
  #operator: unknown;
  #delegation: unknown;
  #tool: unknown;
  #args: unknown;
  #session: unknown;
  #request: unknown;
  #env: unknown;
  #now: unknown;

  constructor(ctx: CallContext) {
    this.#ctx = ctx;
  }
  get agent() {
    this.#agent ??= toCelValue(this.#ctx.agent, AgentT);
    return this.#agent;
  }
  get operator() {
    this.#operator ??= toCelValue(this.#ctx.operator, OperatorT);
    return this.#operator;
  }
  get delegation() {
    this.#delegation ??= toCelValue(this.#ctx.delegation, DelegationT);
    return this.#delegation;
  }
  get tool() {
    this.#tool ??= toCelValue(this.#ctx.tool, ToolT);
    return this.#tool;
  }
  get args() {
    this.#args ??= toCelValue(this.#ctx.args, ArgsT);
    return this.#args;
  }
  get session() {
    this.#session ??= toCelValue(this.#ctx.session, SessionT);
    return this.#session;
  }
  get request() {
    this.#request ??= toCelValue(this.#ctx.request, RequestT);
    return this.#request;
  }
  get env() {
    this.#env ??= toCelValue(this.#ctx.env, EnvT);
    return this.#env;
  }
  get now() {
    this.#now ??= toCelValue(this.#ctx.request.time, NowT);
    return this.#now;
  }
}

export class ListBindings {
  readonly #ctx: ListContext;
  #agent: unknown;
  #operator: unknown;
  #delegation: unknown;
  #env: unknown;
  #tool: unknown;
  #toolSource: ToolContext | undefined;
  /** Set when a condition read a variable that is unknown at list time. Reset per evaluation by the caller. */
  unknownRead = false;

  constructor(ctx: ListContext) {
    this.#ctx = ctx;
  }
  /** Points the bindings at the next tool being listed. */
  useTool(tool: ToolContext): void {
    if (tool !== this.#toolSource) {
      this.#toolSource = tool;
      this.#tool = undefined;
    }
  }
  get agent() {
    this.#agent ??= toCelValue(this.#ctx.agent, AgentT);
    return this.#agent;
  }
  get operator() {
    this.#operator ??= toCelValue(this.#ctx.operator, OperatorT);
    return this.#operator;
  }
  get delegation() {
    this.#delegation ??= toCelValue(this.#ctx.delegation, DelegationT);
    return this.#delegation;
  }
  get env() {
    this.#env ??= toCelValue(this.#ctx.env, EnvT);
    return this.#env;
  }
  get tool() {
    this.#tool ??= toCelValue(this.#toolSource, ToolT);
    return this.#tool;
  }
  get args() {
    return this.#unknown("args");
  }
  get session() {
    return this.#unknown("session");
  }
  get request() {
    return this.#unknown("request");
  }
  get now() {
    return this.#unknown("now");
  }
  #unknown(name: string): unknown {
    this.unknownRead = true;
    return unknownValue(name);
  }
}
