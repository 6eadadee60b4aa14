import { describe, expect, it } from 'vitest';
import {
  agentFailure,
  chartDefaults,
  coalesce,
  validateTemplateError,
} from '../../../src/lab/kube/cilium-chart.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';

const TALOS = { kubeProxyDisabled: true, kubePrismPort: 7445, apiEndpoints: ['192.168.10.10:6443'] };
const GOOD = {
  kubeProxyReplacement: true,
  securityContext: {
    capabilities: { ciliumAgent: ['NET_ADMIN', 'SYS_ADMIN'], cleanCiliumState: ['NET_ADMIN'] },
  },
  cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' },
  k8sServiceHost: 'localhost',
  k8sServicePort: 7445,
};
const values = (over: object) => coalesce(chartDefaults(), { ...GOOD, ...over }) as Doc;

describe('Cilium on Talos (CONTRACTS C.1, C.2)', () => {
  it('runs with the Talos guide values, through KubePrism or the API endpoint', () => {
    expect(agentFailure(values({}), TALOS)).toBeUndefined();
    expect(
      agentFailure(values({ k8sServiceHost: '192.168.10.10', k8sServicePort: 6443 }), TALOS),
    ).toBeUndefined();
  });

  it('fails each Talos-specific value the guide sets', () => {
    expect(agentFailure(values({ cgroup: { autoMount: { enabled: true } } }), TALOS)?.container).toBe(
      'mount-cgroup',
    );
    expect(agentFailure(values({ k8sServiceHost: '' }), TALOS)?.reason).toMatch(
      /10\.96\.0\.1:443: i\/o timeout/,
    );
    expect(agentFailure(values({ kubeProxyReplacement: false }), TALOS)?.reason).toMatch(
      /kubeProxyReplacement is not true/,
    );
    expect(
      agentFailure(values({ k8sServicePort: 7445, kubeProxyReplacement: true }), {
        ...TALOS,
        kubePrismPort: undefined,
      })?.status,
    ).toBe('CrashLoopBackOff');
  });

  it('applies validate.yaml: cluster name pattern, "default" with an id, maxConnectedClusters', () => {
    expect(validateTemplateError(values({ cluster: { name: 'East', id: 1 } }))).toMatch(
      /cluster name is invalid/,
    );
    expect(validateTemplateError(values({ cluster: { name: 'default', id: 2 } }))).toMatch(
      /non-default value/,
    );
    expect(
      validateTemplateError(
        values({ cluster: { name: 'east', id: 2 }, clustermesh: { maxConnectedClusters: 300 } }),
      ),
    ).toMatch(/255 or 511/);
    expect(validateTemplateError(values({ cluster: { name: 'east', id: 2 } }))).toBeUndefined();
  });
});
