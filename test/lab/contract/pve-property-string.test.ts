import { describe, expect, it } from 'vitest';
import { checkPropertyString } from '../../../src/lab/pve/formats.js';
import type { PropertyFormat } from '../../../src/lab/pve/property-string.js';
import { PropertyStringError, parsePropertyString, splitList } from '../../../src/lab/pve/property-string.js';

const net: PropertyFormat = {
  model: { type: 'string', enum: ['virtio', 'e1000'], default_key: 1 },
  virtio: { alias: 'macaddr', keyAlias: 'model' },
  e1000: { alias: 'macaddr', keyAlias: 'model' },
  macaddr: { type: 'string', optional: 1 },
  bridge: { type: 'string', optional: 1 },
  firewall: { type: 'boolean', optional: 1 },
};
const disk: PropertyFormat = {
  volume: { alias: 'file' },
  file: { type: 'string', default_key: 1 },
  ssd: { type: 'boolean', optional: 1 },
};
const ipconfig: PropertyFormat = { ip: { type: 'string', optional: 1 }, gw: { type: 'string', optional: 1 } };

const parseError = (format: PropertyFormat, value: string) => {
  try {
    parsePropertyString(format, value);
  } catch (error) {
    expect(error).toBeInstanceOf(PropertyStringError);
    return (error as Error).message;
  }
  throw new Error(`'${value}' parsed`);
};

describe('parsePropertyString', () => {
  it('puts a bare value under the default key and skips blank parts', () => {
    expect(parsePropertyString(net, 'virtio,,bridge=vmbr0, ')).toEqual({ model: 'virtio', bridge: 'vmbr0' });
  });

  it('resolves aliases, including a key alias that also sets the model', () => {
    expect(parsePropertyString(disk, 'volume=local:iso/a.iso')).toEqual({ file: 'local:iso/a.iso' });
    expect(parsePropertyString(net, 'virtio=BC:24:11:00:00:01')).toEqual({
      model: 'virtio',
      macaddr: 'BC:24:11:00:00:01',
    });
  });

  it('normalises boolean words of keyed booleans only', () => {
    expect(parsePropertyString(net, 'e1000,firewall=Yes')).toEqual({ model: 'e1000', firewall: '1' });
    expect(parsePropertyString(net, 'e1000,firewall=maybe')).toEqual({ model: 'e1000', firewall: 'maybe' });
  });

  it("refuses what PVE's parser refuses, with PVE's text", () => {
    expect(parseError(net, 'virtio,bridge=a,bridge=b')).toBe(
      'duplicate key in comma-separated list property: bridge\n',
    );
    expect(parseError(net, 'virtio,e1000')).toBe('duplicate key in comma-separated list property: model\n');
    expect(parseError(net, 'virtio=BC:24:11:00:00:01,macaddr=BC:24:11:00:00:02')).toBe(
      'duplicate key in comma-separated list property: macaddr\n',
    );
    expect(parseError(net, 'virtio,e1000=BC:24:11:00:00:01')).toBe("key alias 'model' is already defined\n");
    expect(parseError(net, 'virtio,speed=10')).toBe('invalid key in comma-separated list property: speed\n');
    expect(parseError(ipconfig, 'dhcp')).toBe(
      'value without key, but schema does not define a default key\n',
    );
    expect(parseError(ipconfig, 'ip=')).toBe('missing key in comma-separated list property\n');
    expect(parseError(ipconfig, '=10.0.0.1')).toBe('missing key in comma-separated list property\n');
  });

  it('does not take Object.prototype members for keys', () => {
    expect(parseError(ipconfig, 'constructor=x')).toBe(
      'invalid key in comma-separated list property: constructor\n',
    );
  });
});

describe('checkPropertyString', () => {
  it('reports every failing key under its path, as PVE\'s "format error"', () => {
    const strict: PropertyFormat = { ...net, bridge: { type: 'string', pattern: 'vmbr\\d+', optional: 1 } };
    expect(() => checkPropertyString(strict, 'rtl8139,bridge=br0', 'net0')).toThrow(
      'format error\n' +
        "net0.model: value 'rtl8139' does not have a value in the enumeration 'virtio, e1000'\n" +
        'net0.bridge: value does not match the regex pattern\n',
    );
    expect(checkPropertyString(strict, 'virtio,bridge=vmbr0', 'net0')).toEqual({
      model: 'virtio',
      bridge: 'vmbr0',
    });
  });
});

describe('splitList', () => {
  it('splits on , ; and whitespace and drops empty items', () => {
    expect(splitList(' a;b, c  d;;')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitList('')).toEqual([]);
  });

  it('splits on NUL when the text holds one', () => {
    expect(splitList('a b\0c')).toEqual(['a b', 'c']);
  });

  it('treats "0" as empty, like Perl', () => {
    expect(splitList('0')).toEqual([]);
    expect(splitList('0,1')).toEqual(['0', '1']);
  });
});
