import type { DeliveryRecord } from '../../queues/ledger.js';

/** A human-readable table of ledger records, one line per target. */
export function formatLedger(records: readonly DeliveryRecord[]): string {
  if (records.length === 0) return '(no deliveries recorded)';
  const rows = records.map((r) => [
    r.target,
    r.platform,
    r.state,
    `attempts ${r.attempts}`,
    r.url ?? r.remoteId ?? '',
    r.costUsd !== undefined ? `$${r.costUsd.toFixed(3)}` : '',
    r.lastError !== undefined && r.state !== 'delivered' ? `last error: ${r.lastError}` : '',
    r.notes !== undefined ? `notes: ${r.notes.join('; ')}` : '',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
