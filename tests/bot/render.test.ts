import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../../adapters/registry.js';
import { buildConfig } from '../../config/load.js';
import type { DeliveryRecord } from '../../queues/ledger.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { FOOTER_ROOM, postPreview, renderPreview, shareRoom } from '../../src/bot/render-preview.js';
import { fitMessage, MESSAGE_LIMIT, renderAlert, renderBroadcast, renderQueued, renderRetry, renderStatus, visibleText } from '../../src/bot/render.js';
import { silentLogger } from '../../src/logging.js';
import { checkText } from '../../src/sandbox/telegram-messages.js';

const markup = fc.constantFrom('<b>', '</b>', '&', '&amp;', '&lt;', '</i>', '<', '>', '"', '<a href="x">', '&#65;', '<blockquote>');
const emoji = fc.constantFrom('👩‍👩‍👧‍👦', '🏳️‍🌈', '👍🏽', '🇺🇦', '1️⃣');
const scripts = fc.constantFrom('日本語のニュース', 'مرحبا بالعالم', 'שלום עולם', 'Привет, мир', 'e\u0301te\u0301');
const words = fc.constantFrom('the', 'harbour', 'AT&T', 'C++', 'node.js', 'council', 'budget.', 'ferry!');
const piece = fc.oneof({ weight: 3, arbitrary: words }, { weight: 2, arbitrary: markup }, { weight: 1, arbitrary: emoji }, { weight: 1, arbitrary: scripts });
const phrase = (min: number, max: number) => fc.array(piece, { minLength: min, maxLength: max, size: 'max' }).map((p) => p.join(' '));

const articleArb = fc
  .record({
    title: fc.oneof(phrase(1, 10), phrase(100, 200)).map((t) => t.slice(0, 1000)),
    summary: fc.option(fc.tuple(phrase(5, 30), fc.integer({ min: 1, max: 300 })).map(([s, n]) => `${s}. `.repeat(n).slice(0, 10_000)), { nil: undefined }),
    tags: fc.array(phrase(1, 2).map((t) => t.slice(0, 200)), { maxLength: 30 }),
    id: fc.option(fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ''), { nil: undefined }),
  })
  .map((a) => toArticle({ ...a, url: 'https://news.example.org/2026/a?x=1&y="2"' }));

const config = buildConfig({ targets: [{ id: 'telegram', platform: 'telegram' }, { id: 'twitter', platform: 'twitter' }, { id: 'instagram', platform: 'instagram' }] }, {});
const adapters = config.targets.map((t) => createAdapter(t, { logger: silentLogger }));

/** Sent as a Telegram message: the fake's own checks (HTML parsing, 4096 code points). */
function accepted(html: string): string {
  const parsed = checkText(html, 'HTML', 'text', true);
  if (parsed === undefined) throw new Error('empty');
  return parsed.text;
}

describe('bot messages (render)', () => {
  it('should clip a target name an editor typed absurdly long instead of losing the whole line', () => {
    const text = renderRetry('someid', [{ target: 'x'.repeat(4500), result: 'unknown target' }]);
    expect(visibleText(text)).toMatch(/^Retry · someid\n• x{99}…: not retried \(unknown target\)$/);
  });

  it('should build previews Telegram accepts, within 4096 with room for the footer, for any article', () => {
    fc.assert(
      fc.property(articleArb, (article: Article) => {
        const previews = adapters.map((a) => postPreview(a.format(article)));
        const html = renderPreview(article, previews, { title: 'Publish this?' });
        const text = accepted(html);
        expect([...text].length).toBeLessThanOrEqual(MESSAGE_LIMIT - FOOTER_ROOM + 1);
        expect(visibleText(html).trim()).toBe(text);
        const footer = renderQueued({ articleId: article.id, action: 'publish', rev: 1, outcomes: config.targets.map((t) => ({ target: t.id, platform: t.platform, enqueued: true, state: 'queued', jobId: 'j' })) }, '@edda_editor (7001)');
        accepted(fitMessage(`${html}\n\n${footer}`));
        // Short titles are shown whole, markup characters literally.
        if ([...article.title].length <= 150) expect(text).toContain(article.title);
      }),
      { numRuns: 60 },
    );
  });

  it('should build status, alert and broadcast messages Telegram accepts', () => {
    const reason = fc.oneof(phrase(1, 20), phrase(200, 400));
    fc.assert(
      fc.property(articleArb, reason, fc.integer({ min: 0, max: 20 }), (article, why, attempts) => {
        const records: DeliveryRecord[] = ['delivered', 'failed', 'unknown'].map((state, i) => ({
          articleId: article.id, target: `t${i}`, platform: 'telegram', state: state as DeliveryRecord['state'], attempts,
          createdAt: '', updatedAt: '', progress: {}, lastError: why, url: 'https://t.me/c/1/2?a=<b>&"',
        }));
        const status = accepted(renderStatus(article.id, article, records));
        expect(status).toContain('t1 (telegram): failed');
        for (const kind of ['failed', 'paused', 'unknown'] as const) {
          const alert = accepted(renderAlert(kind, { target: 'twitter', platform: 'twitter', article, reason: why, action: why }));
          expect(alert).toContain('Target: twitter (twitter)');
        }
        const broadcast = accepted(renderBroadcast(article));
        if ([...article.title].length <= 150) expect(broadcast).toContain(article.title);
      }),
      { numRuns: 60 },
    );
  });

  it('should share room fairly: short texts whole, the rest evenly, never more than the room', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 6 }), fc.integer({ min: 0, max: 5000 }), (lengths, room) => {
        const shares = shareRoom(lengths, room);
        expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(room);
        shares.forEach((s, i) => expect(s).toBeLessThanOrEqual(lengths[i] ?? 0));
        if (lengths.reduce((a, b) => a + b, 0) <= room) expect(shares).toEqual(lengths);
      }),
    );
  });

  it('should cut an over-long message only between whole quotes', () => {
    const quote = `<blockquote expandable>${'line\n'.repeat(300)}</blockquote>`;
    const html = fitMessage(`<b>head</b>\n${quote}\n${quote}\n${quote}`);
    const text = accepted(html);
    expect([...text].length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(html.endsWith('</blockquote>\n…')).toBe(true);
  });
});
