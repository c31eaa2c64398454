import type { Article } from '../src/article/schema.js';

/** What the worker reports, for editors' alerts and metrics. Every method is optional. */
export interface DeliveryObserver {
  delivered?(e: { target: string; platform: string; article: Article; latencyMs: number; remoteId: string; url?: string; duplicate: boolean }): void;
  /** A delivery failed for good: tell a human. */
  failed?(e: { target: string; platform: string; article: Article; reason: string }): void | Promise<void>;
  /** Transient error; BullMQ will retry after backoff. */
  retrying?(e: { target: string; platform: string; article: Article; error: string; attempt: number }): void;
  rateLimited?(e: { target: string; platform: string; waitMs: number; source: 'platform' | 'budget' }): void;
  /** The account needs a human; the target's queue is paused. */
  paused?(e: { target: string; platform: string; article: Article; reason: string; action: string }): void | Promise<void>;
  /** A send in doubt (crash or lost answer) and the platform cannot be asked, or asking failed: a human decides. */
  unknown?(e: { target: string; platform: string; article: Article; reason: string; lookAt?: string }): void | Promise<void>;
  /** The platform may have acted on a send whose answer was lost (reset, timeout, gateway error). */
  answerLost?(e: { target: string; platform: string; article: Article; error: string }): void;
  /** How a send in doubt was settled: found on the platform, surely absent (sent now), or left to an editor. */
  reconciled?(e: { target: string; platform: string; article: Article; result: 'found' | 'absent' | 'unknown' }): void;
  /** An update or retraction of a delivered post went through (action: edited, replied, deleted, ignored, not_supported…). */
  followedUp?(e: { target: string; platform: string; article: Article; kind: 'update' | 'retract'; action: string }): void;
  /** Something an editor should know and do by hand (a correction the platform cannot apply, a retraction that failed): no buttons. */
  notice?(e: { target: string; platform: string; article: Article; reason: string }): void | Promise<void>;
  /** A first post was held back until `untilMs` (quiet hours, spacing), or dropped (a feed item too old by the end of quiet hours). */
  held?(e: { target: string; platform: string; reason: 'quiet_hours' | 'spacing' | 'dropped'; untilMs: number }): void;
}

/** Fan one event out to several observers; an observer that throws never breaks a delivery. */
export function combineObservers(...observers: Array<DeliveryObserver | undefined>): DeliveryObserver {
  const list = observers.filter((o): o is DeliveryObserver => o !== undefined);
  const call = <K extends keyof DeliveryObserver>(name: K) =>
    (async (e: unknown) => {
      for (const o of list) {
        const fn = o[name] as ((e: unknown) => unknown) | undefined;
        try {
          await fn?.call(o, e);
        } catch {
          /* observers are best effort */
        }
      }
    }) as NonNullable<DeliveryObserver[K]>;
  return {
    delivered: call('delivered'),
    failed: call('failed'),
    retrying: call('retrying'),
    rateLimited: call('rateLimited'),
    paused: call('paused'),
    unknown: call('unknown'),
    answerLost: call('answerLost'),
    reconciled: call('reconciled'),
    followedUp: call('followedUp'),
    notice: call('notice'),
    held: call('held'),
  };
}
