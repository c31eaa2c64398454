import type { DeliveryRecord, Ledger } from '../../queues/ledger.js';
import { waitForDeliveries } from '../../queues/wait.js';
import { INITIAL_PROGRESS, progressStep, type ProgressOptions } from './delivery-progress.js';
import type { CliContext } from './context.js';

/**
 * `--wait` for publish and retract: wait for the listed targets and, unless --json, print each
 * one's result as it settles (on a terminal, live lines for the pending ones, redrawn in place).
 */
export async function waitWithProgress(
  ctx: CliContext,
  ledger: Ledger,
  articleId: string,
  targets: readonly string[],
  options: { settled: (r: DeliveryRecord) => boolean; attempts?: Readonly<Record<string, number>> },
): Promise<{ records: DeliveryRecord[]; timedOut: boolean }> {
  const timeoutMs = (ctx.args.timeoutSeconds ?? 120) * 1000;
  if (ctx.args.json) return waitForDeliveries(ledger, articleId, targets, { timeoutMs, settled: options.settled });
  const terminal = ctx.terminal;
  const render: ProgressOptions = {
    targets,
    settled: options.settled,
    articleId,
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(terminal !== undefined ? { terminal: { columns: terminal.columns() } } : {}),
  };
  const write = (text: string) => {
    if (text === '') return;
    if (terminal !== undefined) terminal.write(text);
    else ctx.out(text.replace(/\n$/, ''));
  };
  let state = INITIAL_PROGRESS;
  let elapsed = 0;
  const result = await waitForDeliveries(ledger, articleId, targets, {
    timeoutMs,
    settled: options.settled,
    onPoll: (records, elapsedMs) => {
      elapsed = elapsedMs;
      const step = progressStep(state, records, elapsedMs, terminal !== undefined ? { ...render, terminal: { columns: terminal.columns() } } : render);
      state = step.state;
      write(step.text);
    },
  });
  write(progressStep(state, result.records, elapsed, render, true).text);
  return result;
}
