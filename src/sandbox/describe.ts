import type { Sandbox } from './index.js';

const indent = (text: string, pad = '      ') => text.split('\n').map((l) => pad + l).join('\n');

/** A readable account of what each sandbox platform accepted (for `crier demo`). */
export function describeReceived(sandbox: Sandbox): string {
  const lines: string[] = [];
  for (const m of sandbox.telegram.sent) {
    lines.push(`  Telegram  ${m.method} to ${m.chatId} (message ${m.message_id})${m.photo ? `, photo ${m.photo}` : ''}`);
    lines.push(indent(m.text ?? m.caption ?? ''));
    const markup = m.params.reply_markup as { inline_keyboard?: Array<Array<{ text: string; url: string }>> } | undefined;
    const buttons = markup?.inline_keyboard?.flat() ?? [];
    for (const b of buttons) lines.push(`      [${b.text}] → ${b.url}`);
  }
  for (const t of sandbox.twitter.tweets) {
    lines.push(`  X         tweet ${t.id}${t.replyTo ? ` (reply to ${t.replyTo})` : ''}${t.mediaIds.length ? `, media ${t.mediaIds.join(', ')}` : ''}`);
    lines.push(indent(t.text));
  }
  for (const p of sandbox.instagram.posts) {
    lines.push(`  Instagram photo ${p.code}: ${p.width}×${p.height} JPEG, ${Math.round(p.jpegBytes / 1024)} KiB`);
    lines.push(indent(p.caption));
  }
  if (lines.length === 0) lines.push('  (nothing)');
  return lines.join('\n');
}
