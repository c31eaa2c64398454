import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local feed server for tests: mutable documents, ETag/304 support, and hit counters per path. */
export interface FeedServer {
  url: string;
  /** Set what a path serves: a document (text is sent as UTF-8, a Buffer as is, with its content type), or an HTTP status. */
  set(path: string, doc: { body: string | Buffer; type?: string } | { status: number }): void;
  hits(path: string): { total: number; notModified: number; conditional: number };
  close(): Promise<void>;
}

export const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');
/** A fixture's bytes, for feeds that are not in UTF-8. */
export const fixtureBytes = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));

export async function startFeedServer(): Promise<FeedServer> {
  const docs = new Map<string, { body: string | Buffer; type?: string } | { status: number }>();
  const counts = new Map<string, { total: number; notModified: number; conditional: number }>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const count = counts.get(path) ?? { total: 0, notModified: 0, conditional: 0 };
    counts.set(path, count);
    count.total++;
    const doc = docs.get(path);
    if (doc === undefined) return void res.writeHead(404).end('not found');
    if ('status' in doc) return void res.writeHead(doc.status, { 'content-type': 'text/plain' }).end('feed server says no');
    const etag = `"${createHash('sha1').update(doc.body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] !== undefined) count.conditional++;
    if (req.headers['if-none-match'] === etag) {
      count.notModified++;
      return void res.writeHead(304, { etag }).end();
    }
    res.writeHead(200, { 'content-type': doc.type ?? 'application/rss+xml; charset=utf-8', etag, 'last-modified': 'Wed, 03 Jun 2026 18:00:00 GMT' });
    res.end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (path, doc) => void docs.set(path, doc),
    hits: (path) => ({ ...(counts.get(path) ?? { total: 0, notModified: 0, conditional: 0 }) }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
