// HTTP/1.1 over a bare socket, for requests fetch cannot send (two headers of one name, a body that trickles in)
// and for attacks that hold connections open. Reads the answer until the server closes the connection.
import { connect, type Socket } from "node:net";

export interface RawAnswer {
  /** The status code, or undefined when the connection closed without an answer. */
  status: number | undefined;
  head: string;
  body: string;
}

/** Parses what a server wrote on a connection (one answer). */
export function parseAnswer(text: string): RawAnswer {
  const cut = text.indexOf("\r\n\r\n");
  const head = cut < 0 ? text : text.slice(0, cut);
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
  return { status: match ? Number(match[1]) : undefined, head, body: cut < 0 ? "" : text.slice(cut + 4) };
}

/** Opens a connection to `HOST:PORT` (optionally from `localAddress`); resolves once connected. */
export function openSocket(hostPort: string, localAddress?: string): Promise<Socket> {
  const cut = hostPort.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: hostPort.slice(0, cut),
      port: Number(hostPort.slice(cut + 1)),
      ...(localAddress ? { localAddress } : {}),
    });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Everything the server sends until it closes (or resets) the connection. */
export function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(text));
  });
}

/** Sends `request` (a whole HTTP/1.1 request; add `connection: close`) and returns the answer. */
export async function rawRequest(hostPort: string, request: string): Promise<RawAnswer> {
  const socket = await openSocket(hostPort);
  const answer = readUntilClosed(socket);
  socket.write(request);
  return parseAnswer(await answer);
}
