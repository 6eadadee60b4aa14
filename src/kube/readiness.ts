import { errorMessage, isConfigurationError } from '../errors.js';
import { sleep as realSleep } from '../util/sleep.js';

/** What a probe saw: ready or not, and in words, for the timeout message. */
export interface Observation {
  ready: boolean;
  detail: string;
}

/** Checks once. A thrown error counts as "not ready yet" (the thing may still be starting), except a ConfigurationError. */
export type Probe = () => Promise<boolean | Observation>;

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /**
   * How long the awaited change takes at the soonest, from the call (ms): after a first look (for work
   * that is done already), no looks before then. Each look is a tool call; this is where they are saved.
   */
  notBeforeMs?: number;
  /** What is awaited, for messages: e.g. "the Kubernetes API of east at 192.168.15.10". */
  describe: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The awaited condition did not come true in time. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  readonly awaited: string;
  readonly lastObservation: string;
  readonly elapsedMs: number;

  constructor(init: { awaited: string; lastObservation: string; elapsedMs: number; attempts: number }) {
    const seconds = Math.round(init.elapsedMs / 1000);
    super(
      `timed out after ${seconds}s (${init.attempts} checks) waiting for ${init.awaited}; ` +
        `last observation: ${init.lastObservation}`,
    );
    this.awaited = init.awaited;
    this.lastObservation = init.lastObservation;
    this.elapsedMs = init.elapsedMs;
  }
}

/**
 * Probes every `intervalMs` (none but the first before `notBeforeMs`) until the probe reports ready, or
 * throws WaitTimeoutError once `timeoutMs` has passed. The probe runs at least once, and once more at the
 * deadline, so a short timeout still gets a fair last look.
 */
export async function waitUntil(probe: Probe, opts: WaitOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const started = now();
  const deadline = started + opts.timeoutMs;
  for (let attempts = 1; ; attempts++) {
    const observation = await observe(probe);
    if (observation.ready) return;
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new WaitTimeoutError({
        awaited: opts.describe,
        lastObservation: observation.detail,
        elapsedMs: now() - started,
        attempts,
      });
    }
    const quiet = started + (opts.notBeforeMs ?? 0) - now();
    await sleep(Math.min(Math.max(opts.intervalMs, quiet), remaining));
  }
}

async function observe(probe: Probe): Promise<Observation> {
  try {
    const result = await probe();
    return typeof result === 'boolean'
      ? { ready: result, detail: result ? 'ready' : 'not ready yet' }
      : result;
  } catch (error) {
    if (isConfigurationError(error)) throw error;
    return { ready: false, detail: errorMessage(error) };
  }
}
