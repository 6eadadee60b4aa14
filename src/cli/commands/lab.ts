import { readFileSync } from 'node:fs';
import { serveLab, stopLab } from '../../lab/embedded.js';
import type { FaultConfig } from '../../lab/faults.js';
import { ConfigurationError } from '../../errors.js';
import type { Io } from '../output.js';
import {
  UsageError,
  didYouMean,
  integerOption,
  numberOption,
  parseCommandLine,
  requiredOption,
  stringOption,
} from '../args.js';
import { echoed } from '../../util/echo.js';

export const LAB_USAGE = `usage:
  twin lab serve --dir DIR [--port N] [--time-scale X] [--profile realistic|fast] [--seed N]
                 [--faults FILE.json] [--lab-log FILE.jsonl] [--idle-timeout SECONDS] [--qemu-server 9.1|9.2]
                 [--time-servers HOST,...]
      Runs the simulated lab (Proxmox VE API over HTTPS on 127.0.0.1) in the foreground, its state kept in DIR,
      and prints one JSON line: endpoint, token (the least-privilege twin@pve!gha of runner-setup/README.md),
      previewToken (twin@pve!preview, the preview tier's: nothing on production's parent pool), rootToken
      (root@pam!lab, only for tests that must act as the admin), userCfg (DIR/user.cfg: edit it to change
      rights), qemuServer, CA file, fingerprint, nodes. --time-servers lists the NTP servers the lab's
      network reaches (default: public ones such as time.cloudflare.com and *.pool.ntp.org; "" for an
      offline lab, where only the VMs' /dev/ptp0 keeps time).
      --port N                 0 (default) picks a free one
      --profile NAME           durations: realistic (default, time scale 1: real time) or fast (0.01)
      --time-scale X           every duration of the profile times X instead (> 0)
      --seed N                 the same seed injects the same faults
      --faults FILE.json       faults to inject (5xx, task errors, lock timeouts, nodes that never boot, ...)
      --lab-log FILE.jsonl     appends a JSON line per Proxmox API request and per talosctl, kubectl and helm
                               call (argv, exit code, duration); tokens, keys, certificates never written
      --idle-timeout SECONDS   stops after SECONDS of wall-clock time with no request and no task running,
                               counted from the start and again from each request; 0 (default) never
      --qemu-server 9.1|9.2    the qemu-server release whose VM create the lab keeps (default 9.2)
  twin lab stop --dir DIR
      Stops the lab serving DIR (the one --lab DIR starts in the background).`;

export async function labCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'serve') return labServe(rest, io);
  if (sub === 'stop') return labStop(rest, io);
  if (sub === undefined) throw new UsageError(LAB_USAGE);
  throw new UsageError(
    `unknown lab command ${echoed(sub)}${didYouMean(sub, ['serve', 'stop'])}\n${LAB_USAGE}`,
  );
}

const LAB_SERVE_OPTIONS = {
  dir: { type: 'string' },
  port: { type: 'string' },
  'time-scale': { type: 'string' },
  profile: { type: 'string' },
  seed: { type: 'string' },
  faults: { type: 'string' },
  'lab-log': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'qemu-server': { type: 'string' },
  'time-servers': { type: 'string' },
} as const;
const LAB_STOP_OPTIONS = { dir: { type: 'string' } } as const;
/** What `lab serve` and `lab stop` take, together: LAB_USAGE documents both. */
export const LAB_OPTIONS = { ...LAB_SERVE_OPTIONS, ...LAB_STOP_OPTIONS } as const;

async function labServe(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, LAB_SERVE_OPTIONS, [], LAB_USAGE);
  const profile = profileOption(stringOption(parsed, 'profile'));
  const faultsFile = stringOption(parsed, 'faults');
  const { info, closed } = await serveLab({
    dir: requiredOption(parsed, 'dir', LAB_USAGE),
    ...defined('port', integerOption(parsed, 'port')),
    ...defined('timeScale', numberOption(parsed, 'time-scale')),
    ...defined('profile', profile),
    ...defined('seed', integerOption(parsed, 'seed')),
    ...defined('faults', faultsFile === undefined ? undefined : readFaults(faultsFile)),
    ...defined('logFile', stringOption(parsed, 'lab-log')),
    ...defined('idleTimeoutSeconds', integerOption(parsed, 'idle-timeout')),
    ...defined('qemuServer', qemuServerOption(stringOption(parsed, 'qemu-server'))),
    ...defined('reachableTimeServers', listOption(stringOption(parsed, 'time-servers'))),
  });
  io.out(JSON.stringify(info));
  await closed;
  return 0;
}

function profileOption(value: string | undefined): 'realistic' | 'fast' | undefined {
  if (value === undefined || value === 'realistic' || value === 'fast') return value;
  throw new UsageError(`--profile takes realistic or fast, not ${echoed(value)}`);
}

/** A comma-separated list; "" is the empty list. */
function listOption(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function qemuServerOption(value: string | undefined): '9.1' | '9.2' | undefined {
  if (value === undefined || value === '9.1' || value === '9.2') return value;
  throw new UsageError(`--qemu-server takes 9.1 or 9.2, not ${echoed(value)}`);
}

function readFaults(file: string): FaultConfig {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FaultConfig;
  } catch (error) {
    throw new ConfigurationError(
      `--faults ${file}: ${(error as Error).message}: give a JSON file of fault settings`,
    );
  }
}

async function labStop(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, LAB_STOP_OPTIONS, [], LAB_USAGE);
  const dir = requiredOption(parsed, 'dir', LAB_USAGE);
  io.out((await stopLab(dir)) ? `stopped the lab serving ${dir}` : `no lab is serving ${dir}`);
  return 0;
}

function defined<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
