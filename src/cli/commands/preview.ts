import { createAdapter } from '../../../adapters/registry.js';
import type { Post } from '../../../adapters/types.js';
import { activeTargets } from '../../app.js';
import { silentLogger } from '../../logging.js';
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
  ctx.out(JSON.stringify({ article, posts }, null, 2));
  return 0;
}
