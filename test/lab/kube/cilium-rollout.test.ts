import { describe, expect, it } from 'vitest';
import { chartDefaults, coalesce } from '../../../src/lab/kube/cilium-chart.js';
import type { CiliumRevision } from '../../../src/lab/kube/cilium-rollout.js';
import {
  agentPods,
  agentServingSince,
  agentsServingFrom,
  operatorPods,
} from '../../../src/lab/kube/cilium-rollout.js';
import type { ReleaseRevision } from '../../../src/lab/kube/clusters.js';
import { TIME_PROFILES } from '../../../src/lab/profile.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';

const SECONDS = TIME_PROFILES.realistic.seconds;
const timing = { ms: (seconds: number) => seconds * 1000, seconds: SECONDS };
const NODES = ['n1', 'n2', 'n3', 'n4'].map((name) => ({ name, registeredAt: 0 }));
const UPGRADE_AT = 1_000_000;

function revision(
  chartVersion: string,
  deployedAt: number,
  values: Doc = {},
  healthy = true,
): CiliumRevision {
  const record: ReleaseRevision = {
    chartVersion,
    appVersion: chartVersion,
    revision: 1,
    status: 'deployed',
    values,
    deployedAt,
    description: '',
  };
  return { revision: record, values: coalesce(chartDefaults(chartVersion), values) as Doc, healthy };
}

const upgrade = (to: string, previousHealthy = true) => [
  revision('1.19.6', 0, {}, previousHealthy),
  revision(to, UPGRADE_AT),
];
const at = (seconds: number) => UPGRADE_AT + seconds * 1000;
const agents = (revisions: CiliumRevision[], now: number, prePulled: string[] = []) =>
  agentPods({
    revisions,
    nodes: NODES,
    now,
    timing,
    pulledOn: (node, image) => (prePulled.includes(node) && image.endsWith(':v1.20.0') ? 0 : undefined),
  });

describe('the Cilium agents and operator across chart revisions (LIFECYCLE I.1, I.2)', () => {
  it('replaces the agents two nodes at a time, the others serving the old version meanwhile', () => {
    const started = agents(upgrade('1.20.0'), at(1));
    expect(started.map((pod) => [pod.slot, pod.updated, pod.ready, pod.chartVersion])).toEqual([
      ['n1', true, false, '1.20.0'],
      ['n2', true, false, '1.20.0'],
      ['n3', false, true, '1.19.6'],
      ['n4', false, true, '1.19.6'],
    ]);
    const second = agents(upgrade('1.20.0'), at(SECONDS.ciliumAgentStart));
    expect(second.map((pod) => [pod.updated, pod.ready])).toEqual([
      [true, true],
      [true, true],
      [true, false],
      [true, false],
    ]);
    const done = agents(upgrade('1.20.0'), at(2 * SECONDS.ciliumAgentStart));
    expect(done.every((pod) => pod.ready && pod.image === 'quay.io/cilium/cilium:v1.20.0')).toBe(true);
    expect(done.map((pod) => pod.generation)).toEqual([1, 1, 1, 1]);
  });

  it('skips the image pull on the nodes the preflight pre-pulled', () => {
    const saved = SECONDS.ciliumAgentStart - SECONDS.ciliumImagePull;
    const prePulled = agents(upgrade('1.20.0'), at(saved), ['n1', 'n2', 'n3']);
    expect(prePulled.map((pod) => [pod.slot, pod.ready])).toEqual([
      ['n1', true],
      ['n2', true],
      ['n3', false],
      ['n4', false],
    ]);
    // n3 pre-pulled too, so it is ready one short start later; n4 pulls for the whole agent start.
    const later = agents(upgrade('1.20.0'), at(2 * saved), ['n1', 'n2', 'n3']);
    expect(later.map((pod) => pod.ready)).toEqual([true, true, true, false]);
    expect(
      agents(upgrade('1.20.0'), at(saved + SECONDS.ciliumAgentStart), ['n1', 'n2', 'n3']).map(
        (pod) => pod.ready,
      ),
    ).toEqual([true, true, true, true]);
  });

  it('rolls nothing for a revision that changes no pod template, and starts all at once after agents that could not run', () => {
    const same = agents(upgrade('1.19.6'), at(1));
    expect(same.every((pod) => pod.ready && pod.updated && pod.generation === 0)).toBe(true);
    const afterBroken = agents(upgrade('1.20.0', false), at(1));
    expect(afterBroken.every((pod) => pod.updated && !pod.ready)).toBe(true);
  });

  it('keeps nodes served from the first runnable revision on', () => {
    const since = (revisions: CiliumRevision[]) =>
      agentServingSince(agentsServingFrom({ revisions, timing }), 0, timing);
    expect(since(upgrade('1.20.0'))).toBe(SECONDS.ciliumAgentStart * 1000);
    expect(since(upgrade('1.20.0', false))).toBe(at(SECONDS.ciliumAgentStart));
  });

  it('replaces the two operator replicas one after the other', () => {
    const start = SECONDS.ciliumOperatorStart;
    const states = [1, start + 1, 2 * start + 1].map((second) =>
      operatorPods(upgrade('1.20.0'), 2, at(second), timing).map((pod) => [pod.updated, pod.ready]),
    );
    expect(states).toEqual([
      [
        [true, false],
        [false, true],
      ],
      [
        [true, true],
        [true, false],
      ],
      [
        [true, true],
        [true, true],
      ],
    ]);
  });
});
