import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `crier worker` child processes (bin/crier.js, the production entry point), each with its
 * output in a log file, that can be killed with SIGKILL and started again.
 */

const CLI = fileURLToPath(new URL('../../bin/crier.js', import.meta.url));

export interface WorkerPoolOptions {
  count: number;
  configFile: string;
  redisUrl: string;
  logDir: string;
  logLevel?: string;
}

export class WorkerPool {
  private readonly children: Array<ChildProcess | undefined>;
  private readonly logs: WriteStream[] = [];
  private starts = 0;
  kills = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.children = Array.from({ length: options.count }, () => undefined);
  }

  get size(): number {
    return this.children.length;
  }

  /** Start (or restart) worker `i`. */
  start(i: number): void {
    const log = createWriteStream(join(this.options.logDir, `worker-${i}-${this.starts++}.log`));
    this.logs.push(log);
    const child = spawn(process.execPath, [CLI, 'worker', '--config', this.options.configFile, '--log-level', this.options.logLevel ?? 'info'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: this.options.redisUrl },
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.children[i] = child;
  }

  startAll(): void {
    for (let i = 0; i < this.children.length; i++) this.start(i);
  }

  /** SIGKILL worker `i`: no shutdown, in-flight sends die where they are. */
  async kill(i: number): Promise<void> {
    const child = this.children[i];
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Out of the pool at once, so no other kill picks it while it dies.
    this.children[i] = undefined;
    child.kill('SIGKILL');
    await exited;
    this.kills++;
  }

  /** Indexes of the workers running now (started, not killed, not exited). */
  alive(): number[] {
    return this.children.flatMap((c, i) => (c !== undefined && c.exitCode === null && c.signalCode === null ? [i] : []));
  }

  /** Workers that exited by themselves (a crash, not one of our kills). */
  crashed(): number[] {
    return this.children.flatMap((c, i) => (c !== undefined && (c.exitCode !== null || c.signalCode !== null) ? [i] : []));
  }

  /** Stop every worker gracefully (SIGTERM), SIGKILL after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const log of this.logs) log.end();
  }
}
