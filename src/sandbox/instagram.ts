import { createDecipheriv, generateKeyPairSync, privateDecrypt, constants as cryptoConstants, randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jpegInfo } from '../media/jpeg-info.js';
import { FaultPlan, listen, readBody, sendJson } from './http.js';

/**
 * A loopback Instagram private API, faithful to what instagram-private-api 1.46 sends and
 * expects: `qe/sync` hands out the password-encryption key (a real RSA key, so the
 * password the SDK encrypts is decrypted and checked), `accounts/login` answers with
 * `ig-set-authorization`, `rupload_igphoto` takes the JPEG, `media/configure` publishes it,
 * `feed/user/<pk>` lists the account's posts newest first (what a reconcile looks at).
 * Error modes answer with the bodies Instagram sends, which the SDK turns into its error
 * classes (IgLoginRequiredError, IgCheckpointError, IgActionSpamError, IgLoginBadPasswordError…).
 */

export type InstagramFakeMode = 'ok' | 'login_required' | 'challenge_required' | 'feedback_required' | 'bad_password' | 'server_error';

export interface InstagramFakeOptions {
  port?: number;
  username?: string;
  password?: string;
}

export interface InstagramFakePost {
  caption: string;
  jpegBytes: number;
  width: number;
  height: number;
  user: string;
  pk: string;
  code: string;
  /** When it was posted, epoch seconds (the feed's `taken_at`). */
  takenAt: number;
  /** Set once deleted: gone from the feed. */
  deleted?: boolean;
  /** Captions it had before edits, oldest first. */
  edits?: string[];
}

const CAPTION_LIMIT = 2200;
/** Posts per page of a user feed. */
const FEED_PAGE = 18;
const KEY_ID = 41;

const BODIES = {
  loginRequired: { message: 'login_required', error_title: "You've Been Logged Out", error_body: 'Please log back in.', logout_reason: 2, status: 'fail' },
  challenge: {
    message: 'challenge_required',
    challenge: { url: 'https://i.instagram.com/challenge/1234567890/AbCdEf/', api_path: '/challenge/1234567890/AbCdEf/', hide_webview_header: true, lock: true, logout: false, native_flow: true },
    status: 'fail',
    error_type: 'checkpoint_challenge_required',
  },
  feedback: {
    message: 'feedback_required',
    spam: true,
    feedback_title: 'Try Again Later',
    feedback_message: 'We restrict certain activity to protect our community. Tell us if you think we made a mistake.',
    feedback_url: 'repute/report_problem/scraping/',
    feedback_appeal_label: 'Tell us',
    status: 'fail',
  },
  badPassword: (user: string) => ({
    message: 'The password you entered is incorrect. Please try again.',
    invalid_credentials: true,
    error_title: `Incorrect Password for ${user}`,
    status: 'fail',
    error_type: 'bad_password',
  }),
  invalidUser: {
    message: "The username you entered doesn't appear to belong to an account. Please check your username and try again.",
    invalid_credentials: true,
    error_title: 'Incorrect Username',
    status: 'fail',
    error_type: 'invalid_user',
  },
};

/** Undo the SDK's `#PWD_INSTAGRAM:4:<time>:<base64>` (RSA-wrapped AES-256-GCM key, time as AAD). */
function decryptPassword(encPassword: string, key: KeyObject): string | undefined {
  const match = /^#PWD_INSTAGRAM:4:(\d+):(.+)$/.exec(encPassword);
  if (match === null) return undefined;
  try {
    const buf = Buffer.from(match[2] as string, 'base64');
    const iv = buf.subarray(2, 14);
    const size = buf.readInt16LE(14);
    const wrapped = buf.subarray(16, 16 + size);
    const tag = buf.subarray(16 + size, 32 + size);
    const data = buf.subarray(32 + size);
    // Node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809): unpad by hand.
    const block = privateDecrypt({ key, padding: cryptoConstants.RSA_NO_PADDING }, wrapped);
    const zero = block.indexOf(0, 2);
    if (block[0] !== 0 || block[1] !== 2 || zero < 10) return undefined;
    const aesKey = block.subarray(zero + 1);
    const decipher = createDecipheriv('aes-256-gcm', aesKey, iv);
    decipher.setAAD(Buffer.from(match[1] as string));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The JSON inside a signed form body (`signed_body=<hmac>.<json>`), or the plain form fields. */
function formFields(raw: Buffer): Record<string, unknown> {
  const form = new URLSearchParams(raw.toString('utf8'));
  const signed = form.get('signed_body');
  if (signed !== null) {
    try {
      return JSON.parse(signed.slice(signed.indexOf('.') + 1)) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(form.entries());
}

const SHORTCODE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const shortcode = (n: number) => 'C' + [...Array(10)].map((_, i) => SHORTCODE[(n * 7919 + i * 104729) % 64]).join('');

export async function startInstagramFake(options: InstagramFakeOptions = {}) {
  const username = options.username ?? 'crier_sandbox';
  const password = options.password ?? 'sandbox-password-1';
  // The password-encryption key pair (Instagram rotates it; rotatePasswordKey does too).
  let keyId = KEY_ID;
  const newKey = () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  };
  let { privateKey, publicPem } = newKey();
  const userPk = '17841400000000001';
  const sessions = new Set<string>();
  const uploads = new Map<string, Buffer>();
  let mediaCounter = 0;

  const state = {
    faults: new FaultPlan(),
    mode: 'ok' as InstagramFakeMode,
    posts: [] as InstagramFakePost[],
    logins: 0,
    /** Every request: method and path. */
    requests: [] as Array<{ method: string; path: string }>,
    /** Whether the last login's password was decrypted and matched. */
    lastPasswordOk: false,
  };

  const fail = (res: ServerResponse, status: number, body: unknown) => sendJson(res, status, body);

  function authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer IGT:2:')) return false;
    try {
      const token = JSON.parse(Buffer.from(header.slice('Bearer IGT:2:'.length), 'base64').toString('utf8')) as { sessionid?: string };
      return typeof token.sessionid === 'string' && sessions.has(token.sessionid);
    } catch {
      return false;
    }
  }

  /** Checks every authenticated endpoint shares; true when it already answered. */
  function refuse(req: IncomingMessage, res: ServerResponse): boolean {
    if (state.mode === 'challenge_required') fail(res, 400, BODIES.challenge);
    else if (state.mode === 'login_required' || !authorized(req)) fail(res, 403, BODIES.loginRequired);
    else return false;
    return true;
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fields = formFields(await readBody(req));
    if (state.mode === 'challenge_required') return fail(res, 400, BODIES.challenge);
    if (fields.username !== username) return fail(res, 400, BODIES.invalidUser);
    const given = decryptPassword(String(fields.enc_password ?? ''), privateKey);
    state.lastPasswordOk = given === password;
    if (state.mode === 'bad_password' || given !== password) return fail(res, 400, BODIES.badPassword(username));
    state.logins++;
    const sessionid = randomBytes(16).toString('hex');
    sessions.add(sessionid);
    const token = Buffer.from(JSON.stringify({ ds_user_id: userPk, sessionid, should_use_header_over_cookies: true })).toString('base64');
    sendJson(
      res,
      200,
      { logged_in_user: { pk: Number(userPk), pk_id: userPk, username, full_name: 'crier sandbox', is_private: false, is_verified: false, profile_pic_url: '' }, status: 'ok' },
      { 'ig-set-authorization': `Bearer IGT:2:${token}`, 'ig-set-ig-u-ds-user-id': userPk, 'x-ig-set-www-claim': 'hmac.sandbox' },
    );
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (refuse(req, res)) return;
    let uploadId: string;
    try {
      uploadId = String((JSON.parse(String(req.headers['x-instagram-rupload-params'] ?? '{}')) as { upload_id?: unknown }).upload_id ?? '');
    } catch {
      uploadId = '';
    }
    if (uploadId === '') return fail(res, 400, { message: 'missing upload_id', status: 'fail' });
    if (jpegInfo(body) === undefined) return fail(res, 400, { message: 'Uploaded image is not a JPEG', status: 'fail', error_type: 'ProcessingFailedError' });
    uploads.set(uploadId, body);
    sendJson(res, 200, { upload_id: uploadId, xsharing_nonces: {}, status: 'ok' });
  }

  async function configure(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fields = formFields(await readBody(req));
    if (refuse(req, res)) return;
    if (state.mode === 'feedback_required') return fail(res, 400, BODIES.feedback);
    const jpeg = uploads.get(String(fields.upload_id ?? ''));
    if (jpeg === undefined) return fail(res, 400, { message: 'media_needs_reupload', status: 'fail' });
    const info = jpegInfo(jpeg);
    const caption = String(fields.caption ?? '');
    if (info === undefined) return fail(res, 400, { message: 'Uploaded image is not a JPEG', status: 'fail' });
    const aspect = info.width / info.height;
    if (aspect < 0.8 || aspect > 1.91) return fail(res, 400, { message: "Uploaded image isn't in an allowed aspect ratio", status: 'fail' });
    if ([...caption].length > CAPTION_LIMIT) return fail(res, 400, { message: 'The caption is too long.', status: 'fail' });
    if ((caption.match(/#[\p{L}\p{N}_]/gu) ?? []).length > 30) return fail(res, 400, { message: 'Too many hashtags.', status: 'fail' });
    mediaCounter++;
    const pk = String(3_100_000_000_000_000 + mediaCounter);
    const code = shortcode(mediaCounter);
    uploads.delete(String(fields.upload_id));
    state.posts.push({ caption, jpegBytes: jpeg.length, width: info.width, height: info.height, user: username, pk, code, takenAt: Math.floor(Date.now() / 1000) });
    sendJson(res, 200, {
      media: {
        pk: Number(pk),
        id: `${pk}_${userPk}`,
        code,
        media_type: 1,
        caption: { text: caption },
        image_versions2: { candidates: [{ width: info.width, height: info.height, url: `https://scontent.cdninstagram.com/${code}.jpg` }] },
        user: { pk: Number(userPk), username },
      },
      upload_id: fields.upload_id,
      status: 'ok',
    });
  }

  /** GET /api/v1/feed/user/<pk>/: the account's posts, newest first, FEED_PAGE a page, `max_id` pages on. */
  function userFeed(req: IncomingMessage, res: ServerResponse, pk: string): void {
    if (refuse(req, res)) return;
    if (pk !== userPk) return fail(res, 404, { message: 'User not found', status: 'fail' });
    const start = Number(new URL(req.url ?? '/', 'http://fake.invalid').searchParams.get('max_id') ?? '0') || 0;
    const newest = state.posts.filter((p) => p.deleted !== true).reverse();
    const page = newest.slice(start, start + FEED_PAGE);
    const more = start + FEED_PAGE < newest.length;
    sendJson(res, 200, {
      items: page.map((p) => ({
        pk: Number(p.pk),
        id: `${p.pk}_${userPk}`,
        code: p.code,
        media_type: 1,
        taken_at: p.takenAt,
        caption: { text: p.caption },
        user: { pk: Number(userPk), username },
      })),
      num_results: page.length,
      more_available: more,
      ...(more ? { next_max_id: String(start + FEED_PAGE) } : {}),
      status: 'ok',
    });
  }

  /** The account's own post a media id (`<pk>_<user pk>` or `<pk>`) names, if it still stands. */
  function ownPost(mediaId: string): InstagramFakePost | undefined {
    const [pk, owner] = mediaId.split('_');
    if (owner !== undefined && owner !== userPk) return undefined;
    return state.posts.find((p) => p.pk === pk && p.deleted !== true);
  }

  /** POST /api/v1/media/<id>/edit_media/: a new caption (checked as configure checks it). */
  async function editMedia(req: IncomingMessage, res: ServerResponse, mediaId: string): Promise<void> {
    const fields = formFields(await readBody(req));
    if (refuse(req, res)) return;
    const post = ownPost(mediaId);
    if (post === undefined) return fail(res, 404, { message: 'Media not found or unavailable', status: 'fail' });
    const caption = String(fields.caption_text ?? '');
    if ([...caption].length > CAPTION_LIMIT) return fail(res, 400, { message: 'The caption is too long.', status: 'fail' });
    if ((caption.match(/#[\p{L}\p{N}_]/gu) ?? []).length > 30) return fail(res, 400, { message: 'Too many hashtags.', status: 'fail' });
    (post.edits ??= []).push(post.caption);
    post.caption = caption;
    sendJson(res, 200, { media: { pk: Number(post.pk), id: `${post.pk}_${userPk}`, code: post.code, media_type: 1, caption: { text: caption }, caption_is_edited: true }, status: 'ok' });
  }

  /** POST /api/v1/media/<id>/delete/?media_type=PHOTO. */
  async function deleteMedia(req: IncomingMessage, res: ServerResponse, mediaId: string): Promise<void> {
    await readBody(req);
    if (refuse(req, res)) return;
    const post = ownPost(mediaId);
    if (post === undefined) return fail(res, 404, { message: 'Media not found or unavailable', status: 'fail' });
    post.deleted = true;
    sendJson(res, 200, { did_delete: true, status: 'ok' });
  }

  const server = await listen(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    state.requests.push({ method, path });
    if ((await state.faults.intercept(req, res)) !== undefined) return;
    if (state.mode === 'server_error') {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body>Oops, an error occurred.</body></html>');
      return;
    }
    if (method === 'POST' && path === '/api/v1/qe/sync/') {
      await readBody(req);
      return sendJson(res, 200, { experiments: [], status: 'ok' }, {
        'ig-set-password-encryption-key-id': String(keyId),
        'ig-set-password-encryption-pub-key': Buffer.from(publicPem).toString('base64'),
      });
    }
    if (method === 'POST' && path === '/api/v1/accounts/login/') return login(req, res);
    if (method === 'POST' && path.startsWith('/rupload_igphoto/')) return upload(req, res);
    if (method === 'POST' && path === '/api/v1/media/configure/') return configure(req, res);
    const edit = /^\/api\/v1\/media\/([^/]+)\/edit_media\/$/.exec(path);
    if (method === 'POST' && edit !== null) return editMedia(req, res, edit[1] as string);
    const removal = /^\/api\/v1\/media\/([^/]+)\/delete\/$/.exec(path);
    if (method === 'POST' && removal !== null) return deleteMedia(req, res, removal[1] as string);
    const feed = /^\/api\/v1\/feed\/user\/([^/]+)\/$/.exec(path);
    if (method === 'GET' && feed !== null) return userFeed(req, res, feed[1] as string);
    return fail(res, 404, { message: 'Page not found', status: 'fail' });
  }, options.port ?? 0);

  return Object.assign(state, {
    url: server.url,
    close: () => server.close(),
    /** A new password-encryption key (as Instagram rotates it): passwords encrypted with the old one no longer decrypt. */
    rotatePasswordKey(): void {
      keyId++;
      ({ privateKey, publicPem } = newKey());
    },
    /** Expire every session (as Instagram does): the next authenticated call gets login_required. */
    revokeSessions(): void {
      sessions.clear();
    },
    reset(): void {
      state.faults.clear();
      state.mode = 'ok';
      state.posts.length = 0;
      state.requests.length = 0;
      state.logins = 0;
      state.lastPasswordOk = false;
      sessions.clear();
      uploads.clear();
    },
  });
}

export type InstagramFake = Awaited<ReturnType<typeof startInstagramFake>>;
