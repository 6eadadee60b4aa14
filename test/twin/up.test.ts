import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { defaultNodes, defaultStorages } from '../../src/lab/pve/state.js';
import { operatorClient } from '../lab/operator-client.js';

/**
 * The whole provisioning path against the lab: VMs, Talos, Cilium, Ready nodes; status; down. The lab
 * runs in this process; its talosctl/kubectl/helm are put first on PATH as a runner would have them.
 */
const TIME_SCALE = 0.02;
let lab: LabHandle;
let stateDir: string;
let savedPath: string | undefined;

beforeAll(async () => {
  // Three hosts of 64 GiB with 2 TiB of thin storage each: room for two preview twins side by side.
  const storages = defaultStorages().map((storage) =>
    storage.id === 'local-lvm' ? { ...storage, totalBytes: 2 * 1024 ** 4 } : storage,
  );
  const nodes = defaultNodes().map((node) => ({ ...node, storages }));
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'up-lab-')), timeScale: TIME_SCALE, nodes });
  stateDir = mkdtempSync(join(tmpdir(), 'up-state-'));
  savedPath = process.env.PATH;
  process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH}`;
  process.env.TWIN_PACE_SCALE = String(TIME_SCALE);
  process.env.PVE_TOKEN = lab.token;
});
afterAll(async () => {
  process.env.PATH = savedPath;
  delete process.env.TWIN_PACE_SCALE;
  delete process.env.PVE_TOKEN;
  await lab?.close();
});

function args(command: string, twin: string, extra: string[] = []): string[] {
  return [
    command,
    'examples/twin.yaml',
    '--env',
    twin,
    '--endpoint',
    lab.endpoint.replace(/\/api2\/json$/, ''),
    '--ca-file',
    lab.caFile,
    '--state-dir',
    stateDir,
    ...extra,
  ];
}

async function twin(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const verbose = process.env.TWIN_TEST_VERBOSE === '1';
  const io: Io = {
    out: (t) => void (out.push(t), verbose && process.stderr.write(`${t}\n`)),
    err: (t) => void (err.push(t), verbose && process.stderr.write(`${t}\n`)),
  };
  process.env.PVE_TOKEN = lab.token; // each run's own step environment: the CLI takes it out once read
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function labVms(): Promise<{ vmid: number; name: string; tags: string }[]> {
  return Object.values(lab.state.data.vms).map((vm) => ({
    vmid: vm.vmid,
    name: String(vm.config.name ?? ''),
    tags: String(vm.config.tags ?? ''),
  }));
}

describe('twin up / status / down against the lab', { timeout: 600_000 }, () => {
  it('up ends with 2 clusters x 6 Ready nodes and stage timings; status shows them; down leaves nothing of the twin', async () => {
    const up = await twin(args('up', 'pr-7'));
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/twin pr-7 \(preview\), slot 1, pool aggrik8s\/slot-1: ready/);
    expect(up.stdout).toMatch(
      /stage timings \(on the simulated lab\):\nSTAGE +WALL +LAB TIME \(scale 0\.02\)/,
    );
    // Plain lines (not a terminal): each finished step with its stage's fixed count.
    expect(up.stdout).toMatch(/done +pr-7-east-w-1: VM \d+ on \S+ \([\d.]+s\) \[vm \d+\/37\]/);
    expect(up.stdout).toMatch(
      new RegExp(
        '\\ntotal time: .* of lab time\\)\\n' +
          'releases running: Talos v1\\.13\\.9, Kubernetes 1\\.36\\.3, Cilium 1\\.20\\.0, Rook v1\\.18\\.8\\n' +
          'expires: .*, 72 h after this apply .*, or when pull request #7 closes\\n' +
          `next:\\n  twin status examples/twin\\.yaml --env pr-7 --endpoint \\S+ --ca-file \\S+ --state-dir ${stateDir}\\n` +
          '  twin down examples/twin\\.yaml --env pr-7 ',
      ),
    );
    const timings = JSON.parse(
      readFileSync(join(stateDir, 'pr-7', 'files', 'last-run-timings.json'), 'utf8'),
    );
    expect(timings.stages.map((stage: { stage: string }) => stage.stage)).toEqual(
      expect.arrayContaining(['plan', 'vm', 'talos', 'kubernetes', 'cilium', 'mesh', 'storage', 'checks']),
    );

    const status = await twin(args('status', 'pr-7', ['--json']));
    const parsed = JSON.parse(status.stdout);
    expect(parsed.clusters.map((c: { name: string; ready: number }) => [c.name, c.ready])).toEqual([
      ['east', 6],
      ['west', 6],
    ]);

    const again = await twin(args('up', 'pr-7'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/etcd was bootstrapped before/);

    // A reboot a killed run left running (as a resize's does): up waits for it before it looks at the twin.
    // The guest ignores the ACPI request, so the reboot task holds the VM for its whole timeout (450 lab s,
    // 9 s here, within up's wait) however slowly this machine brings up to that check.
    const worker = (await labVms()).find((vm) => vm.name === 'pr-7-east-w-1')!;
    const pveNode = lab.state.data.vms[worker.vmid]!.node;
    lab.state.setGuestShutdownResponse(worker.vmid, false);
    await operatorClient(lab).post(`/nodes/${pveNode}/qemu/${worker.vmid}/status/reboot`, { timeout: 450 });
    const afterReboot = await twin(args('up', 'pr-7'));
    lab.state.setGuestShutdownResponse(worker.vmid, true);
    expect(afterReboot.stderr).toBe('');
    expect(afterReboot.code).toBe(0);
    expect(afterReboot.stdout).toContain(`VMID(s) ${worker.vmid} held by a qmreboot task in flight; waiting`);

    // A second runner with an empty state folder: refused before any wait, secret or change.
    const vmsBefore = JSON.stringify(await labVms());
    const emptyState = mkdtempSync(join(tmpdir(), 'up-empty-state-'));
    const elsewhere = args('up', 'pr-7').map((arg) => (arg === stateDir ? emptyState : arg));
    const lost = await twin(elsewhere);
    expect(lost.code).not.toBe(0);
    expect(lost.stderr).toMatch(
      /twin pr-7 exists on Proxmox \(slot 1, pool aggrik8s\/slot-1, 12 VM\(s\)\) but the local state folder .*up-empty-state-.* holds none of its state/,
    );
    expect(lost.stderr).toMatch(/no secrets were generated\. Ways out: .*--state-dir.*destroy the twin/);
    expect(readdirSync(emptyState)).toEqual([]);
    expect(JSON.stringify(await labVms())).toBe(vmsBefore);

    // One worker fewer in east: drained, deleted from Kubernetes, then its VM removed; nothing else moves.
    const smaller = [...args('up', 'pr-7')];
    smaller[1] = 'test/fixtures/twins/east-two-workers.yaml';
    const down1 = await twin(smaller);
    expect(down1.stderr).toBe('');
    expect(down1.stdout).toMatch(/done +pr-7-east-w-3: drained and removed/);
    const afterScale = JSON.parse((await twin(args('status', 'pr-7', ['--json']))).stdout);
    expect(afterScale.clusters.map((c: { name: string; ready: number }) => [c.name, c.ready])).toEqual([
      ['east', 5],
      ['west', 6],
    ]);
    expect((await labVms()).some((vm) => vm.name === 'pr-7-east-w-3')).toBe(false);
    const back = await twin(args('up', 'pr-7'));
    expect(back.code).toBe(0);

    const down = await twin(args('down', 'pr-7'));
    expect(down.code).toBe(0);
    expect((await labVms()).filter((vm) => vm.tags.includes('twin-pr-7'))).toEqual([]);
    expect(Object.keys(lab.state.access.config.pools)).not.toContain('aggrik8s/slot-1');
    const after = await twin(args('status', 'pr-7'));
    expect(after.stdout).toMatch(/twin pr-7 does not exist/);
  });

  it('two twins started at the same moment share no VMID, address or slot', async () => {
    const [a, b] = await Promise.all([twin(args('up', 'pr-21')), twin(args('up', 'pr-22'))]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const statusA = JSON.parse((await twin(args('status', 'pr-21', ['--json']))).stdout);
    const statusB = JSON.parse((await twin(args('status', 'pr-22', ['--json']))).stdout);
    expect(statusA.slot).not.toBe(statusB.slot);
    const idsA = statusA.clusters.flatMap((c: { nodes: { vmid: number }[] }) => c.nodes.map((n) => n.vmid));
    const idsB = statusB.clusters.flatMap((c: { nodes: { vmid: number }[] }) => c.nodes.map((n) => n.vmid));
    expect(idsA.filter((id: number) => idsB.includes(id))).toEqual([]);
    const address = (out: string) => [...out.matchAll(/192\.168\.\d+\.\d+/g)].map((m) => m[0]);
    const addressesA = new Set(address(a.stdout));
    expect(address(b.stdout).filter((ip) => addressesA.has(ip))).toEqual([]);
    expect((await twin(args('down', 'pr-21'))).code).toBe(0);
    expect((await twin(args('down', 'pr-22'))).code).toBe(0);
  });

  it('up killed midway at several points is finished by the next up, and down then leaves nothing', async () => {
    // Kill points inside a run that takes ~6 s here: VM creation, Talos apply, Kubernetes/Cilium. The first
    // run is killed only once its first VM exists, however slowly this machine starts it.
    const hasVm = async () => (await labVms()).some((vm) => vm.name.startsWith('pr-30-'));
    for (const killAfterMs of [1000, 2500, 4000]) {
      const child = spawn(process.execPath, ['dist/cli/index.js', ...args('up', 'pr-30')], {
        env: { ...process.env, PVE_TOKEN: lab.token }, // the in-process runs took it out of process.env
        stdio: 'ignore',
      });
      let ended = false;
      const exited = new Promise((done) => child.once('exit', done)).then(() => (ended = true));
      await Promise.race([exited, new Promise((done) => setTimeout(done, killAfterMs))]);
      while (killAfterMs === 1000 && !ended && !(await hasVm()))
        await new Promise((done) => setTimeout(done, 100));
      child.kill('SIGKILL');
      await exited;
    }
    // The killed runs got going (a run that failed at once would make this test prove nothing).
    expect((await labVms()).filter((vm) => vm.name.startsWith('pr-30-')).length).toBeGreaterThan(0);
    const up = await twin(args('up', 'pr-30'));
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const status = JSON.parse((await twin(args('status', 'pr-30', ['--json']))).stdout);
    expect(status.clusters.map((c: { ready: number }) => c.ready)).toEqual([6, 6]);
    expect((await twin(args('down', 'pr-30'))).code).toBe(0);
    expect((await labVms()).filter((vm) => vm.tags.includes('twin-pr-30'))).toEqual([]);
  });

  it('a twin that does not fit the free memory is refused before any VM exists, naming the shortfall', async () => {
    const before = (await labVms()).length;
    const refused = await twin([
      'up',
      'test/fixtures/twins/too-big.yaml',
      '--env',
      'pr-40',
      '--endpoint',
      lab.endpoint.replace(/\/api2\/json$/, ''),
      '--ca-file',
      lab.caFile,
      '--state-dir',
      stateDir,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not fit the Proxmox nodes' free capacity, so nothing was created/);
    expect(refused.stderr).toMatch(/short by \d+ MiB/);
    expect((await labVms()).length).toBe(before);
  });
});
