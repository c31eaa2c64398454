import { loadCardFonts, drawableText } from './src/media/fonts.js';
const f = await loadCardFonts();
console.log(f.coverage.size, f.fonts.length);
for (const cp of [0x41, 0x416, 0x3b1, 0x1ea0, 0x4e2d, 0x1f600, 0x627, 0x2014, 0x2026, 0x20ac, 0xa9, 0x2116, 0x201c]) console.log(cp.toString(16), f.coverage.has(cp));
console.log(drawableText('Hello 😀 world — «Привет» 中国 ©', f.coverage));
console.log(drawableText('Hello 😀 world ✓ ★', f.coverage));
