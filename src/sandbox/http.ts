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
 */
export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering, ms (past a client's timeout to simulate a hang). */
  delayMs?: number;
}

export class FaultPlan {
  private queue: Fault[] = [];
  /** Chance (0..1) that a request gets `random()` instead of the normal answer. */
  rate = 0;
  random: (() => Fault) | undefined;

  /** Answer the next `times` requests with `fault`. */
  push(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(fault);
  }

  clear(): void {
    this.queue = [];
    this.rate = 0;
    this.random = undefined;
  }

  /** The fault for this request, if any. */
  next(): Fault | undefined {
    const scripted = this.queue.shift();
    if (scripted !== undefined) return scripted;
    if (this.rate > 0 && this.random !== undefined && Math.random() < this.rate) return this.random();
    return undefined;
  }
}

export async function applyFault(res: ServerResponse, fault: Fault): Promise<void> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (res.destroyed) return;
  sendJson(res, fault.status, fault.body ?? { error: 'fault' }, fault.headers ?? {});
}
