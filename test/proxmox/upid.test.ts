import { describe, expect, it } from 'vitest';
import { PveProtocolError } from '../../src/proxmox/errors.js';
import { formatUpid, isUpid, parseUpid } from '../../src/proxmox/upid.js';

describe('UPID', () => {
  it('decodes a real-looking UPID', () => {
    expect(parseUpid('UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmcreate:101:ci@pve!gha:')).toEqual({
      node: 'pve1',
      pid: 0xc0de,
      pstart: 0x1b207,
      starttime: 0x65f1a2b3,
      type: 'qmcreate',
      id: '101',
      user: 'ci@pve!gha',
    });
  });

  it('accepts a 9-digit pstart, lower-case hex, an empty id and a hyphenated node name', () => {
    const upid = parseUpid('UPID:edge-node-3:000a1b2c:1000b207c:65f1a2b3:download::root@pam:');
    expect(upid).toMatchObject({
      node: 'edge-node-3',
      pid: 0xa1b2c,
      pstart: 0x1000b207c,
      id: '',
      user: 'root@pam',
    });
  });

  it.each([
    ['no trailing colon', 'UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmcreate:101:ci@pve!gha'],
    ['node ending in a hyphen', 'UPID:pve1-:0000C0DE:0001B207:65F1A2B3:qmcreate:101:root@pam:'],
    ['short pid', 'UPID:pve1:C0DE:0001B207:65F1A2B3:qmcreate:101:root@pam:'],
    ['10-digit pstart', 'UPID:pve1:0000C0DE:10001B2070:65F1A2B3:qmcreate:101:root@pam:'],
    ['non-hex starttime', 'UPID:pve1:0000C0DE:0001B207:65F1A2BZ:qmcreate:101:root@pam:'],
    ['slash in type', 'UPID:pve1:0000C0DE:0001B207:65F1A2B3:qm/create:101:root@pam:'],
    ['empty user', 'UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmcreate:101::'],
    ['space in id', 'UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmcreate:1 01:root@pam:'],
    ['missing prefix', 'pve1:0000C0DE:0001B207:65F1A2B3:qmcreate:101:root@pam:'],
    ['a plain string', 'null'],
  ])('rejects %s', (_why, text) => {
    expect(isUpid(text)).toBe(false);
    expect(() => parseUpid(text)).toThrow(PveProtocolError);
  });

  it('encodes as PVE does and round-trips', () => {
    const upid = {
      node: 'pve1',
      pid: 49374,
      pstart: 111111,
      starttime: 1710334643,
      type: 'qmstart',
      id: '101',
      user: 'ci@pve!gha',
    };
    const text = formatUpid(upid);
    expect(text).toBe('UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmstart:101:ci@pve!gha:');
    expect(parseUpid(text)).toEqual(upid);
  });

  it('refuses to encode values PVE could not decode', () => {
    const base = {
      node: 'pve1',
      pid: 1,
      pstart: 1,
      starttime: 1,
      type: 'qmstart',
      id: '101',
      user: 'root@pam',
    };
    expect(() => formatUpid({ ...base, user: 'a:b' })).toThrow(RangeError);
    expect(() => formatUpid({ ...base, pid: -1 })).toThrow(RangeError);
    expect(() => formatUpid({ ...base, starttime: 2 ** 32 })).toThrow(RangeError);
  });
});
