import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../queues/names.js';
import { jobOptions } from '../../queues/publish.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import type { SentRecord } from '../../src/sandbox/telegram.js';
import { eventually } from '../helpers/redis.js';
import { ALERT_CHAT, button, callbackUpdate, EDITOR, startHarness, STRANGER, type Harness } from './harness.js';

/** The alerts observer inside real workers delivering to the sandbox fakes. */
describe('editors bot: alerts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('alerts');
    await h.app.startWorkers();
  });
  afterAll(async () => {
    await h.close();
  });

  const article = (n: number, title = `Bridge repairs, part ${n}`) =>
    toArticle({ url: `https://news.example.org/2026/bridge-${n}`, title, summary: 'The east span closes for a month.' });
  const state = (id: string, target: string, states: string[]) =>
    eventually(async () => {
      const r = await h.app.ledger.get(id, target);
      return r !== undefined && states.includes(r.state) ? r : undefined;
    }, 20_000, `${target} in ${states.join('/')}`);
  const alertsAbout = (a: Article) => h.sentTo(ALERT_CHAT).filter((s) => (s.text ?? '').includes(a.id));
  const channelPosts = (a: Article) => h.sandbox.telegram.sent.filter((s) => s.chatId === '@crier_sandbox' && (s.text ?? s.caption ?? '').includes(a.title));
  const lastAnswer = () => String(h.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1)?.params.text);

  /** A crash between the platform call and the ledger write, replayed: the job is found in `sending`. */
  async function crashedWhileSending(a: Article, target: string): Promise<void> {
    await h.app.ledger.saveAndClaim(a, [{ id: target, platform: 'telegram' }]);
    await h.app.ledger.markSending(a.id, target);
    const t = h.app.target(target)!;
    await h.app.queues.get(t).add('deliver', { articleId: a.id, article: a }, { ...jobOptions(t), jobId: jobId(a.id) });
  }

  it('should tell the alert chat once, with article, link, target and reason, when a delivery fails for good', async () => {
    const a = article(1, 'Bridge <i>repairs</i> & detours');
    h.sandbox.twitter.faults.push({ status: 403, body: { title: 'Forbidden', detail: 'You are not permitted to perform this action.', type: 'about:blank', status: 403 } });
    await h.app.publish(a);
    await state(a.id, 'twitter', ['failed']);
    await state(a.id, 'telegram', ['delivered']);
    const alerts = await eventually(() => (alertsAbout(a).length > 0 ? alertsAbout(a) : undefined), 5000, 'an alert');
    await new Promise((r) => setTimeout(r, 300));
    expect(alertsAbout(a)).toHaveLength(1);
    const text = alerts[0]?.text ?? '';
    expect(text).toContain('Delivery failed');
    expect(text).toContain('Bridge <i>repairs</i> & detours');
    expect(text).toContain(a.url);
    expect(text).toContain('Target: twitter (twitter)');
    expect(text).toMatch(/Reason: .*You are not permitted to perform this action\./);

    // Retry from the alert sends it again, once.
    const tweets = h.sandbox.twitter.tweets.length;
    await h.bot.handleUpdate(callbackUpdate(EDITOR, alerts[0]!, button(alerts[0], 'Retry')));
    expect(lastAnswer()).toBe('Queued again.');
    await state(a.id, 'twitter', ['delivered']);
    expect(h.sandbox.twitter.tweets.length).toBe(tweets + 1);
    expect(channelPosts(a)).toHaveLength(1);
  });

  it('should ask about an unknown delivery with Posted / Not posted, and Not posted sends it once', async () => {
    const a = article(2);
    await crashedWhileSending(a, 'telegram');
    await state(a.id, 'telegram', ['unknown']);
    const alert: SentRecord = await eventually(() => alertsAbout(a)[0], 5000, 'an alert');
    expect(alert.text).toContain('Delivery in doubt');
    expect(alert.text).toContain('Target: telegram (telegram)');
    // The channel, so the editor can look.
    expect(alert.text).toContain('Look here: https://t.me/crier_sandbox');
    expect(channelPosts(a)).toHaveLength(0);
    const sendAgain = button(alert, '🔁 Not posted — send again');

    // A non-editor in the alert chat cannot press it.
    await h.bot.handleUpdate(callbackUpdate(STRANGER, alert, sendAgain));
    expect(lastAnswer()).toMatch(/only for the newsroom's editors/);
    expect((await h.app.ledger.get(a.id, 'telegram'))?.state).toBe('unknown');

    await h.bot.handleUpdate(callbackUpdate(EDITOR, alert, sendAgain));
    await state(a.id, 'telegram', ['delivered']);
    expect(channelPosts(a)).toHaveLength(1);
    const edit = h.sandbox.telegram.calls.filter((c) => c.method === 'editMessageText' && Number(c.params.message_id) === alert.message_id);
    expect(String(edit.at(-1)?.params.text)).toContain('Queued again');

    // Pressing again settles nothing twice.
    await h.bot.handleUpdate(callbackUpdate(EDITOR, alert, button(alert, '✅ Posted')));
    expect(lastAnswer()).toMatch(/^Already settled by @edda_editor/);
    await new Promise((r) => setTimeout(r, 300));
    expect(channelPosts(a)).toHaveLength(1);
  });

  it('should record an unknown delivery as delivered on Posted, with who confirmed it, and send nothing', async () => {
    const a = article(3);
    await crashedWhileSending(a, 'telegram');
    const alert: SentRecord = await eventually(() => alertsAbout(a)[0], 20_000, 'an alert');
    await h.bot.handleUpdate(callbackUpdate(EDITOR, alert, button(alert, '✅ Posted')));
    expect(lastAnswer()).toBe('Recorded as posted.');
    const record = await h.app.ledger.get(a.id, 'telegram');
    expect(record?.state).toBe('delivered');
    expect(record?.notes).toEqual(['confirmed posted by @edda_editor (7001)']);
    await h.bot.handleUpdate(callbackUpdate(EDITOR, alert, button(alert, '🔁 Not posted — send again')));
    expect(lastAnswer()).toMatch(/^Already settled/);
    await new Promise((r) => setTimeout(r, 300));
    expect(channelPosts(a)).toHaveLength(0);
    expect((await h.app.ledger.get(a.id, 'telegram'))?.state).toBe('delivered');
  });

  it('should keep working when the alert cannot be sent', async () => {
    const a = article(4);
    h.sandbox.telegram.faults.push({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    await h.alerts.failed({ target: 'twitter', platform: 'twitter', article: a, reason: 'test' });
    expect(alertsAbout(a)).toHaveLength(0);
    expect(h.logs.some((l) => l.msg === 'could not tell the editors' && l.articleId === a.id)).toBe(true);
  });
});
