import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toArticle } from '../../../src/article/schema.js';
import { eventually } from '../../helpers/redis.js';
import { EDITOR, messageUpdate, startHarness, STRANGER, type Harness } from '../harness.js';

/** /status, /retry and /resume against real workers delivering to the sandbox fakes. */
describe('editors bot: /status, /retry, /resume', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('status');
    await h.app.startWorkers();
  });
  afterAll(async () => {
    await h.close();
  });

  const article = (n: number) => toArticle({ url: `https://news.example.org/2026/ferries-${n}`, title: `Ferry timetable ${n} changes`, summary: 'Boats run later on weekends.' });
  const settled = (id: string, target: string, states: string[]) =>
    eventually(async () => {
      const r = await h.app.ledger.get(id, target);
      return r !== undefined && states.includes(r.state) ? r : undefined;
    }, 20_000, `${target} in ${states.join('/')}`).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(await h.app.ledger.get(id, target))}`);
    });
  const channelPosts = (title: string) => h.sandbox.telegram.sent.filter((s) => s.chatId === '@crier_sandbox' && (s.text ?? s.caption ?? '').includes(title));

  it('should show each target\'s state, link, attempts and last error, by id or by URL', async () => {
    const a = article(1);
    h.sandbox.twitter.faults.push({ status: 403, body: { title: 'Forbidden', detail: 'You are not permitted to perform this action.', type: 'about:blank', status: 403 } });
    await h.app.publish(a);
    await settled(a.id, 'telegram', ['delivered']);
    await settled(a.id, 'twitter', ['failed']);
    await settled(a.id, 'instagram', ['delivered']);

    for (const arg of [a.id, a.url]) {
      const [reply] = await h.send(messageUpdate(EDITOR, `/status ${arg}`), EDITOR.id);
      const text = reply?.text ?? '';
      expect(text).toContain(a.title);
      expect(text).toContain(`id: ${a.id}`);
      expect(text).toMatch(/telegram \(telegram\): delivered · 1 attempt · open/);
      expect(text).toMatch(/twitter \(twitter\): failed · 1 attempt\n\s+last error: .*You are not permitted to perform this action\./);
      expect(text).toMatch(/instagram \(instagram\): delivered/);
      const links = JSON.stringify(reply?.params.text);
      const telegram = await h.app.ledger.get(a.id, 'telegram');
      expect(links).toContain(`<a href=\\"${telegram?.url}\\">open</a>`);
    }
  });

  it('should say when an article is unknown', async () => {
    const [reply] = await h.send(messageUpdate(EDITOR, '/status no-such-article'), EDITOR.id);
    expect(reply?.text).toBe('Nothing is known about no-such-article: it was never published here (or the id is wrong).');
  });

  it('should re-enqueue a failed delivery on /retry and never resend a delivered one', async () => {
    const a = article(2);
    h.sandbox.twitter.faults.push({ status: 403, body: { title: 'Forbidden', detail: 'Account locked for a moment.', type: 'about:blank', status: 403 } });
    await h.app.publish(a);
    await settled(a.id, 'twitter', ['failed']);
    await settled(a.id, 'telegram', ['delivered']);
    await settled(a.id, 'instagram', ['delivered']);
    const tweetsBefore = h.sandbox.twitter.tweets.length;
    expect(channelPosts(a.title)).toHaveLength(1);

    const [reply] = await h.send(messageUpdate(EDITOR, `/retry ${a.id}`), EDITOR.id);
    expect(reply?.text).toContain('twitter: queued again');
    expect(reply?.text).toContain('telegram: not retried (delivered)');
    expect(reply?.text).toContain('instagram: not retried (delivered)');
    const record = await settled(a.id, 'twitter', ['delivered']);
    expect(record.attempts).toBe(2);
    expect(h.sandbox.twitter.tweets.length).toBe(tweetsBefore + 1);

    // A second /retry and a targeted one change nothing: everything is delivered.
    const [again] = await h.send(messageUpdate(EDITOR, `/retry ${a.id} telegram`), EDITOR.id);
    expect(again?.text).toContain('telegram: not retried (delivered)');
    await new Promise((r) => setTimeout(r, 300));
    expect(channelPosts(a.title)).toHaveLength(1);
    expect((await h.app.ledger.get(a.id, 'telegram'))?.attempts).toBe(1);
  });

  it('should refuse /status and /retry from a non-editor', async () => {
    const a = article(3);
    for (const cmd of [`/status ${a.id}`, `/retry ${a.id}`, '/resume telegram']) {
      const [reply] = await h.send(messageUpdate(STRANGER, cmd), STRANGER.id);
      expect(reply?.text).toMatch(/^Sorry, this bot is only for the newsroom's editors/);
    }
    expect(await h.app.ledger.getAll(a.id)).toEqual([]);
  });

  it('should resume a paused target on /resume and name the targets for an unknown one', async () => {
    const queue = h.app.queues.get({ id: 'instagram' });
    await queue.pause();
    const [reply] = await h.send(messageUpdate(EDITOR, '/resume instagram'), EDITOR.id);
    expect(reply?.text).toContain('Resumed instagram');
    expect(await queue.isPaused()).toBe(false);
    const [unknown] = await h.send(messageUpdate(EDITOR, '/resume mastodon'), EDITOR.id);
    expect(unknown?.text).toBe('Unknown target mastodon. Targets: telegram, twitter, instagram.');
  });
});
