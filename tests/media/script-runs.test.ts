import { describe, expect, it } from 'vitest';
import { loadCardFonts } from '../../src/media/fonts.js';
import { cjkLanguage, drawableText, roleChain, scriptRuns, toMarkup, withBreakHints } from '../../src/media/script-runs.js';
import { paragraphDirection } from '../../src/text/direction.js';

const ZWSP = '\u200b';
const WJ = '\u2060';

describe('script runs', () => {
  it('should split text into runs of one script, common characters joining the run before them', () => {
    expect(scriptRuns('Gaza: وقف إطلاق النار, says UN').map((r) => [r.script, r.text])).toEqual([
      ['latin', 'Gaza: '],
      ['arabic', 'وقف إطلاق النار, '],
      ['latin', 'says UN'],
    ]);
    expect(scriptRuns('2026 東京').map((r) => [r.script, r.text])).toEqual([['han', '2026 東京']]);
    expect(scriptRuns('«Привет»').map((r) => r.script)).toEqual(['latin']);
  });

  it('should make each emoji sequence a run of its own, keycaps and flags whole, spaces left to the text', () => {
    expect(scriptRuns('evacuated 🇺🇦 ❤️ 1️⃣ now').map((r) => [r.script, r.text])).toEqual([
      ['latin', 'evacuated '],
      ['emoji', '🇺🇦'],
      ['common', ' '],
      ['emoji', '❤️'],
      ['common', ' '],
      ['emoji', '1️⃣'],
      ['latin', ' now'],
    ]);
    expect(scriptRuns('© 2026 Harbour').map((r) => r.script)).toEqual(['latin']);
  });

  it('should call a paragraph right-to-left when most of its letters are', () => {
    expect(paragraphDirection('iPhone 17 در ایران به فروش رسید')).toBe('rtl');
    expect(paragraphDirection('Talks on the شرق الأوسط resume today in Geneva')).toBe('ltr');
    expect(paragraphDirection('הנמל נפתח מחדש')).toBe('rtl');
    expect(paragraphDirection('2026')).toBe('ltr');
  });

  it('should draw Han characters with the font of the card language, else of what the text shows', () => {
    expect(cjkLanguage('港口重新开放')).toBe('zh');
    expect(cjkLanguage('港が再開した')).toBe('ja');
    expect(cjkLanguage('항구 再開')).toBe('ko');
    expect(cjkLanguage('港口重新開放', 'ja-JP')).toBe('ja');
    expect(roleChain('han', 'ja').slice(0, 3)).toEqual(['jp', 'sc', 'kr']);
    expect(roleChain('han', 'zh')[0]).toBe('sc');
    expect(roleChain('arabic', 'zh')[0]).toBe('arabic');
    expect(roleChain('arabic', 'zh')).toContain('latin');
    expect(roleChain('common', 'zh').at(-1)).toBe('emoji');
  });
});

describe('line-break hints', () => {
  it('should mark Thai word boundaries with zero width spaces (Pango here cannot find them)', () => {
    const thai = 'ท่าเรือเปิดอีกครั้งหลังพายุ';
    const hinted = withBreakHints(thai);
    expect(hinted.replaceAll(ZWSP, '')).toBe(thai);
    expect(hinted.split(ZWSP)).toEqual(['ท่าเรือ', 'เปิด', 'อีก', 'ครั้ง', 'หลัง', 'พายุ']);
  });

  it('should keep Korean words whole and let long URLs and domains break after dots and slashes', () => {
    expect(withBreakHints('항구 재개장')).toBe(`항${WJ}구 재${WJ}개${WJ}장`);
    expect(withBreakHints('international-public-broadcasting.example.com')).toBe(`international-public-broadcasting.${ZWSP}example.${ZWSP}com`);
    expect(withBreakHints('https://news.example.org/2026/story')).toBe(`https://${ZWSP}news.${ZWSP}example.${ZWSP}org/2026/${ZWSP}story`);
    expect(withBreakHints('Inflation rose 3.5% to 12,345.67 points today')).toBe('Inflation rose 3.5% to 12,345.67 points today');
    expect(withBreakHints('Donaudampfschifffahrtsgesellschaft')).toBe('Donaudampfschifffahrtsgesellschaft');
    expect(withBreakHints('See example.com')).toBe('See example.com');
  });
});

describe('drawable text', () => {
  it('should drop graphemes no font has, keep emoji sequences whole and keep joiners', async () => {
    const { coverage } = await loadCardFonts();
    expect(drawableText('Storm 🌊 hits the coast 👨‍👩‍👧 🇺🇦', coverage)).toEqual({ text: 'Storm 🌊 hits the coast 👨‍👩‍👧 🇺🇦', dropped: 0 });
    expect(drawableText('می‌شمارند', coverage).text).toBe('می‌شمارند'); // ZWNJ kept
    expect(drawableText('Colombo කොළඹ news', coverage)).toEqual({ text: 'Colombo news', dropped: 3 }); // Sinhala: no font
    expect(drawableText('Kolkata কলকাতা news', coverage)).toEqual({ text: 'Kolkata কলকাতা news', dropped: 0 }); // Bengali: Noto Sans Bengali
    // No font has these fractions, but their plain forms are drawn rather than dropped.
    expect(drawableText('add ⅓ cup of flour, ⅛ tsp pepper', coverage)).toEqual({ text: 'add 1/3 cup of flour, 1/8 tsp pepper', dropped: 0 });
    expect(drawableText('  Tabs\tand\nlines ', coverage).text).toBe('Tabs and lines');
  });
});

describe('markup', () => {
  it('should escape the text, force the paragraph direction and give each run its script\'s font first', async () => {
    const fonts = await loadCardFonts();
    const ltr = toMarkup('AT&T <b>shares</b>', { fonts, size: 40, weight: 700, colour: '#ffffff' });
    expect(ltr).toContain('AT&amp;T &lt;b&gt;shares&lt;/b&gt;');
    expect(ltr).toContain('\u200e');
    expect(ltr).toContain('size="40960"');
    const rtl = toMarkup('مرحبا بالعالم World', { fonts, publisher: ['House Sans'], size: 40, weight: 400, colour: '#000000', lines: true });
    expect(rtl).toContain('\u200f');
    expect(rtl).toContain('font_family="House Sans,Noto Sans Arabic,Noto Sans,');
    expect(rtl).toMatch(/line_height="\d{5,}"/);
  });
});
