import type { CardStyle } from '../../src/media/card.js';

/** A title in each script of issue 15 (written for these tests), shared by the card and golden-image tests. */
export const SCRIPT_TITLES: Array<{ script: string; title: string; rtl?: boolean }> = [
  { script: 'latin', title: 'Harbour reopens after the storm as fishermen count the cost' },
  { script: 'cyrillic', title: 'Порт снова открыт после шторма: рыбаки подсчитывают убытки' },
  { script: 'arabic', title: 'إعادة فتح الميناء بعد العاصفة والصيادون يحصون خسائرهم', rtl: true },
  { script: 'persian', title: 'بندر پس از طوفان دوباره باز شد و ماهیگیران خسارت‌ها را می‌شمارند', rtl: true },
  { script: 'hebrew', title: 'הנמל נפתח מחדש אחרי הסערה והדייגים סופרים את הנזקים', rtl: true },
  { script: 'chinese', title: '风暴过后港口重新开放，渔民正在清点损失' },
  { script: 'japanese', title: '嵐の後、港が再開 漁業者は被害の確認に追われる' },
  { script: 'korean', title: '폭풍 지나간 뒤 항구 재개장, 어민들 피해 집계 나서' },
  { script: 'devanagari', title: 'तूफ़ान के बाद बंदरगाह फिर से खुला, मछुआरे नुकसान का हिसाब लगा रहे हैं' },
  { script: 'thai', title: 'ท่าเรือเปิดอีกครั้งหลังพายุ ชาวประมงเร่งสำรวจความเสียหาย' },
];

export const CARD_STYLE: CardStyle = { width: 1080, height: 1350, background: '#14213d', foreground: '#ffffff', accent: '#fca311', siteName: 'Harbour Gazette' };

/** Golden images are drawn at half size: the same layout (everything scales with the width), a quarter of the bytes. */
export const GOLDEN_STYLE: CardStyle = { ...CARD_STYLE, width: 540, height: 675 };

export const CARD_TEXT = { sourceName: 'Coast Wire', publishedAt: '2026-02-03T09:00:00Z', url: 'https://news.example.org/2026/02/03/harbour' };

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

/** Bounding box of the pixels that differ clearly from the background colour (RGB raw). */
export function inkBox(raw: Raw, background: [number, number, number], threshold = 40): { left: number; top: number; right: number; bottom: number } | undefined {
  let left = Infinity;
  let top = Infinity;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < raw.height; y++) {
    for (let x = 0; x < raw.width; x++) {
      const i = (y * raw.width + x) * 3;
      const d = Math.max(Math.abs((raw.data[i] as number) - background[0]), Math.abs((raw.data[i + 1] as number) - background[1]), Math.abs((raw.data[i + 2] as number) - background[2]));
      if (d <= threshold) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? undefined : { left, top, right, bottom };
}
