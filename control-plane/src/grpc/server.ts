// The control plane's gRPC server for data-plane nodes: enrollment, config streams, audit ingest and approvals.
import * as grpc from "@grpc/grpc-js";
import {
  addApprovalService,
  addAuditService,
  addConfigService,
  addEnrollmentService,
  CONTROL_PLANE_SERVER_OPTIONS,
  grpcServerCredentials,
  type ServerTls,
} from "@portcullis/proto";
import { type ApprovalServiceDeps, approvalHandlers } from "./approval-service.ts";
import type { AuditServiceDeps } from "./audit-service.ts";
import { auditHandlers } from "./audit-service.ts";
import type { ConfigHub } from "./config-hub.ts";
import { type EnrollmentDeps, enrollmentHandlers } from "./enrollment.ts";

export interface RunningGrpcServer {
  address: string;
  close(): Promise<void>;
}

export async function startGrpcServer(options: {
  host: string;
  port: number;
  hub: ConfigHub;
  enrollment: EnrollmentDeps;
  audit: AuditServiceDeps;
  /** TLS (and mTLS with a client CA); plaintext when absent. */
  tls?: ServerTls | undefined;
  approvals: ApprovalServiceDeps;
}): Promise<RunningGrpcServer> {
  const server = new grpc.Server(CONTROL_PLANE_SERVER_OPTIONS);
  addEnrollmentService(server, enrollmentHandlers(options.enrollment));
  addConfigService(server, options.hub.handlers);
  addAuditService(server, auditHandlers(options.audit));
  addApprovalService(server, approvalHandlers(options.approvals));
  const bindHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${bindHost}:${options.port}`, grpcServerCredentials(options.tls), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `${bindHost}:${port}`,
    close: async () => {
      options.hub.close();
      // Open streams keep tryShutdown waiting; they were ended above, so give it a moment, then force.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
