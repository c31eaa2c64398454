import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { mapGraphError } from '../../adapters/instagram/map-error.js';
import { PermanentError } from '../../adapters/errors.js';
import { listen, type RunningServer } from '../../src/sandbox/http.js';
import { startInstagramGraphFake, type InstagramGraphFake } from '../../src/sandbox/instagram-graph.js';

let fake: InstagramGraphFake;
let images: RunningServer;
const files = new Map<string, Buffer>();

async function post(path: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.url}/v23.0/${path}`, { method: 'POST', body: new URLSearchParams({ access_token: fake.accessToken, ...fields }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function get(path: string, query: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.url}/v23.0/${path}?${new URLSearchParams({ access_token: fake.accessToken, ...query })}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const container = (image: string, caption = 'A caption') => post(`${fake.userId}/media`, { image_url: `${images.url}${image}`, caption });

beforeAll(async () => {
  fake = await startInstagramGraphFake({ pollsUntilFinished: 1 });
  const jpeg = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#446688' } }).jpeg().toBuffer();
  files.set('/ok.jpg', await jpeg(1080, 1080));
  files.set('/wide.jpg', await jpeg(3000, 1000));
  files.set('/tall.jpg', await jpeg(600, 1200));
  files.set('/photo.png', await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#446688' } }).png().toBuffer());
  images = await listen((req, res) => {
    const body = files.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200).end(body);
  });
});

afterAll(async () => {
  await fake.close();
  await images.close();
});

beforeEach(() => fake.reset());

describe('Instagram Graph API fake', () => {
  it('should refuse an image outside 4:5..1.91:1 with Meta\'s error body', async () => {
    for (const image of ['/wide.jpg', '/tall.jpg']) {
      const { status, body } = await container(image);
      expect(status).toBe(400);
      const error = body.error as Record<string, unknown>;
      expect(error).toMatchObject({ type: 'OAuthException', code: 36003, error_subcode: 2207009, is_transient: false });
      expect(typeof error.message).toBe('string');
      expect(typeof error.fbtrace_id).toBe('string');
      expect(mapGraphError(status, body)).toBeInstanceOf(PermanentError);
    }
    expect(fake.downloads.map((d) => d.status)).toEqual([200, 200]);
  });

  it('should refuse non-JPEG images, unreachable URLs, long captions and more than 30 hashtags', async () => {
    expect(((await container('/photo.png')).body.error as { code: number }).code).toBe(9004);
    expect(((await container('/missing.jpg')).body.error as { error_subcode: number }).error_subcode).toBe(2207052);
    expect(((await container('/ok.jpg', 'x'.repeat(2201))).body.error as { error_subcode: number }).error_subcode).toBe(2207010);
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    expect(((await container('/ok.jpg', tags)).body.error as { code: number }).code).toBe(36004);
    expect((await container('/ok.jpg', 'é'.repeat(2200))).status).toBe(200);
  });

  it('should only publish a finished container, once, and count it against the quota', async () => {
    const id = String((await container('/ok.jpg')).body.id);
    const early = await post(`${fake.userId}/media_publish`, { creation_id: id });
    expect(early.body.error).toMatchObject({ code: 9007, error_subcode: 2207027 });
    expect((await get(id, { fields: 'status_code' })).body.status_code).toBe('IN_PROGRESS');
    expect((await get(id, { fields: 'status_code' })).body.status_code).toBe('FINISHED');
    const published = await post(`${fake.userId}/media_publish`, { creation_id: id });
    expect(published.status).toBe(200);
    expect((await post(`${fake.userId}/media_publish`, { creation_id: id })).status).toBe(400);
    expect((await get(id, { fields: 'status_code' })).body.status_code).toBe('PUBLISHED');
    const limit = await get(`${fake.userId}/content_publishing_limit`, { fields: 'quota_usage,config' });
    expect(limit.body.data).toEqual([{ quota_usage: 1, config: { quota_total: 50, quota_duration: 86400 } }]);
    expect(fake.published).toHaveLength(1);
    expect((await get(String(published.body.id), { fields: 'permalink' })).body.permalink).toBe(fake.published[0]?.permalink);
  });

  it('should refuse publishing past the daily quota and a wrong token', async () => {
    fake.quotaTotal = 0;
    const id = String((await container('/ok.jpg')).body.id);
    await get(id);
    expect((await post(`${fake.userId}/media_publish`, { creation_id: id })).body.error).toMatchObject({ code: 9, error_subcode: 2207042 });
    fake.quotaTotal = 50;
    const response = await fetch(`${fake.url}/${fake.userId}/content_publishing_limit?access_token=wrong`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(190);
  });

  it('should answer scripted faults first', async () => {
    fake.faults.push({ status: 503, body: { error: { message: 'busy', code: 2, is_transient: true } } });
    expect((await get(`${fake.userId}/content_publishing_limit`)).status).toBe(503);
    expect((await get(`${fake.userId}/content_publishing_limit`)).status).toBe(200);
  });
});
