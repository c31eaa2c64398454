/** A caption as Instagram may hand it back (NFC, runs of whitespace collapsed, trimmed), for matching a post to what crier sent. */
export function comparableCaption(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}
