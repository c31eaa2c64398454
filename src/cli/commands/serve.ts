import type { CliContext } from '../context.js';
import { UsageError } from '../args.js';

/** `crier serve`: HTTP + feeds + editors' bot + workers (see README). */
export async function serveCommand(_ctx: CliContext): Promise<number> {
  throw new UsageError('crier serve is not available in this build yet');
}
