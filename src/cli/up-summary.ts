import type { ResolvedTwin } from '../spec/environment.js';

/** What `twin up` adds at its end: how long it took, what runs, when a preview goes, and what to type next. */
export interface RunSummaryInput {
  /** The `twin up` command line (after `up`): the next commands reuse its spec and options. */
  args: string[];
  twin: ResolvedTwin;
  startedAt: number;
  endedAt: number;
  /** The lab's time scale (1 on a real lab). */
  scale: number;
  /** Nothing differs from the spec any more: the releases listed are running, not only wanted. */
  ready: boolean;
  /** Day 2 ran (not --no-platform): Rook is one of the releases. */
  dayTwo: boolean;
}

const HOUR_MS = 3_600_000;

export function runSummaryLines(input: RunSummaryInput): string[] {
  return [
    `total time: ${totalTime(input)}`,
    `releases ${input.ready ? 'running' : 'wanted'}: ${releases(input).join(', ')}`,
    ...expiry(input),
    'next:',
    ...['status', 'down'].map((command) => `  ${nextCommand(command, input.args)}`),
  ];
}

function totalTime({ startedAt, endedAt, scale }: RunSummaryInput): string {
  const wall = endedAt - startedAt;
  return scale < 1
    ? `${duration(wall)} (on the simulated lab, scale ${scale}: ${duration(wall / scale)} of lab time)`
    : duration(wall);
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(1)}s`;
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

function releases({ twin, dayTwo }: RunSummaryInput): string[] {
  const { talos, cilium, addons } = twin.spec;
  return [
    `Talos ${talos.version}`,
    `Kubernetes ${talos.kubernetesVersion}`,
    `Cilium ${cilium.version}`,
    ...(dayTwo && addons.rook.enabled ? [`Rook ${addons.rook.version}`] : []),
  ];
}

/**
 * The reaper's rule (twin/reaper.ts): a preview goes once its last apply is older than the TTL, and a
 * pull request's preview when the pull request closes. This apply marked the claim after the run
 * started, so the time given is the earliest it can go.
 */
function expiry({ twin, startedAt }: RunSummaryInput): string[] {
  if (twin.environment !== 'preview' || twin.ttlHours === undefined) return [];
  const { keepLabel, longLived } = twin.spec.environments.preview;
  const pull = /^pr-(\d+)$/.exec(twin.twin)?.[1];
  const onClose = pull ? `, or when pull request #${pull} closes` : '';
  if (longLived.includes(twin.twin)) return [`expires: never by age (a long-lived preview)${onClose}`];
  const at = new Date(startedAt + twin.ttlHours * HOUR_MS).toISOString().replace(/:\d\d\.\d+Z$/, 'Z');
  const kept = pull ? `; the label ${keepLabel} on the pull request keeps it` : '';
  return [
    `expires: ${at}, ${twin.ttlHours} h after this apply (each apply starts the count again${kept})${onClose}`,
  ];
}

/** The same spec and options (state, layout, Proxmox), for another command. */
function nextCommand(command: string, args: string[]): string {
  const kept = args.filter((arg) => arg !== '--no-platform');
  return ['twin', command, ...kept].map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w./:=@+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
