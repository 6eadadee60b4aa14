import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  canonicalCidr,
  cidrHostBitsSet,
  formatIpv4,
  isIpv4,
  parseCidr,
  parseIpv4,
  parseRange,
  rangeContains,
  rangeIncludes,
  rangeSize,
  rangesOverlap,
} from '../../src/util/ipv4.js';

describe('ipv4', () => {
  it.each(['0.0.0.0', '192.168.15.1', '255.255.255.255'])('accepts %s and round-trips it', (text) => {
    expect(isIpv4(text)).toBe(true);
    expect(formatIpv4(parseIpv4(text))).toBe(text);
  });

  it.each(['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', '', '1.2.3.4/24', '١.٢.٣.٤'])(
    'refuses %j',
    (text) => {
      expect(isIpv4(text)).toBe(false);
      expect(() => parseIpv4(text)).toThrow(ConfigurationError);
    },
  );

  it('parses CIDRs to their span and spots host bits', () => {
    expect(parseCidr('192.168.15.0/24')).toEqual({
      first: parseIpv4('192.168.15.0'),
      last: parseIpv4('192.168.15.255'),
      prefix: 24,
    });
    expect(rangeSize(parseCidr('10.96.0.0/12'))).toBe(2 ** 20);
    expect(rangeSize(parseCidr('0.0.0.0/0'))).toBe(2 ** 32);
    expect(cidrHostBitsSet('10.244.1.0/16')).toBe(true);
    expect(cidrHostBitsSet('10.244.0.0/16')).toBe(false);
    expect(canonicalCidr('10.244.1.7/16')).toBe('10.244.0.0/16');
    expect(() => parseCidr('10.0.0.0/33')).toThrow(ConfigurationError);
  });

  it('parses ranges and compares spans', () => {
    const pool = parseRange('192.168.15.64-192.168.15.191');
    expect(rangeSize(pool)).toBe(128);
    expect(rangeContains(parseCidr('192.168.15.0/24'), pool)).toBe(true);
    expect(rangeContains(parseCidr('192.168.15.128/25'), pool)).toBe(false);
    expect(rangesOverlap(parseCidr('192.168.15.128/25'), pool)).toBe(true);
    expect(rangesOverlap(parseCidr('192.168.15.192/26'), pool)).toBe(false);
    expect(rangeIncludes(pool, parseIpv4('192.168.15.191'))).toBe(true);
    expect(rangeIncludes(pool, parseIpv4('192.168.15.192'))).toBe(false);
    expect(() => parseRange('192.168.15.64')).toThrow(ConfigurationError);
  });

  it('refuses to format numbers outside the address space', () => {
    expect(() => formatIpv4(2 ** 32)).toThrow(RangeError);
    expect(() => formatIpv4(-1)).toThrow(RangeError);
  });
});
