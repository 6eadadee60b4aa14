import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runProvision } from '../../src/actions/provision.js';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { changingRequests } from '../lab/request-log.js';

// The example spec nests the previews' slot pools in the parent pool aggrik8s (poolPrefix aggrik8s/slot),
// production's in aggrik8s-production (environments.production.poolPrefix aggrik8s-production/slot).
const SPEC = 'examples/twin.yaml';

let lab: LabHandle;
let labDir: string;
let labLog: string;
beforeAll(async () => {
  labDir = mkdtempSync(join(tmpdir(), 'doctor-lab-'));
  labLog = join(labDir, 'requests.jsonl');
  lab = await startLab({ dir: labDir, timeScale: 0.002, logFile: labLog });
});
afterAll(async () => lab?.close());

async function twin(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
  const saved = process.env.PVE_TOKEN;
  process.env.PVE_TOKEN = lab.token;
  try {
    const connection = ['--endpoint', lab.endpoint.replace(/\/api2\/json$/, ''), '--ca-file', lab.caFile];
    const code = await run([...args, ...connection], io);
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    process.env.PVE_TOKEN = saved;
  }
}

/** action-provision's main step in this process, as the runner would start it: INPUT_* and its files. */
async function provision(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-runner-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STATE: join(dir, 'state') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const saved = { env: { ...process.env }, exitCode: process.exitCode };
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  Object.assign(process.env, files, {
    RUNNER_TEMP: dir,
    PATH: `${lab.binDir}${delimiter}${process.env.PATH ?? ''}`,
    ...Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
  });
  try {
    await runProvision();
    return { failed: process.exitCode === 1, stdout: written.join('') };
  } finally {
    stdout.mockRestore();
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
}

/** What an operator does by mistake: drops one privilege from the role in DIR/user.cfg. */
function removeFromTwinGuests(privilege: string): void {
  const file = join(labDir, 'user.cfg');
  const text = readFileSync(file, 'utf8');
  const edited = text.replace(/^role:TwinGuests:([^:]*):/m, (_line, privs: string) => {
    const kept = privs.split(',').filter((priv) => priv !== privilege);
    return `role:TwinGuests:${kept.join(',')}:`;
  });
  expect(edited).not.toBe(text);
  writeFileSync(file, edited);
}

const MISSING_OPTIONS =
  'missing VM.Config.Options on /pool/aggrik8s: needed to create VMs (name, ostype, agent, onboot, description), ' +
  'set their tags; fix: pveum role modify TwinGuests --append 1 --privs VM.Config.Options (if TwinGuests is the ' +
  "role granted there), else pveum acl modify /pool/aggrik8s --users twin@pve --tokens 'twin@pve!gha' --roles TwinGuests";

describe('twin doctor against the lab', () => {
  it('passes the operator token of runner-setup/README.md, path by path, and changes nothing', async () => {
    const result = await twin(['doctor', SPEC]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines).toContain(
      'ok: /pool/aggrik8s: Pool.Allocate Pool.Audit VM.Allocate VM.Audit VM.Config.CPU VM.Config.Cloudinit ' +
        'VM.Config.Disk VM.Config.HWType VM.Config.Memory VM.Config.Network VM.Config.Options VM.GuestAgent.Audit VM.PowerMgmt',
    );
    expect(lines).toContain('ok: /sdn/zones/localnetwork/vmbr0/2000: SDN.Use');
    expect(lines).toContain('ok: storage local holds content import on pve1, pve2, pve3');
    expect(lines.at(-1)).toBe('twin@pve!gha has every right apply needs');
    expect(result.stdout).not.toContain(lab.tokenSecret);
    expect(changingRequests(labLog)).toEqual([]);
  });

  it('--json gives the report', async () => {
    const result = await twin(['doctor', SPEC, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      tokenId: 'twin@pve!gha',
      operation: 'apply',
      findings: [],
    });
  });

  describe('with one privilege removed from the role in DIR/user.cfg', () => {
    beforeAll(() => removeFromTwinGuests('VM.Config.Options'));

    it('doctor exits 1 naming the privilege, the path and the command that grants it', async () => {
      const result = await twin(['doctor', SPEC, '--env', 'pr-7']);
      expect(result.code).toBe(1);
      const lines = result.stdout.split('\n');
      expect(lines.filter((line) => line.startsWith('missing '))).toEqual([MISSING_OPTIONS]);
      expect(lines.at(-1)).toBe('twin@pve!gha lacks 1 thing(s) apply needs');
    });

    it("doctor checks each tier's parent pool: production's with --env production, both without --env", async () => {
      const production = MISSING_OPTIONS.replaceAll('/pool/aggrik8s', '/pool/aggrik8s-production');
      const missing = async (args: string[]) =>
        (await twin(['doctor', SPEC, ...args])).stdout
          .split('\n')
          .filter((line) => line.startsWith('missing '));
      expect(await missing(['--env', 'production'])).toEqual([production]);
      expect(await missing([])).toEqual([MISSING_OPTIONS, production]);
    });

    it('plan shows the same finding and still plans', async () => {
      const result = await twin(['plan', SPEC, '--env', 'pr-7']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('12 to create, 0 to keep, 0 to change, 0 to destroy');
      expect(result.stdout).toContain(`rights (what apply needs):\n  ${MISSING_OPTIONS}\n`);
    });

    it('twin up stops the same way, exit 1, before any changing request', async () => {
      const result = await twin([
        'up',
        SPEC,
        '--env',
        'pr-6',
        '--state-dir',
        mkdtempSync(join(tmpdir(), 'doctor-state-')),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the Proxmox token twin@pve!gha lacks what apply needs');
      expect(result.stderr).toContain(MISSING_OPTIONS);
      expect(changingRequests(labLog)).toEqual([]);
    });

    it('twin down needs no VM.Config.Options and goes ahead', async () => {
      const result = await twin([
        'down',
        SPEC,
        '--env',
        'pr-6',
        '--state-dir',
        mkdtempSync(join(tmpdir(), 'doctor-state-')),
      ]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('twin pr-6 does not exist: nothing to destroy');
      expect(Object.keys(lab.state.access.config.pools).sort()).toEqual(['aggrik8s', 'aggrik8s-production']); // its lock is gone again
    });

    it('action-provision apply stops before any changing request, listing the finding', async () => {
      const before = changingRequests(labLog).length; // twin down above took and released the twin's lock
      const result = await provision({
        spec: SPEC,
        twin: 'pr-5',
        operation: 'apply',
        tools: 'path',
        'state-dir': mkdtempSync(join(tmpdir(), 'doctor-state-')),
        'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
        'proxmox-token': lab.token,
        'proxmox-ca-file': lab.caFile,
      });
      expect(result.failed).toBe(true);
      expect(result.stdout).toContain(
        'the Proxmox token twin@pve!gha lacks what apply needs, so nothing was changed',
      );
      expect(result.stdout).toContain('missing VM.Config.Options on /pool/aggrik8s');
      expect(changingRequests(labLog).slice(before)).toEqual([]);
      expect(Object.keys(lab.state.access.config.pools).sort()).toEqual(['aggrik8s', 'aggrik8s-production']);
    });
  });
});
