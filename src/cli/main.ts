import { ConfigError, ConfigFileNotFoundError } from '../../config/load.js';
import { ArticleError } from '../article/schema.js';
import { SetupError } from '../app.js';
import { redactText } from '../logging.js';
import { checkUsage, parseCli, USAGE, UsageError } from './args.js';
import type { CliContext } from './context.js';

type Command = (ctx: CliContext) => Promise<number>;

/** Commands load lazily so `crier preview` does not pay for the HTTP server's imports. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  preview: async () => (await import('./commands/preview.js')).previewCommand,
  publish: async () => (await import('./commands/publish.js')).publishCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  retry: async () => (await import('./commands/retry.js')).retryCommand,
  resume: async () => (await import('./commands/retry.js')).resumeCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  health: async () => (await import('./commands/health.js')).healthCommand,
  retract: async () => (await import('./commands/retract.js')).retractCommand,
  queue: async () => (await import('./commands/queue.js')).queueCommand,
  unschedule: async () => (await import('./commands/queue.js')).unscheduleCommand,
  reschedule: async () => (await import('./commands/queue.js')).rescheduleCommand,
};

/** Errors a user can act on: one line, no stack trace. */
const EXPECTED = ['UsageError', 'ConfigError', 'ArticleError', 'SetupError', 'FetchError', 'RedisUnavailableError', 'NotReplicatedError'];

/** False once standard output's reader went away (`crier demo | head -3`): output stops, the command finishes and cleans up. */
let stdoutOpen = true;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutOpen = false;
});

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (line: string) => {
    if (stdoutOpen) process.stdout.write(line + '\n');
  };
  try {
    const args = parseCli(argv);
    if (args.command === undefined || args.command === 'help' || (args.help && args.command === undefined)) {
      out(USAGE);
      return args.command === undefined && !args.help ? 2 : 0;
    }
    if (args.help) {
      out(USAGE);
      return 0;
    }
    const load = COMMANDS[args.command];
    if (load === undefined) throw new UsageError(`unknown command "${args.command}" (try \`crier help\`)`);
    checkUsage(args);
    const command = await load();
    const terminal = process.stdout.isTTY
      ? { write: (text: string) => void (stdoutOpen && process.stdout.write(text)), columns: () => process.stdout.columns || 80 }
      : undefined;
    return await command({ args, env, cwd: process.cwd(), stdin: process.stdin, out, ...(terminal !== undefined ? { terminal } : {}) });
  } catch (error) {
    const e = error as Error;
    const expected =
      error instanceof UsageError || error instanceof ConfigError || error instanceof ArticleError || error instanceof SetupError || EXPECTED.includes(e.name);
    const message = redactText(expected ? e.message : `unexpected error: ${e.message}`);
    process.stderr.write(`crier: ${message.split('\n')[0]}\n`);
    if (!expected && env.CRIER_DEBUG) process.stderr.write(redactText(String(e.stack)) + '\n');
    return error instanceof UsageError || error instanceof ConfigFileNotFoundError ? 2 : 1;
  }
}

const code = await main(process.argv.slice(2), process.env);
process.exitCode = code;
// Long-lived commands (worker, serve, demo) close their own handles; a short command whose
// library left a timer behind should still exit promptly.
if (!['worker', 'serve'].includes(process.argv[2] ?? '')) setTimeout(() => process.exit(code), 200).unref();
