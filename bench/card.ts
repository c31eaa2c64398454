import { renderCardJpeg, type CardStyle, type CardText } from '../src/media/card.js';
import { median, percentile, round, type BenchOptions } from './common.js';
import { renderSatoriCard } from './card-satori.js';

/**
 * Title card render time: one 1080×1350 card, laid out, drawn and encoded to JPEG, no
 * cache. crier's renderer (Pango through sharp) against the renderer crier had before
 * (satori + resvg, bench/card-satori.ts), in the same process, on four Latin titles from
 * short to too long for the card, rounds interleaved with the order rotating. The other
 * scripts (which only crier's renderer can draw) are timed too, for context. Both renderers
 * are warmed up first (fonts loaded, fontconfig cache built).
 */

export interface CardResult {
  /** Median ms per Latin card. */
  crier_ms: number;
  baseline_ms: number;
  ratio: number;
  p95_ms: { crier: number; baseline: number };
  /** Median ms per card for each Latin title (by its length in characters): crier, baseline. */
  per_title_ms: Array<{ chars: number; crier: number; baseline: number }>;
  /** Median ms per card, crier's renderer, by script. */
  per_script_ms: Record<string, number>;
  cards: number;
}

const STYLE: CardStyle = { width: 1080, height: 1350, background: '#14213d', foreground: '#ffffff', accent: '#fca311', siteName: 'The Harbour Courier' };

export const LATIN_TITLES = [
  'Ferry timetable extended',
  'Harbour quay plan approved after a long night at the council',
  'Council backs the €14 million rebuild of the old quay by 23 votes to 8 after a four-hour session in which residents queued to speak',
  'Fishermen, port officials and ministers from twelve countries met through the night to agree new quotas for the northern seas, and the deal that came out of it surprised everyone who had followed the talks over the last two years, including the fishermen themselves',
];

export const SCRIPT_TITLES: Record<string, string> = {
  cyrillic: 'Порт снова открыт после шторма: рыбаки подсчитывают убытки',
  arabic: 'إعادة فتح الميناء بعد العاصفة والصيادون يحصون خسائرهم',
  hebrew: 'הנמל נפתח מחדש אחרי הסערה והדייגים סופרים את הנזקים',
  devanagari: 'तूफ़ान के बाद बंदरगाह फिर से खुला, मछुआरे नुकसान का हिसाब लगा रहे हैं',
  thai: 'ท่าเรือเปิดอีกครั้งหลังพายุ ชาวประมงเร่งสำรวจความเสียหาย',
  chinese: '风暴过后港口重新开放，渔民正在清点损失',
  japanese: '嵐の後、港が再開 漁業者は被害の確認に追われる',
  korean: '폭풍 지나간 뒤 항구 재개장, 어민들 피해 집계 나서',
};

const card = (title: string): CardText => ({ title, sourceName: 'Coast Wire', publishedAt: '2026-04-02T09:30:00Z', url: 'https://news.example.org/2026/04/harbour' });

async function timed(render: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await render();
  return performance.now() - started;
}

export async function measureCard(options: BenchOptions): Promise<CardResult> {
  const rounds = options.quick ? 4 : 10;
  const renderers = {
    crier: (title: string) => renderCardJpeg(card(title), STYLE),
    baseline: (title: string) => renderSatoriCard(card(title), STYLE),
  };
  for (const title of LATIN_TITLES) {
    await renderers.crier(title);
    await renderers.baseline(title);
  }
  const times: Record<keyof typeof renderers, number[]> = { crier: [], baseline: [] };
  const byTitle = LATIN_TITLES.map(() => ({ crier: [] as number[], baseline: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    const order = (r % 2 === 0 ? ['crier', 'baseline'] : ['baseline', 'crier']) as Array<keyof typeof renderers>;
    for (const [i, title] of LATIN_TITLES.entries()) {
      for (const name of order) {
        const ms = await timed(() => renderers[name](title));
        times[name].push(ms);
        byTitle[i]?.[name].push(ms);
      }
    }
  }
  const perScript: Record<string, number> = {};
  for (const [script, title] of Object.entries(SCRIPT_TITLES)) {
    await renderers.crier(title);
    const samples: number[] = [];
    for (let r = 0; r < Math.ceil(rounds / 2); r++) samples.push(await timed(() => renderers.crier(title)));
    perScript[script] = round(median(samples));
  }
  const crier = median(times.crier);
  const baseline = median(times.baseline);
  const result: CardResult = {
    crier_ms: round(crier),
    baseline_ms: round(baseline),
    ratio: round(crier / baseline, 2),
    p95_ms: { crier: round(percentile(times.crier, 95)), baseline: round(percentile(times.baseline, 95)) },
    per_title_ms: LATIN_TITLES.map((title, i) => ({ chars: [...title].length, crier: round(median(byTitle[i]?.crier ?? [])), baseline: round(median(byTitle[i]?.baseline ?? [])) })),
    per_script_ms: perScript,
    cards: times.crier.length + times.baseline.length,
  };
  options.log(`card: crier ${result.crier_ms} ms, satori baseline ${result.baseline_ms} ms (ratio ${result.ratio}); by title ${JSON.stringify(result.per_title_ms)}; by script ${JSON.stringify(perScript)}`);
  return result;
}
