import type { FastifyInstance } from 'fastify';
import type { ServeApp } from './server.js';

/** Resolve to true when Redis answers PING within `timeoutMs`. */
async function redisOk(app: ServeApp, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([app.redis.ping().then((r) => r === 'PONG', () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** GET /healthz: 200 when Redis answers and the delivery workers run, 503 otherwise. */
export async function healthRoute(scope: FastifyInstance, options: { app: ServeApp; timeoutMs?: number }): Promise<void> {
  const { app } = options;
  scope.get('/healthz', async (_request, reply) => {
    const redis = (await redisOk(app, options.timeoutMs ?? 1000)) ? 'ok' : 'unreachable';
    const workers = app.workersRunning ? 'running' : 'stopped';
    const healthy = redis === 'ok' && workers === 'running';
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unavailable', redis, workers });
  });
}
