import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../queues/names.js';
import { articleId } from '../../src/article/schema.js';
import { MESSAGE_LIMIT } from '../../src/bot/render.js';
import { button, callbackUpdate, EDITOR, articlePage, messageUpdate, privateChat, startHarness, STRANGER, type Harness } from './harness.js';

const TITLE = 'Old lock <b>reopens</b> & "barges" return';

describe('editors bot: /post, /preview, Publish', () => {
  let h: Harness;
  let pageUrl: string;

  beforeAll(async () => {
    h = await startHarness('post');
    pageUrl = `${h.sandbox.site.url}/news/old-lock.html`;
    h.sandbox.site.pages.set('/news/old-lock.html', ['text/html; charset=utf-8', articlePage(TITLE, pageUrl)]);
  });
  afterAll(async () => {
    await h.close();
  });

  it('should answer an editor\'s /post with every target\'s preview and Publish / Cancel buttons', async () => {
    const [reply, ...more] = await h.send(messageUpdate(EDITOR, `/post ${pageUrl}`), EDITOR.id);
    expect(more).toHaveLength(0);
    expect(reply?.method).toBe('sendMessage');
    // The title's markup characters are shown literally (the fake parsed the HTML to get this text).
    expect(reply?.text).toContain(TITLE);
    for (const target of ['telegram', 'twitter', 'instagram']) expect(reply?.text).toMatch(new RegExp(`^${target} · `, 'm'));
    expect([...(reply?.text ?? '')].length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(button(reply, 'Publish')).toMatch(/^p:/);
    expect(button(reply, 'Cancel')).toMatch(/^x:/);
    expect(Buffer.byteLength(button(reply, 'Publish'))).toBeLessThanOrEqual(64);
    // Nothing is enqueued before Publish.
    expect(await h.app.ledger.getAll(articleId({ url: pageUrl }))).toEqual([]);
  });

  it('should enqueue exactly one delivery per target when Publish is pressed, even twice', async () => {
    const url = `${h.sandbox.site.url}/news/old-lock-2.html`;
    h.sandbox.site.pages.set('/news/old-lock-2.html', ['text/html', articlePage('Second lock opens', url)]);
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${url}`), EDITOR.id);
    const id = articleId({ url });
    const before = await Promise.all(h.app.targets.map((t) => h.jobCount(t.id)));

    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Publish')));
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Publish')));

    const records = await h.app.ledger.getAll(id);
    expect(records.map((r) => [r.target, r.state]).sort()).toEqual([['instagram', 'queued'], ['telegram', 'queued'], ['twitter', 'queued']]);
    for (const [i, target] of h.app.targets.entries()) {
      expect(await h.jobCount(target.id)).toBe((before[i] ?? 0) + 1);
      expect(await h.app.queues.get(target).getJob(jobId(id))).toBeDefined();
    }
    // The preview now says it was queued, and has no buttons left.
    const edits = h.sandbox.telegram.calls.filter((c) => c.method === 'editMessageText' && Number(c.params.message_id) === preview!.message_id);
    expect(edits).toHaveLength(1);
    expect(String(edits[0]?.params.text)).toContain('Queued');
    expect(edits[0]?.params.reply_markup).toBeUndefined();
    const answers = h.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => String(c.params.text));
    expect(answers.slice(-2)).toEqual(['Queued.', `Already queued by @${EDITOR.username} (${EDITOR.id}).`]);

    // A second /post of the same article, published at once from two clients: still one delivery per target.
    const [again] = await h.send(messageUpdate(EDITOR, `/post ${url}`), EDITOR.id);
    await Promise.all([1, 2].map(() => h.bot.handleUpdate(callbackUpdate(EDITOR, again!, button(again, 'Publish')))));
    for (const [i, target] of h.app.targets.entries()) expect(await h.jobCount(target.id)).toBe((before[i] ?? 0) + 1);
    const footer = h.sandbox.telegram.calls.filter((c) => c.method === 'editMessageText' && Number(c.params.message_id) === again!.message_id);
    expect(footer).toHaveLength(1);
    expect(String(footer[0]?.params.text)).toContain('Already known: telegram (queued), twitter (queued), instagram (queued)');
    // Said as it is: nothing new went out, and the posts are still waiting.
    expect(String(footer[0]?.params.text)).toContain('ℹ️ <b>Nothing new queued</b> (crier knew this article already)');
    expect(String(footer[0]?.params.text)).not.toContain('✅');
    expect(String(footer[0]?.params.text)).toContain('Not sent yet on telegram, twitter, instagram: /queue shows when');
    const second = h.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => String(c.params.text));
    expect(second).toContain('Nothing new: crier knew this article already.');
  });

  it('should enqueue nothing when Cancel is pressed, and refuse a later Publish', async () => {
    const url = `${h.sandbox.site.url}/news/old-lock-3.html`;
    h.sandbox.site.pages.set('/news/old-lock-3.html', ['text/html', articlePage('Third lock stays shut', url)]);
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${url}`), EDITOR.id);
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Cancel')));
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Publish')));
    expect(await h.app.ledger.getAll(articleId({ url }))).toEqual([]);
  });

  it('should refuse a non-editor politely, log their user id and enqueue nothing', async () => {
    const url = `${h.sandbox.site.url}/news/old-lock-4.html`;
    h.sandbox.site.pages.set('/news/old-lock-4.html', ['text/html', articlePage('Not for strangers', url)]);
    const replies = await h.send(messageUpdate(STRANGER, `/post ${url}`), STRANGER.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/^Sorry, this bot is only for the newsroom's editors/);
    expect(replies[0]?.text).toContain(String(STRANGER.id));
    // In a group, the refusal does not tell everyone there the stranger's user id.
    const group = { id: -100777, type: 'supergroup', title: 'Newsroom' };
    const before = h.sandbox.telegram.sent.length;
    await h.bot.handleUpdate(messageUpdate(STRANGER, `/post ${url}`, { chat: group as never }));
    const inGroup = h.sandbox.telegram.sent.slice(before).filter((m) => m.chatId === String(group.id));
    expect(inGroup).toHaveLength(1);
    expect(inGroup[0]?.text).toMatch(/^Sorry, this bot is only for the newsroom's editors/);
    expect(inGroup[0]?.text).not.toContain(String(STRANGER.id));
    expect(h.logs.some((l) => l.userId === STRANGER.id && l.level === 40 && /refused/.test(String(l.msg)))).toBe(true);
    expect(h.sandbox.site.hits.get('/news/old-lock-4.html')).toBeUndefined();
    expect(await h.app.ledger.getAll(articleId({ url }))).toEqual([]);
  });

  it('should refuse a non-editor pressing Publish on an editor\'s preview', async () => {
    const url = `${h.sandbox.site.url}/news/old-lock-5.html`;
    h.sandbox.site.pages.set('/news/old-lock-5.html', ['text/html', articlePage('Pressed by a stranger', url)]);
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${url}`), EDITOR.id);
    await h.bot.handleUpdate(callbackUpdate(STRANGER, preview!, button(preview, 'Publish')));
    const answer = h.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1);
    expect(String(answer?.params.text)).toMatch(/only for the newsroom's editors/);
    expect(await h.app.ledger.getAll(articleId({ url }))).toEqual([]);
  });

  it('should preview without buttons on /preview and enqueue nothing', async () => {
    const [reply] = await h.send(messageUpdate(EDITOR, `/preview ${pageUrl}`), EDITOR.id);
    expect(reply?.text).toContain(TITLE);
    expect(reply?.params.reply_markup).toBeUndefined();
    expect(await h.app.ledger.getAll(articleId({ url: pageUrl }))).toEqual([]);
  });

  it('should publish "/post <url> text" as a short post: first line title, rest summary', async () => {
    const url = 'https://news.example.org/2026/locks';
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${url} Locks are back\nBarges return to the valley this week.`), EDITOR.id);
    expect(preview?.text).toContain('Locks are back');
    expect(preview?.text).toContain('Barges return to the valley this week.');
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Publish')));
    const edit = h.sandbox.telegram.calls.filter((c) => c.method === 'editMessageText').at(-1);
    const id = /id <code>([^<]+)<\/code>/.exec(String(edit?.params.text))?.[1];
    expect(id).toMatch(/^p[0-9a-f]{20}$/);
    const article = await h.app.ledger.getArticle(id!);
    expect(article).toMatchObject({ url, title: 'Locks are back', summary: 'Barges return to the valley this week.' });
    expect(await h.app.ledger.getAll(id!)).toHaveLength(3);
  });

  it('should use the replied-to message\'s text and link for a bare /post', async () => {
    const quoted = { message_id: 1, date: 1, chat: privateChat(EDITOR), text: 'Night trains return https://news.example.org/trains', entities: [{ type: 'url', offset: 20, length: 31 }] };
    const [preview] = await h.send(messageUpdate(EDITOR, '/post', { replyTo: quoted }), EDITOR.id);
    expect(preview?.text).toContain('Night trains return');
    expect(preview?.text).toContain('https://news.example.org/trains');
    expect(button(preview, 'Publish')).toMatch(/^p:/);
  });

  it('should ask for a link when /post has text but no link', async () => {
    const [reply] = await h.send(messageUpdate(EDITOR, '/post just some words'), EDITOR.id);
    expect(reply?.text).toMatch(/needs a link/);
    expect(reply?.params.reply_markup).toBeUndefined();
  });

  it('should ignore /post@otherbot in a group, and answer /post@crier_sandbox_bot', async () => {
    const group = { id: -5_000_001, type: 'group' as const, title: 'Newsroom' };
    const url = `${h.sandbox.site.url}/news/old-lock-6.html`;
    h.sandbox.site.pages.set('/news/old-lock-6.html', ['text/html', articlePage('Group lock', url)]);
    const ignored = await h.send(messageUpdate(EDITOR, `/post@other_bot ${url}`, { chat: group }), group.id);
    expect(ignored).toHaveLength(0);
    const ignoredStranger = await h.send(messageUpdate(STRANGER, `/status@other_bot ${url}`, { chat: group }), group.id);
    expect(ignoredStranger).toHaveLength(0);
    expect(h.sandbox.site.hits.get('/news/old-lock-6.html')).toBeUndefined();
    const answered = await h.send(messageUpdate(EDITOR, `/post@crier_sandbox_bot ${url}`, { chat: group }), group.id);
    expect(answered).toHaveLength(1);
    expect(answered[0]?.text).toContain('Group lock');
  });
});

describe('editors bot: private addresses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('private', { allowPrivateNetwork: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:9/news/a.html', /127\.0\.0\.1 is a loopback address/],
    ['private', 'http://10.0.0.1/news/a.html', /10\.0\.0\.1 is a private address/],
    ['link-local', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
  ])('should refuse a %s URL with a clear reply', async (_kind, url, reason) => {
    const [reply, ...more] = await h.send(messageUpdate(EDITOR, `/post ${url}`), EDITOR.id);
    expect(more).toHaveLength(0);
    expect(reply?.text).toMatch(/^I won't fetch that link/);
    expect(reply?.text).toMatch(reason);
    expect(reply?.params.reply_markup).toBeUndefined();
    expect(await h.app.ledger.getAll(articleId({ url }))).toEqual([]);
  });

  it('should refuse a link that is not http(s)', async () => {
    const [reply] = await h.send(messageUpdate(EDITOR, '/preview ftp://files.example.org/a.txt'), EDITOR.id);
    expect(reply?.text).toBe('Only http and https links can be posted, not ftp.');
  });
});
