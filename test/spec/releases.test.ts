import { describe, expect, it } from 'vitest';
import {
  TALOS_RELEASES,
  ciliumSupportsKubernetes,
  installerRefusal,
  kubernetesUpgradePath,
  oldestTalosFor,
  talosSupportsKubernetes,
  talosUpgradePath,
} from '../../src/spec/releases.js';

describe('talosUpgradePath', () => {
  it('crosses one minor per hop through the newest patch of each intermediate minor', () => {
    expect(talosUpgradePath('v1.11.6', 'v1.13.9')).toEqual({ hops: ['v1.12.11', 'v1.13.9'] });
    expect(talosUpgradePath('v1.11.6', 'v1.12.11')).toEqual({ hops: ['v1.12.11'] });
    expect(talosUpgradePath('v1.12.3', 'v1.13.2')).toEqual({ hops: ['v1.13.2'] });
  });

  it('does not first move an older patch to its minor’s newest: the next installer accepts it', () => {
    expect(installerRefusal('v1.12.11', 'v1.11.0')).toBeUndefined();
    expect(talosUpgradePath('v1.11.0', 'v1.13.9')).toEqual({ hops: ['v1.12.11', 'v1.13.9'] });
    for (const [index, release] of TALOS_RELEASES.slice(1).entries()) {
      const previous = TALOS_RELEASES[index];
      expect(installerRefusal(release.latest, `${previous?.series}.0`)).toBeUndefined();
    }
  });

  it('changes a patch within a minor, either way, in one hop; nothing when equal', () => {
    expect(talosUpgradePath('v1.11.3', 'v1.11.6')).toEqual({ hops: ['v1.11.6'] });
    expect(talosUpgradePath('v1.12.11', 'v1.12.4')).toEqual({ hops: ['v1.12.4'] });
    expect(talosUpgradePath('v1.13.9', 'v1.13.9')).toEqual({ hops: [] });
  });

  it('goes back one minor when the target installer accepts the host', () => {
    expect(talosUpgradePath('v1.13.9', 'v1.12.11')).toEqual({ hops: ['v1.12.11'] });
  });

  it('refuses a downgrade the pre-flight refuses, naming the step first', () => {
    const path = talosUpgradePath('v1.13.9', 'v1.11.6');
    expect(path).toEqual({
      refused:
        'the v1.11 installer refuses it (pre-flight checks failed: host version 1.13.9 is too new to downgrade to Talos 1.11.6): go to v1.12.11 first',
    });
  });

  it('refuses unknown series and patches newer than the newest known', () => {
    expect(talosUpgradePath('v1.10.7', 'v1.12.11')).toMatchObject({
      refused: expect.stringMatching(/v1\.10\.7 .*v1\.11\.6 by hand first/),
    });
    expect(talosUpgradePath('v1.13.9', 'v1.14.0')).toMatchObject({
      refused: expect.stringMatching(/v1\.14\.0 is not a supported release/),
    });
    expect(talosUpgradePath('v1.12.11', 'v1.13.12')).toEqual({
      refused: 'Talos v1.13.12 is not a known release: the newest v1.13 is v1.13.9',
    });
  });

  it('throws on text that is not a version', () => {
    expect(() => talosUpgradePath('1.11', 'v1.12.11')).toThrow(/not a Talos version/);
  });
});

describe('installerRefusal (F.1 pre-flight)', () => {
  it('words the refusals as the installer does', () => {
    expect(installerRefusal('v1.12.11', 'v1.9.5')).toBe(
      'host version 1.9.5 is too old to upgrade to Talos 1.12.11',
    );
    expect(installerRefusal('v1.11.6', 'v1.13.0')).toBe(
      'host version 1.13.0 is too new to downgrade to Talos 1.11.6',
    );
    expect(installerRefusal('v1.13.9', 'v1.11.0')).toBeUndefined();
    expect(installerRefusal('v1.14.0', 'v1.13.9')).toBe('upgrades to version 1.14.0 are not supported');
  });
});

describe('kubernetesUpgradePath', () => {
  it('goes one minor per hop', () => {
    expect(kubernetesUpgradePath('1.34.1', '1.36.3')).toEqual({ hops: ['1.35.4', '1.36.3'] });
    expect(kubernetesUpgradePath('v1.34.1', '1.35.0')).toEqual({ hops: ['1.35.0'] });
    expect(kubernetesUpgradePath('1.30.2', '1.33.1')).toEqual({ hops: ['1.31.0', '1.32.0', '1.33.1'] });
  });

  it('allows patch changes within a minor, either way', () => {
    expect(kubernetesUpgradePath('1.34.1', '1.34.5')).toEqual({ hops: ['1.34.5'] });
    expect(kubernetesUpgradePath('1.34.5', '1.34.1')).toEqual({ hops: ['1.34.1'] });
    expect(kubernetesUpgradePath('1.34.1', '1.34.1')).toEqual({ hops: [] });
  });

  it('refuses going back a minor and minors no Talos knows', () => {
    expect(kubernetesUpgradePath('1.35.4', '1.34.1')).toMatchObject({
      refused: expect.stringMatching(/cannot go back from 1\.35 to 1\.34/),
    });
    expect(kubernetesUpgradePath('1.36.3', '1.37.0')).toMatchObject({
      refused: expect.stringMatching(/1\.37 is newer/),
    });
  });
});

describe('talosSupportsKubernetes', () => {
  it('follows each series’ bounds', () => {
    expect(talosSupportsKubernetes('v1.11.6', '1.34.1')).toBe(true);
    expect(talosSupportsKubernetes('v1.11.6', '1.35.0')).toBe(false);
    expect(talosSupportsKubernetes('v1.11.0', '1.29.0')).toBe(true);
    expect(talosSupportsKubernetes('v1.11.6', '1.28.9')).toBe(false);
    expect(talosSupportsKubernetes('v1.12.11', '1.35.4')).toBe(true);
    expect(talosSupportsKubernetes('v1.13.9', '1.36.3')).toBe(true);
    expect(talosSupportsKubernetes('v1.13.9', '1.30.0')).toBe(false);
    expect(talosSupportsKubernetes('v1.10.0', '1.30.0')).toBe(false);
  });

  it('names the oldest series that runs a version', () => {
    expect(oldestTalosFor('1.36.0')?.series).toBe('v1.13');
    expect(oldestTalosFor('1.29.1')?.series).toBe('v1.11');
    expect(oldestTalosFor('1.37.0')).toBeUndefined();
  });

  it('has each series’ default Kubernetes inside its own bounds', () => {
    for (const release of TALOS_RELEASES) {
      expect(talosSupportsKubernetes(release.latest, release.defaultKubernetes)).toBe(true);
    }
  });
});

describe('ciliumSupportsKubernetes', () => {
  it('knows 1.19’s tested range and says unknown where no source gave one', () => {
    expect(ciliumSupportsKubernetes('1.19.6', '1.35.4')).toBe(true);
    expect(ciliumSupportsKubernetes('1.19.6', '1.36.3')).toBe(false);
    expect(ciliumSupportsKubernetes('1.20.0', '1.36.3')).toBeUndefined();
    expect(ciliumSupportsKubernetes('1.18.4', '1.34.1')).toBe(false);
  });
});
