import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabOptions } from '../../../src/lab/lab.js';
import type { LabClient, Params, TestLab } from '../pve/helpers.js';
import { downloadTalosImage, startTestLab, talosCreateParams } from '../pve/helpers.js';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A lab with the Talos image on pve1, and a scratch folder for configs. */
export interface ToolLab extends TestLab {
  work: string;
  /** Runs DIR/bin/<tool> as a child process, as the product does. */
  run(
    tool: 'talosctl' | 'kubectl' | 'helm',
    args: string[],
    env?: Record<string, string>,
  ): Promise<ToolResult>;
  /** Creates and starts a Talos VM on pve1. */
  startVm(vmid: number, overrides?: Params): Promise<void>;
  file(name: string, text: string): string;
  /** `run` against another lab's tools folder (a lab restarted on the same DIR). */
  rebind(binDir: string): ToolLab['run'];
}

export async function startToolLab(dir?: string, options: Partial<LabOptions> = {}): Promise<ToolLab> {
  const base = await startTestLab(options, dir);
  await downloadTalosImage(base.root);
  const work = mkdtempSync(join(tmpdir(), 'twin-tools-'));
  return {
    ...base,
    work,
    run: (tool, args, env = {}) => runTool(join(base.lab.binDir, tool), args, work, env),
    rebind:
      (binDir) =>
      (tool, args, env = {}) =>
        runTool(join(binDir, tool), args, work, env),
    startVm: (vmid, overrides) => startVm(base.root, vmid, overrides), // set-up of the tools' nodes, not a rights test
    file: (name, text) => {
      const path = join(work, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

function runTool(
  path: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<ToolResult> {
  return new Promise((done) => {
    execFile(
      path,
      args,
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

async function startVm(api: LabClient, vmid: number, overrides: Params = {}): Promise<void> {
  const created = await api.run('POST', '/nodes/pve1/qemu', talosCreateParams(vmid, overrides));
  if (created.exitstatus !== 'OK') throw new Error(`create ${vmid}: ${created.exitstatus}`);
  const started = await api.run('POST', `/nodes/pve1/qemu/${vmid}/status/start`);
  if (started.exitstatus !== 'OK') throw new Error(`start ${vmid}: ${started.exitstatus}`);
}

/** Retries `check` until it returns true or `ms` pass (lab time runs scaled, so waits are short). */
export async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
}

export interface ClusterNode {
  vmid: number;
  name: string;
  role: 'controlplane' | 'worker';
  address: string;
}

export interface ClusterFiles {
  dir: string;
  talosconfig: string;
  kubeconfig: string;
  controlPlanes: ClusterNode[];
  nodes: ClusterNode[];
}

/** East's layout: control planes at .11, .12, ... and workers after them; the VIP is .10. */
export function layout(controlPlanes: number, workers: number): ClusterNode[] {
  return Array.from({ length: controlPlanes + workers }, (_, i) => ({
    vmid: 101 + i,
    name: i < controlPlanes ? `east-cp-${i + 1}` : `east-w-${i - controlPlanes + 1}`,
    role: i < controlPlanes ? ('controlplane' as const) : ('worker' as const),
    address: `192.168.10.${11 + i}`,
  }));
}

export function vmParams(node: ClusterNode): Params {
  return {
    name: node.name,
    ipconfig0: `ip=${node.address}/24,gw=192.168.10.1`,
    scsi1: 'local-lvm:20',
    tags: `talos;east;${node.role === 'controlplane' ? 'cp' : 'worker'}`,
  };
}

/** `helm upgrade --install cilium` of the pinned chart from its repository, with the values file given. */
export function ciliumInstallArgs(valuesFile: string): string[] {
  return [
    'upgrade',
    '--install',
    'cilium',
    'cilium',
    '--repo',
    'https://helm.cilium.io',
    '--version',
    '1.19.6',
    '--namespace',
    'kube-system',
    '--values',
    valuesFile,
  ];
}
