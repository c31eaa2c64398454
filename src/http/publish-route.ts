import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotReplicatedError } from '../../queues/replica-acks.js';
import { ArticleInput, articleId, canonicalUrl, toArticle } from '../article/schema.js';
import { BodyError, parseJsonBody } from './json-body.js';
import { GHOST_SIGNATURE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE_SECONDS, verifyGhostSignature, verifySignature } from './signature.js';
import type { ServeApp } from './server.js';
import { mapWebhookBody, scheduleIsNew, WebhookBodyError, webhookRetraction, webhookUnschedule } from './webhook-mappers.js';

/**
 * POST /publish: a signed Article JSON (or Ghost / WordPress webhook) body.
 *   503 no WEBHOOK_SECRET configured · 401 unsigned, forged, stale or replayed · 413 too large (fastify)
 *   400 not JSON · 422 not an article (field paths) · 202 enqueued (a new article, or an update
 *   of a known one whose content changed) · 200 already known, nothing to do · 409 retracted
 *   503 + Retry-After: no Redis replica confirmed the enqueue in time (a failover under way): send it again
 * A body that takes an article down (Ghost post.unpublished / post.deleted, WordPress trash)
 * retracts it: 202, 200 when it already was, 404 when it was never published here.
 * A scheduled post (Ghost post.scheduled / post.rescheduled, WordPress "future") is held until
 * its publishedAt (202, `scheduledFor`); Ghost post.unscheduled cancels what has not gone out
 * (200 with each target's result, 404 when it was never scheduled here).
 * POST /retract: a signed {id} or {url} (+ reason), same signature scheme.
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

  /** The signed request's JSON, or undefined once an error answer has been sent. */
  const verified = async (request: FastifyRequest, reply: FastifyReply): Promise<{ json: unknown; sigKey: string } | undefined> => {
    if (secret === undefined) {
      await refuse(reply, 503, 'not_configured', { error: 'webhook secret not configured (set WEBHOOK_SECRET)' });
      return undefined;
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // Ghost signs its webhooks its own way: taken as it comes when crier's own signature is absent.
    const ghost = request.headers[SIGNATURE_HEADER] === undefined && request.headers[GHOST_SIGNATURE_HEADER] !== undefined;
    const check = ghost
      ? verifyGhostSignature({ secret, header: request.headers[GHOST_SIGNATURE_HEADER], body: raw, now: now() })
      : verifySignature({ secret, timestamp: request.headers[TIMESTAMP_HEADER], signature: request.headers[SIGNATURE_HEADER], body: raw, now: now() });
    if (!check.ok) {
      await refuse(reply, 401, 'unauthorized', { error: 'unauthorized', reason: check.reason });
      return undefined;
    }
    // A signature is good for one request: the same signed request again is a replay, however
    // its header is spelled (hex in upper case, spaces): the key is the verified MAC itself.
    const digest = createHash('sha256').update(check.digest).digest('hex').slice(0, 32);
    const sigKey = `${app.config.redis.prefix}:webhook:sig:${digest}`;
    const fresh = await app.redis.set(sigKey, '1', 'EX', TOLERANCE_SECONDS * 2 + 60, 'NX');
    if (fresh !== 'OK') {
      await refuse(reply, 401, 'unauthorized', { error: 'unauthorized', reason: 'replayed request: this signature was already used (sign each request anew)' });
      return undefined;
    }
    try {
      const contentType = request.headers['content-type'];
      return { json: parseJsonBody(raw, undefined, typeof contentType === 'string' ? contentType : undefined), sigKey };
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      await refuse(reply, 400, 'bad_json', { error: error.message });
      return undefined;
    }
  };

  /** Take an article down (the first of `ids` published here); `format` names the body it came in. */
  const retractArticle = async (reply: FastifyReply, ids: readonly string[], reason: string, format: string, onlyIfKnown: boolean) => {
    let result: Awaited<ReturnType<typeof app.retract>> | undefined;
    for (const id of ids) {
      result = await app.retract(id, { reason, by: 'webhook' });
      if (result.known) break;
    }
    const articleId = result?.articleId ?? ids[0];
    if (result === undefined || !result.known) {
      if (onlyIfKnown) return refuse(reply, 422, 'invalid', { error: `not published: ${reason}`, issues: [] });
      count('retract_unknown');
      return reply.code(404).send({ articleId, format, retracted: false, error: 'no such article was published here' });
    }
    count('retracted');
    // Retracted before: the reason given then is the one that stands.
    const stood = result.already ? ((await app.ledger.getHistory(result.articleId)).reason ?? reason) : reason;
    return reply.code(result.already ? 200 : 202).send({ articleId, format, retracted: true, reason: stood, deliveries: result.outcomes });
  };

  scope.post('/publish', async (request, reply) => {
    const body = await verified(request, reply);
    if (body === undefined) return reply;
    const { json } = body;
    const retraction = webhookRetraction(json);
    if (retraction !== undefined) {
      request.log.info({ format: retraction.format, urls: retraction.urls }, 'webhook retracts an article');
      return retractArticle(reply, retraction.urls.map((url) => articleId({ url })), retraction.reason, retraction.format, retraction.onlyIfKnown);
    }
    const unscheduling = webhookUnschedule(json);
    if (unscheduling !== undefined) {
      for (const id of unscheduling.urls.map((url) => articleId({ url }))) {
        const changes = await app.unschedule(id, { by: 'webhook' });
        if (changes.every((c) => c.result === 'not published')) continue;
        count('unscheduled');
        request.log.info({ articleId: id }, 'webhook unschedules an article');
        return reply.code(200).send({ articleId: id, format: unscheduling.format, unscheduled: changes.some((c) => c.result === 'unscheduled'), deliveries: changes });
      }
      count('unschedule_unknown');
      return reply.code(404).send({ format: unscheduling.format, unscheduled: false, error: 'no such article was scheduled here' });
    }
    let mapped;
    try {
      mapped = mapWebhookBody(json, { priorityTags: app.config.priorityTags });
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
      result = await app.publish(article, undefined, { by: 'webhook' });
    } catch (error) {
      // Not published: the same signed request may come again (it is not a replay).
      await app.redis.del(body.sigKey).catch(() => undefined);
      if (!(error instanceof NotReplicatedError)) throw error;
      reply.header('retry-after', '1');
      return refuse(reply, 503, 'not_replicated', { error: `${error.message}: nothing was acknowledged, send it again` });
    }
    const scheduledFor = article.publishedAt !== undefined && Date.parse(article.publishedAt) > Date.now() ? article.publishedAt : undefined;
    // Scheduled again (Ghost: newly scheduled or moved) after an editor or Ghost unscheduled it: queued again for
    // the new time. An edit of the scheduled post, or a replay, leaves an editor's unschedule alone.
    if (scheduledFor !== undefined && scheduleIsNew(json) && result.outcomes.some((o) => o.state === 'failed')) await app.reschedule(article.id, scheduledFor);
    if (result.action === 'retracted') {
      return refuse(reply, 409, 'retracted', { articleId: article.id, format: mapped.format, error: 'this article was retracted; an editor can publish it again (crier publish --force)' });
    }
    const enqueued = result.outcomes.some((o) => o.enqueued) || result.action === 'update' || result.action === 'republish';
    request.log.info({ articleId: article.id, format: mapped.format, action: result.action, rev: result.rev }, enqueued ? 'article accepted' : 'article already known');
    count(result.action === 'update' ? 'updated' : result.action === 'outdated' ? 'outdated' : enqueued ? 'accepted' : 'duplicate');
    return reply.code(enqueued ? 202 : 200).send({
      articleId: article.id,
      format: mapped.format,
      action: result.action,
      rev: result.rev,
      ...(scheduledFor !== undefined ? { scheduledFor } : {}),
      deliveries: result.outcomes.map((o) => ({ target: o.target, platform: o.platform, state: o.state, enqueued: o.enqueued, ...(o.updating ? { updating: true } : {}) })),
    });
  });

  /** POST /retract: a signed {id} or {url} (and an optional reason) takes the article down. */
  scope.post('/retract', async (request, reply) => {
    const body = await verified(request, reply);
    if (body === undefined) return reply;
    const json = body.json as { id?: unknown; url?: unknown; reason?: unknown } | null;
    const id = typeof json?.id === 'string' && json.id.trim() !== '' ? json.id.trim() : undefined;
    const url = typeof json?.url === 'string' ? json.url : undefined;
    const reason = typeof json?.reason === 'string' ? json.reason.slice(0, 500) : 'retracted by the publisher';
    if (id === undefined && url === undefined) return refuse(reply, 422, 'invalid', { error: 'give the article\'s "id" or "url"', issues: [{ path: '(root)', message: 'id or url is required' }] });
    let target: string;
    try {
      if (id === undefined && !/^https?:\/\//i.test((url as string).trim())) throw new Error('not http(s)');
      target = id ?? articleId({ url: canonicalUrl((url as string).trim()) });
    } catch {
      return refuse(reply, 422, 'invalid', { error: 'url: not a valid http(s) URL', issues: [{ path: 'url', message: 'not a valid http(s) URL' }] });
    }
    return retractArticle(reply, [target], reason, 'retract', false);
  });
}
