// Load generator for bench:audit, run in a worker thread so sealing and signing batches (the nodes' work) does
// not compete with the control plane's event loop: one simulated node per worker, real gRPC, real signatures.
import { parentPort, workerData } from "node:worker_threads";
import * as grpc from "@grpc/grpc-js";
import {
  createAuditClient,
  createEnrollmentClient,
  GENESIS_HASH,
  generateSigningKeyPair,
  sealBatch,
  signNodeToken,
  uuidv7,
} from "@portcullis/proto";
import { benchRecord } from "./audit-record.ts";

const {
  address,
  token,
  batch: BATCH,
  window: WINDOW,
  deadline,
} = workerData as {
  address: string;
  token: string;
  batch: number;
  window: number;
  deadline: number;
};

const signing = generateSigningKeyPair();
const assertion = generateSigningKeyPair();
const enroll = createEnrollmentClient(address, grpc.credentials.createInsecure());
const nodeId = await new Promise<string>((resolve, reject) =>
  enroll.Enroll(
    {
      bootstrapToken: token,
      nodeName: "bench",
      signingPublicJwk: JSON.stringify(signing.publicJwk),
      assertionPublicJwk: JSON.stringify(assertion.publicJwk),
    },
    (err, res) => (err || !res ? reject(err) : resolve(res.nodeId)),
  ),
);
enroll.close();
const md = new grpc.Metadata();
md.set(
  "authorization",
  `Bearer ${signNodeToken({ nodeId, signingKey: signing.privateKey, kid: signing.kid, lifetimeSeconds: 300 })}`,
);
const client = createAuditClient(address, grpc.credentials.createInsecure());
const call = client.Ingest(md);
const streamId = uuidv7();
let seq = 0;
let eventSeq = 0;
let prev = GENESIS_HASH;
let acked = 0;
let inFlight = 0;
let done = false;
const pump = () => {
  while (!done && inFlight < WINDOW && Date.now() < deadline) {
    seq += 1;
    const recs = Array.from({ length: BATCH }, () => benchRecord(streamId, ++eventSeq));
    const sealed = sealBatch({
      nodeId,
      streamId,
      seq,
      prevBatchHash: prev,
      records: recs,
      configVersion: 1,
      signingKey: signing.privateKey,
      kid: signing.kid,
    });
    prev = sealed.batchHash;
    inFlight += 1;
    call.write({ jws: sealed.jws, records: sealed.recordsBytes });
  }
  if (inFlight === 0 && Date.now() >= deadline && !done) {
    done = true;
    call.end();
    client.close();
    parentPort?.postMessage({ acked });
  }
};
call.on("data", (ack: { status: string; reason: string }) => {
  inFlight -= 1;
  if (ack.status !== "ACCEPTED") throw new Error(`batch refused: ${ack.reason}`);
  acked += BATCH;
  pump();
});
call.on("error", (err) => {
  if (!done) throw err;
});
pump();
