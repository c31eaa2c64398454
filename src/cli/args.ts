import { parseArgs } from 'node:util';
import { PRIORITIES, type Priority } from '../article/schema.js';
import { parseAt } from '../../queues/schedule.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options every command understands. */
const COMMON = {
  config: { type: 'string', short: 'c' },
  url: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  target: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  sandbox: { type: 'boolean' },
  backfill: { type: 'string' },
  reason: { type: 'string' },
  force: { type: 'boolean' },
  schedule: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'log-level': { type: 'string' },
  png: { type: 'string' },
  at: { type: 'string' },
  priority: { type: 'string' },
} as const;

export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  /** The options given on the command line, by name (`at`, `log-level`…). */
  given: ReadonlySet<string>;
  config?: string;
  url?: string;
  wait: boolean;
  timeoutSeconds?: number;
  targets?: string[];
  json: boolean;
  sandbox: boolean;
  backfill?: number;
  reason?: string;
  /** publish: publish a retracted article again. */
  force: boolean;
  /** `demo --schedule`: show a scheduled post and breaking news overtaking a backlog. */
  schedule: boolean;
  help: boolean;
  logLevel?: string;
  /** `preview --png DIR`: also draw each post (and its image) as PNG files in DIR. */
  png?: string;
  /** publish/reschedule --at: an ISO 8601 time with its offset, or +30m, +2h, +1d (checked by the command). */
  at?: string;
  /** publish --priority. */
  priority?: Priority;
}

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: COMMON, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // "--at -5m": node reads a value that starts with "-" as another option.
    const ambiguous = /^Option '(-\w, )?(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous?.[2] !== undefined) throw new UsageError(`${ambiguous[2]}: its value starts with "-"; write ${ambiguous[2]}=VALUE`);
    throw new UsageError(message.replace(/\. To specify a positional.*$/, ''));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const out: CliArgs = { command, positionals: rest, given: new Set(Object.keys(values)), wait: values.wait ?? false, json: values.json ?? false, sandbox: values.sandbox ?? false, force: values.force ?? false, help: values.help ?? false, schedule: values.schedule ?? false };
  if (values.reason !== undefined) out.reason = values.reason;
  if (values.config !== undefined) out.config = values.config;
  if (values.url !== undefined) out.url = values.url;
  if (values.target !== undefined) out.targets = values.target;
  if (values['log-level'] !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(values['log-level'])) throw new UsageError(`--log-level: expected ${LOG_LEVELS.join(', ')}, got "${values['log-level']}"`);
    out.logLevel = values['log-level'];
  }
  if (values.png !== undefined) out.png = values.png;
  if (values.at !== undefined) {
    const now = Date.now();
    let at: number;
    try {
      at = parseAt(values.at, now);
    } catch (error) {
      throw new UsageError(`--at: ${(error as Error).message}`);
    }
    // A past time would send at once: a wrong year or day in a typed embargo must not break it.
    if (at <= now) throw new UsageError(`--at: ${new Date(at).toISOString()} is in the past (it is now ${new Date(now).toISOString()}); leave --at out to send now`);
    out.at = values.at;
  }
  if (values.priority !== undefined) {
    if (!(PRIORITIES as readonly string[]).includes(values.priority)) throw new UsageError(`--priority: expected breaking, normal or low, got "${values.priority}"`);
    out.priority = values.priority as Priority;
  }
  if (values.timeout !== undefined) {
    const n = Number(values.timeout);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout: expected seconds, got "${values.timeout}"`);
    out.timeoutSeconds = n;
  }
  if (values.backfill !== undefined) {
    const n = Number(values.backfill);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--backfill: expected a whole number, got "${values.backfill}"`);
    out.backfill = n;
  }
  return out;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** What each command takes: its positional arguments, in order, and the options it reads (beyond -c, -h and --log-level). */
const COMMANDS: Record<string, { positionals: readonly string[]; options: ReadonlyArray<keyof typeof COMMON> }> = {
  demo: { positionals: [], options: ['schedule'] },
  preview: { positionals: ['FILE'], options: ['url', 'png'] },
  publish: { positionals: ['FILE'], options: ['url', 'wait', 'timeout', 'target', 'json', 'force', 'at', 'priority'] },
  queue: { positionals: ['TARGET'], options: ['json'] },
  unschedule: { positionals: ['ARTICLE_ID', 'TARGET'], options: [] },
  reschedule: { positionals: ['ARTICLE_ID', 'TARGET'], options: ['at'] },
  retract: { positionals: ['ARTICLE_ID'], options: ['reason', 'wait', 'timeout', 'json'] },
  worker: { positionals: [], options: [] },
  serve: { positionals: [], options: ['sandbox', 'backfill'] },
  status: { positionals: ['ARTICLE_ID'], options: ['json'] },
  retry: { positionals: ['ARTICLE_ID', 'TARGET'], options: [] },
  resume: { positionals: ['TARGET'], options: [] },
  health: { positionals: [], options: [] },
};

const EVERY_COMMAND: ReadonlyArray<keyof typeof COMMON> = ['config', 'help', 'log-level'];

/**
 * Refuse what a command would silently ignore: an argument too many (`crier retract ID
 * telegram` would take the post down everywhere, not on Telegram) or an option it does not
 * read. Unknown commands pass (main answers those).
 */
export function checkUsage(args: CliArgs): void {
  const spec = args.command === undefined ? undefined : COMMANDS[args.command];
  if (spec === undefined) return;
  const name = args.command as string;
  if (args.positionals.length > spec.positionals.length) {
    const extra = args.positionals.slice(spec.positionals.length).map((p) => `"${p}"`).join(' ');
    const takes = spec.positionals.length === 0 ? 'no arguments' : spec.positionals.map((p) => `[${p}]`).join(' ');
    const hint = name === 'retract' ? ' (a retraction takes the article down on every target)' : '';
    throw new UsageError(`crier ${name} takes ${takes}; unexpected ${extra}${hint}`);
  }
  const stray = [...args.given].filter((o) => !EVERY_COMMAND.includes(o as keyof typeof COMMON) && !spec.options.includes(o as keyof typeof COMMON));
  if (stray.length > 0) throw new UsageError(`crier ${name} has no ${stray.map((o) => `--${o}`).join(', ')} option (see \`crier help\`)`);
}

export const USAGE = `crier — one article in, one post per platform out, exactly once.

Usage:
  crier demo [--schedule]            run the whole flow against the built-in sandbox platforms;
                                     --schedule: a scheduled post, then breaking news overtaking a backlog
  crier preview [FILE|-] [--url URL] [--png DIR]
                                     print the posts an article would become (JSON); --png also
                                     draws each post as DIR/<target>.png and its image as
                                     DIR/<target>-image.png
  crier publish [FILE|-] [--url URL] [--wait] [--timeout S] [--json] [--target ID]... [--force]
                                     enqueue an article (prints its id); --wait prints each result
                                     (--json: one JSON document at the end);
                                     a known article with changed content is an update;
                                     --force publishes a retracted article again
                 [--at TIME] [--priority breaking|normal|low]
                                     --at holds it until TIME (ISO 8601 with offset, or +30m, +2h,
                                     +1d); default: its publishedAt when that is in the future;
                                     breaking jumps the queue, quiet hours and spacing
  crier queue [TARGET] [--json]      list deliveries not sent yet: due time and reason (embargo,
                                     quiet_hours, spacing, rate_limit, paused, retrying, queued)
  crier unschedule ARTICLE_ID [TARGET]
                                     cancel pending first posts (crier retry sends them now)
  crier reschedule ARTICLE_ID --at TIME [TARGET]
                                     move pending (or unscheduled) first posts to TIME
  crier retract ARTICLE_ID [--reason TEXT] [--wait] [--timeout S] [--json]
                                     take an article's posts down on every target (pending ones
                                     cancelled)
  crier worker                       run delivery workers until SIGTERM/SIGINT
  crier serve [--sandbox] [--backfill N]
                                     HTTP webhooks + feeds + editors' bot + workers
  crier status ARTICLE_ID [--json]   print the delivery ledger of an article
  crier retry ARTICLE_ID [TARGET]    send failed/unknown deliveries again (never delivered ones)
  crier resume TARGET                resume a target paused for a human (checkpoint, spam block)
  crier health                       exit 0 when Redis answers and workers on this host run (container health check)
  crier help                         this text

Options:
  -c, --config FILE   YAML config (default: ./crier.yaml when present)
  --url URL           the article's URL when the input has none (or fetch it when no FILE)
  --log-level LEVEL   trace|debug|info|warn|error|fatal|silent (default: warn for CLI commands, info
                      for services)
  -h, --help          this text

FILE may be Markdown, HTML or Article JSON; "-" reads standard input.
Exit codes: 0 done; 1 failed (or, for status, a delivery failed or in doubt); 2 usage error
(bad option, unknown target, missing file); 3 publish --wait timed out waiting.
Environment: REDIS_URL, REDIS_PREFIX, TELEGRAM_BOT_TOKEN, TELEGRAM_CHANNEL, TELEGRAM_EDITORS,
TWITTER_APP_KEY, TWITTER_APP_SECRET, TWITTER_ACCESS_TOKEN, TWITTER_ACCESS_SECRET,
INSTAGRAM_USERNAME, INSTAGRAM_PASSWORD, *_API_ROOT (see README).`;
