import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import type { App } from '../app.js';
import type { Metrics } from '../metrics.js';
import { articlesRoute } from './articles-route.js';
import { dashboard } from './dashboard.js';
import { healthRoute } from './health-route.js';
import { mediaRoute } from './media-route.js';
import { publishRoute } from './publish-route.js';
import { queueRoute } from './queue-route.js';

/** What the HTTP server uses of the App (tests build one from the queue pieces). */
export type ServeApp = Pick<App, 'config' | 'logger' | 'redis' | 'ledger' | 'queues' | 'targets' | 'workersRunning' | 'publish' | 'retract' | 'pending' | 'unschedule' | 'reschedule'>;

export interface ServerOptions {
  app: ServeApp;
  metrics?: Metrics;
  /** Secrets to scrub from anything the server hands out (ledger error texts). */
  secrets?: readonly string[];
  /** Queues besides the targets' shown on the dashboard (the feeds queue). */
  extraQueues?: () => readonly Queue[];
  /** Unix seconds, for signature checks (tests). */
  now?: () => number;
}

/**
 * The fastify app of `crier serve`: POST /publish, POST /retract, GET /articles/:id, GET /queue, /healthz, /metrics,
 * /media/<file>, and /admin/queues when DASHBOARD_PASSWORD is set. Not listening yet:
 * call `listen` (or use `inject` in tests).
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { app } = options;
  const server = Fastify({
    loggerInstance: app.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: app.config.http.bodyLimit,
    trustProxy: false,
    return503OnClosing: true,
    // Longer than any id: the routes answer an overlong one themselves (404), not the router (400 echoing the URL).
    routerOptions: { maxParamLength: 2048 },
  });

  server.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error.message }, 'request failed');
    const message = status === 413 ? `body too large (limit ${app.config.http.bodyLimit} bytes)` : status >= 500 ? 'internal error' : error.message;
    return reply.code(status).send({ error: message });
  });
  server.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));

  const count = options.metrics === undefined ? undefined : (outcome: string) => options.metrics?.webhooks.inc({ outcome });
  await server.register(publishRoute, { app, ...(count ? { count } : {}), ...(options.now ? { now: options.now } : {}) });
  await server.register(articlesRoute, { app, secrets: options.secrets ?? [] });
  await server.register(healthRoute, { app });
  await server.register(queueRoute, { app });
  await server.register(mediaRoute, { dir: app.config.media.dir });

  const metrics = options.metrics;
  if (metrics !== undefined) {
    server.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await metrics.text();
      return reply.type(contentType).send(body);
    });
  }

  const password = app.config.http.dashboardPassword;
  if (password !== undefined) {
    const queues = () => [...app.targets.map((t) => app.queues.get(t)), ...(options.extraQueues?.() ?? [])] as Queue[];
    await server.register(dashboard, { password, queues });
  }
  return server;
}
