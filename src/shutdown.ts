import type { Logger } from 'pino';

/**
 * Graceful shutdown of `crier serve`, in dependency order:
 *   1. stop accepting HTTP (in-flight requests finish; new ones get 503 / connection refused),
 *   2. stop the feed poller and the editors' bot (nothing new gets published),
 *   3. close the App: workers finish in-flight deliveries within the grace period, then
 *      abort the rest so BullMQ hands them to another worker; Redis connections close,
 *   4. stop the sandbox platforms, if any.
 * Everything is bounded: after `graceMs` plus a short margin it returns regardless.
 */

export interface Closable {
  close(): Promise<unknown>;
}

export interface ShutdownParts {
  logger: Logger;
  /** Time given to in-flight deliveries. */
  graceMs: number;
  server?: Closable;
  poller?: Closable;
  bot?: { stop(): Promise<unknown> | unknown };
  app: { close(graceMs?: number): Promise<void> };
  sandbox?: Closable;
  /** Extra time past the grace period for closing connections. Default 5 s. */
  marginMs?: number;
}

export interface ShutdownReport {
  /** False when some step was still running at the deadline. */
  clean: boolean;
  /** Steps that threw (their messages). */
  errors: string[];
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function shutdown(parts: ShutdownParts): Promise<ShutdownReport> {
  const started = Date.now();
  const deadline = started + parts.graceMs + (parts.marginMs ?? 5000);
  const errors: string[] = [];
  let clean = true;
  const step = async (name: string, run: () => Promise<unknown>, budgetMs = deadline - Date.now()): Promise<void> => {
    try {
      const result = await within(run(), budgetMs);
      if (result === 'timeout') {
        clean = false;
        parts.logger.warn({ step: name }, 'shutdown step did not finish in time');
      }
    } catch (error) {
      errors.push(`${name}: ${(error as Error).message}`);
      parts.logger.warn({ step: name, err: (error as Error).message }, 'shutdown step failed');
    }
  };

  parts.logger.info({ graceMs: parts.graceMs }, 'shutting down');
  const { server, poller, bot, sandbox } = parts;
  // In-flight HTTP requests are short (publish = a few Redis writes); they get the grace period at most.
  if (server) await step('http', () => server.close(), Math.min(parts.graceMs, deadline - Date.now()));
  await Promise.all([
    poller ? step('feeds', () => poller.close()) : undefined,
    bot ? step('bot', async () => bot.stop()) : undefined,
  ]);
  const remaining = Math.max(0, parts.graceMs - (Date.now() - started));
  await step('workers', () => parts.app.close(remaining));
  if (sandbox) await step('sandbox', () => sandbox.close());
  parts.logger.info({ clean, ms: Date.now() - started }, 'stopped');
  return { clean, errors };
}
