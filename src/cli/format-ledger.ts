import type { ArticleHistory, DeliveryRecord } from '../../queues/ledger.js';

/** A human-readable table of ledger records, one line per target. */
export function formatLedger(records: readonly DeliveryRecord[]): string {
  if (records.length === 0) return '(no deliveries recorded)';
  const rows = records.map((r) => [
    r.target,
    r.platform,
    r.state,
    r.rev !== undefined ? `rev ${r.rev}` : '',
    `attempts ${r.attempts}`,
    r.url ?? r.remoteId ?? '',
    r.costUsd !== undefined ? `$${r.costUsd.toFixed(3)}` : '',
    r.lastError !== undefined && r.state !== 'delivered' ? `last error: ${r.lastError}` : '',
    r.notes !== undefined ? `notes: ${r.notes.join('; ')}` : '',
    followUps(r),
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The post's updates and retraction, for the ledger's last column. */
function followUps(r: DeliveryRecord): string {
  const parts = (r.history ?? []).map((h) => `rev ${h.rev} ${h.action}${h.note !== undefined ? ` (${h.note})` : ''}`);
  if (r.op !== undefined) parts.push(`${r.op} in progress`);
  if (r.opError !== undefined) parts.push(r.opError);
  if (r.retraction !== undefined && !(r.history ?? []).some((h) => h.action === r.retraction)) parts.push(`retraction: ${r.retraction}`);
  return parts.length > 0 ? `history: ${parts.join('; ')}` : '';
}

/** The article's revision line and history (crier status). */
export function formatHistory(h: ArticleHistory): string {
  if (h.rev === 0 && h.history.length === 0) return '';
  const head = `revision ${h.rev}${h.retracted ? ` · retracted${h.reason ? ` (${h.reason})` : ''}` : ''}`;
  const lines = h.history.map((e) => `  ${e.at}  rev ${e.rev}  ${e.action}${e.by !== undefined && e.by !== '' ? ` by ${e.by}` : ''}${e.reason ? ` (${e.reason})` : ''}`);
  return [head, ...lines].join('\n');
}
