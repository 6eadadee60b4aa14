import { ConfigurationError } from '../errors.js';
import { echoed } from './echo.js';

/** An inclusive span of IPv4 addresses held as unsigned 32-bit numbers, so comparisons are plain arithmetic. */
export interface Ipv4Range {
  first: number;
  last: number;
}

export interface Ipv4Cidr extends Ipv4Range {
  prefix: number;
}

// One octet 0..255 without leading zeros (0177 would mean octal to some tools).
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ADDRESS = `${OCTET}(?:\\.${OCTET}){3}`;

/** Anchored patterns; their sources also go into the JSON Schema so editors check the same shape. */
export const IPV4_REGEX = new RegExp(`^${ADDRESS}$`);
export const CIDR_REGEX = new RegExp(`^${ADDRESS}/(?:3[0-2]|[12]?\\d)$`);
export const RANGE_REGEX = new RegExp(`^${ADDRESS}-${ADDRESS}$`);

const ADDRESS_COUNT = 2 ** 32;

export function isIpv4(text: string): boolean {
  return IPV4_REGEX.test(text);
}

export function parseIpv4(text: string): number {
  if (!isIpv4(text)) {
    throw new ConfigurationError(
      `${echoed(text)} is not an IPv4 address: write four numbers 0-255, e.g. 192.168.15.10`,
    );
  }
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

export function formatIpv4(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value >= ADDRESS_COUNT) {
    throw new RangeError(`${value} is outside the IPv4 address space`);
  }
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `192.168.15.0/24` -> its whole span; host bits set in the address are ignored (see cidrHostBitsSet). */
export function parseCidr(text: string): Ipv4Cidr {
  if (!CIDR_REGEX.test(text)) {
    throw new ConfigurationError(
      `${echoed(text)} is not an IPv4 CIDR: write address/prefix, e.g. 192.168.15.0/24`,
    );
  }
  const [address = '', prefixText = ''] = text.split('/');
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(parseIpv4(address) / size) * size;
  return { first, last: first + size - 1, prefix };
}

export function cidrHostBitsSet(text: string): boolean {
  const [address = ''] = text.split('/');
  return parseIpv4(address) !== parseCidr(text).first;
}

/** The network address a CIDR should have been written with, e.g. 192.168.15.0/24 for 192.168.15.7/24. */
export function canonicalCidr(text: string): string {
  const { first, prefix } = parseCidr(text);
  return `${formatIpv4(first)}/${prefix}`;
}

/** `192.168.15.64-192.168.15.191`; the caller checks first <= last (an inverted range is a user mistake to report). */
export function parseRange(text: string): Ipv4Range {
  if (!RANGE_REGEX.test(text)) {
    throw new ConfigurationError(
      `${echoed(text)} is not an IPv4 range: write first-last, e.g. 192.168.15.64-192.168.15.191`,
    );
  }
  const [first = '', last = ''] = text.split('-');
  return { first: parseIpv4(first), last: parseIpv4(last) };
}

export function rangeSize(range: Ipv4Range): number {
  return range.last - range.first + 1;
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function rangeIncludes(range: Ipv4Range, address: number): boolean {
  return range.first <= address && address <= range.last;
}

export function formatRange(range: Ipv4Range): string {
  return `${formatIpv4(range.first)}-${formatIpv4(range.last)}`;
}
