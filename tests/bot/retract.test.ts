import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toArticle, type Article } from '../../src/article/schema.js';
import { eventually } from '../helpers/redis.js';
import { articlePage, button, callbackUpdate, EDITOR, messageUpdate, startHarness, STRANGER, type Harness } from './harness.js';

/** Issue 13 from the editors' side: /retract asks, then takes the posts down; a retracted article needs "Publish anyway". */
describe('editors bot: retractions and corrections', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('retract');
    await h.app.startWorkers();
  });
  afterAll(async () => {
    await h.close();
  });

  const article = (n: number) => toArticle({ url: `https://news.example.org/2026/quay-${n}`, title: `Quay wall repairs, part ${n}`, summary: 'The north quay closes for a month.' });
  const settled = (a: Article, target: string, states: string[]) =>
    eventually(async () => {
      const r = await h.app.ledger.get(a.id, target);
      return r !== undefined && states.includes(r.state) ? r : undefined;
    }, 20_000, `${target} in ${states.join('/')}`);
  const lastAnswer = () => String(h.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1)?.params.text);
  const channel = (a: Article) => h.sandbox.telegram.sent.filter((s) => s.chatId === '@crier_sandbox' && (s.text ?? s.caption ?? '').includes(a.title));

  it('should ask before retracting, take every post down on Retract, and only once', async () => {
    const a = article(1);
    await h.app.publish(a);
    for (const t of ['telegram', 'twitter', 'instagram']) await settled(a, t, ['delivered']);

    const [question] = await h.send(messageUpdate(EDITOR, `/retract ${a.url} wrong quay`), EDITOR.id);
    expect(question?.text).toContain('Retract this article?');
    expect(question?.text).toContain('Its posts come down on: instagram, telegram, twitter');
    expect(question?.text).toContain('Reason: wrong quay');
    // Asking changed nothing yet.
    expect((await h.app.ledger.get(a.id, 'telegram'))?.state).toBe('delivered');

    // A stranger cannot press it.
    await h.bot.handleUpdate(callbackUpdate(STRANGER, question!, button(question, '🗑 Retract')));
    expect(lastAnswer()).toMatch(/only for the newsroom's editors/);

    await h.bot.handleUpdate(callbackUpdate(EDITOR, question!, button(question, '🗑 Retract')));
    expect(lastAnswer()).toBe('Retracted.');
    for (const t of ['telegram', 'twitter', 'instagram']) await settled(a, t, ['retracted']);
    expect(h.sandbox.telegram.message('@crier_sandbox', Number(channel(a)[0]?.message_id))).toBeUndefined();
    expect(h.sandbox.twitter.visible.filter((t) => t.text.includes(a.title))).toHaveLength(0);
    expect(h.sandbox.instagram.posts.filter((p) => p.caption.includes(a.title) && p.deleted !== true)).toHaveLength(0);
    const history = await h.app.ledger.getHistory(a.id);
    expect(history).toMatchObject({ retracted: true, reason: 'wrong quay' });
    expect(history.history.at(-1)).toMatchObject({ action: 'retract', by: 'editor @edda_editor (7001)' });

    await h.bot.handleUpdate(callbackUpdate(EDITOR, question!, button(question, '🗑 Retract')));
    expect(lastAnswer()).toMatch(/^Already answered by @edda_editor/);
  });

  it('should act on nothing from a question asked before the article was retracted or published again', async () => {
    const a = article(9);
    await h.app.publish(a);
    for (const t of ['telegram', 'twitter', 'instagram']) await settled(a, t, ['delivered']);
    const [q1] = await h.send(messageUpdate(EDITOR, `/retract ${a.url} first ask`), EDITOR.id);
    const [q2] = await h.send(messageUpdate(EDITOR, `/retract ${a.url} second ask`), EDITOR.id);
    await h.bot.handleUpdate(callbackUpdate(EDITOR, q2!, button(q2, '🗑 Retract')));
    expect(lastAnswer()).toBe('Retracted.');
    for (const t of ['telegram', 'twitter', 'instagram']) await settled(a, t, ['retracted']);
    // The older question, pressed now: already retracted, said so, nothing done.
    const before = (await h.app.ledger.getHistory(a.id)).history.length;
    await h.bot.handleUpdate(callbackUpdate(EDITOR, q1!, button(q1, '🗑 Retract')));
    expect(lastAnswer()).toBe('Already retracted.');
    expect((await h.app.ledger.getHistory(a.id)).history).toHaveLength(before);

    // Published again (forced), then a question from before that: it does not take it down.
    const [q3] = await h.send(messageUpdate(EDITOR, `/retract ${a.url}`), EDITOR.id);
    expect(q3?.text).toContain('already retracted');
    await h.app.publish(a, undefined, { force: true });
    for (const t of ['telegram', 'twitter', 'instagram']) await settled(a, t, ['delivered']);
    const [q4] = await h.send(messageUpdate(EDITOR, `/retract ${a.url} later`), EDITOR.id);
    await h.app.publish({ ...a, title: `${a.title} (updated)` });
    await h.bot.handleUpdate(callbackUpdate(EDITOR, q4!, button(q4, '🗑 Retract')));
    expect(lastAnswer()).toBe('The article changed since: send /retract again.');
    expect((await h.app.ledger.getHistory(a.id)).retracted).toBe(false);
  });

  it('should keep the article on Keep it, and say when there is nothing to retract', async () => {
    const a = article(2);
    await h.app.publish(a, ['telegram']);
    await settled(a, 'telegram', ['delivered']);
    const [question] = await h.send(messageUpdate(EDITOR, `/retract ${a.id}`), EDITOR.id);
    await h.bot.handleUpdate(callbackUpdate(EDITOR, question!, button(question, 'Keep it')));
    expect(lastAnswer()).toBe('Kept.');
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.app.ledger.get(a.id, 'telegram'))?.state).toBe('delivered');
    expect((await h.app.ledger.getHistory(a.id)).retracted).toBe(false);

    const [unknown] = await h.send(messageUpdate(EDITOR, '/retract never-published-here'), EDITOR.id);
    expect(unknown?.text).toContain('it was never published here');
  });

  it('should refuse a plain Publish of a retracted article and offer Publish anyway, which publishes it again', async () => {
    // The article's page, as /post fetches it: the same URL, so the same article.
    const url = `${h.sandbox.site.url}/2026/quay-3`;
    h.sandbox.site.pages.set('/2026/quay-3', ['text/html; charset=utf-8', articlePage('Quay wall repairs, part 3', url)]);
    const a = toArticle({ url, title: 'Quay wall repairs, part 3', summary: 'The north quay closes for a month.' });
    await h.app.publish(a, ['telegram']);
    await settled(a, 'telegram', ['delivered']);
    await h.app.retract(a.id);
    await settled(a, 'telegram', ['retracted']);

    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${url}`), EDITOR.id);
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Publish')));
    expect(lastAnswer()).toMatch(/It was retracted/);
    expect((await h.app.ledger.get(a.id, 'telegram'))?.state).toBe('retracted');
    const edited = h.sandbox.telegram.calls.filter((c) => c.method === 'editMessageText' && Number(c.params.message_id) === preview!.message_id).at(-1);
    expect(String(edited?.params.text)).toContain('This article was retracted.');
    const markup = edited?.params.reply_markup;
    const anyway = (typeof markup === 'string' ? JSON.parse(markup) : markup).inline_keyboard[0][0];
    expect(anyway.text).toBe('Publish anyway');

    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, anyway.callback_data));
    expect(lastAnswer()).toBe('Queued.');
    await settled(a, 'telegram', ['delivered']);
    expect(channel(a)).toHaveLength(2);
  });
});
