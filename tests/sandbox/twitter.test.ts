import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTwitterFake, type TwitterFake } from '../../src/sandbox/twitter.js';

const AUTH = 'OAuth oauth_consumer_key="app-key", oauth_nonce="abc", oauth_signature="c2ln", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="1-user-token", oauth_version="1.0"';
const START = Date.UTC(2026, 2, 3, 9, 0, 0);

let fake: TwitterFake;
let now = START;

beforeAll(async () => {
  fake = await startTwitterFake({ per15min: 3, per24h: 5, userId: '42', now: () => now });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  now = START;
});

async function call(method: string, path: string, body?: unknown, auth: string | undefined = AUTH) {
  const headers: Record<string, string> = {};
  if (auth !== undefined) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(fake.url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
const tweet = (body: unknown, auth?: string) => call('POST', '/2/tweets', body, auth);

describe('X API fake', () => {
  it('should refuse requests without OAuth 1.0a authorization', async () => {
    const res = await call('POST', '/2/tweets', { text: 'hi' }, 'Bearer abc');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    expect(fake.tweets).toHaveLength(0);
  });

  it('should create a tweet and answer like X, with the rate-limit headers', async () => {
    const res = await tweet({ text: 'Ferry & bikes https://news.example.com/a' });
    expect(res.status).toBe(201);
    const data = res.body.data as { id: string; text: string; edit_history_tweet_ids: string[] };
    expect(data.edit_history_tweet_ids).toEqual([data.id]);
    expect(data.text).toMatch(/^Ferry &amp; bikes https:\/\/t\.co\/[A-Za-z0-9]{10}$/);
    expect(fake.tweets).toEqual([{ id: data.id, text: 'Ferry & bikes https://news.example.com/a', authorId: '42', mediaIds: [], createdAt: new Date(START).toISOString() }]);
    expect(res.headers.get('x-rate-limit-limit')).toBe('3');
    expect(res.headers.get('x-rate-limit-remaining')).toBe('2');
    expect(res.headers.get('x-rate-limit-reset')).toBe(String((START + 15 * 60_000) / 1000));
    expect(res.headers.get('x-user-limit-24hour-remaining')).toBe('4');
  });

  it('should reject text twitter-text finds invalid with the invalid-request body', async () => {
    const res = await tweet({ text: 'a'.repeat(281) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    });
    expect((res.body.errors as Array<{ message: string }>)[0]?.message).toMatch(/^Your Tweet text is too long\./);
    expect((await tweet({ text: '東'.repeat(141) })).status).toBe(400);
    expect((await tweet({ text: 'bad \u202E text' })).status).toBe(400);
    expect(fake.tweets).toHaveLength(0);
  });

  it('should accept 280 weighted characters with URLs counted as 23', async () => {
    expect((await tweet({ text: '東'.repeat(140) })).status).toBe(201);
    expect((await tweet({ text: `${'a'.repeat(256)} https://news.example.com/${'p'.repeat(100)}` })).status).toBe(201);
  });

  it('should refuse duplicate text from the same account with 403', async () => {
    await tweet({ text: 'Same words' });
    const res = await tweet({ text: 'Same words' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 });
    const other = AUTH.replace('1-user-token', '2-other-token');
    expect((await tweet({ text: 'Same words' }, other)).status).toBe(201);
  });

  it('should thread replies and refuse an unknown reply id with 400', async () => {
    const first = (await tweet({ text: 'Thread start' })).body.data as { id: string };
    expect((await tweet({ text: 'Reply', reply: { in_reply_to_tweet_id: first.id } })).status).toBe(201);
    expect(fake.tweets[1]?.replyTo).toBe(first.id);
    expect((await tweet({ text: 'Orphan', reply: { in_reply_to_tweet_id: '999' } })).status).toBe(400);
  });

  it('should enforce the 15-minute window with the real 429 body, and reset with the clock', async () => {
    for (let i = 0; i < 3; i++) expect((await tweet({ text: `post ${i}` })).status).toBe(201);
    const limited = await tweet({ text: 'one too many' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 });
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(fake.rateLimited).toBe(1);
    now += 15 * 60_000;
    expect((await tweet({ text: 'next window' })).status).toBe(201);
  });

  it('should enforce the 24-hour cap with x-user-limit-24hour headers', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await tweet({ text: `day post ${i}` })).status).toBe(201);
      now += 20 * 60_000;
    }
    const limited = await tweet({ text: 'over the daily cap' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-user-limit-24hour-remaining')).toBe('0');
    expect(limited.headers.get('x-user-limit-24hour-reset')).toBe(String((START + 24 * 3600_000) / 1000));
    expect(limited.headers.get('x-rate-limit-remaining')).not.toBe('0');
  });

  it('should take a chunked media upload with alt text and attach it', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00ff00' } }).png().toBuffer();
    const init = await call('POST', '/2/media/upload/initialize', { media_type: 'image/png', total_bytes: png.length, media_category: 'tweet_image' });
    const id = (init.body.data as { id: string }).id;
    const boundary = 'xyzBOUNDARY';
    const form = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="segment_index"\r\n\r\n0\r\n--${boundary}\r\nContent-Disposition: form-data; name="media"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const append = await fetch(`${fake.url}/2/media/upload/${id}/append`, { method: 'POST', headers: { authorization: AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form });
    expect(append.status).toBe(200);
    const fin = await call('POST', `/2/media/upload/${id}/finalize`);
    expect(fin.body).toEqual({ data: { id, media_key: `3_${id}`, size: png.length, expires_after_secs: 86400 } });
    const meta = await call('POST', '/2/media/metadata', { id, metadata: { alt_text: { text: 'A green square' } } });
    expect(meta.body).toEqual({ data: { id, associated_metadata: { alt_text: { text: 'A green square' } } } });
    expect((await tweet({ text: 'With a picture', media: { media_ids: [id] } })).status).toBe(201);
    expect(fake.media[0]).toMatchObject({ id, mime: 'image/png', alt: 'A green square', finalized: true });
    expect(fake.media[0]?.bytes.equals(png)).toBe(true);
    expect(fake.tweets[0]?.mediaIds).toEqual([id]);
    expect((await tweet({ text: 'Bad media', media: { media_ids: ['123'] } })).status).toBe(400);
  });

  it('should refuse an upload whose bytes are not the declared image type', async () => {
    const init = await call('POST', '/2/media/upload/initialize', { media_type: 'image/jpeg', total_bytes: 4 });
    const id = (init.body.data as { id: string }).id;
    const form = `--b\r\nContent-Disposition: form-data; name="segment_index"\r\n\r\n0\r\n--b\r\nContent-Disposition: form-data; name="media"\r\n\r\nnope\r\n--b--\r\n`;
    await fetch(`${fake.url}/2/media/upload/${id}/append`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'multipart/form-data; boundary=b' }, body: form });
    expect((await call('POST', `/2/media/upload/${id}/finalize`)).status).toBe(400);
    expect((await call('POST', '/2/media/upload/initialize', { media_type: 'image/png', total_bytes: 6 * 1024 * 1024 })).status).toBe(400);
  });

  it('should list the account tweets newest first and say who the user is', async () => {
    await tweet({ text: 'older' });
    await tweet({ text: 'newer' });
    expect((await call('GET', '/2/users/me')).body).toMatchObject({ data: { id: '42' } });
    const timeline = await call('GET', '/2/users/42/tweets?max_results=5');
    expect((timeline.body.data as Array<{ text: string }>).map((t) => t.text)).toEqual(['newer', 'older']);
    expect(timeline.body.meta).toMatchObject({ result_count: 2 });
    expect((await call('GET', '/2/users/7/tweets')).body).toEqual({ meta: { result_count: 0 } });
  });

  it('should answer scripted faults before anything else', async () => {
    fake.faults.push({ status: 503, body: { title: 'Service Unavailable' } });
    expect((await tweet({ text: 'x' }, 'nothing')).status).toBe(503);
    expect((await tweet({ text: 'x' })).status).toBe(201);
  });
});
