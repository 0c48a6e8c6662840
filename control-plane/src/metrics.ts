// The control plane's Prometheus metrics (prom-client, one registry per instance, as the nodes': ADR 0019), served
// on the admin listener (PORTCULLIS_CP_ADMIN_HTTP) only. Labels are bounded: HTTP method, the route as registered
// (`/api/v1/agents/:id`, `*` for the console's files), status class, and ingest ack status.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ControlPlaneMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** One answered request of the REST API, the token service or the console. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** One audit batch a node sent, by the ack it got (ACCEPTED, DUPLICATE, REJECTED). */
  auditBatch(status: string): void;
  /** An ingest stream that failed (the node retries). */
  auditIngestFailure(): void;
  /** Reads the instance's state at each scrape. */
  attach(source: { connectedNodes(): number; ready(): Promise<{ ok: boolean }> }): void;
  scrape(): Promise<string>;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const STATUS_CLASS = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"];

export function createControlPlaneMetrics(): ControlPlaneMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let source: Parameters<ControlPlaneMetrics["attach"]>[0] | undefined;

  const requests = new Counter({
    name: "portcullis_cp_http_requests_total",
    help: "HTTP requests to the REST API, the token service and the console, by method, route and status class",
    labelNames: ["method", "route", "status_class"] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: "portcullis_cp_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const batches = new Counter({
    name: "portcullis_cp_audit_batches_total",
    help: "Audit batches received from nodes, by the ack they got (REJECTED batches are kept as alarms)",
    labelNames: ["status"] as const,
    registers,
  });
  const ingestFailures = new Counter({
    name: "portcullis_cp_audit_ingest_failures_total",
    help: "Audit ingest streams that failed on this instance (database errors; the node retries)",
    registers,
  });
  new Gauge({
    name: "portcullis_cp_nodes_connected",
    help: "Data-plane nodes with a config stream open to this instance",
    registers,
    collect() {
      this.set(source?.connectedNodes() ?? 0);
    },
  });
  new Gauge({
    name: "portcullis_cp_ready",
    help: "1 while /readyz answers 200 (the database answers)",
    registers,
    async collect() {
      this.set(source ? ((await source.ready().catch(() => ({ ok: false }))).ok ? 1 : 0) : 0);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    request(method, route, status, seconds) {
      const statusClass = STATUS_CLASS[status >= 100 && status < 600 ? Math.floor(status / 100) : 0] as string;
      requests.inc({ method: METHODS.has(method) ? method : "other", route, status_class: statusClass });
      requestSeconds.observe({ route }, seconds);
    },
    auditBatch(status) {
      batches.inc({ status });
    },
    auditIngestFailure() {
      ingestFailures.inc();
    },
    attach(started) {
      source = started;
    },
    scrape: () => registry.metrics(),
  };
}
