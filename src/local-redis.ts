import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { probeRedis } from '../queues/redis-probe.js';

/** Where to find redis-server on PATH (and the usual sbin folders Debian uses). */
export function findRedisServer(path = ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const REDIS_HINT =
  'no Redis answers at redis://127.0.0.1:6379 and redis-server is not installed: install it (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) or run `docker compose up -d redis`, or set REDIS_URL';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  /** Stop the server (SIGTERM; AOF is flushed). */
  stop(): Promise<void>;
  /** Stop and start again on the same port and data directory. */
  restart(): Promise<void>;
}

/** Start a private redis-server (child process, temporary directory, free port). */
export async function startLocalRedis(
  options: { binary?: string; appendOnly?: boolean; port?: number; path?: string } = {},
): Promise<LocalRedis> {
  const binary = options.binary ?? findRedisServer(options.path);
  if (binary === undefined) throw new Error(REDIS_HINT);
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'crier-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', ''];
    args.push('--appendonly', options.appendOnly ? 'yes' : 'no');
    if (options.appendOnly) args.push('--appendfsync', 'always');
    child = spawn(binary, args, { stdio: 'ignore' });
    child.unref();
    for (let i = 0; i < 100; i++) {
      if ((await probeRedis(url, 200)).ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => {
        c.kill('SIGKILL');
        resolve();
      }, 5000).unref();
    });
  };
  await start();
  const cleanup = () => child?.kill('SIGKILL');
  process.once('exit', cleanup);
  return {
    url,
    port,
    dir,
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      process.removeListener('exit', cleanup);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
