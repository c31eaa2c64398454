import { describe, expect, it } from 'vitest';
import { cleanTelegramText, codePointLength, parseTelegramHtml, TelegramHtmlError } from '../../src/sandbox/telegram-html.js';

/** The description the Bot API answers for `html`, or undefined when it parses. */
function failure(html: string, strict = true): string | undefined {
  try {
    parseTelegramHtml(html, { strict });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TelegramHtmlError);
    return (error as TelegramHtmlError).description;
  }
}

const P = "Bad Request: can't parse entities: ";
// "🏟 🏟&lt;" is 13 bytes of UTF-8 (4 + 1 + 4 + 4), so offsets below start at 13 as in TDLib's own tests.
const PREFIX = '🏟 🏟&lt;';

describe('parseTelegramHtml errors (TDLib messages, UTF-8 byte offsets)', () => {
  it('should reject an unsupported start tag with its byte offset', () => {
    expect(failure('<b>ok</b><p>x</p>')).toBe(`${P}Unsupported start tag "p" at byte offset 9`);
    expect(failure(`${PREFIX}<abac aba>`)).toBe(`${P}Unsupported start tag "abac" at byte offset 13`);
    expect(failure('é<br>')).toBe(`${P}Unsupported start tag "br" at byte offset 2`);
  });

  it('should reject a start tag that never ends', () => {
    expect(failure(`${PREFIX}<abacaba`)).toBe(`${P}Unclosed start tag at byte offset 13`);
    expect(failure(`${PREFIX}<i    aba  =  "&lt;&gt;&quot;>`)).toBe(`${P}Unclosed start tag at byte offset 13`);
    expect(failure(`${PREFIX}<i    aba  =  `)).toBe(`${P}Unclosed start tag "i" at byte offset 13`);
  });

  it('should reject a bare "<" the way Telegram does', () => {
    expect(failure('1 < 2')).toBe(`${P}Unsupported start tag "" at byte offset 2`);
    expect(failure('a<b')).toBe(`${P}Unclosed start tag at byte offset 1`);
  });

  it('should reject unbalanced tags', () => {
    expect(failure('<b>bold')).toBe(`${P}Can't find end tag corresponding to start tag "b"`);
    expect(failure('<b><i>x</i>')).toBe(`${P}Can't find end tag corresponding to start tag "b"`);
    expect(failure(`${PREFIX}<i>a</em   >`)).toBe(`${P}Unmatched end tag at byte offset 17, expected "</i>", found "</em>"`);
  });

  it('should reject a stray end tag', () => {
    expect(failure('x</i>')).toBe(`${P}Unexpected end tag at byte offset 1`);
    expect(failure(`${PREFIX}<b></b></`)).toBe(`${P}Unexpected end tag at byte offset 20`);
    expect(failure(`${PREFIX}<i>a</i   `)).toBe(`${P}Unclosed end tag at byte offset 17`);
  });

  it('should reject malformed attributes', () => {
    expect(failure(`${PREFIX}<i   =aba>`)).toBe(`${P}Empty attribute name in the tag "i" at byte offset 13`);
    expect(failure(`${PREFIX}<i    aba  =  190azAz-.,`)).toBe(`${P}Unexpected end of name token at byte offset 27`);
    expect(failure('<span class="x">s</span>')).toBe(`${P}Tag "span" must have class "tg-spoiler" at byte offset 0`);
  });

  it('should reject an unescaped "&" in strict mode only', () => {
    expect(failure('AT&T')).toBe(`${P}Character "&" must be escaped as "&amp;" at byte offset 2`);
    expect(failure('<a href="https://x.org/?a=1&b=2">x</a>')).toBe(`${P}Character "&" must be escaped as "&amp;" at byte offset 27`);
    expect(failure('&nbsp;')).toBe(`${P}Character "&" must be escaped as "&amp;" at byte offset 0`);
    expect(parseTelegramHtml('AT&T &laquo;', { strict: false }).text).toBe('AT&T &laquo;');
  });

  it('should reject surrogates written as numeric entities', () => {
    expect(failure('&#57311;')).toBe(`${P}Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units`);
  });

  it('should reject a custom emoji without a valid id', () => {
    expect(failure('<tg-emoji emoji-id="abc">x</tg-emoji>')).toBe(`${P}Invalid custom emoji identifier specified`);
  });
});

describe('parseTelegramHtml results', () => {
  it('should decode the four named entities and numeric ones', () => {
    expect(parseTelegramHtml('&lt;&gt;&amp;&quot;&#65;&#x42;&lt').text).toBe('<>&"AB<');
  });

  it('should give entity offsets in UTF-16 code units', () => {
    const parsed = parseTelegramHtml('🏟 🏟<i>🏟 &lt;🏟</i>');
    expect(parsed.text).toBe('🏟 🏟🏟 <🏟');
    expect(parsed.entities).toEqual([{ type: 'italic', offset: 5, length: 6 }]);
  });

  it('should accept every tag Telegram allows', () => {
    const html =
      '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>' +
      '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://example.com/">a</a>' +
      '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><code>c</code><pre><code class="language-python">x</code></pre>' +
      '<blockquote>q</blockquote><blockquote expandable>e</blockquote>';
    const parsed = parseTelegramHtml(html);
    expect(parsed.text).toBe('bsieunskdpqa👍cxqe');
    expect(parsed.entities.map((e) => e.type)).toEqual([
      'bold', 'bold', 'italic', 'italic', 'underline', 'underline', 'strikethrough', 'strikethrough', 'strikethrough',
      'spoiler', 'spoiler', 'text_link', 'custom_emoji', 'code', 'pre', 'blockquote', 'expandable_blockquote',
    ]);
    expect(parsed.entities.find((e) => e.type === 'pre')?.language).toBe('python');
    expect(parsed.entities.find((e) => e.type === 'text_link')?.url).toBe('https://example.com/');
  });

  it('should accept an anonymous end tag and attribute quirks TDLib accepts', () => {
    expect(parseTelegramHtml('<i>a</>').entities).toEqual([{ type: 'italic', offset: 0, length: 1 }]);
    expect(parseTelegramHtml('<b aba   =   caba>x</b>').text).toBe('x');
    expect(parseTelegramHtml("<a   href=  'https://t.me/x?a=&lt;'   >l</a>").entities[0]?.url).toBe('https://t.me/x?a=%3C');
  });
});

describe('cleanTelegramText', () => {
  it('should do what TDLib does before counting: controls to spaces, drop CR and bidi controls, trim', () => {
    expect(cleanTelegramText('\n  a\tb\r\nc\u202ed\u0001 \n')).toBe('a b\ncd');
  });

  it('should count code points, not UTF-16 units', () => {
    expect(codePointLength('👍🏽é')).toBe(3);
    expect(codePointLength('👨‍👩‍👧')).toBe(5);
  });
});
