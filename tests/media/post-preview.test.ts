import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { InstagramPost, TelegramPost, TwitterPost } from '../../adapters/types.js';
import { loadCardFonts } from '../../src/media/fonts.js';
import { renderPostPreview, telegramHtmlToMarkup } from '../../src/media/post-preview.js';

describe('post previews', () => {
  it('should turn Telegram HTML into Pango markup: tags mapped, entities decoded then escaped again', async () => {
    const fonts = await loadCardFonts();
    const markup = telegramHtmlToMarkup('<b>AT&amp;T</b> <i>wins</i> <a href="https://x.example">here</a> <span class="tg-spoiler">secret</span> &lt;3', fonts);
    expect(markup).toMatch(/^<b><span font_family="Noto Sans,[^"]*">AT&amp;T<\/span><\/b>/);
    expect(markup).toContain('<i><span');
    expect(markup).toContain('<span foreground="#1d6fb8" underline="single"><span');
    expect(markup).toContain('<span background="#c8c8c8" foreground="#c8c8c8"><span');
    expect(markup).toContain('&lt;3</span>');
    expect((markup.match(/<span/g) ?? []).length).toBe((markup.match(/<\/span>/g) ?? []).length);
  });

  it('should draw each platform\'s post as a PNG 720 px wide that grows with its text', async () => {
    const telegram: TelegramPost = { target: 'tg', platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: '<b>Harbour reopens</b>\n\nFerries are back.' };
    const short: TwitterPost = { target: 'x', platform: 'twitter', tweets: [{ text: 'Harbour reopens' }] };
    const thread: TwitterPost = { target: 'x', platform: 'twitter', tweets: [{ text: 'Harbour reopens' }, { text: 'הנמל נפתח מחדש אחרי הסערה (2/2)' }] };
    const sizes = await Promise.all([telegram, short, thread].map(async (post) => sharp(await renderPostPreview(post)).metadata()));
    for (const meta of sizes) expect([meta.format, meta.width]).toEqual(['png', 720]);
    expect(sizes[2]!.height).toBeGreaterThan(sizes[1]!.height);
  });

  it('should show an Instagram post\'s prepared image above its caption', async () => {
    const { data } = await sharp({ create: { width: 1080, height: 1350, channels: 3, background: '#fca311' } }).jpeg().toBuffer({ resolveWithObject: true });
    const path = `${(await import('node:os')).tmpdir()}/crier-post-preview-${process.pid}.jpg`;
    await (await import('node:fs/promises')).writeFile(path, data);
    const post: InstagramPost = { target: 'ig', platform: 'instagram', caption: 'Harbour reopens\n\nLink in bio', image: { path, width: 1080, height: 1350, mime: 'image/jpeg' } };
    const { data: px, info } = await sharp(await renderPostPreview(post)).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...px.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(info.height).toBeGreaterThan(820); // 656 × 820 image, plus header and caption
    expect(at(360, 400)).toEqual([0xfc, 0xa3, 0x11]);
  });
});
