import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakesHostOptions } from './fakes-host.js';
import { SANDBOX_CREDENTIALS } from '../src/sandbox/index.js';

/** The sandbox fakes running in a child process (bench/fakes-host.ts). */

export interface FakeStats {
  telegram: { sent: number; rateLimited: number; requests: number; sendTimes: number[]; titles: string[] };
  twitter: { tweets: number; rateLimited: number };
  instagram: { posts: number; logins: number };
}

export interface FakesProcess {
  urls: { telegram: string; twitter: string; instagram: string; site: string };
  stats(records?: boolean): Promise<FakeStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Raw target configs pointing at these fakes, limits off (the fakes' must be off too). */
  targets(): Array<Record<string, unknown>>;
}

const RUNNER = fileURLToPath(new URL('../bin/tsx-run.js', import.meta.url));
// Compiled (dist/bench/fakes.js) the host is JavaScript too; from sources, tsx runs it.
const COMPILED = import.meta.url.endsWith('.js');
const HOST = fileURLToPath(new URL(COMPILED ? './fakes-host.js' : './fakes-host.ts', import.meta.url));

export async function startFakesProcess(options: FakesHostOptions = {}): Promise<FakesProcess> {
  const child: ChildProcess = fork(COMPILED ? HOST : RUNNER, [...(COMPILED ? [] : [HOST]), JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, (body: unknown) => void>();
  const urls = await new Promise<FakesProcess['urls']>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fakes process exited (${code})`)));
    child.on('message', (raw) => {
      const message = raw as { ready?: boolean; urls?: FakesProcess['urls']; id?: number; body?: unknown };
      if (message.ready === true && message.urls !== undefined) resolve(message.urls);
      else if (message.id !== undefined) {
        waiting.get(message.id)?.(message.body);
        waiting.delete(message.id);
      }
    });
  });
  const ask = <T>(cmd: string, extra: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = next++;
      waiting.set(id, resolve as (body: unknown) => void);
      child.send({ id, cmd, ...extra });
    });
  return {
    urls,
    stats: (records = false) => ask<FakeStats>('stats', { records }),
    reset: () => ask<void>('reset'),
    async stop() {
      child.removeAllListeners('exit');
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ id: next++, cmd: 'stop' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    targets: () => [
      { id: 'telegram', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: SANDBOX_CREDENTIALS.telegramChat, apiRoot: urls.telegram, limiter: { max: 0, duration: 1000 } },
      { id: 'twitter', platform: 'twitter', ...SANDBOX_CREDENTIALS.twitter, apiRoot: urls.twitter, caps: { per15min: 1_000_000, per24h: 1_000_000 } },
      { id: 'instagram', platform: 'instagram', ...SANDBOX_CREDENTIALS.instagram, apiRoot: urls.instagram, limiter: { max: 0, duration: 1000 }, jitterMs: 0, dailyCap: 0 },
    ],
  };
}
