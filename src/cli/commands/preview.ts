import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createAdapter } from '../../../adapters/registry.js';
import type { Post } from '../../../adapters/types.js';
import { activeTargets } from '../../app.js';
import { silentLogger } from '../../logging.js';
import { UsageError } from '../args.js';
import { readArticleInput, loadCliConfig, type CliContext } from '../context.js';

/** `crier preview`: the posts an article would become, as one JSON object. No credentials needed. */
export async function previewCommand(ctx: CliContext): Promise<number> {
  const config = loadCliConfig(ctx);
  const article = await readArticleInput(ctx, config);
  const signal = AbortSignal.timeout(60_000);
  const posts: Post[] = [];
  for (const target of activeTargets(config, false)) {
    const adapter = createAdapter(target, {
      logger: silentLogger,
      allowPrivateNetwork: config.media.allowPrivateNetwork,
      mediaDir: config.media.dir,
    });
    let post = adapter.format(article);
    if (adapter.prepare) post = await adapter.prepare(post, { signal });
    posts.push(post);
  }
  if (ctx.args.png !== undefined) await writePngs(resolve(ctx.cwd, ctx.args.png), posts);
  ctx.out(JSON.stringify({ article, posts }, null, 2));
  return 0;
}

/** `--png DIR`: each post drawn as DIR/<target>.png, and the image it posts (card or photo, when a local file) as DIR/<target>-image.png. */
async function writePngs(dir: string, posts: Post[]): Promise<void> {
  const [{ renderPostPreview }, { default: sharp }] = await Promise.all([import('../../media/post-preview.js'), import('sharp')]);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--png: cannot make the directory ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  for (const post of posts) {
    await writeFile(join(dir, `${post.target}.png`), await renderPostPreview(post));
    const image = post.platform === 'instagram' ? post.image.path : post.platform === 'twitter' ? post.tweets[0]?.media?.[0]?.path : undefined;
    if (image !== undefined) await sharp(image).png().toFile(join(dir, `${post.target}-image.png`));
  }
}
