import { SANDBOX_CREDENTIALS } from '../src/sandbox/index.js';
import { startInstagramFake } from '../src/sandbox/instagram.js';
import { startSandboxSite } from '../src/sandbox/site.js';
import { startTelegramFake, type TelegramFakeOptions } from '../src/sandbox/telegram.js';
import { startTwitterFake, type TwitterFakeOptions } from '../src/sandbox/twitter.js';

/**
 * The sandbox platforms in a process of their own, so a benchmark's workers do not share
 * a CPU core with the fakes (a real platform runs on other machines too). Started by
 * bench/fakes.ts with the fakes' options as JSON in argv; answers requests over IPC.
 */

export interface FakesHostOptions {
  telegram?: Omit<TelegramFakeOptions, 'token' | 'now' | 'fetchablePhoto'>;
  twitter?: Omit<TwitterFakeOptions, 'now'>;
}

const options = JSON.parse(process.argv[2] ?? '{}') as FakesHostOptions;
const [telegram, twitter, instagram, site] = await Promise.all([
  startTelegramFake({ ...options.telegram, token: SANDBOX_CREDENTIALS.telegramToken }),
  startTwitterFake(options.twitter ?? {}),
  startInstagramFake({ username: SANDBOX_CREDENTIALS.instagram.username, password: SANDBOX_CREDENTIALS.instagram.password }),
  startSandboxSite(),
]);

/** When each accepted Telegram post arrived (ms since the epoch). */
const sendTimes: number[] = [];
const push = telegram.sent.push.bind(telegram.sent);
telegram.sent.push = (...items) => {
  for (let i = 0; i < items.length; i++) sendTimes.push(Date.now());
  return push(...items);
};

function stats(withRecords: boolean) {
  return {
    telegram: {
      sent: telegram.sent.length,
      rateLimited: telegram.rateLimited,
      requests: telegram.requests,
      sendTimes: withRecords ? sendTimes : [],
      titles: withRecords ? telegram.sent.map((m) => (m.caption ?? m.text ?? '').split('\n')[0] ?? '') : [],
    },
    twitter: { tweets: twitter.tweets.length, rateLimited: twitter.rateLimited },
    instagram: { posts: instagram.posts.length, logins: instagram.logins },
  };
}

process.on('message', (raw) => {
  const message = raw as { id: number; cmd: 'stats' | 'reset' | 'stop'; records?: boolean };
  const reply = (body: unknown) => process.send?.({ id: message.id, body });
  switch (message.cmd) {
    case 'stats':
      reply(stats(message.records ?? false));
      break;
    case 'reset':
      telegram.reset();
      twitter.reset();
      instagram.posts.length = 0;
      instagram.requests.length = 0;
      sendTimes.length = 0;
      reply(true);
      break;
    case 'stop':
      void Promise.all([telegram.close(), twitter.close(), instagram.close(), site.close()]).then(() => {
        reply(true);
        process.exit(0);
      });
      break;
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, urls: { telegram: telegram.url, twitter: twitter.url, instagram: instagram.url, site: site.url } });
