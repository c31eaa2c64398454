import { afterEach, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake, type TelegramFakeOptions } from '../../src/sandbox/telegram.js';

let fake: TelegramFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: TelegramFakeOptions = {}): Promise<TelegramFake> {
  fake = await startTelegramFake(options);
  return fake;
}

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Bot API results are free-form JSON here
  body: { ok: boolean; result?: any; error_code?: number; description?: string; parameters?: Record<string, number> };
}

async function call(f: TelegramFake, method: string, params: Record<string, unknown> = {}, token = f.token): Promise<Answer> {
  const res = await fetch(`${f.url}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe('Telegram fake: requests', () => {
  it('should answer getMe with the bot', async () => {
    const f = await start({ botUsername: 'newsroom_bot' });
    const answer = await call(f, 'getMe');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, result: { is_bot: true, username: 'newsroom_bot', id: 123456789 } });
  });

  it('should refuse a wrong token with 401 and a malformed path or unknown method with 404', async () => {
    const f = await start();
    expect(await call(f, 'getMe', {}, '1:wrong')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    const res = await fetch(`${f.url}/nonsense`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    expect((await call(f, 'sendTelepathy')).body).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    expect(f.requests).toBe(3);
  });

  it('should accept form-urlencoded and multipart bodies like JSON ones', async () => {
    const f = await start();
    const form = await fetch(`${f.url}/bot${f.token}/sendMessage`, {
      method: 'POST',
      body: new URLSearchParams({ chat_id: '@news_room', text: '<b>form</b>', parse_mode: 'HTML', reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'Go', url: 'https://example.com/a' }]] }) }),
    });
    expect(form.status).toBe(200);
    const data = new FormData();
    data.set('chat_id', '@news_room');
    data.set('caption', '<i>uploaded</i>');
    data.set('parse_mode', 'HTML');
    data.set('photo', new Blob([Buffer.from('fake-jpeg-bytes')], { type: 'image/jpeg' }), 'photo.jpg');
    const multipart = await fetch(`${f.url}/bot${f.token}/sendPhoto`, { method: 'POST', body: data });
    expect(multipart.status).toBe(200);
    expect(f.sent.map((s) => [s.method, s.chatId, s.text ?? s.caption, s.photo])).toEqual([
      ['sendMessage', '@news_room', 'form', undefined],
      ['sendPhoto', '@news_room', 'uploaded', 'upload:photo.jpg'],
    ]);
    expect(f.sent[0]?.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Go', url: 'https://example.com/a' }]] });
    expect(f.sent.map((s) => s.message_id)).toEqual([1, 2]);
  });

  it('should hold each answer for latencyMs after handling the request', async () => {
    const f = await start({ latencyMs: 500 });
    let answered = false;
    const pending = call(f, 'sendMessage', { chat_id: '@news_room', text: 'held' }).then((answer) => {
      answered = true;
      return answer;
    });
    // On record at once, answered only after the latency: without it, the answer would be back within these 100 ms.
    while (f.sent.length === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    expect((await pending).body).toMatchObject({ ok: true, result: { text: 'held' } });
    // A refusal is held too, and still says what is wrong.
    let refused = false;
    const refusal = call(f, 'sendMessage', { chat_id: '@news_room', text: '' }).then((answer) => {
      refused = true;
      return answer;
    });
    while (f.requests < 2) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 100));
    expect(refused).toBe(false);
    expect((await refusal).body).toMatchObject({ ok: false, error_code: 400 });
  });
});

describe('Telegram fake: what Telegram rejects', () => {
  it('should reject HTML Telegram cannot parse and record nothing', async () => {
    const f = await start();
    const answer = await call(f, 'sendMessage', { chat_id: '@news_room', text: '<p>para</p>', parse_mode: 'HTML' });
    expect(answer).toEqual({ status: 400, body: { ok: false, error_code: 400, description: `Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0` } });
    expect(f.sent).toEqual([]);
  });

  it('should count message length in code points after entity parsing', async () => {
    const f = await start({ globalPerSecond: 0, perChatPerMinute: 0 });
    const emoji = '😀'.repeat(4096); // 8192 UTF-16 units, 4096 code points
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: emoji })).status).toBe(200);
    const tagged = `<b>${'a'.repeat(4000)}</b>&amp;${'b'.repeat(95)}`; // 4096 visible
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: tagged, parse_mode: 'HTML' })).status).toBe(200);
    const tooLong = await call(f, 'sendMessage', { chat_id: '@news_room', text: `${emoji}x` });
    expect(tooLong.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: message is too long' });
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: ' \n ' })).body.description).toBe('Bad Request: message text is empty');
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: '<b></b>', parse_mode: 'HTML' })).body.description).toBe('Bad Request: message text is empty');
  });

  it('should limit captions to 1024 code points', async () => {
    const f = await start();
    const photo = 'https://example.com/p.jpg';
    expect((await call(f, 'sendPhoto', { chat_id: '@news_room', photo, caption: 'é'.repeat(1024) })).status).toBe(200);
    expect((await call(f, 'sendPhoto', { chat_id: '@news_room', photo, caption: 'é'.repeat(1025) })).body.description).toBe('Bad Request: message caption is too long');
  });

  it('should check photos and inline buttons', async () => {
    const f = await start({ fetchablePhoto: (url) => !url.includes('blocked') });
    expect((await call(f, 'sendPhoto', { chat_id: '@news_room', photo: 'https://blocked.example/p.jpg' })).body.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    expect((await call(f, 'sendPhoto', { chat_id: '@news_room', photo: 'NoSuchFileId' })).body.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    const first = await call(f, 'sendPhoto', { chat_id: '@news_room', photo: 'https://example.com/p.jpg' });
    const fileId = first.body.result.photo[1].file_id as string;
    expect((await call(f, 'sendPhoto', { chat_id: '@news_room', photo: fileId })).status).toBe(200);
    const button = { inline_keyboard: [[{ text: 'Read', url: 'javascript:alert(1)' }]] };
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'x', reply_markup: button })).body.description).toBe('Bad Request: BUTTON_URL_INVALID');
  });

  it('should answer for chats the bot cannot post in', async () => {
    const f = await start({
      knownChats: [
        { id: -1001, username: 'outside', forbidden: 'not_member' },
        { id: -1002, forbidden: 'no_rights' },
        { id: 42, forbidden: 'blocked' },
        { id: -555, type: 'group', migrateTo: -1009 },
      ],
    });
    const send = async (chat_id: string | number) => (await call(f, 'sendMessage', { chat_id, text: 'hi' })).body;
    expect(await send('@unknown_chan')).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    expect(await send('@outside')).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot is not a member of the channel chat' });
    expect((await send(-1002)).description).toBe('Bad Request: need administrator rights in the channel chat');
    expect(await send(42)).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await send(-555)).toEqual({ ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: -1009 } });
    expect((await call(f, 'sendMessage', { chat_id: -1009, text: 'hi' })).status).toBe(200);
    expect(f.sent.map((s) => s.chat)).toEqual([-1009]);
  });
});

describe('Telegram fake: rate limits', () => {
  it('should answer 429 with retry_after once a chat passes its per-minute limit, and let it send after the window', async () => {
    let now = 1_000_000;
    const f = await start({ perChatPerMinute: 3, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: `n${i}` })).status).toBe(200);
      now += 10_000;
    }
    const limited = await call(f, 'sendMessage', { chat_id: '@news_room', text: 'n3' });
    // The first send leaves the 60 s window 30 s from now.
    expect(limited).toEqual({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 30', parameters: { retry_after: 30 } } });
    expect((await call(f, 'sendMessage', { chat_id: '@other_room', text: 'other chat' })).status).toBe(200);
    now += 30_001;
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'n3' })).status).toBe(200);
    expect(f.rateLimited).toBe(1);
    expect(f.sent.map((s) => s.text)).toEqual(['n0', 'n1', 'n2', 'other chat', 'n3']);
  });

  it('should use the configured window lengths', async () => {
    let now = 0;
    const f = await start({ perChatPerMinute: 2, perChatWindowMs: 500, now: () => now });
    await call(f, 'sendMessage', { chat_id: '@news_room', text: 'a' });
    await call(f, 'sendMessage', { chat_id: '@news_room', text: 'b' });
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'c' })).body.parameters).toEqual({ retry_after: 1 });
    now = 501;
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'c' })).status).toBe(200);
  });

  it('should enforce the global per-token budget across chats', async () => {
    const now = 5_000;
    const f = await start({ globalPerSecond: 2, now: () => now });
    expect((await call(f, 'sendMessage', { chat_id: '@room_one', text: 'a' })).status).toBe(200);
    expect((await call(f, 'sendMessage', { chat_id: '@room_two', text: 'b' })).status).toBe(200);
    const third = await call(f, 'sendMessage', { chat_id: '@room_three', text: 'c' });
    expect(third.body.parameters).toEqual({ retry_after: 1 });
    expect(f.rateLimited).toBe(1);
  });
});

describe('Telegram fake: updates, edits, faults, reset', () => {
  it('should serve pushed updates through getUpdates and honour offset', async () => {
    const f = await start();
    const first = f.pushUpdate({ message: { message_id: 1, text: '/help' } });
    f.pushUpdate({ message: { message_id: 2, text: '/status' } });
    const all = await call(f, 'getUpdates', { offset: 0 });
    expect(all.body.result.map((u: { update_id: number }) => u.update_id)).toEqual([first, first + 1]);
    const rest = await call(f, 'getUpdates', { offset: first + 1 });
    expect(rest.body.result).toEqual([{ update_id: first + 1, message: { message_id: 2, text: '/status' } }]);
    const waiting = call(f, 'getUpdates', { offset: first + 2, timeout: 30 });
    setTimeout(() => f.pushUpdate({ callback_query: { id: 'q1', data: 'publish' } }), 20);
    expect((await waiting).body.result).toEqual([{ update_id: first + 2, callback_query: { id: 'q1', data: 'publish' } }]);
  });

  it('should refuse getUpdates while a webhook is set', async () => {
    const f = await start();
    expect((await call(f, 'setWebhook', { url: 'http://insecure.example/hook' })).body.description).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    expect((await call(f, 'setWebhook', { url: 'https://bot.example/hook', secret_token: 's3cret_token' })).body.result).toBe(true);
    expect(f.webhook).toEqual({ url: 'https://bot.example/hook', secret_token: 's3cret_token' });
    expect((await call(f, 'getUpdates')).body.error_code).toBe(409);
    await call(f, 'deleteWebhook');
    expect((await call(f, 'getUpdates')).body.ok).toBe(true);
  });

  it('should edit a message the bot sent and refuse a no-op edit', async () => {
    const f = await start();
    const sent = await call(f, 'sendMessage', { chat_id: 7, text: 'Preview', reply_markup: { inline_keyboard: [[{ text: 'Publish', callback_data: 'pub:1' }]] } });
    const id = sent.body.result.message_id as number;
    const edited = await call(f, 'editMessageText', { chat_id: 7, message_id: id, text: '<b>Published</b>', parse_mode: 'HTML' });
    expect(edited.body.result).toMatchObject({ message_id: id, text: 'Published', entities: [{ type: 'bold', offset: 0, length: 9 }] });
    expect(edited.body.result.reply_markup).toBeUndefined();
    const again = await call(f, 'editMessageText', { chat_id: 7, message_id: id, text: 'Published' });
    expect(again.body.description).toMatch(/^Bad Request: message is not modified/);
    expect((await call(f, 'editMessageReplyMarkup', { chat_id: 7, message_id: 999 })).body.description).toBe('Bad Request: message to edit not found');
  });

  it('should validate and store bot commands', async () => {
    const f = await start();
    expect((await call(f, 'setMyCommands', { commands: [{ command: 'Post', description: 'x' }] })).body.description).toBe('Bad Request: BOT_COMMAND_INVALID');
    await call(f, 'setMyCommands', { commands: [{ command: 'post', description: 'Publish an article' }] });
    expect(f.commands).toEqual([{ command: 'post', description: 'Publish an article' }]);
  });

  it('should serve scripted faults before anything else, count 429s, and forget everything on reset', async () => {
    const f = await start();
    f.faults.push({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    f.faults.push({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } });
    expect((await call(f, 'getMe', {}, 'wrong:token')).status).toBe(500);
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'x' })).body.parameters).toEqual({ retry_after: 7 });
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'x' })).status).toBe(200);
    expect([f.requests, f.rateLimited, f.sent.length]).toEqual([3, 1, 1]);
    f.reset();
    expect([f.requests, f.rateLimited, f.sent.length, f.calls.length]).toEqual([0, 0, 0, 0]);
    expect((await call(f, 'sendMessage', { chat_id: '@news_room', text: 'y' })).body.result.message_id).toBe(1);
  });
});
