// The node's Prometheus metrics (prom-client, one registry per node, ADR 0019). The request path only increments
// counters and observes histograms, with label children cached so an observation costs no label hashing beyond
// prom-client's own; everything that is state (spool, config stream, readiness) is read when scraped.
// Labels are bounded: protocol, route kind, status class, outcome (a fixed set), ledger refusal code, and the
// upstream id (bounded by the snapshot). Never operator, agent, session or tool names.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DecisionEvent } from "./audit/record-decision.ts";
import type { DataPlaneNode } from "./node.ts";
import { DP_VERSION } from "./version.ts";

/** What an HTTP request on the agent-facing listener addressed (a bounded label). */
export type RouteKind =
  | "mcp"
  | "http_tool"
  | "a2a"
  | "a2a_card"
  | "oauth_metadata"
  | "healthz"
  | "readyz"
  | "unmatched";

/** Why a request or connection was refused before authentication (a bounded label). */
export type RefusalReason = "origin_not_allowed" | "connection_cap";

/** The protocol label of decision metrics (the audit event's `protocol`, in label form). */
const PROTOCOL_LABEL: Record<DecisionEvent["protocol"], string> = {
  "http-tools": "http_tool",
  mcp: "mcp",
  a2a: "a2a",
};

/** The session ledger's refusal codes (the `code` of a `session_refused` decision); anything else is "other". */
const LEDGER_CODES = new Set([
  "session_expired",
  "session_binding_violation",
  "session_call_limit",
  "session_store_unavailable",
]);

// Gateway overhead is sub-millisecond when healthy; the tail goes to the approval step or a slow session store.
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const POLICY_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05];

export interface DataPlaneMetrics {
  readonly registry: Registry;
  /** One HTTP request on the agent-facing listener, answered (status > 0) or abandoned (status 0). */
  request(route: RouteKind, status: number, seconds: number): void;
  /** One decision event, as the DecisionRecorder appended it (or failed to). */
  decision(event: DecisionEvent, recorded: boolean): void;
  /** Another audit event (e.g. `tool_definition_changed`), as the recorder appended it (or failed to). */
  auditEvent(event: { type: string } & Record<string, unknown>, recorded: boolean): void;
  /** A request or connection refused before authentication (T03 origin, R08 per-IP connection cap). */
  refused(reason: RefusalReason): void;
  /** Time one policy evaluation took (a call through the approval step is evaluated twice). */
  policyEvaluated(seconds: number): void;
  /** Reads the started node's state (spool, config stream, readiness) at each scrape. */
  attach(source: MetricsSource): void;
  /** The exposition, in the Prometheus text format. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsSource {
  node: DataPlaneNode;
  /** Requests being served by the router. */
  inFlight(): number;
  /** Tools quarantined on this node now (T08). */
  quarantined(): number;
  /** How long the control plane has been silent, and whether that is past PORTCULLIS_DP_MAX_STALENESS_SECONDS (R05). */
  controlPlane(): { silentSeconds: number; stale: boolean } | undefined;
}

/** A cache of label children: the request path looks a child up by its label values, without hashing objects. */
function children<T>(make: (...values: string[]) => T) {
  const cache = new Map<string, T>();
  return (a: string, b = ""): T => {
    const key = b === "" ? a : `${a}\u0000${b}`;
    let child = cache.get(key);
    if (child === undefined) {
      child = b === "" ? make(a) : make(a, b);
      cache.set(key, child);
    }
    return child;
  };
}

export function createDataPlaneMetrics(options: { defaultMetrics?: boolean } = {}): DataPlaneMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let source: MetricsSource | undefined;
  let lastAppliedAt = 0;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });

  const requests = counter(
    "portcullis_dp_http_requests_total",
    "HTTP requests on the agent-facing listener, by route kind and status class (none: the client left first)",
    ["route", "status_class"],
  );
  const requestSeconds = histogram(
    "portcullis_dp_http_request_duration_seconds",
    "Time to answer an HTTP request on the agent-facing listener, upstream included",
    ["route"],
    UPSTREAM_BUCKETS,
  );
  const decisions = counter(
    "portcullis_dp_decisions_total",
    "Tool calls concluded by the gateway (one audit decision event each), by protocol and outcome",
    ["protocol", "outcome"],
  );
  const overhead = histogram(
    "portcullis_dp_decision_overhead_seconds",
    "Gateway time per call (the audit event's latency_us minus upstream_latency_us); calls through the approval step are not included",
    ["protocol"],
    OVERHEAD_BUCKETS,
  );
  const upstreamSeconds = histogram(
    "portcullis_dp_upstream_duration_seconds",
    "Time waiting on the upstream for a forwarded call (MCP: session initialize and pin checks included)",
    ["upstream", "protocol"],
    UPSTREAM_BUCKETS,
  );
  const upstreamFailures = counter(
    "portcullis_dp_upstream_failures_total",
    "Forwarded calls whose upstream failed (error: unusable answer, 5xx or connection failure; timeout: no answer in time)",
    ["upstream", "kind"],
  );
  const policySeconds = histogram(
    "portcullis_dp_policy_evaluation_seconds",
    "Time of one policy evaluation (every applicable policy of the call, delegators included)",
    [],
    POLICY_BUCKETS,
  );
  const sessionRefusals = counter(
    "portcullis_dp_session_refusals_total",
    "Calls the session ledger refused, by code (session_store_unavailable: the shared store failed)",
    ["code"],
  );
  const auditRecorded = counter(
    "portcullis_dp_audit_events_recorded_total",
    "Audit events appended to the spool, by type",
    ["type"],
  );
  const auditFailures = counter(
    "portcullis_dp_audit_record_failures_total",
    "Audit events the spool did not take (full, or a write failed); sensitive calls are then refused",
    ["type"],
  );
  const refusals = counter(
    "portcullis_dp_refusals_total",
    "Requests refused for their Origin (origin_not_allowed, T03) and connections closed at the per-IP cap (connection_cap, R08)",
    ["reason"],
  );
  const quarantines = counter(
    "portcullis_dp_tool_quarantines_total",
    "Tools quarantined because their upstream changed an approved definition (T08)",
    ["upstream"],
  );

  // State, read at scrape time.
  const gauge = (name: string, help: string, read: (s: MetricsSource) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(source ? read(source) : 0);
      },
    });
  const counterOf = (name: string, help: string, read: (s: MetricsSource) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(source ? read(source) : 0);
      },
    });
  gauge(
    "portcullis_dp_http_requests_in_flight",
    "Requests on the request path (tools, MCP, A2A) being served now",
    (s) => s.inFlight(),
  );
  gauge("portcullis_dp_ready", "1 while the node serves a verified snapshot", (s) => (s.node.isReady() ? 1 : 0));
  gauge("portcullis_dp_config_version", "Version of the snapshot served (0: none yet)", (s) => {
    return s.node.config.status().servingVersion;
  });
  gauge("portcullis_dp_config_stream_connected", "1 while the config stream to the control plane is up", (s) =>
    s.node.config.status().connected ? 1 : 0,
  );
  gauge(
    "portcullis_dp_config_last_apply_timestamp_seconds",
    "When the snapshot served was applied (or restored at start), Unix time",
    () => lastAppliedAt / 1000,
  );
  gauge(
    "portcullis_dp_config_last_apply_duration_seconds",
    "Receipt-to-acknowledgement time of the last snapshot applied",
    (s) => s.node.config.status().lastApplyMs / 1000,
  );
  gauge(
    "portcullis_dp_config_last_rejected_version",
    "Version of the last snapshot this node refused (NACKed) since start; 0: none",
    (s) => s.node.config.status().lastNack?.version ?? 0,
  );
  gauge(
    "portcullis_dp_control_plane_silent_seconds",
    "Seconds since the last message from the control plane (R05)",
    (s) => s.controlPlane()?.silentSeconds ?? 0,
  );
  gauge(
    "portcullis_dp_control_plane_stale",
    "1 while the control plane has been silent past PORTCULLIS_DP_MAX_STALENESS_SECONDS (the stale policy applies)",
    (s) => (s.controlPlane()?.stale ? 1 : 0),
  );
  gauge("portcullis_dp_audit_spool_events", "Audit events not yet acknowledged by the control plane", (s) =>
    s.node.spool.depth(),
  );
  gauge("portcullis_dp_audit_spool_bytes", "Bytes of unacknowledged audit data on disk", (s) => {
    return s.node.spool.usage().bytes;
  });
  gauge("portcullis_dp_audit_spool_full", "1 while the spool is at its bound (the spool-full policy applies)", (s) =>
    s.node.spoolFull() ? 1 : 0,
  );
  gauge("portcullis_dp_audit_lag_seconds", "Age of the oldest unacknowledged audit event (0: none)", (s) => {
    return s.node.spool.lagMs() / 1000;
  });
  gauge("portcullis_dp_audit_stream_connected", "1 while the audit ingest stream is up", (s) =>
    s.node.status().audit.connected ? 1 : 0,
  );
  counterOf(
    "portcullis_dp_audit_batches_acknowledged_total",
    "Audit batches the control plane acknowledged since start",
    (s) => s.node.status().audit.acknowledged,
  );
  counterOf(
    "portcullis_dp_audit_events_shipped_total",
    "Audit events in the batches the control plane acknowledged since start",
    (s) => s.node.status().audit.acknowledgedEvents,
  );
  gauge("portcullis_dp_tools_quarantined", "Tools quarantined on this node now (T08)", (s) => s.quarantined());
  new Gauge({
    name: "portcullis_dp_build_info",
    help: "Always 1; the version label says which build runs",
    labelNames: ["version"] as const,
    registers,
  }).set({ version: DP_VERSION }, 1);

  const requestChild = children((route, statusClass) => requests.labels({ route, status_class: statusClass }));
  const requestSecondsChild = children((route) => requestSeconds.labels({ route }));
  const decisionChild = children((protocol, outcome) => decisions.labels({ protocol, outcome }));
  const overheadChild = children((protocol) => overhead.labels({ protocol }));
  const upstreamChild = children((upstream, protocol) => upstreamSeconds.labels({ upstream, protocol }));
  const failureChild = children((upstream, kind) => upstreamFailures.labels({ upstream, kind }));
  const recordedChild = children((type) => auditRecorded.labels({ type }));
  const failedChild = children((type) => auditFailures.labels({ type }));
  const STATUS_CLASS = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"];

  return {
    registry,
    contentType: registry.contentType,
    request(route, status, seconds) {
      const statusClass = STATUS_CLASS[status >= 100 && status < 600 ? Math.floor(status / 100) : 0] as string;
      requestChild(route, statusClass).inc();
      requestSecondsChild(route).observe(seconds);
    },
    decision(event, recorded) {
      const protocol = PROTOCOL_LABEL[event.protocol];
      decisionChild(protocol, event.outcome).inc();
      const upstreamUs = event.upstream_latency_us;
      if (event.approval_id === undefined) {
        overheadChild(protocol).observe(Math.max(0, event.latency_us - (upstreamUs ?? 0)) / 1e6);
      }
      if (upstreamUs !== undefined && event.upstream !== undefined) {
        upstreamChild(event.upstream, protocol).observe(upstreamUs / 1e6);
      }
      if (event.upstream !== undefined) {
        if (event.outcome === "upstream_error") failureChild(event.upstream, "error").inc();
        else if (event.outcome === "upstream_timeout") failureChild(event.upstream, "timeout").inc();
      }
      if (event.outcome === "session_refused") {
        sessionRefusals.inc({ code: LEDGER_CODES.has(event.code) ? event.code : "other" });
      }
      (recorded ? recordedChild : failedChild)("decision").inc();
    },
    auditEvent(event, recorded) {
      // Event types are the data plane's own (a fixed set), never caller input.
      const type = event.type;
      (recorded ? recordedChild : failedChild)(type).inc();
      if (type === "tool_definition_changed" && event.action === "quarantined") {
        quarantines.inc({ upstream: typeof event.upstream === "string" ? event.upstream : "unknown" });
      }
    },
    refused(reason) {
      refusals.inc({ reason });
    },
    policyEvaluated(seconds) {
      policySeconds.observe(seconds);
    },
    attach(started) {
      source = started;
      if (started.node.config.current()) lastAppliedAt = Date.now();
      started.node.config.onChange(() => {
        lastAppliedAt = Date.now();
      });
    },
    scrape: () => registry.metrics(),
  };
}
