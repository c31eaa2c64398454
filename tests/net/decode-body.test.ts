import { describe, expect, it } from 'vitest';
import { declaredCharset, decodeBody, httpCharset } from '../../src/net/decode-body.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const prolog = (encoding: string, body: string): string => `<?xml version="1.0" encoding="${encoding}"?>\n<rss><channel><title>${body}</title></channel></rss>`;

describe('decodeBody', () => {
  it('should decode by the HTTP charset first: a Latin-1 feed served as charset=latin1', () => {
    const bytes = latin1(prolog('ISO-8859-1', 'Café, Zürich, señora, 18 °C'));
    const decoded = decodeBody(bytes, 'application/rss+xml; charset=latin1');
    expect(decoded).toMatchObject({ encoding: 'windows-1252', source: 'http' });
    expect(decoded.text).toContain('Café, Zürich, señora, 18 °C');
    expect(decoded.text).not.toContain('\ufffd');
    // What crier did before: read every feed as UTF-8.
    expect(bytes.toString('utf8')).toContain('\ufffd');
  });

  it('should decode windows-1252 punctuation (0x80-0x9F) as the characters it stands for, however the encoding was found', () => {
    // “Quote” – dash … € ™ Œ in windows-1252 bytes.
    const punctuation = Buffer.from([0x93, 0x51, 0x75, 0x6f, 0x74, 0x65, 0x94, 0x20, 0x96, 0x20, 0x85, 0x20, 0x80, 0x20, 0x99, 0x20, 0x8c, 0x81]);
    const want = '\u201cQuote\u201d \u2013 \u2026 \u20ac \u2122 \u0152\u0081';
    const feed = (encoding: string) => Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="${encoding}"?><rss><channel><title>`), punctuation, Buffer.from('</title></channel></rss>')]);
    expect(decodeBody(feed('ISO-8859-1'), 'text/xml').text).toContain(`<title>${want}</title>`);
    expect(decodeBody(feed('windows-1252'), 'application/rss+xml; charset=latin1').text).toContain(want);
    // Not valid UTF-8 and nothing declared: sniffed as windows-1252.
    expect(decodeBody(Buffer.concat([Buffer.from('<rss><channel><title>'), punctuation, Buffer.from('</title></channel></rss>')]))).toMatchObject({ source: 'sniff', encoding: 'windows-1252' });
    expect(decodeBody(Buffer.concat([Buffer.from('<rss><channel><title>'), punctuation])).text).toContain(want);
    // Nothing of the C1 control range is left behind.
    expect(decodeBody(feed('ISO-8859-1'), 'text/xml').text).not.toMatch(/[\u0080\u0085\u0093-\u0099]/);
  });

  it('should read the XML declaration when the server names no charset', () => {
    const decoded = decodeBody(latin1(prolog('iso-8859-1', 'Fête à Noël')), 'text/xml');
    expect(decoded).toMatchObject({ source: 'document', encoding: 'windows-1252' });
    expect(decoded.text).toContain('Fête à Noël');
  });

  it('should let the HTTP charset win over a wrong declaration in the document', () => {
    const decoded = decodeBody(Buffer.from(prolog('ISO-8859-1', 'Fête à Noël'), 'utf8'), 'application/xml; charset="UTF-8"');
    expect(decoded).toMatchObject({ source: 'http', encoding: 'utf-8' });
    expect(decoded.text).toContain('Fête à Noël');
  });

  it('should take a byte-order mark before anything else, and drop it from the text', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(prolog('ISO-8859-1', 'Größe'), 'utf8')]);
    expect(decodeBody(utf8, 'text/xml; charset=iso-8859-1')).toMatchObject({ source: 'bom', encoding: 'utf-8', text: prolog('ISO-8859-1', 'Größe') });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(prolog('UTF-16', 'Größe'), 'utf16le')]);
    expect(decodeBody(utf16)).toMatchObject({ source: 'bom', encoding: 'utf-16le', text: prolog('UTF-16', 'Größe') });
  });

  it('should read an HTML page by its <meta charset> or http-equiv', () => {
    const page = (meta: string) => latin1(`<!doctype html><html><head>${meta}<title>Crème brûlée</title></head></html>`);
    expect(decodeBody(page('<meta charset="windows-1252">'), 'text/html').text).toContain('Crème brûlée');
    expect(decodeBody(page('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">')).text).toContain('Crème brûlée');
    expect(decodeBody(Buffer.from('<meta charset="koi8-r"><p>\xf0\xd2\xc9\xd7\xc5\xd4</p>', 'latin1')).text).toContain('Привет');
  });

  it('should sniff when nothing is declared: valid UTF-8 as UTF-8, anything else as windows-1252', () => {
    expect(decodeBody(Buffer.from('<rss><title>Ångström ✓</title></rss>', 'utf8'))).toMatchObject({ source: 'sniff', encoding: 'utf-8', text: '<rss><title>Ångström ✓</title></rss>' });
    expect(decodeBody(latin1('<rss><title>Ångström</title></rss>'))).toMatchObject({ source: 'sniff', encoding: 'windows-1252', text: '<rss><title>Ångström</title></rss>' });
  });

  it('should skip a charset label no decoder knows instead of guessing, and never treat an ASCII-readable prolog as UTF-16', () => {
    expect(decodeBody(latin1(prolog('ISO-8859-1', 'été')), 'text/xml; charset=x-made-up').source).toBe('document');
    expect(decodeBody(Buffer.from(prolog('UTF-16', 'été'), 'utf8'), 'text/xml')).toMatchObject({ source: 'sniff', encoding: 'utf-8' });
  });

  it('should parse charset parameters and declarations as servers and documents write them', () => {
    expect(httpCharset('text/html;charset=Shift_JIS')).toBe('Shift_JIS');
    expect(httpCharset('application/rss+xml; type=feed; charset="iso-8859-1"')).toBe('iso-8859-1');
    expect(httpCharset('application/rss+xml')).toBeUndefined();
    expect(declaredCharset(Buffer.from("<?xml version='1.0' encoding='windows-1250' standalone='yes'?><rss/>"))).toBe('windows-1250');
    expect(declaredCharset(Buffer.from('<rss/>'))).toBeUndefined();
  });
});
