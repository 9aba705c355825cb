/** The shape of the generated schema descriptors (names, types and version ranges only). */
export interface FieldSchema {
  name: string;
  /** A scalar type, 'struct', or '[]' followed by either. */
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string;
  fields?: FieldSchema[];
}

export interface MessageSchema {
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldSchema[];
}

export interface VersionRange {
  min: number;
  max: number;
}

/** Parses Kafka's version-range notation: "3+", "0-7", "5", or "none" (null). */
export function parseVersionRange(spec: string | undefined): VersionRange | null {
  if (spec === undefined || spec === 'none') return null;
  if (spec.endsWith('+')) return { min: Number(spec.slice(0, -1)), max: Number.POSITIVE_INFINITY };
  const dash = spec.indexOf('-');
  if (dash > 0) return { min: Number(spec.slice(0, dash)), max: Number(spec.slice(dash + 1)) };
  const v = Number(spec);
  return { min: v, max: v };
}

export function inRange(range: VersionRange | null, version: number): boolean {
  return range !== null && version >= range.min && version <= range.max;
}
