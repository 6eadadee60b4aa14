import type { ResolvedCluster, ResolvedTwin } from '../src/spec/environment.js';
import {
  ciliumSupportsKubernetes,
  kubernetesUpgradePath,
  talosSupportsKubernetes,
  talosUpgradePath,
} from '../src/spec/releases.js';
import type { BoundTwin } from './critical-path.js';

/**
 * What converging a running twin to newer releases takes, as the product plans it (src/twin/layers): the
 * Talos hops every node goes through (talosUpgradePath), the VMs whose cores or memory change (a PVE reboot,
 * vm.ts), the upgrade-k8s runs (kubernetesUpgradePath) and what each waits for (sequence.ts: every node on a
 * Talos that takes the minor; Cilium first where the running one is not tested with it), Cilium's upgrade
 * (its pre-flight across a minor, release.ts), and the Star Wars checks `up` ends with. upgrade-bound.ts
 * bounds how long it can take.
 */

export interface UpgradeNode {
  name: string;
  role: 'controlplane' | 'worker';
  /** Hosts a Ceph OSD (an extra disk, Rook on). */
  osd: boolean;
  /** Its VM's cores or memory change: a PVE reboot. */
  resize: boolean;
}

export interface UpgradeWork {
  clusters: { name: string; nodes: UpgradeNode[] }[];
  /** Releases every node goes through (talosUpgradePath's hops). */
  talosHops: string[];
  /** Each upgrade-k8s run: its version, the Talos hop every node must have booted first (-1: none), Cilium first. */
  kubernetesHops: { to: string; afterTalosHop: number; afterCilium: boolean }[];
  /** Cilium's chart changes: across a minor, with the pre-flight first. */
  cilium?: { preflight: boolean };
  checks: boolean;
}

function hopsOf(path: { hops: string[] } | { refused: string }, what: string): string[] {
  if ('refused' in path) throw new RangeError(`${what}: ${path.refused}`);
  return path.hops;
}

function resized(before: ResolvedCluster | undefined, after: ResolvedCluster, role: string): boolean {
  const pick = (c: ResolvedCluster) => (role === 'controlplane' ? c.controlPlanes : c.workers);
  if (!before) return false;
  return pick(before).cores !== pick(after).cores || pick(before).memoryMiB !== pick(after).memoryMiB;
}

/** The converge from `before` to `after` of the twin laid out as `layout` (boundTwinInLab). */
export function upgradeWork(before: ResolvedTwin, after: ResolvedTwin, layout: BoundTwin): UpgradeWork {
  const from = before.spec.talos;
  const talosHops = hopsOf(talosUpgradePath(from.version, after.spec.talos.version), 'Talos');
  const releases = [from.version, ...talosHops];
  const k8s = hopsOf(
    kubernetesUpgradePath(from.kubernetesVersion, after.spec.talos.kubernetesVersion),
    'k8s',
  );
  const cilium = { from: before.spec.cilium.version, to: after.spec.cilium.version };
  const firstUntested = k8s.find((hop) => ciliumSupportsKubernetes(cilium.from, hop) === false);
  const minor = (version: string) => version.split('.').slice(0, 2).join('.');
  return {
    clusters: after.clusters.map((cluster) => ({
      name: cluster.name,
      nodes: layout.vms
        .filter((vm) => vm.cluster === cluster.name)
        .map((vm) => ({
          name: vm.name,
          role: vm.role,
          osd: after.spec.addons.rook.enabled && vm.role === 'worker' && vm.extraDisks > 0,
          resize: resized(
            before.clusters.find((c) => c.name === cluster.name),
            cluster,
            vm.role,
          ),
        })),
    })),
    talosHops,
    kubernetesHops: k8s.map((to) => ({
      to,
      afterTalosHop: releases.findIndex((release) => talosSupportsKubernetes(release, to)) - 1,
      afterCilium: cilium.from !== cilium.to && to === firstUntested,
    })),
    ...(cilium.from === cilium.to ? {} : { cilium: { preflight: minor(cilium.from) !== minor(cilium.to) } }),
    checks: after.spec.addons.starwars.enabled,
  };
}
