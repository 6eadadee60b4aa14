import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/output.js';
import { describeLayers, orderedChanges, pendingSummary } from '../../src/twin/layers/describe.js';
import type { LayerDiff } from '../../src/twin/layers/types.js';

const kubernetes: LayerDiff = {
  layer: 'kubernetes',
  cluster: 'east',
  running: '1.34.1 on 4 nodes',
  wanted: '1.36.3',
  changes: [
    {
      layer: 'kubernetes',
      cluster: 'east',
      target: 'east',
      kind: 'kubernetes-upgrade',
      from: '1.34.1',
      to: '1.35.4',
      disruptive: false,
    },
    {
      layer: 'kubernetes',
      cluster: 'east',
      target: 'east',
      kind: 'kubernetes-upgrade',
      from: '1.35.4',
      to: '1.36.3',
      disruptive: false,
    },
  ],
  refused: [],
};
const talos: LayerDiff = {
  layer: 'talos',
  cluster: 'east',
  running: 'v1.11.6 on 4 nodes',
  wanted: 'v1.12.11',
  changes: [
    {
      layer: 'talos',
      cluster: 'east',
      target: 'east-cp-1',
      kind: 'talos-upgrade',
      from: 'v1.11.6',
      to: 'v1.12.11',
      disruptive: true,
    },
  ],
  refused: [],
};
const inSync: LayerDiff = {
  layer: 'release',
  cluster: 'west',
  running: 'cilium 1.20.0',
  wanted: 'cilium 1.20.0',
  changes: [],
  refused: [],
};

describe('the layers section of a plan', () => {
  it('orders changes by layer, bottom up, whatever order the layers reported in', () => {
    expect(orderedChanges([kubernetes, inSync, talos]).map((c) => `${c.layer} ${c.to}`)).toEqual([
      'talos v1.12.11',
      'kubernetes 1.35.4',
      'kubernetes 1.36.3',
    ]);
  });

  it('prints running vs wanted per layer, the numbered path and the count', () => {
    const text = describeLayers([kubernetes, inSync, talos], table).join('\n');
    expect(text).toMatch(/talos\s+east\s+v1\.11\.6 on 4 nodes\s+v1\.12\.11\s+1 to change/);
    expect(text).toMatch(/release\s+west\s+cilium 1\.20\.0\s+cilium 1\.20\.0\s+in sync/);
    expect(text).toContain(
      '1. east talos east-cp-1: talos-upgrade v1.11.6 -> v1.12.11 (node goes down, one at a time)',
    );
    expect(text).toContain('3. east kubernetes east: kubernetes-upgrade 1.35.4 -> 1.36.3 (in place)');
    expect(text).toMatch(/3 layer change\(s\) pending$/);
  });

  it('names refusals with the step needed first, and counts them', () => {
    const refused: LayerDiff = {
      ...kubernetes,
      changes: [],
      refused: [
        {
          layer: 'kubernetes',
          cluster: 'east',
          target: 'east',
          asked: 'Kubernetes 1.34.1 -> 1.36.3',
          reason: 'Talos v1.11 supports Kubernetes up to 1.34: set talos.version to a v1.13 release first',
        },
      ],
    };
    const text = describeLayers([refused], table).join('\n');
    expect(text).toContain('REFUSED');
    expect(text).toContain(
      'east kubernetes east: Kubernetes 1.34.1 -> 1.36.3 is refused: Talos v1.11 supports',
    );
    expect(pendingSummary([refused])).toMatch(/^1 thing\(s\) still differ/);
  });

  it('says nothing is pending only when every layer was observed and is in sync', () => {
    expect(pendingSummary([inSync])).toBeUndefined();
    expect(pendingSummary([{ ...inSync, unobserved: 'no kubeconfig in the state store' }])).toContain(
      'west release: not observed (no kubeconfig in the state store)',
    );
    expect(describeLayers([], table)).toEqual([]);
  });
});
