import { startSandbox, type SandboxOptions } from '../src/sandbox/index.js';

/**
 * The sandbox platforms in a process of their own, so a benchmark's workers do not share
 * a CPU core with the fakes (a real platform is on other machines too). Started by
 * bench/fakes.ts with the sandbox options as JSON in argv; answers requests over IPC.
 */

const options = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
const sandbox = await startSandbox(options);
const sendTimes: number[] = [];
const push = sandbox.telegram.sent.push.bind(sandbox.telegram.sent);
sandbox.telegram.sent.push = (...items) => {
  for (const _ of items) sendTimes.push(Date.now());
  return push(...items);
};

function stats(withRecords: boolean) {
  const telegramTitles = withRecords ? sandbox.telegram.sent.map((m) => (m.caption ?? m.text ?? '').split('\n')[0] ?? '') : [];
  return {
    telegram: { sent: sandbox.telegram.sent.length, rateLimited: sandbox.telegram.rateLimited, requests: sandbox.telegram.requests, sendTimes: withRecords ? sendTimes : [], titles: telegramTitles },
    twitter: { tweets: sandbox.twitter.tweets.length },
    instagram: { posts: sandbox.instagram.posts.length, logins: sandbox.instagram.logins },
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
      sandbox.telegram.reset();
      sandbox.twitter.reset();
      sandbox.instagram.reset();
      sendTimes.length = 0;
      reply(true);
      break;
    case 'stop':
      void sandbox.close().then(() => {
        reply(true);
        process.exit(0);
      });
      break;
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true, urls: { telegram: sandbox.telegram.url, twitter: sandbox.twitter.url, instagram: sandbox.instagram.url, site: sandbox.site.url } });
