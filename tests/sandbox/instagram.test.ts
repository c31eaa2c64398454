import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPublicKey } from 'node:crypto';
import sharp from 'sharp';
import { IgApiClient, IgCheckpointError, IgLoginBadPasswordError, IgLoginInvalidUserError, IgLoginRequiredError, IgResponseError } from 'instagram-private-api';
import { startInstagramFake, type InstagramFake } from '../../src/sandbox/instagram.js';

let fake: InstagramFake;
let jpeg: Buffer;

/** The SDK pointed at the fake through its one seam: baseUrl passed on every request. */
function client(username = 'quay_daily'): IgApiClient {
  const ig = new IgApiClient();
  ig.state.generateDevice(username);
  const send = ig.request.send.bind(ig.request);
  ig.request.send = ((options: Parameters<typeof send>[0], only?: boolean) => send({ ...options, baseUrl: fake.url }, only)) as typeof send;
  return ig;
}

beforeAll(async () => {
  fake = await startInstagramFake({ username: 'quay_daily', password: 'tide-tables-9' });
  jpeg = await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#225577' } }).jpeg().toBuffer();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => fake.reset());

describe('Instagram private API fake', () => {
  it('should hand out a real RSA key in qe/sync headers', async () => {
    const response = await fetch(`${fake.url}/api/v1/qe/sync/`, { method: 'POST', body: 'signed_body=SIGNATURE.%7B%7D' });
    const key = Buffer.from(response.headers.get('ig-set-password-encryption-pub-key') ?? '', 'base64').toString();
    expect(response.headers.get('ig-set-password-encryption-key-id')).toMatch(/^\d+$/);
    expect(createPublicKey(key).asymmetricKeyType).toBe('rsa');
  });

  it('should log the SDK in by decrypting its password, then accept a photo', async () => {
    const ig = client();
    const user = await ig.account.login('quay_daily', 'tide-tables-9');
    expect(user.username).toBe('quay_daily');
    expect(fake.lastPasswordOk).toBe(true);
    expect(ig.state.authorization).toMatch(/^Bearer IGT:2:/);
    const result = await ig.publish.photo({ file: jpeg, caption: 'Low tide at noon' });
    expect(result.media.code).toBe(fake.posts[0]?.code);
    expect(fake.posts).toEqual([expect.objectContaining({ caption: 'Low tide at noon', width: 1080, height: 1080, jpegBytes: jpeg.length, user: 'quay_daily' })]);
    expect(fake.requests.map((r) => r.path.replace(/\/rupload_igphoto\/.*/, '/rupload_igphoto/…'))).toEqual([
      '/api/v1/qe/sync/',
      '/api/v1/accounts/login/',
      '/rupload_igphoto/…',
      '/api/v1/media/configure/',
    ]);
  });

  it('should refuse a wrong password and an unknown user with the SDK error classes', async () => {
    await expect(client().account.login('quay_daily', 'wrong')).rejects.toBeInstanceOf(IgLoginBadPasswordError);
    await expect(client('someone').account.login('someone', 'tide-tables-9')).rejects.toBeInstanceOf(IgLoginInvalidUserError);
    expect(fake.logins).toBe(0);
  });

  it('should answer each mode with the body the SDK maps to its error class', async () => {
    const ig = client();
    await ig.account.login('quay_daily', 'tide-tables-9');
    fake.mode = 'login_required';
    await expect(ig.publish.photo({ file: jpeg, caption: 'x' })).rejects.toBeInstanceOf(IgLoginRequiredError);
    fake.mode = 'challenge_required';
    await expect(ig.publish.photo({ file: jpeg, caption: 'x' })).rejects.toBeInstanceOf(IgCheckpointError);
    fake.mode = 'feedback_required';
    await expect(ig.publish.photo({ file: jpeg, caption: 'x' })).rejects.toMatchObject({ name: 'IgActionSpamError' });
    fake.mode = 'server_error';
    await expect(ig.publish.photo({ file: jpeg, caption: 'x' })).rejects.toMatchObject({ response: { statusCode: 500 } });
    expect(fake.posts).toHaveLength(0);
  });

  it('should refuse an upload that is not a JPEG and a post with a disallowed aspect ratio', async () => {
    const ig = client();
    await ig.account.login('quay_daily', 'tide-tables-9');
    const png = await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#225577' } }).png().toBuffer();
    await expect(ig.upload.photo({ file: png })).rejects.toBeInstanceOf(IgResponseError);
    const wide = await sharp({ create: { width: 2000, height: 500, channels: 3, background: '#225577' } }).jpeg().toBuffer();
    await expect(ig.publish.photo({ file: wide, caption: 'x' })).rejects.toThrow(/aspect ratio/);
    expect(fake.posts).toHaveLength(0);
  });

  it('should refuse unauthenticated calls and expire sessions on demand', async () => {
    const anonymous = client();
    await expect(anonymous.upload.photo({ file: jpeg })).rejects.toBeInstanceOf(IgLoginRequiredError);
    const ig = client();
    await ig.account.login('quay_daily', 'tide-tables-9');
    fake.revokeSessions();
    await expect(ig.publish.photo({ file: jpeg, caption: 'x' })).rejects.toBeInstanceOf(IgLoginRequiredError);
  });
});
