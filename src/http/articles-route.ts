import type { FastifyInstance } from 'fastify';
import { redactText } from '../logging.js';
import type { ServeApp } from './server.js';

/** GET /articles/:id → the delivery ledger of an article and its revision history (404 when crier never saw it). */
export async function articlesRoute(scope: FastifyInstance, options: { app: ServeApp; secrets: readonly string[] }): Promise<void> {
  const { app, secrets } = options;
  scope.get<{ Params: { id: string } }>('/articles/:id', async (request, reply) => {
    const id = request.params.id;
    if (id.length === 0 || id.length > 200) return reply.code(404).send({ error: 'unknown article' });
    const [records, article, revision] = await Promise.all([app.ledger.getAll(id), app.ledger.getArticle(id), app.ledger.getHistory(id)]);
    if (records.length === 0 && article === undefined) return reply.code(404).send({ error: 'unknown article', articleId: id });
    // Platform error texts can carry a credential (a bot token in a URL): never hand one out.
    const deliveries = records.map((r) => (r.lastError === undefined ? r : { ...r, lastError: redactText(r.lastError, secrets) }));
    return reply.send({
      articleId: id,
      ...(article !== undefined ? { title: article.title, url: article.url } : {}),
      revision,
      deliveries,
    });
  });
}
