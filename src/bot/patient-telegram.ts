import type { Telegram } from 'telegraf';

/**
 * The editors' bot's own Bot API calls (replies, edited previews, button answers) wait out
 * a 429 and go again instead of failing: an editor who sends thirty commands in a burst
 * gets thirty answers, late, rather than silence. Only short waits are taken (a 429
 * asking for longer fails as before), and only so often. Broadcasts to subscribers have a
 * client of their own, which paces itself by the 429s it sees.
 */
export const PATIENT_MAX_WAIT_MS = 10_000;
const PATIENT_TRIES = 3;

interface RateLimited {
  response?: { error_code?: number; parameters?: { retry_after?: number } };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function patientTelegram<T extends Telegram>(telegram: T, maxWaitMs = PATIENT_MAX_WAIT_MS): T {
  const call = telegram.callApi.bind(telegram) as (...args: unknown[]) => Promise<unknown>;
  (telegram as unknown as { callApi: (...args: unknown[]) => Promise<unknown> }).callApi = async (...args: unknown[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(...args);
      } catch (error) {
        const response = (error as RateLimited).response;
        const waitMs = (response?.parameters?.retry_after ?? 1) * 1000;
        if (response?.error_code !== 429 || attempt >= PATIENT_TRIES || waitMs > maxWaitMs) throw error;
        await sleep(waitMs);
      }
    }
  };
  return telegram;
}
