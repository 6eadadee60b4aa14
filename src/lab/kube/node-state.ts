import type { TalosNode } from '../talos/nodes.js';
import type { KubeNode } from './clusters.js';

/**
 * A Node's state over time that its Talos node and kubectl decide: when its kubelet is down (LIFECYCLE
 * G.4) and when it is cordoned (kubectl cordon/drain, and Talos' cordon controller during an upgrade, F.1).
 */

/** A window the node's kubelet is down (lab-talos' TalosNode.outages; lab ms). */
export type NodeOutage = NonNullable<TalosNode['outages']>[number];

/** [from, until): until is Infinity while it lasts. */
export interface Interval {
  from: number;
  until: number;
}

/** kube-controller-manager's --node-monitor-grace-period in older releases (LIFECYCLE G.4). */
export const NODE_MONITOR_GRACE_SECONDS = 40;

/** Whether `at` falls in one of the intervals. */
export function within(intervals: Interval[], at: number): boolean {
  return intervals.some((interval) => interval.from <= at && at < interval.until);
}

/** The Node is NotReady for an outage at `at` (LIFECYCLE G.4). */
export function downAt(node: KubeNode, at: number): boolean {
  return within(node.notReady, at);
}

/**
 * A Talos reboot or upgrade stops the kubelet, which posts NotReady as it shuts down (graceful node
 * shutdown, G.4); a power loss is noticed after the node monitor grace period.
 */
export function notReadyWindow(outage: NodeOutage, graceMs: number): Interval {
  const grace = outage.cause === 'power' ? graceMs : 0;
  return { from: Math.min(outage.from + grace, outage.until), until: outage.until };
}

/**
 * Every cordon of the node: kubectl's closed ones, its open one, and Talos' for each upgrade, which the
 * controller lifts when the node boots again (F.1).
 */
export function cordonWindows(
  closed: [number, number][],
  open: number | undefined,
  talosCordons: number[],
  outages: NodeOutage[],
): Interval[] {
  const talos = [
    ...talosCordons.map((from) => ({
      from,
      until: outages.find((outage) => outage.until > from)?.until ?? Infinity,
    })),
    ...outages
      .filter((outage) => outage.cause === 'upgrade')
      .map((outage) => ({ from: outage.drainFrom ?? outage.from, until: outage.until })),
  ];
  return [
    ...closed.map(([from, until]) => ({ from, until })),
    ...(open === undefined ? [] : [{ from: open, until: Infinity }]),
    ...talos,
  ].sort((a, b) => a.from - b.from);
}

/**
 * The kubelet's first registration: a node that rebooted (so its current boot's services start after the
 * reboot) had registered before that reboot at least.
 */
export function firstRegistration(computed: number, outages: NodeOutage[]): number {
  const rebooted = outages.filter((outage) => outage.cause !== 'power' && outage.from < computed);
  return Math.min(computed, ...rebooted.map((outage) => outage.from));
}
