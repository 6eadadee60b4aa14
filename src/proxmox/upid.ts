import { PveProtocolError } from './errors.js';

/** A PVE task id, decoded (CONTRACTS A.2, PVE-COMMON `UPID.pm`). */
export interface Upid {
  node: string;
  pid: number;
  pstart: number;
  /** Unix seconds. */
  starttime: number;
  /** Worker type, e.g. `qmcreate`, `qmclone`, `download`. */
  type: string;
  /** Usually the VMID; may be empty. */
  id: string;
  /** Who started it, e.g. `ci@pve!gha`. */
  user: string;
}

// PVE's own decode pattern, unchanged: pstart may have 9 hex digits after 497 days of uptime.
const UPID_PATTERN =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

export function isUpid(text: string): boolean {
  return UPID_PATTERN.test(text);
}

export function parseUpid(text: string): Upid {
  const match = UPID_PATTERN.exec(text);
  if (!match) {
    throw new PveProtocolError(
      `'${text}' is not a PVE task id: expected UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`,
    );
  }
  const [, node = '', , pid = '', pstart = '', starttime = '', type = '', id = '', user = ''] = match;
  return {
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user,
  };
}

/** Encodes as PVE does (`%08X` numbers, trailing ':'); refuses values PVE could not decode. */
export function formatUpid(upid: Upid): string {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  const text = `UPID:${upid.node}:${hex(upid.pid)}:${hex(upid.pstart)}:${hex(upid.starttime)}:${upid.type}:${upid.id}:${upid.user}:`;
  if (!isUpid(text) || ![upid.pid, upid.pstart, upid.starttime].every(Number.isSafeInteger)) {
    throw new RangeError(`cannot encode a PVE task id from ${JSON.stringify(upid)}`);
  }
  return text;
}
