import type { Article } from '../src/article/schema.js';

/**
 * The articles this process last stored or read, with the revision each carries, so a
 * delivery's `begin` need not fetch and parse the stored article again when it is the
 * same revision (the common case: the process that published it delivers it, or delivers
 * it to several targets). `begin` sends the revision it holds; Redis answers with the
 * stored article only when the article's current revision differs (another process
 * published an update, or nothing is cached). A wrong entry therefore costs one fetch,
 * never a wrong post. Keys are the ledger's (prefix and article id), so several ledgers in
 * one process share it. Least recently used entries go first.
 */
export class ArticleCache {
  private readonly entries = new Map<string, { article: Article; rev: number }>();

  constructor(private readonly max = 2000) {}

  get(key: string): { article: Article; rev: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, article: Article, rev: number): void {
    this.entries.delete(key);
    this.entries.set(key, { article, rev });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** This process's cache, shared by every ledger in it. */
export const processArticleCache = new ArticleCache();
