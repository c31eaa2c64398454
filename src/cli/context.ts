import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { loadConfig, secretsOf, type Env } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { Article } from '../article/schema.js';
import { createLogger } from '../logging.js';
import { decodeBody } from '../net/decode-body.js';
import { LOG_LEVELS, UsageError, type CliArgs } from './args.js';

/** Everything a command may touch of the outside world, passed in by the entry point. */
export interface CliContext {
  args: CliArgs;
  env: Env;
  cwd: string;
  stdin: NodeJS.ReadableStream;
  out(line: string): void;
  /** Standard output when it is a terminal (live progress redrawn in place); absent otherwise. */
  terminal?: { write(text: string): void; columns(): number };
}

export function loadCliConfig(ctx: CliContext): Config {
  return loadConfig({ file: ctx.args.config, env: ctx.env, cwd: ctx.cwd });
}

export function cliLogger(ctx: CliContext, config: Config, service = false): Logger {
  const level = ctx.args.logLevel ?? ctx.env.LOG_LEVEL ?? (service ? 'info' : 'warn');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`LOG_LEVEL: expected ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return createLogger({ level, secrets: secretsOf(config) });
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** FILE, "-" (stdin) or --url: the article a command works on. Errors are one line. */
export async function readArticleInput(ctx: CliContext, config: Config): Promise<Article> {
  // Loaded here, not at the top: `crier worker` imports this module and never reads articles
  // (the extractors' DOM and Readability weigh ~30 MB of a worker's memory).
  const { loadArticle } = await import('../article/load.js');
  const file = ctx.args.positionals[0];
  const boilerplate = [...config.extract.boilerplate, ...config.extract.extraBoilerplate];
  const options = { boilerplate, ...(ctx.args.url !== undefined ? { url: ctx.args.url } : {}) };
  if (file === undefined) {
    if (ctx.args.url === undefined) throw new UsageError('give an article: a FILE, "-" for standard input, or --url URL');
    // Loaded only here: a worker or a status command does not carry the HTTP client.
    const { safeFetch } = await import('../net/safe-fetch.js');
    const page = await safeFetch(ctx.args.url, { timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024, allowPrivateNetwork: config.bot.allowPrivateNetwork });
    return loadArticle(decodeBody(page.body, page.contentType).text, { ...options, url: page.finalUrl });
  }
  let text: string;
  if (file === '-') text = await readStream(ctx.stdin);
  else {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UsageError(`file not found: ${file}`);
      if (code === 'EISDIR') throw new UsageError(`${file} is a directory, not an article file`);
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (text.trim() === '') throw new UsageError(`${file === '-' ? 'standard input' : file} is empty`);
  return loadArticle(text, options);
}

/** A usage error (exit 2) naming every target id given that the config does not have. */
export function requireKnownTargets(known: ReadonlyArray<{ id: string }>, given: readonly string[] | undefined): void {
  const unknown = given?.filter((id) => !known.some((t) => t.id === id)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown target(s): ${unknown.join(', ')} (known: ${known.map((t) => t.id).join(', ')})`);
}
