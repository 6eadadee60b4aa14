import { describe, expect, it } from 'vitest';
import { configProblems } from '../../../src/lab/talos/validate.js';
import { diffConfigs, immediateProblem, unifiedDiff } from '../../../src/lab/talos/config-diff.js';
import {
  DRAIN_TIMEOUT_SECONDS,
  installedRelease,
  planReboot,
  planUpgrade,
} from '../../../src/lab/talos/lifecycle.js';
import {
  kubernetesSupportedWith,
  parseInstallerImage,
  releaseOfImage,
  upgradePathSupported,
  upgradeableFrom,
} from '../../../src/lab/talos/releases.js';

const SCHEMATIC = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';

describe('Talos release rules (LIFECYCLE F.1, F.2; facts-13 §1)', () => {
  it('UpgradeableFrom: v1.11 goes straight to v1.13; v1.13 is too new for a v1.11 installer', () => {
    expect(upgradeableFrom('v1.12.11', 'v1.11.6')).toBeUndefined();
    expect(upgradeableFrom('v1.13.9', 'v1.11.6')).toBeUndefined();
    expect(upgradeableFrom('v1.12.11', 'v1.13.9')).toBeUndefined();
    expect(upgradeableFrom('v1.11.6', 'v1.13.9')).toBe(
      'host version 1.13.9 is too new to downgrade to Talos 1.11.6',
    );
    expect(upgradeableFrom('v1.13.9', 'v1.10.7')).toBe(
      'host version 1.10.7 is too old to upgrade to Talos 1.13.9',
    );
    expect(upgradeableFrom('v1.14.0', 'v1.13.9')).toBe('upgrades to version 1.14.0 are not supported');
  });

  it('SupportedWith: each minor runs its six Kubernetes minors', () => {
    expect(kubernetesSupportedWith('1.34.1', 'v1.11.6')).toBeUndefined();
    expect(kubernetesSupportedWith('1.35.0', 'v1.11.6')).toBe(
      'version of Kubernetes 1.35.0 is too new to be used with Talos 1.11.6',
    );
    expect(kubernetesSupportedWith('1.36.0', 'v1.12.11')).toBe(
      'version of Kubernetes 1.36.0 is too new to be used with Talos 1.12.11',
    );
    expect(kubernetesSupportedWith('1.36.3', 'v1.13.9')).toBeUndefined();
    expect(kubernetesSupportedWith('1.30.0', 'v1.13.9')).toBe(
      'version of Kubernetes 1.30.0 is too old to be used with Talos 1.13.9',
    );
  });

  it('go-kubernetes v0.2.38 paths: the same minor or the next, up to 1.36', () => {
    expect(upgradePathSupported('1.34.1', '1.35.0')).toBe(true);
    expect(upgradePathSupported('1.35.4', '1.36.3')).toBe(true);
    expect(upgradePathSupported('1.36.0', '1.36.3')).toBe(true);
    expect(upgradePathSupported('1.34.1', '1.36.0')).toBe(false);
    expect(upgradePathSupported('1.36.3', '1.37.0')).toBe(false);
    expect(upgradePathSupported('1.35.0', '1.34.1')).toBe(false);
  });

  it('reads the release of a factory nocloud image and of an installer reference', () => {
    expect(releaseOfImage(`https://factory.talos.dev/image/${SCHEMATIC}/v1.12.11/nocloud-amd64.qcow2`)).toBe(
      'v1.12.11',
    );
    expect(releaseOfImage('local:import/talos-v1.13.9-376567988ad3-nocloud-amd64.qcow2')).toBe('v1.13.9');
    expect(releaseOfImage('local:import/debian-12.qcow2')).toBeUndefined();
    expect(parseInstallerImage(`factory.talos.dev/installer/${SCHEMATIC}:v1.12.11`)).toEqual({
      platform: 'metal',
      secureboot: false,
      schematic: SCHEMATIC,
      version: 'v1.12.11',
    });
    expect(parseInstallerImage(`factory.talos.dev/nocloud-installer/${SCHEMATIC}:v1.13.9`)?.platform).toBe(
      'nocloud',
    );
    expect(parseInstallerImage('ghcr.io/example/installer:v1.12.11')).toBeUndefined();
  });
});

const times = {
  ms: (seconds: number) => seconds * 1000,
  seconds: { talosBoot: 25, talosStopPods: 8, talosInstall: 20, talosKexecReboot: 5, talosInstallerPull: 10 },
};

describe('reboot transitions (LIFECYCLE F.1, F.5)', () => {
  const base = { now: 1_000_000, identity: 'AA:BB', times, release: 'v1.11.6', mode: 'default' as const };

  it('an upgrade drains (capped at DrainTimeout), stops pods, installs, kexecs and boots the target', () => {
    const upgrade = planUpgrade({ ...base, target: 'v1.12.11', drainSeconds: 999 });
    expect(upgrade.drainFrom).toBe(base.now);
    expect(upgrade.podsStopAt).toBe(base.now + DRAIN_TIMEOUT_SECONDS * 1000);
    expect(upgrade.downAt).toBe(upgrade.podsStopAt + 28_000);
    expect(upgrade.upAt).toBe(upgrade.downAt + 30_000);
    expect(upgrade.release).toBe('v1.12.11');
    expect(installedRelease('v1.11.6', [upgrade], upgrade.downAt - 1)).toBe('v1.11.6');
    expect(installedRelease('v1.11.6', [upgrade], upgrade.downAt)).toBe('v1.12.11');
  });

  it('a pre-flight refusal is a sequence error; the node boots its old release', () => {
    const refused = planUpgrade({ ...base, target: 'v1.13.9', drainSeconds: 0, preflight: 'host version x' });
    expect(refused.error).toBe(
      'error running phase 9 in upgrade sequence: task 1/1: failed, pre-flight checks failed: host version x',
    );
    expect(refused.release).toBe('v1.11.6');
    expect(installedRelease('v1.11.6', [refused], refused.upAt)).toBe('v1.11.6');
  });

  it('a reboot neither cordons nor drains, and has a boot id of its own', () => {
    const reboot = planReboot(base);
    const again = planReboot({ ...base, now: base.now + 1 });
    expect(reboot.drainFrom).toBeUndefined();
    expect(reboot.podsStopAt).toBe(base.now);
    expect(reboot.bootId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(again.bootId).not.toBe(reboot.bootId);
  });
});

describe('config diffs and CanApplyImmediate (LIFECYCLE F.3)', () => {
  it('prints a unified diff with --- a / +++ b and hunk ranges, deletions first', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n') + '\n';
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h'].join('\n') + '\n';
    expect(unifiedDiff(before, after)).toBe(
      '--- a\n+++ b\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n',
    );
    expect(unifiedDiff(before, before)).toBe('');
  });

  it('lets kubelet, time and cluster changes through; anything else needs a reboot', () => {
    const current = { version: 'v1alpha1', machine: { type: 'worker', kubelet: { image: 'k:v1.34.1' } } };
    const kubelet = { ...current, machine: { ...current.machine, kubelet: { image: 'k:v1.35.0' } } };
    const time = { ...current, machine: { ...current.machine, time: { servers: ['/dev/ptp0'] } } };
    const env = { ...current, machine: { ...current.machine, env: { A: 'b' } } };
    expect(immediateProblem(current, kubelet)).toBeUndefined();
    expect(immediateProblem(current, time)).toBeUndefined();
    expect(immediateProblem(current, env)).toMatch(
      /^this config change can't be applied in immediate mode\ndiff:\n--- a\n\+\+\+ b\n@@ [^\n]+ @@\n[\s\S]*\+ {4}env:\n/,
    );
    expect(diffConfigs([current], [kubelet])).toContain(
      '-        image: k:v1.34.1\n+        image: k:v1.35.0\n',
    );
  });
});

describe('config validation by the release a node runs (CONTRACTS B.1, LIFECYCLE F.9)', () => {
  const worker = {
    version: 'v1alpha1',
    machine: {
      type: 'worker',
      token: 'abcdef.0123456789abcdef',
      ca: { crt: 'Zm9v', key: '' },
      features: { rbac: true, stableHostname: true },
      network: { hostname: 'east-w-1' },
    },
    cluster: { controlPlane: { endpoint: 'https://192.168.10.10:6443' } },
  };
  const hostnameConfig = { apiVersion: 'v1alpha1', kind: 'HostnameConfig', auto: 'stable' };

  it('v1.12+ still decode the v1.11 fields their schemas no longer list', () => {
    expect(configProblems([worker], 'v1.12.11')).toBeUndefined();
    expect(configProblems([worker], 'v1.13.9')).toBeUndefined();
    expect(configProblems([{ ...worker, bogus: 1 }], 'v1.13.9')).toMatch(
      /unknown keys found during decoding: bogus/,
    );
  });

  it('a HostnameConfig beside a v1alpha1 hostname is refused; v1.11 does not know the document', () => {
    expect(configProblems([worker, hostnameConfig], 'v1.12.11')).toBe(
      'configuration validation failed: 1 error occurred:\n\t* static hostname is already set in v1alpha1 config',
    );
    expect(configProblems([worker, hostnameConfig], 'v1.11.6')).toMatch(/^failed to decode config:/);
  });
});
