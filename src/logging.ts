import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Telegram bot tokens look like 123456789:AA…; they also appear inside API URLs. */
const BOT_TOKEN = /(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g;
/** user:password@ in connection URLs. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/gi;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replace every known secret, bot token and URL password in a string. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(BOT_TOKEN, '[REDACTED]').replace(URL_PASSWORD, '$1[REDACTED]$3');
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.replace(new RegExp(escapeRegExp(secret), 'g'), '[REDACTED]');
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) out = out.replace(new RegExp(escapeRegExp(json), 'g'), '[REDACTED]');
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  secrets?: readonly string[];
  destination?: DestinationStream;
}

/** The one structured logger: JSON lines, secrets scrubbed from every line before it is written. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])].sort((a, b) => b.length - a.length);
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'crier' },
      redact: {
        paths: [
          '*.password', '*.token', '*.botToken', '*.accessToken', '*.accessSecret', '*.appSecret', '*.appKey',
          '*.webhookSecret', '*.authorization', '*.headers.authorization', '*.headers["x-crier-signature"]',
          'password', 'token', 'authorization',
        ],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: (line: string) => redactText(line, secrets) },
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that drops everything (tests, preview). */
export const silentLogger: Logger = pino({ level: 'silent' });
