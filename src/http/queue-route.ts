import type { FastifyInstance } from 'fastify';
import { basicAuthOk } from './dashboard.js';
import type { ServeApp } from './server.js';

/**
 * GET /queue[?target=ID] → the deliveries not sent yet, with due time and reason: the same
 * JSON as `crier queue --json` (queues/pending.ts). Open like GET /articles/:id, except that
 * the titles and ids of embargoed articles — not public yet — are only given to a request carrying
 * the dashboard password (HTTP Basic, any user name).
 */
export async function queueRoute(scope: FastifyInstance, options: { app: ServeApp }): Promise<void> {
  const { app } = options;
  scope.get<{ Querystring: { target?: string } }>('/queue', async (request, reply) => {
    const target = request.query.target;
    if (target !== undefined && !app.targets.some((t) => t.id === target)) return reply.code(404).send({ error: 'unknown target', target });
    const pending = await app.pending(target === undefined ? {} : { target });
    const password = app.config.http.dashboardPassword;
    const trusted = password !== undefined && basicAuthOk(request.headers.authorization, password);
    // Nor their ids: GET /articles/:id would give the title and link away.
    return reply.send(trusted ? pending : pending.map(({ title, articleId, jobId, ...p }) => (p.reason === 'embargo' ? p : { ...p, articleId, jobId, ...(title === undefined ? {} : { title }) })));
  });
}
