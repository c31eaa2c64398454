import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * /admin/queues: the BullMQ dashboard (bull-board), behind HTTP basic auth with
 * DASHBOARD_PASSWORD (any user name). Not registered at all when no password is set.
 */

export const DASHBOARD_PATH = '/admin/queues';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether an Authorization header carries the password (constant time, any user name). */
export function basicAuthOk(header: string | undefined, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Comparing fixed-length digests keeps the time independent of the password's length.
  return timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
}

export interface DashboardOptions {
  password: string;
  /** Every queue to show (read when the dashboard is registered). */
  queues: () => readonly Queue[];
}

export async function dashboard(scope: FastifyInstance, options: DashboardOptions): Promise<void> {
  scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (basicAuthOk(request.headers.authorization, options.password)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="crier dashboard", charset="UTF-8"')
      .send({ error: 'authentication required' });
  });
  const adapter = new FastifyAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  // @bull-board/fastify pins its own copy of @bull-board/api: same shape, separate declarations.
  const serverAdapter = adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'];
  createBullBoard({ queues: options.queues().map((q) => new BullMQAdapter(q)), serverAdapter });
  await scope.register(adapter.registerPlugin(), { prefix: DASHBOARD_PATH });
}
