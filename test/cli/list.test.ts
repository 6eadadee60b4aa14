import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import { labConnection, runTwin, useLabTools } from './in-process.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { slotComment } from '../../src/proxmox/slots.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { twinFootprint } from '../../src/spec/quota.js';
import type { TwinListing } from '../../src/twin/twin-list.js';

/**
 * `twin list` against the lab: one preview built by `up`, one being built (a claim with a reservation and
 * no VM yet), each twin's share read from Proxmox and compared with what its spec asks, and the requests
 * the listing costs counted in the lab's log.
 */
const TIME_SCALE = 0.01;
const SPEC = 'test/fixtures/twins/one-worker.yaml';
const HOUR_MS = 3_600_000;
let lab: LabHandle;
let labLog: string;
let stateDir: string;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'list-lab-'));
  labLog = join(dir, 'lab.jsonl');
  lab = await startLab({ dir: join(dir, 'lab'), timeScale: TIME_SCALE, logFile: labLog });
  stateDir = mkdtempSync(join(tmpdir(), 'list-state-'));
  restoreEnv = useLabTools(lab, TIME_SCALE);
});
afterAll(async () => {
  restoreEnv?.();
  await lab?.close();
});

async function twin(command: string, extra: string[]) {
  // The least-privilege token, as a step gets it.
  return runTwin([command, SPEC, ...extra, ...labConnection(lab, stateDir)], { pveToken: lab.token });
}

/** The Proxmox requests in the lab's log from line `from` on (tool calls left out). */
function requestsSince(from: number): { method: string; path: string }[] {
  return logLines()
    .slice(from)
    .map((line) => JSON.parse(line) as { method?: string; path: string })
    .filter((entry): entry is { method: string; path: string } => entry.method !== undefined);
}

function logLines(): string[] {
  return readFileSync(labLog, 'utf8').split('\n').filter(Boolean);
}

describe('twin list against the lab', { timeout: 300_000 }, () => {
  it("lists each twin's slot, age, expiry, share and health, and the nodes' free capacity after reservations", async () => {
    const built = await twin('up', ['--env', 'pr-5', '--no-platform']);
    expect([built.code, built.stderr]).toEqual([0, '']);
    const root = new PveClient(
      parsePveConnection({ endpoint: lab.endpoint, token: lab.rootToken, caFile: lab.caFile }),
    );
    const reserved = { pveNode: 'pve2', memoryMiB: 4096, diskGiB: 50 };
    await root.post('/pools', {
      poolid: 'aggrik8s/slot-6',
      comment: slotComment('pr-6', new Date(), [reserved]),
    });

    const before = logLines().length;
    const listed = await twin('list', ['--json']);
    const requests = requestsSince(before);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    const listing = JSON.parse(listed.stdout) as TwinListing;

    const { spec } = loadSpec(SPEC);
    const asked = twinFootprint(resolveTwin(spec, 'pr-5'));
    const pr5 = listing.twins.find((one) => one.twin === 'pr-5')!;
    // What Proxmox holds of the twin is what its spec asks: 4 VMs, their cores, memory and every disk.
    expect(pr5.share).toEqual({
      vms: asked.vms,
      running: asked.vms,
      cores: asked.cores,
      memoryMiB: asked.memoryMiB,
      diskGiB: asked.diskGiB,
    });
    const since = Date.parse(pr5.activeAt ?? pr5.claimedAt!);
    expect(pr5.expiry).toEqual({
      kind: 'ttl',
      ttlHours: 72,
      at: new Date(since + 72 * HOUR_MS).toISOString(),
      keepLabel: 'keep',
    });
    expect(pr5).toMatchObject({ environment: 'preview', slot: 1, orphanedState: false });
    expect(listing.twins.find((one) => one.twin === 'pr-6')).toMatchObject({
      slot: 6,
      share: { vms: 0, running: 0, cores: 0, memoryMiB: 0, diskGiB: 0 },
      stateItems: 0,
    });

    // Each node's room is what it has free less what twins being built reserved on it.
    const pve2 = listing.nodes.find((node) => node.name === 'pve2')!;
    const pve1 = listing.nodes.find((node) => node.name === 'pve1')!;
    expect(pve2).toMatchObject({ reservedMemoryMiB: 4096, reservedDiskGiB: 50, online: true });
    expect(pve1).toMatchObject({ reservedMemoryMiB: 0, reservedDiskGiB: 0 });
    expect(pve2.totalMemoryMiB).toBe(64 * 1024);

    // No request per VM: pools, VMs, nodes and storages once each, the disk storage once per node hosting VMs.
    const hosts = new Set(
      Object.values(lab.state.data.vms)
        .filter((vm) => String(vm.config.tags ?? '').includes('aggrik8s'))
        .map((vm) => vm.node),
    );
    expect(requests.filter((r) => r.path.includes('/qemu/'))).toEqual([]);
    expect(requests.filter((r) => r.path.endsWith('/content'))).toHaveLength(hosts.size);
    expect(requests.length).toBe(4 + hosts.size);

    const text = await twin('list', []);
    expect(text.stdout).toMatch(
      /^pr-5 +preview +1 +\d+m ago +\d+m ago +in 2d 2[23]h unless labelled keep +4 +\d+ +\d+\.\d GiB +\d+ GiB +all running +\d+ item\(s\)$/m,
    );
    expect(text.stdout).toMatch(/^pr-6 +preview +6 .* +0 +0 +0\.0 GiB +0 GiB +- +none here$/m);
    expect(text.stdout).toMatch(/^pve2 +online +[\d.]+ GiB +64\.0 GiB +\d+ GiB +4\.0 GiB, 50 GiB$/m);
    // status --all is the same listing
    expect(JSON.parse((await twin('status', ['--all', '--json'])).stdout)).toMatchObject({
      twins: listing.twins.map(({ twin: name, share }) => ({ twin: name, share })),
    });
  });
});
