/**
 * The editors' bot's messages about when posts go out: a scheduled post's footer and what
 * its buttons did, and `/queue`. Pure: times are shown in the editors' zone (`bot.timeZone`).
 */
import type { PendingDelivery, PendingReason } from '../../queues/pending.js';
import type { PublishResult } from '../../queues/publish.js';
import type { ScheduleChange } from '../../queues/reschedule.js';
import { codePoints } from '../text/truncate.js';
import { formatTime } from './post-schedule.js';
import { escapeHtml, fitMessage, MESSAGE_LIMIT, safe, visibleLength } from './render.js';

export const BREAKING_NOTE = '🔴 <b>Breaking</b>: goes out ahead of every waiting post, past quiet hours and spacing.';

/** The footer of a scheduled post: when, by whom, where. */
export function renderScheduled(e: { articleId: string; at: number; zone: string; by: string; breaking?: boolean; result?: PublishResult; moved?: readonly ScheduleChange[] }): string {
  const lines = [`⏰ <b>Scheduled for ${escapeHtml(formatTime(e.at, e.zone))}</b> by ${safe(e.by, 64)}${e.breaking === true ? ' · 🔴 breaking' : ''}`];
  if (e.result !== undefined) {
    const fresh = e.result.outcomes.filter((o) => o.enqueued).map((o) => o.target);
    const known = e.result.outcomes.filter((o) => !o.enqueued).map((o) => `${o.target} (${o.state})`);
    if (fresh.length > 0) lines.push(`To: ${escapeHtml(fresh.join(', '))}`);
    if (known.length > 0) lines.push(`Already known: ${escapeHtml(known.join(', '))}`);
  }
  if (e.moved !== undefined) {
    const late = e.moved.filter((c) => !MOVED.has(c.result)).map((c) => `${c.target} (${c.result})`);
    if (late.length > 0) lines.push(`Not moved: ${escapeHtml(late.join(', '))}`);
  }
  lines.push(`id <code>${safe(e.articleId, 200)}</code> · /status ${escapeHtml(e.articleId)} · /queue`);
  return lines.join('\n');
}

/** Results of App.reschedule / App.unschedule that did what was asked. */
const MOVED = new Set(['moved', 'scheduled', 'unscheduled']);
/** Results that mean the post is already out, or going out. */
const SENT = new Set(['delivered', 'duplicate', 'sending', 'too_late', 'unknown']);

/** How a change went: done somewhere, or too late everywhere (already sent), or nothing to change. */
export function changeOutcome(changes: readonly ScheduleChange[]): 'done' | 'too_late' | 'nothing' {
  if (changes.some((c) => MOVED.has(c.result))) return 'done';
  return changes.some((c) => SENT.has(c.result)) ? 'too_late' : 'nothing';
}

const targetsOf = (changes: readonly ScheduleChange[], done: boolean): string =>
  changes.filter((c) => MOVED.has(c.result) === done).map((c) => (done ? c.target : `${c.target} ${c.result}`)).join(', ');

/** Send now was pressed under a scheduled post. */
export function renderSentNow(articleId: string, by: string, changes: readonly ScheduleChange[]): string {
  const lines = [`📤 <b>Sending now</b>, asked by ${safe(by, 64)}: ${escapeHtml(targetsOf(changes, true))}`];
  const rest = targetsOf(changes, false);
  if (rest !== '') lines.push(`Not changed: ${escapeHtml(rest)}`);
  lines.push(`Check with /status ${escapeHtml(articleId)}`);
  return lines.join('\n');
}

/** Unschedule was pressed under a scheduled post. */
export function renderUnscheduled(articleId: string, by: string, changes: readonly ScheduleChange[]): string {
  const lines = [`✖️ <b>Unscheduled</b> by ${safe(by, 64)}: nothing was sent to ${escapeHtml(targetsOf(changes, true))}.`];
  const rest = targetsOf(changes, false);
  if (rest !== '') lines.push(`Not changed: ${escapeHtml(rest)}`);
  lines.push(`/retry ${escapeHtml(articleId)} sends it now.`);
  return lines.join('\n');
}

/** A schedule button pressed after the post went out. */
export function renderTooLate(articleId: string, changes: readonly ScheduleChange[]): string {
  return `⚠️ <b>Too late: already sent</b> (${escapeHtml(changes.map((c) => `${c.target} ${c.result}`).join(', '))}). /status ${escapeHtml(articleId)}`;
}

const REASON_LABEL: Record<PendingReason, string> = {
  embargo: 'embargo', quiet_hours: 'quiet hours', spacing: 'spacing', rate_limit: 'rate limit',
  paused: 'paused', queued: 'queued', retrying: 'retrying',
};

/** One pending delivery as a line of /queue. */
export function queueRow(p: PendingDelivery, zone: string): string {
  const mark = p.priority === 'breaking' ? '🔴 ' : p.priority === 'low' ? '▫️ ' : '';
  const what = p.title !== undefined ? `<i>${safe(p.title, 80)}</i>` : `<code>${safe(p.articleId, 60)}</code>`;
  const kind = p.kind === 'deliver' ? '' : ` (${escapeHtml(p.kind)})`;
  const due = p.dueAt === null ? 'now' : escapeHtml(formatTime(Date.parse(p.dueAt), zone, { short: true }));
  return `${mark}<b>${escapeHtml(p.target)}</b> · ${what}${kind} · ${due} · ${escapeHtml(REASON_LABEL[p.reason] ?? p.reason)}${p.priority === 'breaking' ? ' · breaking' : ''}`;
}

/** `/queue [target]`: every pending delivery, as many as fit one message, then "and N more". */
export function renderQueue(pending: readonly PendingDelivery[], zone: string, target?: string): string {
  const where = target === undefined ? '' : ` on ${escapeHtml(target)}`;
  if (pending.length === 0) return `Nothing is pending${where}: every post has gone out.`;
  const head = `<b>Pending${where}</b> · ${pending.length} deliver${pending.length === 1 ? 'y' : 'ies'} · times in ${escapeHtml(zone)}`;
  const rows: string[] = [];
  // Room for the head, and for the "and N more" line however many are left.
  let used = visibleLength(head) + 1 + codePoints(`… and ${pending.length} more`) + 1;
  for (const p of pending) {
    const row = queueRow(p, zone);
    const size = visibleLength(row) + 1;
    if (used + size > MESSAGE_LIMIT) break;
    rows.push(row);
    used += size;
  }
  const more = pending.length - rows.length;
  return fitMessage([head, ...rows, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n'));
}
