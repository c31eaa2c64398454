import type { DeliveryRecord } from '../../queues/ledger.js';

/**
 * What `crier publish --wait` (and `crier retract --wait`) prints while it waits: one line per
 * target as it settles, in the order they settle; on a terminal also a live line per target
 * still pending (spinner, elapsed seconds, what it is doing), redrawn in place. Pure: a step
 * from what was printed so far and the ledger's latest records to the text to write next.
 */

export interface ProgressOptions {
  /** The targets waited for, in the order their live lines are drawn. */
  targets: readonly string[];
  /** Whether a record is settled (done, or needing a human). */
  settled: (r: DeliveryRecord) => boolean;
  /** The article (for the commands a line suggests). */
  articleId: string;
  /** Attempts allowed per target (for "retrying 2/5"). */
  attempts?: Readonly<Record<string, number>>;
  /** A terminal: live lines redrawn in place (cut to `columns`). Absent: plain lines, no ANSI codes. */
  terminal?: { columns: number };
}

/** What has been written so far. */
export interface ProgressState {
  /** Targets whose final line was printed. */
  printed: readonly string[];
  /** Live lines currently on screen below the printed ones (terminal only). */
  liveLines: number;
}

export const INITIAL_PROGRESS: ProgressState = { printed: [], liveLines: 0 };

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** ESC [ n F: to the start of the line n lines up; ESC [ J: erase to the end of the screen. */
const up = (n: number) => `\x1b[${n}F\x1b[J`;

const seconds = (ms: number) => `${Math.max(0, Math.floor(ms / 1000))}s`;
const spaced = (state: string) => state.replace(/_/g, ' ');

/** The final line of a settled target: what happened and, when a human must act, what to do. */
export function settledLine(r: DeliveryRecord, options: Pick<ProgressOptions, 'articleId'> & { width?: number }): string {
  const name = r.target.padEnd(options.width ?? 0);
  const link = r.url ?? r.remoteId;
  const error = r.lastError !== undefined ? `: ${r.lastError}` : '';
  let text: string;
  switch (r.state) {
    case 'delivered': {
      const last = r.history?.at(-1);
      const change = last !== undefined ? ` (rev ${last.rev} ${last.action}${last.note !== undefined ? `: ${last.note}` : ''})` : '';
      text = `delivered${link !== undefined ? ` ${link}` : ''}${change}`;
      break;
    }
    case 'duplicate':
      text = `duplicate: already posted${link !== undefined ? ` ${link}` : ''}, not sent again`;
      break;
    case 'failed':
      text = `failed${error} (send it again: crier retry ${options.articleId} ${r.target})`;
      break;
    case 'unknown':
      text = `unknown${error}: it may have gone out; look at the channel, and only if it is not there: crier retry ${options.articleId} ${r.target}`;
      break;
    case 'paused':
      text = `held for a human${error} (the target is paused; once fixed: crier resume ${r.target})`;
      break;
    case 'retracted':
      text = r.retraction !== undefined && r.retraction !== 'deleted' ? `retracted (${spaced(r.retraction)})` : 'retracted';
      break;
    case 'skipped':
      text = `skipped${r.notes !== undefined ? `: ${r.notes.join('; ')}` : ''}`;
      break;
    default:
      text = spaced(r.state);
  }
  if (r.state !== 'retracted' && r.retraction !== undefined) text += `; retraction: ${spaced(r.retraction)}`;
  if (r.opError !== undefined) text += `; ${r.opError}`;
  return `${name}  ${text}`;
}

/** What a pending target is doing now. */
export function pendingState(r: DeliveryRecord | undefined, maxAttempts?: number): string {
  if (r === undefined) return 'queued';
  const of = (n: number) => (maxAttempts !== undefined ? `${n}/${maxAttempts}` : `${n}`);
  if (r.op !== undefined) return `${spaced(r.op)} in progress`;
  switch (r.state) {
    case 'sending':
      return r.attempts > 1 ? `sending (attempt ${of(r.attempts)})` : 'sending';
    case 'retrying':
      return `retrying ${of(r.attempts + 1)}${r.lastError !== undefined ? ` after: ${r.lastError}` : ''}`;
    case 'rate_limited':
      return `rate limited${r.lastError !== undefined ? `: ${r.lastError}` : ''}`;
    case 'paused':
      return 'held for a human';
    default:
      return spaced(r.state);
  }
}

/** The live line of a pending target: spinner, name, elapsed seconds, state. */
export function pendingLine(target: string, r: DeliveryRecord | undefined, elapsedMs: number, options: { width?: number; maxAttempts?: number } = {}): string {
  const frame = SPINNER[Math.floor(Math.max(0, elapsedMs) / 100) % SPINNER.length] ?? '';
  return `${frame} ${target.padEnd(options.width ?? 0)}  ${seconds(elapsedMs).padStart(4)}  ${pendingState(r, options.maxAttempts)}`;
}

/** Cut a line to fit the terminal (a wrapped live line would break the redraw). */
const fit = (line: string, columns: number) => ([...line].length < columns ? line : [...line].slice(0, Math.max(1, columns - 2)).join('') + '…');

/**
 * One step: the text to write for the ledger's latest `records` at `elapsedMs`, and the
 * state after writing it. `final` (waiting ended: all settled or timed out) leaves no
 * live lines behind; a target still pending then gets a plain line with its state.
 */
export function progressStep(
  state: ProgressState,
  records: readonly DeliveryRecord[],
  elapsedMs: number,
  options: ProgressOptions,
  final = false,
): { text: string; state: ProgressState } {
  const width = Math.max(0, ...options.targets.map((t) => t.length));
  const byTarget = new Map(records.map((r) => [r.target, r]));
  const newly = options.targets.filter((t) => {
    const r = byTarget.get(t);
    return !state.printed.includes(t) && r !== undefined && options.settled(r);
  });
  const pending = options.targets.filter((t) => !state.printed.includes(t) && !newly.includes(t));
  const lines = newly.map((t) => settledLine(byTarget.get(t)!, { articleId: options.articleId, width }));
  if (final) {
    for (const t of pending) lines.push(`${t.padEnd(width)}  still ${pendingState(byTarget.get(t), options.attempts?.[t])} after ${seconds(elapsedMs)}`);
  }
  const printed = final ? options.targets : [...state.printed, ...newly];
  const terminal = options.terminal;
  if (terminal === undefined) return { text: lines.map((l) => l + '\n').join(''), state: { printed, liveLines: 0 } };
  const live = final ? [] : pending.map((t) => fit(pendingLine(t, byTarget.get(t), elapsedMs, { width, ...(options.attempts?.[t] !== undefined ? { maxAttempts: options.attempts[t] } : {}) }), terminal.columns));
  const text = (state.liveLines > 0 ? up(state.liveLines) : '') + [...lines, ...live].map((l) => l + '\n').join('');
  return { text, state: { printed, liveLines: live.length } };
}
