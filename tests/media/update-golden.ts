import { mkdirSync, writeFileSync } from 'node:fs';
import { SCRIPT_TITLES } from './card-cases.js';
import { GOLDEN_DIR, goldenPath, renderGolden, toPng } from './golden.js';

/** Writes tests/media/golden/card-<script>.png from the current renderer. Look at each before committing. */
mkdirSync(GOLDEN_DIR, { recursive: true });
for (const { script } of SCRIPT_TITLES) {
  const png = await toPng(await renderGolden(script));
  writeFileSync(goldenPath(script), png);
  process.stdout.write(`${goldenPath(script)}: ${png.length} bytes\n`);
}
