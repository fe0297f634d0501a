import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress, LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import type { WebhookTargets } from "../../domain/webhooks/use-cases.js";

/** The addresses a host name resolves to (dns.lookup by default; tests inject their own). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Generic on purpose: the delivery log must not tell what (if anything) listens behind an internal address. */
export class TargetNotAllowed extends Error {
  constructor() {
    super("Target address not allowed");
    this.name = "TargetNotAllowed";
  }
}

// Every address outside 2000::/3 is unassigned or special-purpose.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

const RANGE_NAMES: Record<string, string> = {
  private: "a private",
  loopback: "a loopback",
  linkLocal: "a link-local",
  uniqueLocal: "a unique-local",
  multicast: "a multicast",
  unspecified: "an unspecified",
  broadcast: "a broadcast",
  carrierGradeNat: "a carrier-grade NAT",
  reserved: "a reserved (documentation, benchmarking or future use)",
};

/** Special-use names that never reach the public internet. */
const INTERNAL_SUFFIXES = ["localhost", "local", "internal", "home.arpa"];

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Where webhooks may point: public hosts only, plus the hosts an operator allows
 * (WEBHOOK_ALLOWED_HOSTS, exact host names or IP addresses).
 */
export class WebhookTargetPolicy implements WebhookTargets {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses: Address[] = [];

  constructor(allowedHosts: readonly string[] = []) {
    for (const host of allowedHosts) {
      const name = normalizedHost(host);
      const address = parseAddress(name);
      if (address) this.allowedAddresses.push(address);
      else this.allowedNames.add(name);
    }
  }

  /** Why a webhook may not point at `url`, or null. URLs that are not http(s) are left to the URL validation. */
  refusal(url: string): string | null {
    const host = hostOf(url);
    if (host === null || this.hostAllowed(host)) return null;
    const address = parseAddress(host);
    if (address) {
      const kind = nonPublicKind(address);
      return kind ? `must point to a public host: ${host} is ${kind} address` : null;
    }
    if (isInternalName(host)) return `must point to a public host: ${host} is an internal host name`;
    return null;
  }

  /** An operator-allowed host name or address (exact match). */
  hostAllowed(host: string): boolean {
    const name = normalizedHost(host);
    if (this.allowedNames.has(name)) return true;
    const address = parseAddress(name);
    return address !== null && this.#addressListed(address);
  }

  /** A resolved address a delivery may connect to. */
  addressAllowed(address: string): boolean {
    const parsed = parseAddress(address);
    if (!parsed) return false;
    return this.#addressListed(parsed) || nonPublicKind(parsed) === null;
  }

  #addressListed(address: Address): boolean {
    return this.allowedAddresses.some(
      (allowed) => allowed.kind() === address.kind() && allowed.toNormalizedString() === address.toNormalizedString(),
    );
  }
}

/** The URL's host as the WHATWG parser normalises it (0x7f000001, 2130706433 → 127.0.0.1), without brackets. */
export function hostOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return normalizedHost(parsed.hostname);
}

function normalizedHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

/** An IP address literal (IPv4-mapped IPv6 as its IPv4 address), else null. */
function parseAddress(host: string): Address | null {
  if (!ipaddr.isValid(host)) return null;
  // ipaddr.js also reads "127.1" and "0x7f.1"; the URL parser already turned those into dotted quads.
  if (!host.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(host)) return null;
  return ipaddr.process(host);
}

/** "a private", "a loopback"… for an address a webhook may not reach; null for a public one. */
function nonPublicKind(address: Address): string | null {
  const range = address.range();
  if (range !== "unicast") return RANGE_NAMES[range] ?? "a non-public";
  if (address.kind() === "ipv6" && !address.match(GLOBAL_UNICAST_V6)) return "a non-public";
  return null;
}

function isInternalName(host: string): boolean {
  if (!host.includes(".")) return true;
  return INTERNAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request: resolves with `resolve`, refuses (TargetNotAllowed) when any address
 * is not allowed, and hands the connection exactly the addresses it checked (no second lookup).
 */
export function checkedLookup(policy: WebhookTargetPolicy, resolve: HostResolver): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (resolved) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const addresses = family ? resolved.filter((entry) => entry.family === family) : resolved;
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = "ENOTFOUND";
          return callback(error, "");
        }
        if (!policy.hostAllowed(hostname) && addresses.some((entry) => !policy.addressAllowed(entry.address))) {
          return callback(new TargetNotAllowed(), "");
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}
