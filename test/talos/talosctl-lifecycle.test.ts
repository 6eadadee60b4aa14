import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/exec/runner.js';
import { changedKeys, parseDryRun, parseUpgradeRefusal } from '../../src/talos/lifecycle-output.js';
import { Talosctl, UpgradeRefusedError } from '../../src/talos/talosctl.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';

function talosctl(script?: Script) {
  const { runner, calls } = scriptedRunner(script);
  return { talos: new Talosctl(runner), calls };
}

const argv = (calls: { tool: string; args: string[] }[]) => calls.map((c) => [c.tool, ...c.args].join(' '));

const server = (node: string, tag: string) =>
  `Server:\n\tNODE:        ${node}\n\tTag:         ${tag}\n\tSHA:         6dd14300\n\tBuilt:       \n\tGo version:  go1.24.11\n\tOS/Arch:     linux/amd64\n\tEnabled:     RBAC\n`;
const CLIENT = 'Client:\n\tTag:         v1.11.6\n\tSHA:         6dd14300\n';

/** F.3: the dry-run summary as the node words it (talosctl prints it on stderr). */
const dryRun = (mode: string, diff: string) =>
  `Dry run summary:\n${mode} (skipped in dry-run).\n\nConfig diff:\n\n${diff}\n`;
const TIME_DIFF = [
  '--- a',
  '+++ b',
  '@@ -40,7 +40,7 @@',
  '     kubelet:',
  '         image: ghcr.io/siderolabs/kubelet:v1.34.1',
  '     time:',
  '         servers:',
  '-            - time.cloudflare.com',
  '+            - ntp.lab',
  '     features:',
].join('\n');
const TYPE_DIFF = [
  '--- a',
  '+++ b',
  '@@ -1,3 +1,3 @@',
  ' version: v1alpha1',
  ' machine:',
  '-    type: worker',
  '+    type: controlplane',
  ' debug: false',
].join('\n');

describe('Talosctl lifecycle argv', () => {
  it('version of several nodes through the talosconfig endpoints, one release per node', async () => {
    const { talos, calls } = talosctl(() => ({
      stdout: CLIENT + server('10.0.0.11', 'v1.11.6') + server('10.0.0.21', 'v1.12.11'),
    }));
    const versions = await talos.versions('/s/talosconfig', ['10.0.0.11', '10.0.0.21']);
    expect(argv(calls)).toEqual([
      'talosctl --talosconfig /s/talosconfig --nodes 10.0.0.11,10.0.0.21 version',
    ]);
    expect(versions).toEqual([
      { node: '10.0.0.11', release: 'v1.11.6' },
      { node: '10.0.0.21', release: 'v1.12.11' },
    ]);
  });

  it('a node that does not answer is unknown with its reason; the others still count', async () => {
    const { talos } = talosctl(() => ({
      exitCode: 1,
      stdout: CLIENT + server('10.0.0.11', 'v1.11.6'),
      stderr:
        'error getting version: 1 error occurred:\n\t* 10.0.0.21: rpc error: code = Unavailable desc = connection refused\n',
    }));
    expect(await talos.versions('/s/talosconfig', ['10.0.0.11', '10.0.0.21'])).toEqual([
      { node: '10.0.0.11', release: 'v1.11.6' },
      { node: '10.0.0.21', unknown: 'rpc error: code = Unavailable desc = connection refused' },
    ]);
  });

  it('upgrade, apply-config, dry-run, upgrade-k8s and reboot talk to the node itself', async () => {
    const { talos, calls } = talosctl((_, args) =>
      args.includes('--dry-run')
        ? { stderr: dryRun('Applied configuration without a reboot', 'No changes.') }
        : undefined,
    );
    const image = 'factory.talos.dev/nocloud-installer/abc:v1.12.11';
    await talos.upgrade('/s/tc', '10.0.0.11', image);
    await talos.applyConfig('/s/tc', '10.0.0.11', '/w/cp-1.yaml', 'no-reboot');
    await talos.applyConfigDryRun('/s/tc', '10.0.0.11', '/w/cp-1.yaml');
    await talos.upgradeK8s('/s/tc', '10.0.0.11', '1.35.4');
    await talos.reboot('/s/tc', '10.0.0.21');
    const node = (ip: string) => `talosctl --talosconfig /s/tc --nodes ${ip} --endpoints ${ip}`;
    expect(argv(calls)).toEqual([
      `${node('10.0.0.11')} upgrade --image ${image} --wait=false`,
      `${node('10.0.0.11')} apply-config --file /w/cp-1.yaml --mode no-reboot`,
      `${node('10.0.0.11')} apply-config --file /w/cp-1.yaml --mode auto --dry-run`,
      `${node('10.0.0.11')} upgrade-k8s --to 1.35.4`,
      `${node('10.0.0.21')} reboot --wait=false`,
    ]);
  });

  it('bootId reads the boot id file on the node itself; undefined while it does not answer', async () => {
    const answers = [{ stdout: '5b2c9e9a-1\n' }, { exitCode: 1, stderr: 'rpc error: code = Unavailable' }];
    const { talos, calls } = talosctl(() => answers.shift());
    expect(await talos.bootId('/s/tc', '10.0.0.21')).toBe('5b2c9e9a-1');
    expect(await talos.bootId('/s/tc', '10.0.0.21')).toBeUndefined();
    expect(argv(calls)[0]).toBe(
      'talosctl --talosconfig /s/tc --nodes 10.0.0.21 --endpoints 10.0.0.21 read /proc/sys/kernel/random/boot_id',
    );
  });

  it('a refused upgrade says whether asking again can help', async () => {
    const refuse = (desc: string) =>
      talosctl(() => ({
        exitCode: 1,
        stderr: `error performing upgrade: rpc error: code = Unknown desc = ${desc}\n`,
      })).talos;
    const locked = await refuse(
      'failed to acquire upgrade mutex: error trying to lock etcd upgrade mutex: mutex: Locked by another session',
    )
      .upgrade('/s/tc', '10.0.0.11', 'i')
      .catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(UpgradeRefusedError);
    expect(locked).toMatchObject({ node: '10.0.0.11', retryable: true });
    const two = await refuse(
      'error validating etcd for upgrade: etcd member count(2) is insufficient to maintain quorum if upgrade commences',
    )
      .upgrade('/s/tc', '10.0.0.11', 'i')
      .catch((e: unknown) => e);
    expect(two).toMatchObject({
      retryable: false,
      reason: 'etcd member count(2) is insufficient to maintain quorum if upgrade commences',
    });
    const other = await refuse('connection refused')
      .upgrade('/s/tc', '10.0.0.11', 'i')
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(CommandError);
  });

  it('a reboot apply whose answer is lost was taken; other modes fail on it', async () => {
    const lost = () =>
      talosctl(() => ({
        exitCode: 1,
        stderr:
          'error applying new configuration: rpc error: code = Unavailable desc = error reading from server: EOF\n',
      })).talos;
    await expect(lost().applyConfig('/s/tc', 'n', '/f', 'reboot')).resolves.toMatch(/answer lost/);
    await expect(lost().applyConfig('/s/tc', 'n', '/f', 'no-reboot')).rejects.toBeInstanceOf(CommandError);
  });
});

describe('parseDryRun (F.3)', () => {
  it('reads a reboot, a no-reboot and an unchanged summary', () => {
    expect(parseDryRun(dryRun('Applied configuration with a reboot', TYPE_DIFF))).toEqual({
      reboot: true,
      changed: true,
      diff: TYPE_DIFF,
    });
    expect(parseDryRun(dryRun('Applied configuration without a reboot', TIME_DIFF))).toEqual({
      reboot: false,
      changed: true,
      diff: TIME_DIFF,
    });
    expect(parseDryRun(dryRun('Applied configuration without a reboot', 'No changes.'))).toEqual({
      reboot: false,
      changed: false,
      diff: '',
    });
  });

  it('refuses output without a summary rather than calling it unchanged', () => {
    expect(() => parseDryRun('Applied configuration without a reboot\n')).toThrow(/no dry-run summary/);
  });
});

describe('changedKeys', () => {
  it('names each changed key with the parents its hunk shows', () => {
    expect(changedKeys(TIME_DIFF)).toEqual(['time.servers']);
    expect(changedKeys(TYPE_DIFF)).toEqual(['machine.type']);
  });

  it('leaves out the lines a caller ignores', () => {
    const imageDiff = TIME_DIFF.replace(
      '         image: ghcr.io/siderolabs/kubelet:v1.34.1',
      '-        image: ghcr.io/siderolabs/kubelet:v1.34.1\n+        image: ghcr.io/siderolabs/kubelet:v1.35.4',
    );
    expect(changedKeys(imageDiff)).toEqual(['kubelet.image', 'time.servers']);
    expect(changedKeys(imageDiff, (line) => /kubelet:v/.test(line))).toEqual(['time.servers']);
  });
});

describe('parseUpgradeRefusal', () => {
  it('knows the etcd health refusals as retryable', () => {
    expect(
      parseUpgradeRefusal(
        'etcd member 0123456789abcdef is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded',
      ),
    ).toMatchObject({ retryable: true });
    expect(parseUpgradeRefusal('error validating installer image "x": not found')?.retryable).toBe(false);
    expect(parseUpgradeRefusal('something else')).toBeUndefined();
  });
});
