import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../queues/names.js';
import { toArticle } from '../../src/article/schema.js';
import { visibleText } from '../../src/bot/render.js';
import type { SentRecord } from '../../src/sandbox/telegram.js';
import { eventually } from '../helpers/redis.js';
import { articlePage, button, callbackUpdate, EDITOR, messageUpdate, startHarness, type Harness } from './harness.js';

/** Issue 14 from the editors' side: /post … at <time>, its Schedule / Send now / +1 h / Unschedule buttons, /post … !, /queue. */

const ZONE = 'Europe/Berlin';
let n = 0;
/** A short post of its own (a new article id each time): link and title. */
const shortPost = (label: string) => ({ url: `https://news.example.org/2026/${label}-${++n}`, title: `Harbour ${label} ${n}` });

/** Helpers over one harness. */
function tools(h: Harness) {
  const edits = (sent: SentRecord) => h.sandbox.telegram.calls.filter((c) => c.method === 'editMessageText' && Number(c.params.message_id) === sent.message_id);
  /** The message as last edited (its visible text), as a SentRecord (for its buttons). */
  const current = (sent: SentRecord): SentRecord => {
    const last = edits(sent).at(-1);
    return last === undefined ? sent : { ...sent, text: visibleText(String(last.params.text)), params: last.params };
  };
  const lastAnswer = () => String(h.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1)?.params.text);
  const press = async (sent: SentRecord, label: string) => {
    await h.bot.handleUpdate(callbackUpdate(EDITOR, sent, button(current(sent), label)));
    return { message: current(sent), answer: lastAnswer() };
  };
  /** The article id a scheduled post's footer names. */
  const idOf = (sent: SentRecord) => /id ([^\s<]+)/.exec(current(sent).text?.split('\n').find((l) => l.startsWith('id ')) ?? '')?.[1];
  /** When a target's first post is due by its BullMQ job (epoch ms), or undefined when it is not delayed. */
  const dueOf = async (articleId: string, target: string) => {
    const job = await h.app.queues.get({ id: target }).getJob(jobId(articleId));
    if (job === undefined || (await job.getState()) !== 'delayed') return undefined;
    return job.timestamp + (job.delay ?? 0);
  };
  const posted = (title: string) => h.sandbox.telegram.sent.filter((s) => s.chatId === '@crier_sandbox' && (s.text ?? s.caption ?? '').includes(title));
  return { edits, current, lastAnswer, press, idOf, dueOf, posted };
}

describe('editors bot: scheduling (no workers running)', () => {
  let h: Harness;
  let t: ReturnType<typeof tools>;
  beforeAll(async () => {
    h = await startHarness('sched', { timeZone: ZONE });
    t = tools(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('should ask "Schedule for <time>?" for /post <link> at HH:MM, in the editors\' zone, and schedule nothing before the button', async () => {
    const url = `${h.sandbox.site.url}/news/tide.html`;
    h.sandbox.site.pages.set('/news/tide.html', ['text/html', articlePage('Spring tide expected', url)]);
    const before = Date.now();
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${url} at 18:00`), EDITOR.id);
    // The next 18:00 in Berlin, shown with its offset (UTC+01:00 in winter, +02:00 in summer).
    expect(preview?.text).toMatch(/^Schedule for \w{3} \d{1,2} \w{3} \d{4}, 18:00 Europe\/Berlin \(UTC\+0[12]:00\)\?/);
    expect(preview?.text).toContain('Spring tide expected');
    const labels = (JSON.parse(JSON.stringify(preview?.params.reply_markup)) as { inline_keyboard: Array<Array<{ text: string }>> }).inline_keyboard.flat().map((b) => b.text);
    expect(labels).toEqual(['Schedule', 'Send now', 'Cancel']);
    expect(h.sandbox.site.hits.get('/news/tide.html')).toBe(1);

    const { message, answer } = await t.press(preview!, 'Schedule');
    expect(answer).toBe('Scheduled.');
    expect(message.text).toMatch(/⏰ Scheduled for \w{3} \d{1,2} \w{3} \d{4}, 18:00 Europe\/Berlin \(UTC\+0[12]:00\) by @edda_editor/);
    expect(['Send now', '+1 h', 'Unschedule'].map((l) => button(message, l)[0])).toEqual(['g', 'l', 'u']);
    const id = t.idOf(preview!) as string;
    // Delayed to that 18:00 on every target: a time that is 18:00 on Berlin's wall clock, within a day.
    for (const target of ['telegram', 'twitter', 'instagram']) {
      const due = (await t.dueOf(id, target)) as number;
      expect(due).toBeGreaterThan(before);
      expect(due).toBeLessThanOrEqual(before + 24 * 3_600_000);
      const hm = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false }).format(due);
      expect(hm).toBe('18:00');
      expect((await h.app.ledger.get(id, target))?.state).toBe('queued');
    }
  });

  it('should move the post one hour later on +1 h, and cancel it on Unschedule (nothing sent, no job left)', async () => {
    const p = shortPost('ferry');
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at +2h`), EDITOR.id);
    await t.press(preview!, 'Schedule');
    const id = t.idOf(preview!) as string;
    const first = (await t.dueOf(id, 'telegram')) as number;
    expect(first).toBeGreaterThan(Date.now() + 3_600_000);

    const later = await t.press(preview!, '+1 h');
    expect(later.answer).toMatch(/^Moved to /);
    for (const target of ['telegram', 'twitter', 'instagram']) expect(Math.abs(((await t.dueOf(id, target)) as number) - (first + 3_600_000))).toBeLessThan(2000);
    expect(later.message.text).toContain('⏰ Scheduled for');
    expect(button(later.message, '+1 h')).toMatch(/^l:/);

    const un = await t.press(preview!, 'Unschedule');
    expect(un.answer).toBe('Unscheduled: nothing was sent.');
    expect(un.message.text).toContain('✖️ Unscheduled by @edda_editor');
    expect(un.message.params.reply_markup).toBeUndefined();
    for (const target of ['telegram', 'twitter', 'instagram']) {
      expect(await h.app.queues.get({ id: target }).getJob(jobId(id))).toBeUndefined();
      const record = await h.app.ledger.get(id, target);
      expect(record?.state).toBe('failed');
      expect(record?.lastError).toMatch(/^unscheduled by editor @edda_editor/);
    }
    // The spent buttons do nothing more.
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(later.message, '+1 h')));
    expect(t.lastAnswer()).toBe('Already done: unscheduled by @edda_editor (7001).');
    expect(await h.app.pending()).not.toContainEqual(expect.objectContaining({ articleId: id }));
  });

  it('should list a scheduled delivery on /queue with its due time in the zone and its reason, and a breaking one marked', async () => {
    const p = shortPost('regatta');
    // The next 1 June (within the year a post may be held), 09:30 in Berlin: summer time.
    let year = new Date().getUTCFullYear();
    if (Date.UTC(year, 5, 1, 7, 30) <= Date.now()) year++;
    const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'Europe/Berlin' }).format(Date.UTC(year, 5, 1, 7, 30));
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at ${year}-06-01 09:30`), EDITOR.id);
    expect(preview?.text).toMatch(new RegExp(`^Schedule for ${weekday} 1 Jun ${year}, 09:30 Europe/Berlin \\(UTC\\+02:00\\)\\?`));
    await t.press(preview!, 'Schedule');
    const [queue] = await h.send(messageUpdate(EDITOR, '/queue telegram'), EDITOR.id);
    expect(queue?.text).toMatch(/^Pending on telegram · \d+ deliver(y|ies) · times in Europe\/Berlin/);
    expect(queue?.text).toContain(`telegram · ${p.title} · 1 Jun 09:30 (UTC+02:00) · embargo`);

    // A breaking post held back (no worker runs here) is listed with its mark.
    const b = shortPost('breach');
    const [breaking] = await h.send(messageUpdate(EDITOR, `/post ${b.url} ${b.title} !`), EDITOR.id);
    await t.press(breaking!, 'Publish');
    const [all] = await h.send(messageUpdate(EDITOR, '/queue'), EDITOR.id);
    for (const target of ['telegram', 'twitter', 'instagram']) expect(all?.text).toContain(`🔴 ${target} · ${b.title} · now · queued · breaking`);
    expect(all?.text).toContain(`twitter · ${p.title} · 1 Jun 09:30 (UTC+02:00) · embargo`);

    const [unknown] = await h.send(messageUpdate(EDITOR, '/queue mastodon'), EDITOR.id);
    expect(unknown?.text).toBe('Unknown target mastodon. Targets: telegram, twitter, instagram.');
  });

  it('should cap /queue to one message with "and N more"', async () => {
    // Enough pending posts that their rows cannot all fit in 4096 characters.
    const long = 'x'.repeat(70);
    for (let i = 0; i < 30; i++) await h.app.publish(toArticle({ url: `https://news.example.org/2026/backlog-${i}`, title: `Backlog ${i} ${long}` }));
    const [queue] = await h.send(messageUpdate(EDITOR, '/queue'), EDITOR.id);
    const total = (await h.app.pending()).length;
    const shown = (queue?.text ?? '').split('\n').filter((l) => / · (now|\d{1,2} \w{3} )/.test(l)).length;
    expect([...(queue?.text ?? '')].length).toBeLessThanOrEqual(4096);
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(total);
    expect(queue?.text).toMatch(new RegExp(`… and ${total - shown} more$`));
  });

  it('should publish "/post <link> !" as breaking: said in the preview, and the jobs jump the queue', async () => {
    const p = shortPost('flood');
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} !`), EDITOR.id);
    expect(preview?.text).toMatch(/^Publish this as breaking news\?/);
    expect(preview?.text).toContain('Breaking: goes out ahead of every waiting post');
    // The "!" is not part of the post.
    expect(preview?.text).not.toContain(`${p.title} !`);
    await t.press(preview!, 'Publish');
    const id = /id <code>([^<]+)<\/code>/.exec(String(t.edits(preview!).at(-1)?.params.text))?.[1] as string;
    for (const target of ['telegram', 'twitter', 'instagram']) {
      const job = await h.app.queues.get({ id: target }).getJob(jobId(id));
      expect(job?.data.priority).toBe('breaking');
      // Pushed to the end workers take from: ahead of the backlog queued earlier.
      expect(job?.opts.lifo).toBe(true);
    }
  });

  it('should refuse a time in the past or one it cannot read, clearly, and fetch nothing', async () => {
    const url = `${h.sandbox.site.url}/news/never.html`;
    const [past] = await h.send(messageUpdate(EDITOR, `/post ${url} at 2020-01-01 10:00`), EDITOR.id);
    expect(past?.text).toMatch(/^Wed 1 Jan 2020, 10:00 Europe\/Berlin \(UTC\+01:00\) is in the past \(it is now .+\)\. Give a later time, or leave "at …" out to publish now\.$/);
    const [bad] = await h.send(messageUpdate(EDITOR, `/post ${url} at 7pm`), EDITOR.id);
    expect(bad?.text).toMatch(/^"7pm" is not a time I understand\. Write the time as 18:00/);
    expect(past?.params.reply_markup).toBeUndefined();
    expect(h.sandbox.site.hits.get('/news/never.html')).toBeUndefined();
  });

  it('should list the new forms in /help', async () => {
    const [help] = await h.send(messageUpdate(EDITOR, '/help'), EDITOR.id);
    expect(help?.text).toContain('/post <link> at 18:00 — schedule it');
    expect(help?.text).toContain('/post <link> ! — breaking news');
    expect(help?.text).toContain('/queue [target]');
  });
});

describe('editors bot: scheduled posts going out (workers running)', () => {
  let h: Harness;
  let t: ReturnType<typeof tools>;
  beforeAll(async () => {
    h = await startHarness('sched-out', { timeZone: 'UTC' });
    await h.app.startWorkers();
    t = tools(h);
  });
  afterAll(async () => {
    await h.close();
  });

  const delivered = (id: string, target: string, timeoutMs = 20_000) =>
    eventually(async () => {
      const r = await h.app.ledger.get(id, target);
      return r?.state === 'delivered' ? r : undefined;
    }, timeoutMs, `${target} delivered`);

  it('should hold a post scheduled with /post … at +3s until then, and send it on time (±1 s)', async () => {
    const p = shortPost('pilot');
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at +3s`), EDITOR.id);
    await t.press(preview!, 'Schedule');
    const id = t.idOf(preview!) as string;
    const due = (await t.dueOf(id, 'telegram')) as number;
    expect(due).toBeGreaterThan(Date.now() + 1000);
    // Not early.
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now() - 700)));
    expect(t.posted(p.title)).toHaveLength(0);
    expect((await h.app.ledger.get(id, 'telegram'))?.state).toBe('queued');
    // On time.
    const record = await delivered(id, 'telegram');
    expect(Math.abs(Date.parse(record.deliveredAt as string) - due)).toBeLessThanOrEqual(1000);
    expect(t.posted(p.title)).toHaveLength(1);
  });

  it('should send a scheduled post at once on Send now, and schedule nothing when the same article is scheduled again once out', async () => {
    const p = shortPost('dredger');
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at +1h`), EDITOR.id);
    await t.press(preview!, 'Schedule');
    const id = t.idOf(preview!) as string;
    const now = await t.press(preview!, 'Send now');
    expect(now.answer).toBe('Sending now.');
    expect(now.message.text).toContain('📤 Sending now, asked by @edda_editor');
    for (const target of ['telegram', 'twitter', 'instagram']) await delivered(id, target);
    expect(t.posted(p.title)).toHaveLength(1);

    // Scheduling the same article again once it is out schedules nothing.
    const [again] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at +2h`), EDITOR.id);
    const repeat = await t.press(again!, 'Schedule');
    expect(repeat.answer).toBe('Too late: already sent.');
    expect(repeat.message.text).toContain('Too late: already sent (telegram delivered, twitter delivered, instagram delivered)');
    expect(repeat.message.params.reply_markup).toBeUndefined();
    expect(await t.dueOf(id, 'telegram')).toBeUndefined();
    expect(t.posted(p.title)).toHaveLength(1);
  });

  it('should say "too late" for a button pressed after the scheduled post went out some other way', async () => {
    const p = shortPost('crane');
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at +2h`), EDITOR.id);
    await t.press(preview!, 'Schedule');
    const id = t.idOf(preview!) as string;
    const scheduled = t.current(preview!);
    // Sent meanwhile from elsewhere (crier reschedule --at now on the command line does this).
    await h.app.reschedule(id, Date.now());
    for (const target of ['telegram', 'twitter', 'instagram']) await delivered(id, target);

    const late = await t.press(preview!, '+1 h');
    expect(late.answer).toBe('Too late: already sent.');
    expect(late.message.text).toContain('Too late: already sent (telegram delivered, twitter delivered, instagram delivered)');
    expect(late.message.params.reply_markup).toBeUndefined();
    // The old Unschedule button (on the message before the edit) is spent too.
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(scheduled, 'Unschedule')));
    expect(t.lastAnswer()).toBe('Already done: too late, already sent.');
    expect(t.posted(p.title)).toHaveLength(1);
    expect((await h.app.ledger.get(id, 'telegram'))?.state).toBe('delivered');
  });

  it('should publish a /post … at preview at once on its Send now button', async () => {
    const p = shortPost('lighthouse');
    const [preview] = await h.send(messageUpdate(EDITOR, `/post ${p.url} ${p.title} at +1h`), EDITOR.id);
    const { answer, message } = await t.press(preview!, 'Send now');
    expect(answer).toBe('Queued.');
    expect(message.text).toContain('✅ Queued by @edda_editor');
    const id = /· id (\S+)/.exec(message.text ?? '')?.[1] as string;
    await delivered(id, 'telegram');
    // The Schedule button of that preview is spent.
    await h.bot.handleUpdate(callbackUpdate(EDITOR, preview!, button(preview, 'Schedule')));
    expect(t.lastAnswer()).toBe(`Already queued by @edda_editor (7001).`);
  });
});
