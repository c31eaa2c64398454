import type { Post } from '../../adapters/types.js';
import type { App } from '../app.js';
import type { Article } from '../article/schema.js';
import { postPreview, type PostPreview } from './render-preview.js';

/** How long preparing media (image download, title card) may take for a preview. */
export const PREPARE_TIMEOUT_MS = 20_000;

/**
 * Every active target's post for an article, the way the worker builds it (format, then
 * prepare), without sending anything. A target whose media cannot be prepared still
 * shows its formatted text, with a note; one that cannot format shows why.
 */
export async function buildPreviews(app: App, article: Article, timeoutMs = PREPARE_TIMEOUT_MS): Promise<PostPreview[]> {
  const adapters = app.getAdapters();
  const signal = AbortSignal.timeout(timeoutMs);
  return Promise.all(
    app.targets.map(async (target): Promise<PostPreview> => {
      const adapter = adapters.get(target.id);
      if (adapter === undefined) return { target: target.id, platform: target.platform, kind: 'no adapter', text: '', notes: [] };
      let post: Post;
      try {
        post = adapter.format(article);
      } catch (error) {
        return { target: target.id, platform: target.platform, kind: 'cannot be formatted', text: '', notes: [messageOf(error)] };
      }
      if (adapter.prepare === undefined) return postPreview(post);
      try {
        return postPreview(await adapter.prepare(post, { signal }));
      } catch (error) {
        return postPreview(post, [`media not ready: ${messageOf(error)}`]);
      }
    }),
  );
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
