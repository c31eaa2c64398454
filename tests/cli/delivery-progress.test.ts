import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../queues/ledger.js';
import { deliverySettled, retractionSettled } from '../../queues/wait.js';
import { INITIAL_PROGRESS, pendingLine, pendingState, progressStep, settledLine, type ProgressOptions, type ProgressState } from '../../src/cli/delivery-progress.js';

const ID = 'u0123456789abcdef0123';

function record(target: string, state: DeliveryRecord['state'], extra: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return { articleId: ID, target, platform: target, state, attempts: 1, createdAt: '', updatedAt: '', progress: {}, ...extra };
}

const plain: ProgressOptions = { targets: ['telegram', 'twitter', 'instagram'], settled: deliverySettled, articleId: ID, attempts: { telegram: 5, twitter: 5, instagram: 3 } };
const tty: ProgressOptions = { ...plain, terminal: { columns: 80 } };

/** Run steps over snapshots, returning each step's text and the final state. */
function run(options: ProgressOptions, snapshots: Array<[DeliveryRecord[], number]>, final?: [DeliveryRecord[], number]): { texts: string[]; state: ProgressState } {
  let state = INITIAL_PROGRESS;
  const texts: string[] = [];
  for (const [records, ms] of snapshots) {
    const step = progressStep(state, records, ms, options);
    texts.push(step.text);
    state = step.state;
  }
  if (final !== undefined) {
    const step = progressStep(state, final[0], final[1], options, true);
    texts.push(step.text);
    state = step.state;
  }
  return { texts, state };
}

describe('delivery progress (plain)', () => {
  it('should print each target once, when it settles, in the order they settle, without ANSI codes', () => {
    const { texts, state } = run(plain, [
      [[record('telegram', 'sending'), record('twitter', 'queued')], 100],
      [[record('telegram', 'sending'), record('twitter', 'delivered', { url: 'https://x.com/i/1' }), record('instagram', 'sending')], 900],
      [[record('telegram', 'sending'), record('twitter', 'delivered', { url: 'https://x.com/i/1' }), record('instagram', 'sending')], 1000],
      [[record('telegram', 'delivered', { url: 'https://t.me/c/5' }), record('twitter', 'delivered', { url: 'https://x.com/i/1' }), record('instagram', 'failed', { lastError: 'checkpoint' })], 4200],
    ]);
    expect(texts).toEqual([
      '',
      'twitter    delivered https://x.com/i/1\n',
      '',
      `telegram   delivered https://t.me/c/5\ninstagram  failed: checkpoint (send it again: crier retry ${ID} instagram)\n`,
    ]);
    expect(texts.join('')).not.toContain('\x1b');
    expect(state).toEqual({ printed: ['twitter', 'telegram', 'instagram'], liveLines: 0 });
  });

  it('should say on the final step what a target still pending is doing, and after how long', () => {
    const { texts } = run(plain, [[[record('twitter', 'duplicate', { url: 'https://x.com/i/9' })], 300]], [[record('twitter', 'duplicate', { url: 'https://x.com/i/9' }), record('telegram', 'retrying', { attempts: 2, lastError: '502 Bad Gateway' })], 120_400]);
    expect(texts).toEqual([
      'twitter    duplicate: already posted https://x.com/i/9, not sent again\n',
      'telegram   still retrying 3/5 after: 502 Bad Gateway after 120s\ninstagram  still queued after 120s\n',
    ]);
  });
});

describe('delivery progress (terminal)', () => {
  it('should draw a live line per pending target and redraw them in place, keeping settled lines above', () => {
    const { texts, state } = run(tty, [
      [[record('telegram', 'sending'), record('twitter', 'queued')], 0],
      [[record('telegram', 'sending'), record('twitter', 'delivered', { url: 'https://x.com/i/1' }), record('instagram', 'rate_limited', { lastError: 'daily cap' })], 1250],
    ]);
    expect(texts[0]).toBe(['⠋ telegram     0s  sending', '⠋ twitter      0s  queued', '⠋ instagram    0s  queued'].map((l) => l + '\n').join(''));
    // Up 3 lines, erase, the settled line, then the two live lines still pending.
    expect(texts[1]).toBe('\x1b[3F\x1b[J' + ['twitter    delivered https://x.com/i/1', '⠹ telegram     1s  sending', '⠹ instagram    1s  rate limited: daily cap'].map((l) => l + '\n').join(''));
    expect(state.liveLines).toBe(2);
    const last = progressStep(state, [record('telegram', 'unknown', { lastError: 'answer lost' }), record('instagram', 'delivered', { url: 'https://instagram.com/p/x' })], 2000, tty, true);
    // The live lines are erased and replaced by the final ones: nothing left to redraw.
    expect(last.text).toBe(
      '\x1b[2F\x1b[J' +
        `telegram   unknown: answer lost: it may have gone out; look at the channel, and only if it is not there: crier retry ${ID} telegram\n` +
        'instagram  delivered https://instagram.com/p/x\n',
    );
    expect(last.state).toEqual({ printed: ['telegram', 'twitter', 'instagram'], liveLines: 0 });
  });

  it('should advance the spinner and the elapsed seconds with time, and cut live lines to the terminal width', () => {
    expect(pendingLine('telegram', undefined, 0)).toBe('⠋ telegram    0s  queued');
    expect(pendingLine('telegram', undefined, 100)).toBe('⠙ telegram    0s  queued');
    expect(pendingLine('telegram', undefined, 61_950)).toBe('⠏ telegram   61s  queued');
    const narrow = { ...tty, targets: ['telegram'], terminal: { columns: 20 } };
    const step = progressStep(INITIAL_PROGRESS, [record('telegram', 'retrying', { attempts: 1, lastError: 'a long error from the platform' })], 0, narrow);
    const line = step.text.replace(/\n$/, '');
    expect([...line].length).toBeLessThan(20);
    expect(line).toMatch(/^⠋ telegram .*…$/);
  });
});

describe('delivery progress lines', () => {
  it('should name what a pending delivery is doing', () => {
    expect(pendingState(undefined)).toBe('queued');
    expect(pendingState(record('t', 'sending', { attempts: 1 }), 5)).toBe('sending');
    expect(pendingState(record('t', 'sending', { attempts: 3 }), 5)).toBe('sending (attempt 3/5)');
    expect(pendingState(record('t', 'retrying', { attempts: 1, lastError: 'timeout' }), 5)).toBe('retrying 2/5 after: timeout');
    expect(pendingState(record('t', 'delivered', { op: 'update' }))).toBe('update in progress');
  });

  it('should tell a human what to do with a held, failed or unknown delivery, and how a retraction ended', () => {
    expect(settledLine(record('ig', 'paused', { lastError: 'checkpoint required' }), { articleId: ID })).toBe('ig  held for a human: checkpoint required (the target is paused; once fixed: crier resume ig)');
    expect(settledLine(record('tg', 'retracted', { retraction: 'deleted' }), { articleId: ID })).toBe('tg  retracted');
    expect(settledLine(record('tg', 'retracted', { retraction: 'never_posted' }), { articleId: ID })).toBe('tg  retracted (never posted)');
    expect(settledLine(record('ig', 'delivered', { url: 'https://instagram.com/p/x', retraction: 'not_supported' }), { articleId: ID })).toBe('ig  delivered https://instagram.com/p/x; retraction: not supported');
    expect(settledLine(record('tg', 'delivered', { url: 'https://t.me/c/5', rev: 2, history: [{ rev: 2, action: 'edited', at: '' }] }), { articleId: ID })).toBe('tg  delivered https://t.me/c/5 (rev 2 edited)');
    expect(retractionSettled(record('ig', 'delivered', { retraction: 'not_supported' }))).toBe(true);
  });
});
