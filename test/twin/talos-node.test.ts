import { describe, expect, it } from 'vitest';
import type { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { Talosctl } from '../../src/talos/talosctl.js';
import { buildWaits } from '../../src/twin/build-waits.js';
import { scaledPace } from '../../src/twin/context.js';
import { bringUpTalosNode } from '../../src/twin/talos-node.js';
import type { TalosNodeTarget } from '../../src/twin/talos-node.js';
import { scriptedRunner } from '../exec/scripted-runner.js';

const NODE: TalosNodeTarget = {
  name: 'pr-7-east-w-1',
  pveNode: 'pve2',
  vmid: 7103,
  address: '192.168.15.84',
  configFile: '/w/pr-7-east-w-1.yaml',
  talosconfig: '/s/talosconfig',
};
const REFUSED =
  'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 192.168.15.84:50000: connect: connection refused"';
const RESET = `error applying new configuration: rpc error: code = Unavailable desc = error reading from server: read tcp 10.0.0.1:51820->192.168.15.84:50000: read: connection reset by peer`;

/** A node as talosctl sees it: hung until power-cycled (when `hangs`), then maintenance, then configured. */
function scenario(opts: { hangs: number; applyAnswer?: string }) {
  const state = { cycles: 0, applied: false };
  const { runner, calls } = scriptedRunner((_tool, args) => {
    if (args.includes('version')) return state.applied ? {} : { exitCode: 1, stderr: REFUSED };
    if (args.includes('disks')) return state.cycles >= opts.hangs ? {} : { exitCode: 1, stderr: REFUSED };
    if (args[0] === 'apply-config') {
      state.applied = opts.applyAnswer !== REFUSED;
      return opts.applyAnswer ? { exitCode: 1, stderr: opts.applyAnswer } : {};
    }
    return undefined;
  });
  const cycled: [string, number][] = [];
  const vms = {
    powerCycle: async (pveNode: string, vmid: number) => {
      cycled.push([pveNode, vmid]);
      state.cycles++;
    },
  } as unknown as VmLifecycle;
  const log: string[] = [];
  const deps = {
    talosctl: new Talosctl(runner),
    vms,
    pace: { ...scaledPace(0.0001), bootTimeoutMs: 1_000 },
    waits: buildWaits(scaledPace(0.0001)),
    log: (line: string) => log.push(line),
  };
  const applies = () => calls.filter((call) => call.args[0] === 'apply-config').length;
  return { deps, cycled, log, applies };
}

describe('bringUpTalosNode', () => {
  it('power-cycles a VM whose boot hung, once, then applies its config', async () => {
    const s = scenario({ hangs: 1 });
    await bringUpTalosNode(s.deps, NODE);
    expect(s.cycled).toEqual([['pve2', 7103]]);
    expect(s.applies()).toBe(1);
    expect(s.log).toEqual([
      'warning: pr-7-east-w-1: nothing answered at 192.168.15.84:50000 within 1 s of its start, as when a boot hangs: power-cycling the VM once',
    ]);
  });

  it('gives up with the node named when the boot hangs again after the power cycle', async () => {
    const s = scenario({ hangs: 2 });
    await expect(bringUpTalosNode(s.deps, NODE)).rejects.toThrow(
      /waiting for pr-7-east-w-1 to answer in maintenance mode at 192\.168\.15\.84:50000/,
    );
    expect(s.cycled).toHaveLength(1);
    expect(s.applies()).toBe(0);
  });

  it('takes an apply whose answer the reboot cut off as sent, and waits for the config to run', async () => {
    const s = scenario({ hangs: 0, applyAnswer: RESET });
    await bringUpTalosNode(s.deps, NODE);
    expect(s.applies()).toBe(1);
    expect(s.log).toEqual([
      "pr-7-east-w-1: the node's reboot cut off apply-config's answer: waiting for it to run the config",
    ]);
  });

  it('finds a node a killed run configured once it is back up, without sending the config again', async () => {
    let probes = 0;
    const { runner, calls } = scriptedRunner((_tool, args) => {
      const up = probes >= 3; // rebooting into the config for the first probes
      if (args.includes('disks')) {
        probes++;
        return up
          ? { exitCode: 1, stderr: `${REFUSED.split(' desc = ')[0]} desc = tls: certificate required` }
          : { exitCode: 1, stderr: REFUSED };
      }
      if (args.includes('version')) return up ? {} : { exitCode: 1, stderr: REFUSED };
      return undefined;
    });
    const s = scenario({ hangs: 0 });
    await bringUpTalosNode({ ...s.deps, talosctl: new Talosctl(runner) }, NODE);
    const commands = calls.map((call) => (call.args.includes('disks') ? 'probe' : call.args.at(-1)));
    // One mTLS check at the start, one probe per poll, the mTLS check only once the probe finds an apid.
    expect(commands).toEqual(['version', 'probe', 'probe', 'probe', 'probe', 'version']);
    expect(s.cycled).toEqual([]);
  });

  it('fails on an apply that never reached the node', async () => {
    const s = scenario({ hangs: 0, applyAnswer: REFUSED });
    await expect(bringUpTalosNode(s.deps, NODE)).rejects.toThrow(/apply-config .*connection refused/);
  });
});
