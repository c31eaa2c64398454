import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotReplicatedError } from '../../queues/replica-acks.js';
import { ArticleInput, toArticle } from '../article/schema.js';
import { BodyError, parseJsonBody } from './json-body.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE_SECONDS, verifySignature } from './signature.js';
import type { ServeApp } from './server.js';
import { mapWebhookBody, WebhookBodyError } from './webhook-mappers.js';

/**
 * POST /publish: a signed Article JSON (or Ghost / WordPress webhook) body.
 *   503 no WEBHOOK_SECRET configured · 401 unsigned, forged, stale or replayed · 413 too large (fastify)
 *   400 not JSON · 422 not an article (field paths) · 202 enqueued · 200 already known, nothing enqueued
 *   503 + Retry-After: no Redis replica confirmed the enqueue in time (a failover under way): send it again
 */

export interface PublishRouteOptions {
  app: ServeApp;
  /** Count outcomes (metrics). */
  count?: (outcome: string) => void;
  /** Unix seconds (tests). */
  now?: () => number;
}

export async function publishRoute(scope: FastifyInstance, options: PublishRouteOptions): Promise<void> {
  const { app } = options;
  const secret = app.config.http.webhookSecret;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const count = options.count ?? (() => undefined);
  const refuse = (reply: FastifyReply, status: number, outcome: string, body: Record<string, unknown>) => {
    count(outcome);
    return reply.code(status).send(body);
  };

  // The signature covers the exact bytes: every body arrives here raw, whatever its content type.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  scope.post('/publish', async (request, reply) => {
    if (secret === undefined) {
      return refuse(reply, 503, 'not_configured', { error: 'webhook secret not configured (set WEBHOOK_SECRET)' });
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const check = verifySignature({
      secret,
      timestamp: request.headers[TIMESTAMP_HEADER],
      signature: request.headers[SIGNATURE_HEADER],
      body: raw,
      now: now(),
    });
    if (!check.ok) return refuse(reply, 401, 'unauthorized', { error: 'unauthorized', reason: check.reason });

    // A signature is good for one request: the same signed request again is a replay.
    const digest = createHash('sha256').update(String(request.headers[SIGNATURE_HEADER])).digest('hex').slice(0, 32);
    const sigKey = `${app.config.redis.prefix}:webhook:sig:${digest}`;
    const fresh = await app.redis.set(sigKey, '1', 'EX', TOLERANCE_SECONDS * 2 + 60, 'NX');
    if (fresh !== 'OK') {
      return refuse(reply, 401, 'unauthorized', { error: 'unauthorized', reason: 'replayed request: this signature was already used (sign each request anew)' });
    }

    let json: unknown;
    try {
      json = parseJsonBody(raw);
    } catch (error) {
      if (error instanceof BodyError) return refuse(reply, 400, 'bad_json', { error: error.message });
      throw error;
    }
    let mapped;
    try {
      mapped = mapWebhookBody(json);
    } catch (error) {
      if (error instanceof WebhookBodyError) return refuse(reply, 422, 'invalid', { error: error.message, issues: [] });
      throw error;
    }
    const parsed = ArticleInput.safeParse(mapped.input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
        message: issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message,
      }));
      return refuse(reply, 422, 'invalid', { error: 'invalid article', format: mapped.format, issues });
    }
    const article = toArticle(mapped.input);
    let result;
    try {
      result = await app.publish(article);
    } catch (error) {
      // Not published: the same signed request may come again (it is not a replay).
      await app.redis.del(sigKey).catch(() => undefined);
      if (!(error instanceof NotReplicatedError)) throw error;
      reply.header('retry-after', '1');
      return refuse(reply, 503, 'not_replicated', { error: `${error.message}: nothing was acknowledged, send it again` });
    }
    const enqueued = result.outcomes.some((o) => o.enqueued);
    request.log.info({ articleId: article.id, format: mapped.format, enqueued }, enqueued ? 'article accepted' : 'article already known');
    count(enqueued ? 'accepted' : 'duplicate');
    return reply.code(enqueued ? 202 : 200).send({
      articleId: article.id,
      format: mapped.format,
      deliveries: result.outcomes.map((o) => ({ target: o.target, platform: o.platform, state: o.state, enqueued: o.enqueued })),
    });
  });
}
