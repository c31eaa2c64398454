import { decodeHTMLStrict } from 'entities';

/**
 * HTML character references in text: every named reference of HTML (`&eacute;`, `&rsquo;`,
 * `&hellip;`…), decimal and hex ones (the 0x80–0x9F ones read as windows-1252, as browsers
 * do), only with their semicolon (`AT&T`, `&copy2026` stay as written), unknown names left
 * as they are.
 */
export function decodeEntitiesOnce(text: string): string {
  return text.includes('&') ? decodeHTMLStrict(text) : text;
}

/**
 * References that leaked into plain article text — a CMS title `Arts &amp; Culture`, a feed
 * that escaped twice (`&amp;amp;`) — decoded until none is left (at most five passes), so
 * every platform shows the same characters.
 */
export function decodeEntities(text: string): string {
  let current = text;
  for (let pass = 0; pass < 5 && current.includes('&'); pass++) {
    const next = decodeHTMLStrict(current);
    if (next === current) break;
    current = next;
  }
  return current;
}
