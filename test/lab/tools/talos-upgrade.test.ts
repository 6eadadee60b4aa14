import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFiles, ToolLab, ToolResult } from './helpers.js';
import { eventually, startToolLab } from './helpers.js';
import { provision } from './cluster-flow.js';

/** Lab time at a 50th of real time: an upgrade (pull, stop, install, kexec, boot) takes about 1.5 s. */
const SCALE = 0.02;
const SCHEMATIC = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
const installer = (version: string) => `factory.talos.dev/nocloud-installer/${SCHEMATIC}:${version}`;

function talosctlOn(t: ToolLab, files: ClusterFiles) {
  return (ip: string, ...args: string[]) =>
    t.run('talosctl', ['--talosconfig', files.talosconfig, '--nodes', ip, '--endpoints', ip, ...args]);
}

/** The per-node Server Tag of `talosctl version`. */
function serverTag(result: ToolResult): string | undefined {
  return /Server:\n(?:\t.*\n)*?\tTag:\s+(\S+)/.exec(result.stdout)?.[1];
}

describe('lab talosctl upgrade (LIFECYCLE F.1)', () => {
  let t: ToolLab;
  let run: ReturnType<typeof talosctlOn>;
  const cp1 = '192.168.10.11';

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE });
    run = talosctlOn(t, await provision(t, 1, 0));
  }, 120_000);
  afterAll(async () => t?.stop());

  it('runs the release of its boot image; talosctl is the pinned v1.13.7 client', async () => {
    const version = await run(cp1, 'version');
    expect(version.stdout).toMatch(/^Client:\n\tTag:\s+v1\.13\.7\n/);
    expect(serverTag(version)).toBe('v1.11.6');
  });

  it('upgrades v1.11.6 -> v1.12.11 -> v1.13.9 with --wait: down in between, a new boot id each time', async () => {
    const bootIds = [(await run(cp1, 'read', '/proc/sys/kernel/random/boot_id')).stdout.trim()];
    for (const version of ['v1.12.11', 'v1.13.9']) {
      let sawDown = false;
      const watching = (async () => {
        while (!sawDown) {
          const probe = await run(cp1, 'version');
          if (probe.code !== 0) sawDown = true;
          if (serverTag(probe) === version) break;
          await new Promise((done) => setTimeout(done, 50));
        }
      })();
      const upgraded = await run(cp1, 'upgrade', '--image', installer(version));
      await watching;
      expect(upgraded.code, upgraded.stderr).toBe(0);
      expect(upgraded.stderr).toContain('New upgrade API is not available, falling back to legacy\n');
      expect(upgraded.stderr).toContain(`"${cp1}": phase: upgrade action: START\n`);
      expect(upgraded.stderr.trimEnd().split('\n').slice(-1)[0]).toBe(`"${cp1}": post check passed`);
      expect(sawDown).toBe(true);
      expect(serverTag(await run(cp1, 'version'))).toBe(version);
      bootIds.push((await run(cp1, 'read', '/proc/sys/kernel/random/boot_id')).stdout.trim());
    }
    expect(new Set(bootIds).size).toBe(3);
  }, 60_000);

  it('the legacy API fallback is announced for v1.11/v1.12 nodes only', async () => {
    const before = (await run(cp1, 'read', '/proc/sys/kernel/random/boot_id')).stdout.trim();
    const result = await run(cp1, 'upgrade', '--image', installer('v1.13.9'), '--wait=false');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('falling back to legacy');
    expect(result.stdout).toMatch(
      /^NODE\s+ACK\s+STARTED\n192\.168\.10\.11\s+Upgrade request received\s+\d{4}-/,
    );
    await eventually(async () => {
      const bootId = await run(cp1, 'read', '/proc/sys/kernel/random/boot_id');
      return bootId.code === 0 && bootId.stdout.trim() !== before;
    }, 20_000);
  });

  it('refuses an unknown installer image before answering, and --wait with --insecure', async () => {
    const unknown = installer('v1.99.0');
    const refused = await run(cp1, 'upgrade', '--image', unknown, '--wait=false');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error performing upgrade: rpc error: code = Unknown desc = error validating installer image "${unknown}": failed to resolve reference "${unknown}": ${unknown}: not found\n`,
    );
    const insecure = await run(cp1, 'upgrade', '--insecure');
    expect(insecure.stderr).toBe(
      'Flag --insecure has been deprecated, legacy flag for MachineService.Upgrade fallback, to be removed in Talos 1.18\ncannot use --wait and --insecure together\n',
    );
  });

  it('a downgrade the installer refuses in its pre-flight is a sequence error; the node keeps its release', async () => {
    const before = (await run(cp1, 'read', '/proc/sys/kernel/random/boot_id')).stdout.trim();
    const refused = await run(cp1, 'upgrade', '--image', installer('v1.11.6'));
    expect(refused.code).toBe(1);
    const error =
      'error running phase 9 in upgrade sequence: task 1/1: failed, pre-flight checks failed: host version 1.13.9 is too new to downgrade to Talos 1.11.6';
    expect(refused.stderr.trimEnd().split('\n').slice(-1)[0]).toBe(
      `"${cp1}": sequence error: sequence failed: ${error}`,
    );
    await eventually(async () => {
      const bootId = await run(cp1, 'read', '/proc/sys/kernel/random/boot_id');
      return bootId.code === 0 && bootId.stdout.trim() !== before;
    }, 20_000);
    expect(serverTag(await run(cp1, 'version'))).toBe('v1.13.9');
  });

  it('records each reboot with its cause: the upgrades drained first (the outages the kube lab reads)', () => {
    const state = JSON.parse(readFileSync(join(t.dir, 'talos-state.json'), 'utf8')) as {
      nodes: Record<string, { transitions: { cause: string; drainFrom?: number; podsStopAt: number }[] }>;
    };
    const transitions = state.nodes['101']?.transitions ?? [];
    expect(transitions.map((transition) => transition.cause)).toEqual([
      'upgrade',
      'upgrade',
      'upgrade',
      'upgrade',
    ]);
    for (const transition of transitions)
      expect(transition.drainFrom).toBeLessThanOrEqual(transition.podsStopAt);
  });

  it('reboot --wait tracks the Reboot sequence to a new boot; --wait=false only asks', async () => {
    const before = (await run(cp1, 'read', '/proc/sys/kernel/random/boot_id')).stdout.trim();
    const rebooted = await run(cp1, 'reboot');
    expect(rebooted.code, rebooted.stderr).toBe(0);
    expect(rebooted.stderr).toContain(`"${cp1}": sequence: reboot action: START\n`);
    expect(rebooted.stderr).not.toContain('phase: drain');
    expect(rebooted.stderr.trimEnd().split('\n').slice(-1)[0]).toBe(`"${cp1}": post check passed`);
    const after = (await run(cp1, 'read', '/proc/sys/kernel/random/boot_id')).stdout.trim();
    expect(after).not.toBe(before);
    const asked = await run(cp1, 'reboot', '--wait=false', '--mode', 'powercycle');
    expect(asked).toEqual({ code: 0, stdout: '', stderr: '' });
    await eventually(async () => (await run(cp1, 'version')).code !== 0, 20_000);
    await eventually(async () => {
      const bootId = await run(cp1, 'read', '/proc/sys/kernel/random/boot_id');
      return bootId.code === 0 && bootId.stdout.trim() !== after;
    }, 20_000);
  });
});

describe('lab talosctl gen config version contracts', () => {
  let t: ToolLab;
  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE });
  });
  afterAll(async () => t?.stop());

  it.each([
    ['v1.11', 1, true],
    ['v1.12', 2, false],
    ['v1.13', 2, false],
  ])('--talos-version %s writes the contract’s documents', async (contract, documents, legacyFields) => {
    const generated = await t.run('talosctl', [
      'gen',
      'config',
      'east',
      'https://192.168.10.10:6443',
      '--talos-version',
      contract,
      '--kubernetes-version',
      '1.34.1',
      '--output-types',
      'worker',
      '-o',
      '-',
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    const docs = parseAllDocuments(generated.stdout).map((doc) => doc.toJS() as Record<string, unknown>);
    expect(docs).toHaveLength(documents);
    const features = (docs[0]?.machine as { features: Record<string, unknown> }).features;
    expect('rbac' in features).toBe(legacyFields);
    if (documents === 2)
      expect(docs[1]).toEqual({ apiVersion: 'v1alpha1', kind: 'HostnameConfig', auto: 'stable' });
  });

  it('refuses a contract newer than the client', async () => {
    const refused = await t.run('talosctl', ['gen', 'secrets', '--talos-version', 'v1.14']);
    expect(refused.stderr).toBe('version contract v1.14 is newer than this talosctl (v1.13.7) supports\n');
  });
});
