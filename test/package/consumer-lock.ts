/**
 * Test helper: a package-lock.json for a throw-away consumer project, cut from
 * this repository's lock, so `npm ci --offline` installs the packed tarball and
 * a few tools from npm's cache with exactly the versions this repository was
 * tested with. (A plain `npm install --offline` would need every package's
 * registry metadata in the cache, which `npm ci` does not always leave there.)
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One `packages` entry of a lockfile (version 3), as far as this helper reads it. */
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

interface Lockfile {
  name?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** The lock path a dependency `name` of the package at `from` resolves to, by Node's lookup (null: not in the lock). */
function lookup(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (dir === '') return null;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** The names a package needs installed: dependencies, optional dependencies and non-optional peers. */
function needs(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((n) => entry.peerDependenciesMeta?.[n]?.optional !== true);
  return [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
}

export interface ConsumerLockInput {
  /** The repository's package-lock.json. */
  readonly repoLock: string;
  /** The repository's package.json (the packed package's manifest). */
  readonly repoManifest: string;
  /** The tarball, as the consumer's package.json names it (`file:...`), and its path on disk. */
  readonly tarballSpec: string;
  readonly tarballFile: string;
  /** Tools the consumer installs too, by name; each at the version the repository's lock has. */
  readonly tools: readonly string[];
}

export interface ConsumerProject {
  /** The consumer's package.json dependencies (the tarball and the tools, pinned). */
  readonly dependencies: Record<string, string>;
  readonly lock: Lockfile;
}

/**
 * The consumer's dependencies and lock: the packed package (its dependencies as the
 * repository's lock resolved them) and `tools`, plus everything they need,
 * at the same paths as in the repository's lock. Throws naming a tool or
 * dependency the repository's lock does not have.
 */
export function consumerProject(input: ConsumerLockInput): ConsumerProject {
  const repo = JSON.parse(readFileSync(input.repoLock, 'utf8')) as Lockfile;
  const manifest = JSON.parse(readFileSync(input.repoManifest, 'utf8')) as LockEntry & { name: string; bin?: unknown; engines?: unknown; license?: string };
  const packages = repo.packages;
  const dependencies: Record<string, string> = { [manifest.name]: input.tarballSpec };
  const wanted: string[] = [];
  for (const tool of input.tools) {
    const path = lookup(packages, '', tool);
    if (path === null) throw new Error(`the repository's lock has no ${tool}`);
    dependencies[tool] = packages[path]?.version ?? '*';
    wanted.push(path);
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const path = lookup(packages, '', name);
    if (path === null) throw new Error(`the repository's lock has no ${name}, a dependency of ${manifest.name}`);
    wanted.push(path);
  }
  const keep = new Set<string>();
  for (let path = wanted.pop(); path !== undefined; path = wanted.pop()) {
    if (keep.has(path)) continue;
    keep.add(path);
    for (const name of needs(packages[path] ?? {})) {
      const dep = lookup(packages, path, name);
      if (dep !== null && !keep.has(dep)) wanted.push(dep);
    }
  }
  const out: Record<string, LockEntry> = {
    '': { name: 'consumer', dependencies },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: input.tarballSpec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(input.tarballFile)).digest('base64')}`,
      ...(manifest.license === undefined ? {} : { license: manifest.license }),
      ...(manifest.dependencies === undefined ? {} : { dependencies: manifest.dependencies }),
      ...(manifest.bin === undefined ? {} : { bin: manifest.bin }),
      ...(manifest.engines === undefined ? {} : { engines: manifest.engines }),
      ...(manifest.peerDependencies === undefined ? {} : { peerDependencies: manifest.peerDependencies }),
      ...(manifest.peerDependenciesMeta === undefined ? {} : { peerDependenciesMeta: manifest.peerDependenciesMeta }),
    },
  };
  for (const path of [...keep].sort()) {
    // Everything is a production dependency of the consumer (optional where it was optional for development).
    const { dev: _dev, devOptional, ...entry } = packages[path] ?? {};
    out[path] = devOptional === true ? { ...entry, optional: true } : entry;
  }
  return { dependencies, lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages: out } };
}
