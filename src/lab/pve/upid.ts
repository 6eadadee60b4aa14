/**
 * PVE task ids, as pve-common UPID.pm encodes them:
 * `UPID:<node>:<pid %08X>:<pstart %08X>:<starttime %08X>:<type>:<id>:<user>:`.
 */
export interface UpidParts {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
}

/** UPID.pm decode's pattern. */
export const UPID_REGEX =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0');
}

export function encodeUpid(parts: UpidParts): string {
  return `UPID:${parts.node}:${hex8(parts.pid)}:${hex8(parts.pstart)}:${hex8(parts.starttime)}:${parts.type}:${parts.id}:${parts.user}:`;
}

export function decodeUpid(upid: string): UpidParts | undefined {
  const match = UPID_REGEX.exec(upid);
  if (!match) return undefined;
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
