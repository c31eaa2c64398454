/**
 * Telling the editors' chat when a delivery needs a human: a permanent failure, a
 * paused target, or a send left in doubt by a crash (`unknown`). One message per event
 * — article title and link, target, reason — with buttons where an editor can settle it:
 * Retry / Skip for a failed delivery, Posted / Not posted — send again for one in doubt
 * (see commands/alert-actions.ts).
 *
 * Order of construction: the observer goes into the App before the bot exists, so it
 * starts unconnected (events are only logged) and createEditorsBot connects it to the
 * bot's Telegram client. A worker-only process can connect it itself. With direct
 * subscribers on, it also starts the broadcast of each article once it is delivered.
 */
import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import type { DeliveryObserver } from '../../queues/observer.js';
import type { Article } from '../article/schema.js';
import { ALERT_TTL_SECONDS, callbackData, type ActionStore } from './actions.js';
import { renderAlert, type AlertKind } from './render.js';

export interface AlertSink {
  telegram: Telegram;
  /** The editors' chat (`bot.alertChat`). */
  chatId: string;
  actions: ActionStore;
}

type AlertEvent = { target: string; platform: string; article: Article; reason: string; action?: string; lookAt?: string };

export class EditorAlerts implements DeliveryObserver {
  private sink: AlertSink | undefined;
  private broadcast: ((article: Article) => Promise<unknown>) | undefined;

  constructor(private readonly logger: Logger) {}

  connect(sink: AlertSink): void {
    this.sink = sink;
  }

  /** Also hand each delivered article to `fn` (the subscribers' broadcast; it runs once per article). */
  onDelivered(fn: (article: Article) => Promise<unknown>): void {
    this.broadcast = fn;
  }

  delivered(e: { article: Article }): void {
    this.broadcast?.(e.article).catch((error: Error) => this.logger.warn({ articleId: e.article.id, err: error.message }, 'broadcast failed'));
  }

  get connected(): boolean {
    return this.sink !== undefined;
  }

  failed(e: AlertEvent): Promise<void> {
    return this.tell('failed', e);
  }

  paused(e: AlertEvent & { action: string }): Promise<void> {
    return this.tell('paused', e);
  }

  unknown(e: AlertEvent): Promise<void> {
    return this.tell('unknown', e);
  }

  notice(e: AlertEvent): Promise<void> {
    return this.tell('notice', e);
  }

  /** Send one alert. Never throws: a delivery must not fail because the alert could not go out. */
  async tell(kind: AlertKind, e: AlertEvent): Promise<void> {
    const fields = { kind, target: e.target, articleId: e.article.id, reason: e.reason };
    const sink = this.sink;
    if (sink === undefined) {
      this.logger.warn(fields, 'delivery needs an editor (no alert chat configured)');
      return;
    }
    try {
      const html = renderAlert(kind, e);
      let reply_markup: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } | undefined;
      if (kind === 'failed' || kind === 'unknown') {
        const key = await sink.actions.put({ kind: 'alert', articleId: e.article.id, target: e.target, alertHtml: html }, ALERT_TTL_SECONDS);
        reply_markup = {
          inline_keyboard: [
            kind === 'unknown'
              ? [
                  { text: '✅ Posted', callback_data: callbackData('k', key) },
                  { text: '🔁 Not posted — send again', callback_data: callbackData('r', key) },
                ]
              : [
                  { text: 'Retry', callback_data: callbackData('r', key) },
                  { text: 'Skip', callback_data: callbackData('s', key) },
                ],
          ],
        };
      }
      await sink.telegram.sendMessage(sink.chatId, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(reply_markup !== undefined ? { reply_markup } : {}),
      });
      this.logger.info(fields, 'told the editors');
    } catch (error) {
      this.logger.error({ ...fields, err: (error as Error).message }, 'could not tell the editors');
    }
  }
}
