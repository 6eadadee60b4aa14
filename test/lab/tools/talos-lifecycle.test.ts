import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFiles, ToolLab, ToolResult } from './helpers.js';
import { eventually, startToolLab } from './helpers.js';
import { provision } from './cluster-flow.js';

/** Lab time at a 20th of real time: a reboot's teardown (8 s) leaves 0.4 s for a second apply to arrive. */
const SCALE = 0.05;
const SCHEMATIC = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
const installer = (version: string) => `factory.talos.dev/nocloud-installer/${SCHEMATIC}:${version}`;
const BOOT_ID = '/proc/sys/kernel/random/boot_id';

function talosctlOn(t: ToolLab, files: ClusterFiles) {
  return (ip: string, ...args: string[]) =>
    t.run('talosctl', ['--talosconfig', files.talosconfig, '--nodes', ip, '--endpoints', ip, ...args]);
}

async function bootstrapped(run: ReturnType<typeof talosctlOn>, ip: string): Promise<void> {
  let result: ToolResult = await run(ip, 'bootstrap');
  await eventually(async () => {
    if (!/not available yet|not in sync yet/.test(result.stderr)) return true;
    result = await run(ip, 'bootstrap');
    return false;
  });
  expect(result.code, result.stderr).toBe(0);
}

describe('lab talosctl upgrade-k8s and apply-config on running nodes (LIFECYCLE F.2, F.3, F.9)', () => {
  let t: ToolLab;
  let run: ReturnType<typeof talosctlOn>;
  const [cp1, worker] = ['192.168.10.11', '192.168.10.12'];

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE });
    run = talosctlOn(t, await provision(t, 1, 1));
  }, 120_000);
  afterAll(async () => t?.stop());

  it('upgrade-k8s refuses several nodes, a skipped minor, and a Kubernetes the nodes’ Talos cannot run', async () => {
    const several = await t.run('talosctl', [
      '--talosconfig',
      'out/talosconfig',
      '--nodes',
      `${cp1},${worker}`,
      '--endpoints',
      cp1,
      'upgrade-k8s',
      '--to',
      '1.35.0',
    ]);
    expect(several.stderr).toBe('command "upgrade-k8s" is not supported with multiple nodes\n');
    const skip = await run(cp1, 'upgrade-k8s', '--to', '1.36.0');
    expect(skip.code).toBe(1);
    expect(skip.stdout).toBe('automatically detected the lowest Kubernetes version 1.34.1\n');
    expect(skip.stderr).toBe('unsupported upgrade path 1.34->1.36 (from "1.34.1" to "1.36.0")\n');
    const tooNew = await run(cp1, 'upgrade-k8s', '--from', '1.34.1', '--to', '1.35.0');
    expect(tooNew.code).toBe(1);
    expect(tooNew.stderr).toBe(
      `node "${cp1}": version of Kubernetes 1.35.0 is too new to be used with Talos 1.11.6\n`,
    );
  });

  it('apply-config --dry-run shows the diff and the reboot a change needs; no-reboot refuses it', async () => {
    t.file('env.patch.yaml', 'machine:\n  env:\n    HTTPS_PROXY: http://proxy.lab:3128\n');
    const args = ['apply-config', '--file', 'east-w-1.yaml', '--config-patch', '@env.patch.yaml'];
    const dry = await run(worker, ...args, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(
      /^Dry run summary:\nApplied configuration with a reboot \(skipped in dry-run\)\.\nConfig diff:\n\n--- a\n\+\+\+ b\n@@ -\d+,\d+ \+\d+,\d+ @@\n(?: .*\n)+\+ {4}env:\n\+ {8}HTTPS_PROXY: http:\/\/proxy\.lab:3128\n/,
    );
    const same = await run(worker, 'apply-config', '--file', 'east-w-1.yaml', '--dry-run');
    expect(same.stderr).toBe(
      'Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).\nConfig diff:\n\nNo changes.\n',
    );
    const refused = await run(worker, ...args, '--mode', 'no-reboot');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error applying new configuration: rpc error: code = InvalidArgument desc = this config change can't be applied in immediate mode\ndiff:\n--- a\n\+\+\+ b\n@@ .* @@\n[\s\S]*\+ {8}HTTPS_PROXY: http:\/\/proxy\.lab:3128\n/,
    );
  });

  it('upgrade-k8s 1.34 -> 1.35 once every node runs Talos 1.12: the configs carry the new images', async () => {
    for (const ip of [cp1, worker]) {
      const upgraded = await run(ip, 'upgrade', '--image', installer('v1.12.11'));
      expect(upgraded.code, upgraded.stderr).toBe(0);
    }
    const result = await run(cp1, 'upgrade-k8s', '--to', '1.35.0');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'automatically detected the lowest Kubernetes version 1.34.1',
      `discovered controlplane nodes ["${cp1}"]`,
      `discovered worker nodes ["${worker}"]`,
      `> "${cp1}": Talos version 1.12.11 is compatible with Kubernetes version 1.35.0`,
      `> "${worker}": Talos version 1.12.11 is compatible with Kubernetes version 1.35.0`,
    ]);
    expect(result.stdout).toContain(
      `updating "kube-apiserver" to version "1.35.0"\n > "${cp1}": starting update\n > update kube-apiserver: v1.34.1 -> 1.35.0\n > "${cp1}": machine configuration patched\n > "${cp1}": waiting for kube-apiserver pod update\n < "${cp1}": successfully updated\n`,
    );
    expect(result.stdout).toContain(
      `updating kubelet to version "1.35.0"\n > "${cp1}": starting update\n > update kubelet: 1.34.1 -> 1.35.0\n`,
    );
    expect(lines.filter(Boolean).slice(-1)[0]).toBe('updating manifests');
    // The worker's running config now differs from the file it was given: the kubelet image.
    const stale = await run(worker, 'apply-config', '--file', 'east-w-1.yaml', '--dry-run');
    expect(stale.stderr).toContain(
      '-        image: ghcr.io/siderolabs/kubelet:v1.35.0\n+        image: ghcr.io/siderolabs/kubelet:v1.34.1\n',
    );
    expect(stale.stderr).toContain('Applied configuration without a reboot (skipped in dry-run)');
  }, 60_000);

  it('a v1.12 node refuses an apply while it reboots for the previous one; it comes back with a new boot id', async () => {
    const before = (await run(worker, 'read', BOOT_ID)).stdout.trim();
    const apply = () => run(worker, 'apply-config', '--file', 'east-w-1.yaml', '--mode', 'reboot');
    const answers = await Promise.all([apply(), apply()]);
    const refusal =
      'error applying new configuration: rpc error: code = FailedPrecondition desc = configuration was already applied and node is rebooting, cannot apply more configuration changes until next reboot\n';
    expect(answers.map((answer) => answer.stderr).sort()).toEqual(
      ['Applied configuration with a reboot\n', refusal].sort(),
    );
    await eventually(async () => {
      const bootId = await run(worker, 'read', BOOT_ID);
      return bootId.code === 0 && bootId.stdout.trim() !== before;
    }, 20_000);
  });

  it('--mode staged keeps the running config until the next reboot, which runs it', async () => {
    t.file('ptp.patch.yaml', 'machine:\n  time:\n    servers:\n      - /dev/ptp0\n');
    const staged = await run(
      worker,
      'apply-config',
      '--file',
      'east-w-1.yaml',
      '--config-patch',
      '@ptp.patch.yaml',
      '--mode',
      'staged',
    );
    expect(staged.stderr).toBe('Staged configuration to be applied after the next reboot\n');
    const servers = async () => (await run(worker, 'get', 'timeservers')).stdout;
    expect(await servers()).toContain('["time.cloudflare.com"]');
    expect((await run(worker, 'reboot')).code).toBe(0);
    expect(await servers()).toContain('["/dev/ptp0"]');
  });
});

describe('lab talosctl upgrade: etcd checks on control planes (LIFECYCLE F.1)', () => {
  let t: ToolLab;
  let run: ReturnType<typeof talosctlOn>;
  const [cp1, cp2] = ['192.168.10.11', '192.168.10.12'];

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE });
    run = talosctlOn(t, await provision(t, 2, 0));
    await bootstrapped(run, cp1);
    await eventually(async () => (await run(cp2, 'etcd', 'members')).stdout.trim().split('\n').length === 3);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('refuses to upgrade a control plane of a two-member etcd, before answering', async () => {
    const expected =
      'rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member count(2) is insufficient to maintain quorum if upgrade commences';
    const waited = await run(cp1, 'upgrade', '--image', installer('v1.12.11'));
    expect(waited.code).toBe(1);
    expect(waited.stderr).toBe(
      `New upgrade API is not available, falling back to legacy\n"${cp1}": waiting for actor ID\n"${cp1}": ${expected}\n`,
    );
    const unwaited = await run(cp1, 'upgrade', '--image', installer('v1.12.11'), '--wait=false');
    expect(unwaited.stderr).toBe(
      `New upgrade API is not available, falling back to legacy\nerror performing upgrade: ${expected}\n`,
    );
    expect((await run(cp1, 'version')).stdout).toMatch(
      /Server:\n\tNODE:\s+192\.168\.10\.11\n\tTag:\s+v1\.11\.6\n/,
    );
  });
});

describe('lab talosctl upgrade: a control plane refuses while another member is down (LIFECYCLE F.1)', () => {
  let t: ToolLab;
  let run: ReturnType<typeof talosctlOn>;
  const [cp1, cp3] = ['192.168.10.11', '192.168.10.13'];

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE });
    run = talosctlOn(t, await provision(t, 3, 0));
    await bootstrapped(run, cp1);
    await eventually(async () => (await run(cp3, 'etcd', 'members')).stdout.trim().split('\n').length === 4);
  }, 180_000);
  afterAll(async () => t?.stop());

  it('names the rebooting member as not healthy; with it back, the upgrade is taken', async () => {
    const members = (await run(cp1, 'etcd', 'members')).stdout;
    const cp3Id = /\S+\s+([0-9a-f]{16})\s+east-cp-3\s/.exec(members)?.[1];
    expect(cp3Id).toMatch(/^[0-9a-f]{16}$/);
    expect((await run(cp3, 'reboot', '--wait=false')).code).toBe(0);
    const refused = await run(cp1, 'upgrade', '--image', installer('v1.12.11'), '--wait=false');
    expect(refused.stderr).toBe(
      'New upgrade API is not available, falling back to legacy\n' +
        `error performing upgrade: rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member ${cp3Id} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded\n`,
    );
    // Back means rebooted: etcd still answers while the reboot stops pods (F.5, before the node goes down),
    // and a member that is stopping is not healthy yet. Wait for it to go down, then to answer again.
    await eventually(async () => (await run(cp3, 'etcd', 'status')).code !== 0, 20_000);
    await eventually(async () => (await run(cp3, 'etcd', 'status')).code === 0, 20_000);
    const taken = await run(cp1, 'upgrade', '--image', installer('v1.12.11'), '--wait=false');
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toContain('Upgrade request received');
  }, 60_000);
});
