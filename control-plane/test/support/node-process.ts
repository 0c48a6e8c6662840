// A data-plane node as a real `portcullis dp` process, enrolled in the control plane's first gateway group with a
// fresh bootstrap token; resolves with its HOST:PORT once the control plane reports it in sync.
import path from "node:path";
import { freePort, type processGroup, until } from "../processes.ts";
import type { Api } from "./expense-cast.ts";

export async function spawnEnrolledNode(
  api: Api,
  procs: ReturnType<typeof processGroup>,
  options: { cpGrpc: string; root: string; env?: Record<string, string> },
): Promise<string> {
  const groups = await api("GET", "/api/v1/gateway-groups");
  const issued = await api("POST", `/api/v1/gateway-groups/${groups.items[0].id}/bootstrap-tokens`, {});
  const dpHttp = `127.0.0.1:${await freePort()}`;
  procs.spawn(["dp"], {
    PORTCULLIS_CP_GRPC: options.cpGrpc,
    PORTCULLIS_DP_HTTP: dpHttp,
    PORTCULLIS_DP_DATA_DIR: path.join(options.root, "dp"),
    PORTCULLIS_BOOTSTRAP_TOKEN: issued.token,
    PORTCULLIS_DP_HEARTBEAT_SECONDS: "1",
    ...options.env,
  });
  await until("the node to be in sync", async () => {
    const nodes = await api("GET", "/api/v1/nodes");
    return nodes.items.some((n: { inSync: boolean }) => n.inSync) ? true : undefined;
  });
  return dpHttp;
}
