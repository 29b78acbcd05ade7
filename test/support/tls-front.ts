// A TLS server on loopback in front of a plain-http server (the emulator), as a gateway terminating
// TLS would be: it forwards every request it decrypts to `target` and counts what reached it. With a
// certificate the client does not trust, nothing gets past the handshake, and the counts show it.

import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { KeyPair } from "./certificates";

export interface TlsFrontOptions {
  /** Certificate and key served; `chain` is sent after the certificate (e.g. its CA). */
  pair: KeyPair;
  chain?: string;
  /** Where decrypted requests go (`http://127.0.0.1:PORT`); without it every request gets 502. */
  target?: string;
  /** Close the first N TCP connections as soon as they are accepted (a reset during the handshake). */
  dropConnections?: number;
}

export interface TlsFront {
  port: number;
  /** `https://<host>:<port>/v1`; host defaults to 127.0.0.1. */
  url(host?: string): string;
  /** TCP connections accepted (dropped ones included). */
  readonly connections: number;
  /** Handshakes completed, and failed (the client rejected the certificate, or spoke no TLS). */
  readonly handshakes: number;
  readonly handshakeFailures: number;
  /** Requests decrypted (method and path), forwarded or not. */
  readonly requests: { method: string; url: string }[];
  stop(): Promise<void>;
}

export async function startTlsFront(options: TlsFrontOptions): Promise<TlsFront> {
  const counts = { connections: 0, handshakes: 0, handshakeFailures: 0 };
  const requests: { method: string; url: string }[] = [];
  const sockets = new Set<Socket>();
  let toDrop = options.dropConnections ?? 0;
  const cert = options.chain ? `${options.pair.cert}\n${options.chain}` : options.pair.cert;
  const server = https.createServer({ key: options.pair.key, cert }, (req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "" });
    if (!options.target) {
      res.writeHead(502).end();
      return;
    }
    const upstream = http.request(
      new URL(req.url ?? "/", options.target),
      { method: req.method, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket: Socket) => {
    counts.connections += 1;
    if (toDrop > 0) {
      toDrop -= 1;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", () => {
    counts.handshakes += 1;
  });
  server.on("tlsClientError", (_err, socket) => {
    counts.handshakeFailures += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (host = "127.0.0.1") => `https://${host}:${port}/v1`,
    get connections() {
      return counts.connections;
    },
    get handshakes() {
      return counts.handshakes;
    },
    get handshakeFailures() {
      return counts.handshakeFailures;
    },
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
