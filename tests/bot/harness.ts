/**
 * A real editors' bot on a real App (real Redis, unique prefix) whose targets and whose
 * own Bot API calls go to the sandbox fakes. Updates are real Update JSON fed through
 * handleUpdate; what the bot said is read back from the Telegram fake's records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { buildConfig } from '../../config/load.js';
import { App } from '../../src/app.js';
import { createEditorsBot, EditorAlerts, type EditorsBot } from '../../src/bot/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { SentRecord } from '../../src/sandbox/telegram.js';
import { deletePrefix, uniquePrefix } from '../helpers/redis.js';

export const EDITOR = { id: 7001, is_bot: false, first_name: 'Edda', username: 'edda_editor' } as const;
export const STRANGER = { id: 9009, is_bot: false, first_name: 'Sam', username: 'sam_stranger' } as const;
export const ALERT_CHAT = -4_000_001;
export const BOT_INFO: UserFromGetMe = {
  id: 100000001, is_bot: true, first_name: 'Crier Sandbox', username: 'crier_sandbox_bot',
  can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
};

type User = { id: number; is_bot: boolean; first_name: string; username?: string };
type Chat = { id: number; type: 'private' | 'group' | 'supergroup'; title?: string; first_name?: string };

let updateId = 1;
let messageId = 5000;

export const privateChat = (user: User): Chat => ({ id: user.id, type: 'private', first_name: user.first_name });

/** A text message as Telegram delivers it: a bot_command entity when it starts with "/". */
export function messageUpdate(from: User, text: string, options: { chat?: Chat; replyTo?: Record<string, unknown> } = {}): Update {
  const command = /^\/\S+/.exec(text)?.[0];
  return {
    update_id: updateId++,
    message: {
      message_id: messageId++,
      date: Math.floor(Date.now() / 1000),
      chat: options.chat ?? privateChat(from),
      from,
      text,
      ...(command !== undefined ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
      ...(options.replyTo !== undefined ? { reply_to_message: options.replyTo } : {}),
    },
  } as unknown as Update;
}

/** A button press on a message the bot sent (as recorded by the fake). */
export function callbackUpdate(from: User, sent: SentRecord, data: string): Update {
  return {
    update_id: updateId++,
    callback_query: {
      id: `cq${updateId}`,
      from,
      chat_instance: '42',
      data,
      message: {
        message_id: sent.message_id,
        date: Math.floor(Date.now() / 1000),
        chat: sent.chat > 0 ? { id: sent.chat, type: 'private', first_name: 'x' } : { id: sent.chat, type: 'group', title: 'Editors' },
        from: BOT_INFO,
        text: sent.text ?? '',
      },
    },
  } as unknown as Update;
}

/** The callback_data of the button labelled `label` on a sent message. */
export function button(sent: SentRecord | undefined, label: string): string {
  const markup = sent?.params.reply_markup;
  const parsed = (typeof markup === 'string' ? JSON.parse(markup) : markup) as { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> } | undefined;
  const found = parsed?.inline_keyboard.flat().find((b) => b.text === label)?.callback_data;
  if (found === undefined) throw new Error(`no "${label}" button on ${JSON.stringify(sent?.text?.slice(0, 80))}`);
  return found;
}

export interface Harness {
  sandbox: Sandbox;
  app: App;
  bot: EditorsBot;
  alerts: EditorAlerts;
  prefix: string;
  logs: Array<Record<string, unknown>>;
  /** Messages the bot sent to a chat, oldest first. */
  sentTo(chatId: number): SentRecord[];
  /** Feed an update and return what the bot sent to `chatId` meanwhile. */
  send(update: Update, chatId: number): Promise<SentRecord[]>;
  /** Jobs in a target's queue, any state. */
  jobCount(target: string): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(name: string, bot: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Harness> {
  const prefix = uniquePrefix(`bot-${name}`);
  const sandbox = await startSandbox();
  const mediaDir = mkdtempSync(join(tmpdir(), 'crier-bot-'));
  const config = buildConfig(
    {
      redis: { prefix },
      bot: { editors: [EDITOR.id], alertChat: String(ALERT_CHAT), allowPrivateNetwork: true, ...bot },
      media: { allowPrivateNetwork: true, dir: mediaDir },
      // No random pause between Instagram posts: tests deliver several articles in a row.
      targets: sandbox.targets().map((t) => (t.platform === 'instagram' ? { ...t, jitterMs: 0 } : t)),
      ...extra,
    },
    {},
  );
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const alerts = new EditorAlerts(logger);
  const app = new App(config, { logger, observer: alerts, lockDurationMs: 5000, stalledIntervalMs: 5000 });
  const editorsBot = createEditorsBot({ app, logger, alerts, botInfo: BOT_INFO });
  const sentTo = (chatId: number) => sandbox.telegram.sent.filter((s) => s.chat === chatId);
  return {
    sandbox,
    app,
    bot: editorsBot,
    alerts,
    prefix,
    logs,
    sentTo,
    async send(update, chatId) {
      const before = sentTo(chatId).length;
      await editorsBot.handleUpdate(update);
      return sentTo(chatId).slice(before);
    },
    async jobCount(target) {
      const queue = app.queues.get({ id: target });
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    async close() {
      await editorsBot.stop();
      await app.close(1000);
      await sandbox.close();
      await deletePrefix(prefix);
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

/** An article page in the shape a news site serves (our own fixture text). */
export function articlePage(title: string, url: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)} | The Valley Ledger</title>
<meta property="og:title" content="${esc(title)}">
<meta name="description" content="The river authority reopened the old lock after two years of repairs, and the first barges passed on Tuesday.">
<link rel="canonical" href="${esc(url)}">
<meta property="article:tag" content="Rivers"><meta property="article:tag" content="Infrastructure">
</head><body><article>
<h1>${esc(title)}</h1>
<p class="byline">By Ana Ribeiro</p>
<p>The river authority reopened the old lock after two years of repairs, and the first barges passed on Tuesday.</p>
<p>Engineers replaced both gates and the hydraulic system. The work cost 9.2 million and finished three weeks early.</p>
<p>Skippers said the lock saves them a detour of forty kilometres through the canal network.</p>
</article></body></html>`;
}
