import { lookup as systemLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, fetch, type Headers } from 'undici';

/**
 * An HTTP GET that is safe to point at URLs from the outside world (feeds, article images):
 * http(s) only, no private/loopback/link-local targets (checked on every redirect hop),
 * a hard timeout and a hard size cap.
 *
 * The address is checked where the connection is made: the socket's own `lookup` refuses
 * to hand out a private address, so a DNS-rebinding server that answers a public address
 * to a first query and a private one to the next cannot slip through between a check and
 * the connect. A check before the request still gives the clear error early.
 */

export type FetchErrorCode = 'bad_url' | 'private_address' | 'timeout' | 'too_large' | 'http_status' | 'network';

export class FetchError extends Error {
  override readonly name = 'FetchError';
  readonly code: FetchErrorCode;
  readonly status?: number;
  readonly url: string;

  constructor(code: FetchErrorCode, message: string, init: { url: string; status?: number; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.url = init.url;
    if (init.status !== undefined) this.status = init.status;
  }
}

export interface SafeFetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  allowPrivateNetwork?: boolean;
  /** Host names (as written in URLs, lowercase) exempt from the address check, e.g. a trusted internal CMS. */
  allowHosts?: readonly string[];
  signal?: AbortSignal;
  accept?: string;
  userAgent?: string;
  /** Extra request headers (e.g. If-None-Match for conditional GET); user-agent and accept above win. */
  headers?: Readonly<Record<string, string>>;
  /** How host names are resolved (default: the system's resolver). Tests use it to play a DNS-rebinding server. */
  resolve?: Resolve;
}

/** Every address of a host name, as `dns.lookup(host, { all: true })` gives them. */
export type Resolve = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

const resolveWithSystem: Resolve = (hostname, options) =>
  new Promise((resolve, reject) => systemLookup(hostname, options, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** The code of the error a guarded lookup fails with. */
const REFUSED = 'ECRIER_PRIVATE_ADDRESS';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets (net/tls `connect`) that fails when any address of the host is
 * private, loopback, link-local or otherwise not public unicast: the connection then uses
 * exactly the addresses that were checked.
 */
export function guardedLookup(resolve: Resolve = resolveWithSystem) {
  return (hostname: string, options: { family?: number | string | undefined; hints?: number | undefined; all?: boolean | undefined }, callback: LookupCallback): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
    resolve(hostname, { all: true, family, ...(options.hints === undefined ? {} : { hints: options.hints }) }).then(
      (addresses) => {
        const refused = hostRefusal(hostname, addresses.map((a) => a.address));
        if (refused !== undefined) return callback(Object.assign(new Error(refused), { code: REFUSED }), []);
        const first = addresses[0];
        if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' }), []);
        if (options.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

/** Connections to the outside world, per resolver (one in production): every one through the guarded lookup. Kept alive and shared. */
const guarded = new WeakMap<Resolve, Agent>();
function guardedAgent(resolve: Resolve): Agent {
  let agent = guarded.get(resolve);
  if (agent === undefined) guarded.set(resolve, (agent = new Agent({ connect: { lookup: guardedLookup(resolve) } })));
  return agent;
}
/** Connections allowed to reach private addresses (tests, trusted hosts). */
const unguarded = new Agent();

export interface SafeFetchResult {
  status: number;
  headers: Headers;
  body: Buffer;
  finalUrl: string;
  contentType: string;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const MAX_REDIRECTS = 5;
const DEFAULT_USER_AGENT = 'crier/0.1 (+social distribution bot)';

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT (CGNAT)',
  private: 'a private',
  uniqueLocal: 'a unique-local',
  reserved: 'a reserved',
  deprecatedSiteLocal: 'a site-local',
};

/** Why an address may not be fetched, or undefined when it is public unicast. */
export function addressRefusal(address: string): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 it carries.
    ip = ipaddr.process(address);
  } catch {
    return `${address} is not a valid IP address`;
  }
  const range = ip.range();
  if (range === 'unicast') return undefined;
  const name = RANGE_NAMES[range] ?? `a special-purpose (${range})`;
  return `${ip.toString()} is ${name} address`;
}

/** Why a host with these addresses may not be fetched ("refused: … (host resolves to it)"), or undefined. */
function hostRefusal(host: string, addresses: readonly string[]): string | undefined {
  for (const address of addresses) {
    const why = addressRefusal(address);
    if (why !== undefined) return `refused: ${why}${address === host ? '' : ` (${host} resolves to it)`}`;
  }
  return undefined;
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError('bad_url', `bad url: ${JSON.stringify(raw.slice(0, 200))} is not a URL`, { url: raw });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('bad_url', `bad url: only http and https are allowed, not ${url.protocol.replace(/:$/, '')}`, { url: raw });
  }
  return url;
}

async function checkHost(url: URL, signal: AbortSignal, resolve: Resolve): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await resolve(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw new FetchError('network', `network: cannot resolve ${host} (${code})`, { url: url.href, cause: error });
    }
    if (signal.aborted) throw signal.reason;
  }
  if (addresses.length === 0) throw new FetchError('network', `network: ${host} has no addresses`, { url: url.href });
  const refused = hostRefusal(host, addresses);
  if (refused !== undefined) throw new FetchError('private_address', refused, { url: url.href });
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError('too_large', `too large: ${url} declares ${declared} bytes, limit is ${maxBytes}`, { url });
  }
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FetchError('too_large', `too large: ${url} sent more than ${maxBytes} bytes`, { url });
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, size);
}

/** GET `rawUrl` with SSRF, timeout and size protections. Throws FetchError. */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions = {}): Promise<SafeFetchResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new Error('timeout')), timeoutMs);
  const signal = opts.signal === undefined ? timer.signal : AbortSignal.any([timer.signal, opts.signal]);
  const resolve = opts.resolve ?? resolveWithSystem;
  let current = parseUrl(rawUrl);
  try {
    for (let hop = 0; ; hop++) {
      const exempt = opts.allowHosts?.includes(current.hostname.toLowerCase()) === true;
      const open = opts.allowPrivateNetwork === true || exempt;
      if (!open) await checkHost(current, signal, resolve);
      const headers: Record<string, string> = { ...opts.headers, 'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT };
      if (opts.accept !== undefined) headers.accept = opts.accept;
      const dispatcher = open ? unguarded : guardedAgent(resolve);
      const response = await fetch(current, { redirect: 'manual', signal, headers, dispatcher });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) {
          throw new FetchError('network', `network: too many redirects (more than ${MAX_REDIRECTS}) from ${rawUrl}`, { url: current.href });
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new FetchError('bad_url', `bad url: redirect to ${JSON.stringify(location.slice(0, 200))} is not a URL`, { url: current.href });
        }
        current = parseUrl(next.href);
        continue;
      }
      if (response.status < 200 || response.status >= 300) {
        await response.body?.cancel().catch(() => undefined);
        throw new FetchError('http_status', `http status: ${current.href} answered ${response.status}`, {
          url: current.href,
          status: response.status,
        });
      }
      const body = await readCapped(response, maxBytes, current.href);
      return {
        status: response.status,
        headers: response.headers,
        body,
        finalUrl: current.href,
        contentType: response.headers.get('content-type') ?? '',
      };
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (signal.aborted) {
      const byCaller = opts.signal?.aborted === true && !timer.signal.aborted;
      const message = byCaller ? `timeout: request to ${current.href} aborted by caller` : `timeout: ${current.href} took longer than ${timeoutMs} ms`;
      throw new FetchError('timeout', message, { url: current.href, cause: error });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === REFUSED) throw new FetchError('private_address', cause.message ?? 'refused', { url: current.href, cause: error });
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new FetchError('network', `network: ${current.href} failed (${detail})`, { url: current.href, cause: error });
  } finally {
    clearTimeout(timeout);
  }
}
