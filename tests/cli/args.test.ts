import { describe, expect, it } from 'vitest';
import { checkUsage, parseCli, UsageError } from '../../src/cli/args.js';

/** What `crier <argv>` is refused with before it does anything, or undefined when it is taken. */
function refusal(argv: string[]): string | undefined {
  try {
    checkUsage(parseCli(argv));
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
}

describe('command line checks', () => {
  it('should refuse an argument a command would ignore: retract has no TARGET and takes a post down everywhere', () => {
    expect(refusal(['retract', 'ub0c7a1', 'telegram'])).toMatch(/crier retract takes \[ARTICLE_ID\]; unexpected "telegram" \(a retraction takes the article down on every target\)/);
    expect(refusal(['publish', 'a.json', 'b.json'])).toMatch(/crier publish takes \[FILE\]; unexpected "b\.json"/);
    expect(refusal(['resume', 'telegram', 'twitter'])).toMatch(/unexpected "twitter"/);
    expect(refusal(['status', 'u1', 'extra'])).toMatch(/unexpected "extra"/);
    expect(refusal(['demo', 'extra'])).toMatch(/crier demo takes no arguments/);
    // What each takes is taken.
    expect(refusal(['retract', 'ub0c7a1', '--reason', 'legal', '--wait', '--timeout', '5', '--json'])).toBeUndefined();
    expect(refusal(['retry', 'ub0c7a1', 'telegram'])).toBeUndefined();
    expect(refusal(['unschedule', 'ub0c7a1', 'telegram', '-c', 'crier.yaml', '--log-level', 'debug'])).toBeUndefined();
    expect(refusal(['publish', 'a.json', '--target', 'x', '--target', 'y', '--json', '--wait', '--at', '+1h', '--priority', 'breaking'])).toBeUndefined();
  });

  it('should refuse an option the command does not read, rather than ignore it', () => {
    expect(refusal(['status', 'u1', '--force'])).toMatch(/crier status has no --force option/);
    expect(refusal(['health', '--wait'])).toMatch(/crier health has no --wait option/);
    expect(refusal(['worker', '--sandbox'])).toMatch(/no --sandbox option/);
    expect(refusal(['serve', '--sandbox', '--backfill', '3'])).toBeUndefined();
  });

  it('should refuse a past, impossible or far-off --at, which would send an embargoed post at once or never', () => {
    expect(refusal(['publish', 'a.json', '--at', '2020-01-01T10:00:00Z'])).toMatch(/--at: 2020-01-01T10:00:00\.000Z is in the past \(it is now .*\); leave --at out to send now/);
    const nextYear = new Date().getUTCFullYear() + 1;
    expect(refusal(['publish', 'a.json', '--at', `${nextYear}-02-31T10:00:00Z`])).toMatch(/is not a valid time/);
    expect(refusal(['publish', 'a.json', '--at', '+300000d'])).toMatch(/more than a year ahead/);
    expect(refusal(['reschedule', 'u1', '--at', '+999999999d'])).toMatch(/more than a year ahead/);
    expect(refusal(['publish', 'a.json', '--at', `${nextYear}-02-28T10:00:00Z`])).toBeUndefined();
    // A value starting with "-" is read by node as an option: say how to give it.
    expect(refusal(['publish', 'a.json', '--at', '-5m'])).toBe('--at: its value starts with "-"; write --at=VALUE');
    expect(refusal(['publish', 'a.json', '--at=-5m'])).toMatch(/--at: "-5m" is not a time/);
  });

  it('should refuse an unknown log level as a usage error', () => {
    expect(refusal(['status', 'u1', '--log-level', 'loud'])).toMatch(/--log-level: expected trace, debug, info, warn, error, fatal, silent, got "loud"/);
  });
});
