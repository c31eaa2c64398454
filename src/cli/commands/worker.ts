import { App } from '../../app.js';
import { EditorAlerts } from '../../bot/alerts.js';
import { connectAlerts } from '../../bot/alert-sink.js';
import { cliLogger, loadCliConfig, type CliContext } from '../context.js';
import { describeFound } from '../../../queues/redis-probe.js';
import { requireRedis } from './redis-check.js';

/** Resolve on the first SIGTERM or SIGINT. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** `crier worker`: deliver until SIGTERM/SIGINT, then finish or hand back in-flight jobs. */
export async function workerCommand(ctx: CliContext): Promise<number> {
  const config = loadCliConfig(ctx);
  const redis = await requireRedis(config);
  const logger = cliLogger(ctx, config, true);
  const alerts = new EditorAlerts(logger);
  const app = new App(config, { logger, observer: alerts });
  const alerting = connectAlerts(alerts, app);
  await app.startWorkers();
  logger.info({ targets: app.targets.map((t) => t.id), pid: process.pid, alerts: alerting ? 'telegram' : 'log', redis: describeFound(redis) }, 'workers running');
  const signal = await untilSignal();
  logger.info({ signal }, 'shutting down: finishing in-flight deliveries');
  await app.close();
  logger.info('stopped');
  return 0;
}
