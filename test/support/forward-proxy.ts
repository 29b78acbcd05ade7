// A forward HTTP proxy on loopback, as found on corporate networks: CONNECT tunnels for https targets and
// absolute-form requests (`GET http://host/path`) for http ones, optional Basic authentication, and a
// switch to refuse tunnels. It resolves the names in `hosts` itself, as a proxy resolves for its
// clients, so a test can use a name that only the proxy knows. It counts what it forwarded.

import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

export interface ForwardProxyOptions {
  /** Credentials the proxy requires (Basic), `user:password`; without them, anyone may use it. */
  auth?: string;
  /** Names the proxy resolves itself: name -> address. */
  hosts?: Record<string, string>;
  /** Answer the next N CONNECTs with this status instead of opening the tunnel (e.g. 502). */
  refuseTunnels?: { status: number; count?: number };
}

export interface ProxyTunnel {
  /** `host:port` asked for. */
  authority: string;
  /** What the proxy answered. */
  status: number;
  /** The Proxy-Authorization header sent, if any. */
  authorization?: string;
}

export interface ForwardProxy {
  port: number;
  /** `http://127.0.0.1:PORT`, with `user:password@` when given (percent-encoded). */
  url(user?: string, password?: string): string;
  /** Every CONNECT, answered or refused. */
  readonly tunnels: ProxyTunnel[];
  /** Tunnels opened (answered 200). */
  readonly opened: number;
  /** Absolute-form requests forwarded (method and URL). */
  readonly forwarded: { method: string; url: string }[];
  stop(): Promise<void>;
}

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const tunnels: ProxyTunnel[] = [];
  const forwarded: { method: string; url: string }[] = [];
  const sockets = new Set<Duplex>();
  let refusals = options.refuseTunnels ? (options.refuseTunnels.count ?? Infinity) : 0;
  const expected = options.auth ? `Basic ${Buffer.from(options.auth).toString("base64")}` : undefined;
  const resolve = (host: string): string => options.hosts?.[host] ?? host;
  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };

  const server = http.createServer((req, res) => {
    if (expected && req.headers["proxy-authorization"] !== expected) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? "");
    forwarded.push({ method: req.method ?? "", url: req.url ?? "" });
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = http.request(
      {
        host: resolve(target.hostname),
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on("connect", (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    const authority = req.url ?? "";
    const authorization = req.headers["proxy-authorization"];
    const answer = (status: number, text: string, extra = ""): void => {
      tunnels.push({ authority, status, ...(authorization ? { authorization } : {}) });
      client.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Content-Length: 0\r\n\r\n`);
    };
    if (expected && authorization !== expected) {
      answer(407, "Proxy Authentication Required", 'Proxy-Authenticate: Basic realm="test"\r\n');
      return;
    }
    if (refusals > 0 && options.refuseTunnels) {
      refusals -= 1;
      answer(options.refuseTunnels.status, "Refused");
      return;
    }
    const [host = "", port = "443"] = authority.split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), resolve(host));
    track(upstream);
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      tunnels.push({ authority, status: 200, ...(authorization ? { authorization } : {}) });
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once("error", () => {
      if (connected) client.destroy();
      else answer(502, "Bad Gateway");
    });
    client.on("error", () => upstream.destroy());
  });

  server.on("connection", track);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (user, password) =>
      user === undefined
        ? `http://127.0.0.1:${port}`
        : `http://${encodeURIComponent(user)}:${encodeURIComponent(password ?? "")}@127.0.0.1:${port}`,
    tunnels,
    get opened() {
      return tunnels.filter((t) => t.status === 200).length;
    },
    forwarded,
    stop: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
