import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running loopback fake: its base URL, what it recorded, and how to stop it. */
export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Start an HTTP server on 127.0.0.1 (port 0 = any free port). */
export async function listen(handler: Handler, port = 0): Promise<RunningServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Read a request body up to `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/**
 * Scripted faults shared by the fakes: queue up answers the next requests get instead of
 * the normal one ("500 twice, then normal"), or a random failure rate for chaos runs.
 *
 * Two kinds: a refusal answers *instead of* handling the request (the platform did
 * nothing: 5xx, 429, a hang before answering), and a lost answer lets the fake *handle* the
 * request — the post exists — and then loses what it would have answered, as real networks
 * do: `reset` cuts the connection without a byte of answer, `late` answers only after
 * `delayMs` (past the client's timeout), `gateway` answers 502 with a proxy's HTML page.
 */
export interface Refusal {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering, ms (past a client's timeout to simulate a hang). */
  delayMs?: number;
}

export interface LostAnswer {
  lose: 'reset' | 'late' | 'gateway';
  /** For `late`: how long the answer is held, ms. */
  delayMs?: number;
}

export type Fault = Refusal | LostAnswer;

export function isLostAnswer(fault: Fault): fault is LostAnswer {
  return 'lose' in fault;
}

/** Which requests a scripted fault is for (default: the next request, whatever it is). */
export type FaultMatch = (request: { method: string; path: string }) => boolean;

export class FaultPlan {
  private queue: Array<{ fault: Fault; when: FaultMatch | undefined }> = [];
  /** Chance (0..1) that a request gets `random()` instead of the normal answer. */
  rate = 0;
  random: (() => Fault) | undefined;
  /** Lost answers served so far (the request was handled, its answer lost), by kind. */
  readonly lost = { reset: 0, late: 0, gateway: 0 };

  /** Answer the next `times` requests (those `when` matches, if given) with `fault`. */
  push(fault: Fault, times = 1, when?: FaultMatch): void {
    for (let i = 0; i < times; i++) this.queue.push({ fault, when });
  }

  clear(): void {
    this.queue = [];
    this.rate = 0;
    this.random = undefined;
  }

  /** The fault for this request, if any. */
  next(request: { method: string; path: string } = { method: 'GET', path: '/' }): Fault | undefined {
    const i = this.queue.findIndex((q) => q.when === undefined || q.when(request));
    if (i >= 0) return this.queue.splice(i, 1)[0]?.fault;
    if (this.rate > 0 && this.random !== undefined && Math.random() < this.rate) return this.random();
    return undefined;
  }

  /**
   * Apply this request's fault, if any. Returns the refusal when the request has been
   * answered with one: the fake must not handle it. Undefined when the fake handles it as
   * usual — with a lost answer, what it answers is then cut, held or replaced.
   */
  async intercept(req: IncomingMessage, res: ServerResponse): Promise<Refusal | undefined> {
    const fault = this.next({ method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://fake.invalid').pathname });
    if (fault === undefined) return undefined;
    if (!isLostAnswer(fault)) {
      await applyFault(res, fault);
      return fault;
    }
    this.lost[fault.lose]++;
    loseAnswer(res, fault);
    return undefined;
  }
}

export async function applyFault(res: ServerResponse, fault: Refusal): Promise<void> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (res.destroyed) return;
  sendJson(res, fault.status, fault.body ?? { error: 'fault' }, fault.headers ?? {});
}

const GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * Lose the answer the fake is about to give: the fake's handler runs as usual (the post is
 * made), and when it ends the response, nothing (reset), the same answer later (late) or a
 * proxy's 502 page (gateway) goes out instead. Headers are only sent with the body, so a
 * reset leaves the client with no answer at all.
 */
function loseAnswer(res: ServerResponse, fault: LostAnswer): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const writeHead = res.writeHead.bind(res) as (status: number, headers: Record<string, string>) => ServerResponse;
  if (fault.lose === 'gateway') {
    // The handler's status and headers never go out: the proxy's do.
    res.writeHead = (() => res) as unknown as ServerResponse['writeHead'];
  }
  res.end = ((...args: unknown[]) => {
    switch (fault.lose) {
      case 'reset':
        res.socket?.destroy();
        break;
      case 'late':
        setTimeout(() => {
          if (!res.destroyed) end(...args);
        }, fault.delayMs ?? 0);
        break;
      case 'gateway':
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        writeHead(502, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(GATEWAY_PAGE)), server: 'nginx' });
        end(GATEWAY_PAGE);
        break;
    }
    return res;
  }) as ServerResponse['end'];
}
