import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, type RunningServer } from '../../src/sandbox/http.js';
import { addressRefusal, FetchError, guardedLookup, safeFetch, type Resolve } from '../../src/net/safe-fetch.js';

let server: RunningServer;
let hits: string[] = [];

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  hits.push(path);
  if (path === '/ok') {
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'x-ua': req.headers['user-agent'] ?? '',
      'x-accept': req.headers.accept ?? '',
      'x-etag-seen': String(req.headers['if-none-match'] ?? ''),
    });
    res.end('hello');
  } else if (path.startsWith('/hop/')) {
    const n = Number(path.slice(5));
    res.writeHead(302, { location: n <= 0 ? '/ok' : `/hop/${n - 1}` });
    res.end();
  } else if (path === '/to-loopback') {
    res.writeHead(301, { location: 'http://127.0.0.3:9/secret' });
    res.end();
  } else if (path === '/hop-to-localhost') {
    res.writeHead(302, { location: `http://localhost:${server.port}/ok` });
    res.end();
  } else if (path === '/to-file') {
    res.writeHead(302, { location: 'file:///etc/passwd' });
    res.end();
  } else if (path === '/cached') {
    res.writeHead(req.headers['if-none-match'] === '"v1"' ? 304 : 200, { etag: '"v1"' });
    res.end();
  } else if (path === '/missing') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('nope');
  } else if (path === '/big-declared') {
    res.writeHead(200, { 'content-length': '5000' });
    res.end('x'.repeat(5000));
  } else if (path === '/big-streamed') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const push = (): void => {
      if (sent >= 20 || res.destroyed) {
        res.end();
        return;
      }
      sent++;
      res.write(Buffer.alloc(1000, 1), () => setTimeout(push, 1));
    };
    push();
  } else if (path === '/slow') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    // never ends on its own; the client must give up
  } else {
    res.writeHead(500);
    res.end();
  }
}

beforeAll(async () => {
  server = await listen(route);
});
afterAll(async () => {
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FetchError) return error;
    throw error;
  }
  throw new Error('expected a FetchError');
}

describe('safeFetch against a local server', () => {
  const open = { allowPrivateNetwork: true };

  it('should return status, body, content type and final url', async () => {
    const res = await safeFetch(`${server.url}/ok`, { ...open, accept: 'text/plain', userAgent: 'crier-test/1' });
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe('hello');
    expect(res.contentType).toBe('text/plain; charset=utf-8');
    expect(res.finalUrl).toBe(`${server.url}/ok`);
    expect(res.headers.get('x-ua')).toBe('crier-test/1');
    expect(res.headers.get('x-accept')).toBe('text/plain');
  });

  it('should send extra headers and report 304 Not Modified as http_status 304', async () => {
    const res = await safeFetch(`${server.url}/ok`, { ...open, headers: { 'if-none-match': '"abc"', 'user-agent': 'ignored' }, userAgent: 'crier-test/2' });
    expect(res.headers.get('x-etag-seen')).toBe('"abc"');
    expect(res.headers.get('x-ua')).toBe('crier-test/2');
    const fresh = await safeFetch(`${server.url}/cached`, open);
    expect(fresh.status).toBe(200);
    const error = await failure(safeFetch(`${server.url}/cached`, { ...open, headers: { 'if-none-match': '"v1"' } }));
    expect(error.code).toBe('http_status');
    expect(error.status).toBe(304);
  });

  it('should follow up to 5 redirects and report the final url', async () => {
    hits = [];
    const res = await safeFetch(`${server.url}/hop/4`, open);
    expect(res.body.toString()).toBe('hello');
    expect(res.finalUrl).toBe(`${server.url}/ok`);
    expect(hits).toEqual(['/hop/4', '/hop/3', '/hop/2', '/hop/1', '/hop/0', '/ok']);
  });

  it('should give up after more than 5 redirects', async () => {
    const error = await failure(safeFetch(`${server.url}/hop/5`, open));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/too many redirects/);
  });

  it('should refuse a redirect to a non-http scheme', async () => {
    const error = await failure(safeFetch(`${server.url}/to-file`, open));
    expect(error.code).toBe('bad_url');
  });

  it('should turn a non-2xx answer into http_status with the status', async () => {
    const error = await failure(safeFetch(`${server.url}/missing`, open));
    expect(error.code).toBe('http_status');
    expect(error.status).toBe(404);
    expect(error.message).not.toMatch(/\n/);
  });

  it('should refuse a body whose declared length is over maxBytes', async () => {
    const error = await failure(safeFetch(`${server.url}/big-declared`, { ...open, maxBytes: 1000 }));
    expect(error.code).toBe('too_large');
  });

  it('should abort a streamed body once it passes maxBytes', async () => {
    const error = await failure(safeFetch(`${server.url}/big-streamed`, { ...open, maxBytes: 4500 }));
    expect(error.code).toBe('too_large');
    const whole = await safeFetch(`${server.url}/big-streamed`, { ...open, maxBytes: 20_000 });
    expect(whole.body.length).toBe(20_000);
  });

  it('should time out a response that never finishes', async () => {
    const error = await failure(safeFetch(`${server.url}/slow`, { ...open, timeoutMs: 200 }));
    expect(error.code).toBe('timeout');
  });

  it('should stop when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = safeFetch(`${server.url}/slow`, { ...open, timeoutMs: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(pending);
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/aborted by caller/);
  });

  it('should report a connection failure as network', async () => {
    const closed = await listen(route);
    const url = closed.url;
    await closed.close();
    const error = await failure(safeFetch(`${url}/ok`, open));
    expect(error.code).toBe('network');
  });
});

describe('safeFetch refusals', () => {
  it('should refuse non-http schemes and garbage', async () => {
    expect((await failure(safeFetch('ftp://example.com/x', {}))).code).toBe('bad_url');
    expect((await failure(safeFetch('file:///etc/passwd', {}))).code).toBe('bad_url');
    expect((await failure(safeFetch('not a url', {}))).code).toBe('bad_url');
  });

  it('should refuse the local server without allowPrivateNetwork and name the reason', async () => {
    hits = [];
    const error = await failure(safeFetch(`${server.url}/ok`, {}));
    expect(error.code).toBe('private_address');
    expect(error.message).toBe('refused: 127.0.0.1 is a loopback address');
    expect(hits).toEqual([]);
  });

  it('should refuse localhost by resolving it', async () => {
    const error = await failure(safeFetch(`http://localhost:${server.port}/ok`, {}));
    expect(error.code).toBe('private_address');
    expect(error.message).toMatch(/loopback address \(localhost resolves to it\)/);
  });

  it('should refuse IPv6 literals and IPv4-mapped IPv6', async () => {
    expect((await failure(safeFetch('http://[::1]/', {}))).message).toMatch(/loopback/);
    expect((await failure(safeFetch('http://[::ffff:10.0.0.1]/', {}))).message).toMatch(/10\.0\.0\.1 is a private address/);
    expect((await failure(safeFetch('http://[fd00::1]/', {}))).message).toMatch(/unique-local/);
  });

  it('should re-check every redirect hop', async () => {
    // 127.0.0.1 is exempted by name, so the first hop goes out; the redirect to another loopback
    // name must be refused before it is requested.
    hits = [];
    const error = await failure(safeFetch(`${server.url}/to-loopback`, { allowHosts: ['127.0.0.2'] }));
    expect(error.code).toBe('private_address');
    expect(hits).toEqual([]);
    const redirected = await failure(safeFetch(`${server.url}/to-loopback`, { allowHosts: ['127.0.0.1'] }));
    expect(redirected.code).toBe('private_address');
    expect(redirected.message).toBe('refused: 127.0.0.3 is a loopback address');
    expect(hits).toEqual(['/to-loopback']);
  });

  it('should refuse a redirect from an allowed host to localhost', async () => {
    hits = [];
    const error = await failure(safeFetch(`${server.url}/hop-to-localhost`, { allowHosts: ['127.0.0.1'] }));
    expect(error.code).toBe('private_address');
    expect(error.message).toMatch(/localhost resolves to it/);
    expect(hits).toEqual(['/hop-to-localhost']);
  });
});

describe('DNS rebinding', () => {
  /** A name server that answers a public address to the first query and loopback to every later one. */
  function rebinding(): { resolve: Resolve; queries: string[] } {
    const queries: string[] = [];
    const resolve: Resolve = async (hostname) => {
      queries.push(hostname);
      return [{ address: queries.length === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    return { resolve, queries };
  }

  it('should refuse at connect time a host that resolved to a public address for the check', async () => {
    hits = [];
    const { resolve, queries } = rebinding();
    const error = await failure(safeFetch(`http://rebind.example:${server.port}/ok`, { resolve }));
    expect(queries).toEqual(['rebind.example', 'rebind.example']); // the check, then the connection
    expect(error.code).toBe('private_address');
    expect(error.message).toBe('refused: 127.0.0.1 is a loopback address (rebind.example resolves to it)');
    expect(hits).toEqual([]);
  });

  it('should hand a socket only checked addresses, in the shape it asked for', async () => {
    const answers = (addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const call = (resolve: Resolve, all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family: unknown }>((done) =>
        guardedLookup(resolve)('news.example', { all }, (error, address, family) => done({ error, address, family })),
      );
    expect(await call(answers(['93.184.216.34', '2606:2800:220:1::']), true)).toMatchObject({
      error: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::', family: 6 },
      ],
    });
    expect(await call(answers(['93.184.216.34']), false)).toMatchObject({ error: null, address: '93.184.216.34', family: 4 });
    // One private address among public ones is enough to refuse the host.
    const refused = await call(answers(['93.184.216.34', '10.0.0.7']), true);
    expect(refused.error?.code).toBe('ECRIER_PRIVATE_ADDRESS');
    expect(refused.error?.message).toMatch(/10\.0\.0\.7 is a private address \(news\.example resolves to it\)/);
  });
});

describe('addressRefusal', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['::ffff:169.254.169.254', /link-local/],
  ])('should refuse %s', (address, reason) => {
    expect(addressRefusal(address)).toMatch(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('should allow public %s', (address) => {
    expect(addressRefusal(address)).toBeUndefined();
  });
});
