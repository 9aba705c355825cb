/**
 * Generates the wire codecs in src/protocol/messages from Apache Kafka's JSON message definitions.
 *
 *   npm run generate:protocol -- <kafka-message-spec-dir>
 *
 * Only names, types and version ranges are carried over; the output is straight-line TypeScript,
 * one file per API, committed to the repository so the build never needs the spec folder.
 */
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The APIs Samsa speaks, as broker or as client, with the file stem each one gets. */
const APIS: Array<[number, string]> = [
  [0, 'Produce'],
  [1, 'Fetch'],
  [2, 'ListOffsets'],
  [3, 'Metadata'],
  [8, 'OffsetCommit'],
  [9, 'OffsetFetch'],
  [10, 'FindCoordinator'],
  [11, 'JoinGroup'],
  [12, 'Heartbeat'],
  [13, 'LeaveGroup'],
  [14, 'SyncGroup'],
  [15, 'DescribeGroups'],
  [16, 'ListGroups'],
  [17, 'SaslHandshake'],
  [18, 'ApiVersions'],
  [19, 'CreateTopics'],
  [20, 'DeleteTopics'],
  [21, 'DeleteRecords'],
  [22, 'InitProducerId'],
  [23, 'OffsetForLeaderEpoch'],
  [24, 'AddPartitionsToTxn'],
  [25, 'AddOffsetsToTxn'],
  [26, 'EndTxn'],
  [27, 'WriteTxnMarkers'],
  [28, 'TxnOffsetCommit'],
  [29, 'DescribeAcls'],
  [30, 'CreateAcls'],
  [31, 'DeleteAcls'],
  [32, 'DescribeConfigs'],
  [33, 'AlterConfigs'],
  [36, 'SaslAuthenticate'],
  [37, 'CreatePartitions'],
  [42, 'DeleteGroups'],
  [44, 'IncrementalAlterConfigs'],
  [47, 'OffsetDelete'],
  [50, 'DescribeUserScramCredentials'],
  [51, 'AlterUserScramCredentials'],
  [60, 'DescribeCluster'],
  [61, 'DescribeProducers'],
  [65, 'DescribeTransactions'],
  [66, 'ListTransactions'],
  [68, 'ConsumerGroupHeartbeat'],
  [69, 'ConsumerGroupDescribe'],
];

/** Data structures (not APIs) that are encoded with the same rules. */
const DATA = ['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment'];

interface VersionRange {
  min: number;
  max: number;
}

interface FieldSpec {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  fields?: FieldSpec[];
}

interface MessageSpec {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: FieldSpec[];
  commonStructs?: Array<{ name: string; versions: string; fields: FieldSpec[] }>;
}

function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function parseRange(spec: string | undefined): VersionRange | null {
  if (spec === undefined || spec === 'none') return null;
  if (spec.endsWith('+')) return { min: Number(spec.slice(0, -1)), max: Infinity };
  const dash = spec.indexOf('-');
  if (dash > 0) return { min: Number(spec.slice(0, dash)), max: Number(spec.slice(dash + 1)) };
  const v = Number(spec);
  return { min: v, max: v };
}

function loadSpec(dir: string, file: string): MessageSpec {
  const spec = JSON.parse(stripComments(readFileSync(join(dir, file), 'utf8'))) as MessageSpec;
  return withNewerVersions(spec);
}

/**
 * Versions newer than some spec folders hold, added by name, type and version only: Kafka 4.0's
 * ConsumerGroupDescribe v1 (KIP-1099) adds Members[].MemberType (int8, -1 unknown, 0 classic,
 * 1 consumer). Applied only to a definition that stops at v0, so a newer folder wins.
 */
function withNewerVersions(spec: MessageSpec): MessageSpec {
  if (spec.name === 'ConsumerGroupDescribeRequest' && spec.validVersions === '0') return { ...spec, validVersions: '0-1' };
  if (spec.name === 'ConsumerGroupDescribeResponse' && spec.validVersions === '0') {
    const addMemberType = (fields: FieldSpec[]): FieldSpec[] =>
      fields.map((f) => {
        if (f.name === 'Members' && f.fields !== undefined) return { ...f, fields: [...f.fields, { name: 'MemberType', type: 'int8', versions: '1+', default: -1 }] };
        return f.fields === undefined ? f : { ...f, fields: addMemberType(f.fields) };
      });
    return { ...spec, validVersions: '0-1', fields: addMemberType(spec.fields) };
  }
  return spec;
}

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

const SCALARS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid']);

/** One struct to emit: the message itself or a nested/common struct. */
interface StructDef {
  tsName: string;
  fields: FieldSpec[];
}

class Emitter {
  private structs = new Map<string, StructDef>();
  private structOrder: string[] = [];
  private common = new Map<string, FieldSpec[]>();

  constructor(
    private readonly spec: MessageSpec,
    private readonly nameOf: (specStructName: string) => string,
    private readonly used: Set<string>,
  ) {
    for (const cs of spec.commonStructs ?? []) this.common.set(cs.name, cs.fields);
  }

  /** Every nested struct name the message uses (before renaming). */
  nestedStructNames(): Set<string> {
    const names = new Set<string>();
    const visit = (fields: FieldSpec[]): void => {
      for (const f of fields) {
        const elem = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
        if (SCALARS.has(elem) || names.has(elem)) continue;
        names.add(elem);
        visit(f.fields ?? this.common.get(elem) ?? []);
      }
    };
    visit(this.spec.fields);
    return names;
  }

  get flex(): VersionRange | null {
    return parseRange(this.spec.flexibleVersions);
  }

  /** Registers every struct reachable from the message; returns the top-level TS name. */
  collect(): string {
    this.addStruct(this.spec.name, this.spec.fields);
    return this.spec.name;
  }

  private addStruct(tsName: string, fields: FieldSpec[]): void {
    if (this.structs.has(tsName)) return;
    this.structs.set(tsName, { tsName, fields });
    this.structOrder.push(tsName);
    for (const f of fields) {
      const elem = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
      if (SCALARS.has(elem)) continue;
      const sub = f.fields ?? this.common.get(elem);
      if (sub === undefined) throw new Error(`${this.spec.name}.${f.name}: unknown struct ${elem}`);
      this.addStruct(this.nestedName(elem), sub);
    }
  }

  private nestedName(elem: string): string {
    return this.nameOf(elem);
  }

  private tsType(f: FieldSpec, init: boolean): string {
    const isArray = f.type.startsWith('[]');
    const elem = isArray ? f.type.slice(2) : f.type;
    let t: string;
    switch (elem) {
      case 'bool':
        t = 'boolean';
        break;
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
      case 'int64':
      case 'float64':
        t = 'number';
        break;
      case 'string':
      case 'uuid':
        t = 'string';
        break;
      case 'bytes':
        t = init ? 'Uint8Array' : 'Buffer';
        break;
      case 'records':
        t = init ? 'RecordsInput' : 'Buffer';
        break;
      default:
        t = this.nestedName(elem) + (init ? 'Init' : '');
    }
    if (isArray) t = `${t}[]`;
    const nullable = f.nullableVersions !== undefined || elem === 'records';
    return nullable ? `${t} | null` : t;
  }

  /** Init (encoder input) fields may be left out when the wire has a sensible default for them. */
  private optionalInInit(f: FieldSpec): boolean {
    const valid = parseRange(this.spec.validVersions)!;
    const vr = parseRange(f.versions)!;
    const inAll = vr.min <= valid.min && vr.max >= valid.max;
    return !inAll || f.default !== undefined || f.taggedVersions !== undefined || f.nullableVersions !== undefined;
  }

  defaultExpr(f: FieldSpec): string {
    const isArray = f.type.startsWith('[]');
    const elem = isArray ? f.type.slice(2) : f.type;
    const d = f.default;
    if (d === 'null') return 'null';
    if (isArray) return '[]';
    switch (elem) {
      case 'bool':
        return d === true || d === 'true' ? 'true' : 'false';
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
      case 'int64':
      case 'float64':
        return d === undefined ? '0' : String(Number(d));
      case 'string':
        return JSON.stringify(d === undefined ? '' : String(d));
      case 'uuid':
        this.used.add('ZERO_UUID');
        return 'ZERO_UUID';
      case 'bytes':
        this.used.add('EMPTY_BYTES');
        return 'EMPTY_BYTES';
      case 'records':
        return 'null';
      default:
        this.used.add(`default:${this.nestedName(elem)}`);
        return `default${this.nestedName(elem)}()`;
    }
  }

  emitTypes(out: string[]): void {
    for (const name of this.structOrder) {
      const s = this.structs.get(name)!;
      out.push(`export interface ${name} {`);
      for (const f of s.fields) out.push(`  ${camel(f.name)}: ${this.tsType(f, false)};`);
      out.push('}', '');
      out.push(`export interface ${name}Init {`);
      for (const f of s.fields) {
        out.push(`  ${camel(f.name)}${this.optionalInInit(f) ? '?' : ''}: ${this.tsType(f, true)};`);
      }
      out.push('}', '');
    }
  }

  /** Default constructors for the nested structs some absent or tagged field needs. */
  emitDefaults(out: string[]): void {
    // A default struct may itself need defaults of its nested structs: iterate to a fixed point.
    const emitted = new Set<string>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const name of this.structOrder.slice(1)) {
        if (emitted.has(name) || !this.used.has(`default:${name}`)) continue;
        const s = this.structs.get(name)!;
        out.push(`function default${name}(): ${name} {`);
        out.push(`  return { ${s.fields.map((f) => `${camel(f.name)}: ${this.defaultExpr(f)}`).join(', ')} };`);
        out.push('}', '');
        emitted.add(name);
        progress = true;
      }
    }
  }

  private cond(range: VersionRange | null, v = 'version'): string {
    if (range === null) return 'false';
    const valid = parseRange(this.spec.validVersions)!;
    const parts: string[] = [];
    if (range.min > valid.min) parts.push(`${v} >= ${range.min}`);
    if (range.max < valid.max) parts.push(`${v} <= ${range.max}`);
    return parts.length === 0 ? 'true' : parts.join(' && ');
  }

  private nullableCond(f: FieldSpec): string {
    const nr = parseRange(f.nullableVersions);
    const fr = parseRange(f.versions)!;
    // Nullable in every version the field exists in: no run-time test needed.
    if (nr !== null && nr.min <= fr.min && nr.max >= fr.max) return 'true';
    return this.cond(nr);
  }

  /** Statements writing value expression `val` of field f (scalar or array) to `w`. */
  private writeValue(f: FieldSpec, val: string, ind: string, out: string[]): void {
    const isArray = f.type.startsWith('[]');
    const elem = isArray ? f.type.slice(2) : f.type;
    const nullable = f.nullableVersions !== undefined;
    const nc = nullable ? this.nullableCond(f) : 'false';
    if (isArray) {
      if (nullable) {
        out.push(`${ind}{`);
        out.push(`${ind}  const a = ${val};`);
        out.push(`${ind}  if (a === null) {`);
        if (nc !== 'true') {
          out.push(`${ind}    if (!(${nc})) throw new Error('${this.spec.name}.${f.name} is not nullable in version ' + version);`);
        }
        out.push(`${ind}    w.arrayLength(-1, flex);`);
        out.push(`${ind}  } else {`);
        this.writeArray(elem, 'a', ind + '    ', out);
        out.push(`${ind}  }`);
        out.push(`${ind}}`);
      } else {
        this.writeArray(elem, val, ind, out);
      }
      return;
    }
    if (!SCALARS.has(elem)) {
      const fn = `encode${this.nestedName(elem)}`;
      if (nullable) {
        out.push(`${ind}{ const s = ${val}; if (s === null) { w.int8(-1); } else { w.int8(1); ${fn}(w, version, flex, s); } }`);
      } else {
        out.push(`${ind}${fn}(w, version, flex, ${val});`);
      }
      return;
    }
    out.push(`${ind}${this.scalarWrite(elem, val, nullable, nc, f.name)};`);
  }

  private writeArray(elem: string, val: string, ind: string, out: string[]): void {
    out.push(`${ind}w.arrayLength(${val}.length, flex);`);
    if (SCALARS.has(elem)) {
      out.push(`${ind}for (const e of ${val}) ${this.scalarWrite(elem, 'e', false, 'false', 'element')};`);
    } else {
      out.push(`${ind}for (const e of ${val}) encode${this.nestedName(elem)}(w, version, flex, e);`);
    }
  }

  private scalarWrite(elem: string, val: string, nullable: boolean, nc: string, name: string): string {
    switch (elem) {
      case 'bool':
        return `w.bool(${val})`;
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
      case 'int64':
      case 'float64':
        return `w.${elem}(${val})`;
      case 'uuid':
        return `w.uuid(${val})`;
      case 'string':
        if (nullable && nc !== 'true') this.used.add('nonNull');
        return nullable
          ? nc === 'true'
            ? `w.nullableString(${val}, flex)`
            : `(${nc}) ? w.nullableString(${val}, flex) : w.string(nonNull(${val}, '${this.spec.name}.${name}', version), flex)`
          : `w.string(${val}, flex)`;
      case 'bytes':
        if (nullable && nc !== 'true') this.used.add('nonNull');
        return nullable
          ? nc === 'true'
            ? `w.nullableBytes(${val}, flex)`
            : `(${nc}) ? w.nullableBytes(${val}, flex) : w.bytes(nonNull(${val}, '${this.spec.name}.${name}', version), flex)`
          : `w.bytes(${val}, flex)`;
      case 'records':
        return `w.records(${val}, flex)`;
    }
    throw new Error(`unknown scalar ${elem}`);
  }

  private readValue(f: FieldSpec): string {
    const isArray = f.type.startsWith('[]');
    const elem = isArray ? f.type.slice(2) : f.type;
    const nullable = f.nullableVersions !== undefined;
    const nc = nullable ? this.nullableCond(f) : 'false';
    if (isArray) {
      const item = SCALARS.has(elem) ? this.scalarRead(elem, false, 'false') : `decode${this.nestedName(elem)}(r, version, flex)`;
      if (nullable) {
        this.used.add('readNullableArray');
        return `readNullableArray(r, flex, ${nc}, () => ${item})`;
      }
      this.used.add('readArray');
      return `readArray(r, flex, () => ${item})`;
    }
    if (!SCALARS.has(elem)) {
      const fn = `decode${this.nestedName(elem)}(r, version, flex)`;
      return nullable ? `(r.int8() < 0 ? null : ${fn})` : fn;
    }
    return this.scalarRead(elem, nullable, nc);
  }

  private scalarRead(elem: string, nullable: boolean, nc: string): string {
    switch (elem) {
      case 'bool':
        return 'r.bool()';
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
      case 'int64':
      case 'float64':
        return `r.${elem}()`;
      case 'uuid':
        return 'r.uuid()';
      case 'string':
        if (nullable && nc === 'true') return 'r.nullableString(flex)';
        return nullable ? `((${nc}) ? r.nullableString(flex) : r.string(flex))` : 'r.string(flex)';
      case 'bytes':
        if (nullable && nc === 'true') return 'r.nullableBytes(flex)';
        return nullable ? `((${nc}) ? r.nullableBytes(flex) : r.bytes(flex))` : 'r.bytes(flex)';
      case 'records':
        return 'r.nullableBytes(flex)';
    }
    throw new Error(`unknown scalar ${elem}`);
  }

  emitCodecs(out: string[]): void {
    for (const name of this.structOrder) {
      const s = this.structs.get(name)!;
      const top = name === this.structOrder[0];
      this.emitEncoder(name, s.fields, top, out);
      this.emitDecoder(name, s.fields, top, out);
    }
  }

  /**
   * An optional Init field's value, or its default when left out. For a nullable field only
   * `undefined` means "left out": an explicit null must reach the wire (`??` would turn it into
   * the default, e.g. Fetch's null abortedTransactions into an empty array).
   */
  private valueOrDefault(f: FieldSpec, val: string): string {
    if (f.nullableVersions !== undefined) return `(${val} === undefined ? ${this.defaultExpr(f)} : ${val})`;
    return `(${val} ?? ${this.defaultExpr(f)})`;
  }

  private isTaggedIn(f: FieldSpec): VersionRange | null {
    return parseRange(f.taggedVersions);
  }

  private emitEncoder(name: string, fields: FieldSpec[], top: boolean, out: string[]): void {
    const sig = top
      ? `export function encode${name}(w: Writer, version: number, m: ${name}Init): void {`
      : `function encode${name}(w: Writer, version: number, flex: boolean, m: ${name}Init): void {`;
    out.push(sig);
    if (top) out.push(`  const flex = ${this.cond(this.flex)};`);
    const tagged: FieldSpec[] = [];
    for (const f of fields) {
      if (f.taggedVersions !== undefined) {
        tagged.push(f);
        continue;
      }
      const vr = parseRange(f.versions)!;
      const c = this.cond(vr);
      const key = camel(f.name);
      const val = this.optionalInInit(f) ? this.valueOrDefault(f, `m.${key}`) : `m.${key}`;
      if (c === 'true') {
        this.writeValue(f, val, '  ', out);
      } else {
        out.push(`  if (${c}) {`);
        this.writeValue(f, val, '    ', out);
        out.push('  }');
      }
    }
    if (this.flex !== null) {
      if (tagged.length === 0) {
        out.push('  if (flex) w.emptyTags();');
      } else {
        out.push('  if (flex) {');
        out.push('    let tags: Array<[number, Buffer]> | null = null;');
        for (const f of tagged.sort((a, b) => a.tag! - b.tag!)) {
          const key = camel(f.name);
          const tr = this.isTaggedIn(f)!;
          const def = this.defaultExpr(f);
          const isPrimitive = !f.type.startsWith('[]') && SCALARS.has(f.type);
          const skip = isPrimitive ? ` && m.${key} !== ${def}` : f.type.startsWith('[]') ? ` && m.${key} !== null && m.${key}.length > 0` : '';
          out.push(`    if (${this.cond(tr)} && m.${key} !== undefined${skip}) {`);
          out.push('      const w = new Writer({ initialBytes: 32 });');
          this.writeValue(f, `m.${key}`, '      ', out);
          out.push(`      (tags ??= []).push([${f.tag}, w.toBuffer()]);`);
          out.push('    }');
        }
        out.push('    if (tags === null) {');
        out.push('      w.emptyTags();');
        out.push('    } else {');
        out.push('      w.uvarint(tags.length);');
        out.push('      for (const [tag, bytes] of tags) w.uvarint(tag).uvarint(bytes.length).raw(bytes);');
        out.push('    }');
        out.push('  }');
      }
    }
    out.push('}', '');
  }

  private emitDecoder(name: string, fields: FieldSpec[], top: boolean, out: string[]): void {
    const sig = top
      ? `export function decode${name}(r: Reader, version: number): ${name} {`
      : `function decode${name}(r: Reader, version: number, flex: boolean): ${name} {`;
    out.push(sig);
    if (top) out.push(`  const flex = ${this.cond(this.flex)};`);
    const entries: string[] = [];
    const tagged: FieldSpec[] = [];
    for (const f of fields) {
      const key = camel(f.name);
      if (f.taggedVersions !== undefined) {
        tagged.push(f);
        out.push(`  let ${key}: ${this.tsType(f, false)} = ${this.defaultExpr(f)};`);
        entries.push(key);
        continue;
      }
      const c = this.cond(parseRange(f.versions)!);
      const read = this.readValue(f);
      if (c === 'true') out.push(`  const ${key} = ${read};`);
      else out.push(`  const ${key}: ${this.tsType(f, false)} = ${c} ? ${read} : ${this.defaultExpr(f)};`);
      entries.push(key);
    }
    if (this.flex !== null) {
      if (tagged.length === 0) {
        out.push('  if (flex) r.skipTags();');
      } else {
        out.push('  if (flex) {');
        out.push('    const count = r.uvarint();');
        out.push('    for (let i = 0; i < count; i++) {');
        out.push('      const tag = r.uvarint();');
        out.push('      const size = r.uvarint();');
        out.push('      r.need(size);');
        out.push('      const end = r.pos + size;');
        out.push('      switch (tag) {');
        for (const f of tagged) {
          out.push(`        case ${f.tag}:`);
          out.push(`          if (${this.cond(this.isTaggedIn(f))}) { ${camel(f.name)} = ${this.readValue(f)}; }`);
          out.push('          break;');
        }
        out.push('      }');
        out.push('      r.pos = end;');
        out.push('    }');
        out.push('  }');
      }
    }
    out.push(`  return { ${entries.join(', ')} };`);
    out.push('}', '');
  }
}

/** Removes `const flex = ...;` from functions whose body never reads it. */
function dropUnusedFlex(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('  const flex = ')) {
      let j = i + 1;
      let usedLater = false;
      while (j < lines.length && lines[j] !== '}') {
        if (/\bflex\b/.test(lines[j]!)) usedLater = true;
        j++;
      }
      if (!usedLater) continue;
    }
    out.push(line);
  }
  return out;
}

function fileStem(apiKey: number, name: string): string {
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `${String(apiKey).padStart(2, '0')}-${kebab}`;
}

function header(used: Set<string>, body: string[]): string[] {
  const helpers = ['readArray', 'readNullableArray', 'nonNull', 'ZERO_UUID', 'EMPTY_BYTES'].filter((h) => used.has(h));
  const text = body.join('\n');
  if (/\bRecordsInput\b/.test(text)) helpers.push('type RecordsInput');
  const lines = [
    '// Generated by scripts/generate-protocol.ts from the Kafka message definitions. Do not edit.',
    "import type { Reader } from '../reader.js';",
    "import { Writer } from '../writer.js';",
  ];
  if (helpers.length > 0) lines.push(`import { ${helpers.join(', ')} } from '../codec-helpers.js';`);
  lines.push('');
  return lines;
}

/** Nested struct names get the API name in front, so every exported type name is unique. */
function namer(base: string, own: Set<string>, other: Set<string>, side: string): (n: string) => string {
  return (n: string) => {
    if (other.has(n)) return `${base}${side}${n}`;
    return n.startsWith(base) ? n : `${base}${n}`;
  };
}

function generateApi(specDir: string, apiKey: number, name: string): { stem: string; text: string; meta: string } {
  const req = loadSpec(specDir, `${name}Request.json`);
  const res = loadSpec(specDir, `${name}Response.json`);
  if (req.apiKey !== apiKey) throw new Error(`${name}: expected api key ${apiKey}, found ${req.apiKey}`);
  const used = new Set<string>();
  const probeReq = new Emitter(req, (n) => n, used).nestedStructNames();
  const probeRes = new Emitter(res, (n) => n, used).nestedStructNames();
  const reqE = new Emitter(req, namer(name, probeReq, probeRes, 'Request'), used);
  const resE = new Emitter(res, namer(name, probeRes, probeReq, 'Response'), used);
  reqE.collect();
  resE.collect();
  let out: string[] = [];
  reqE.emitTypes(out);
  resE.emitTypes(out);
  reqE.emitCodecs(out);
  resE.emitCodecs(out);
  reqE.emitDefaults(out);
  resE.emitDefaults(out);
  out = dropUnusedFlex(out);
  const valid = parseRange(req.validVersions)!;
  const flex = parseRange(req.flexibleVersions);
  out.push(`export const ${name}Api = {`);
  out.push(`  apiKey: ${apiKey},`);
  out.push(`  name: '${name}',`);
  out.push(`  minVersion: ${valid.min},`);
  out.push(`  maxVersion: ${valid.max},`);
  out.push(`  /** First flexible version (KIP-482), or -1 when the API never became flexible. */`);
  out.push(`  flexibleFrom: ${flex === null ? -1 : flex.min},`);
  out.push(`  encodeRequest: encode${name}Request,`);
  out.push(`  decodeRequest: decode${name}Request,`);
  out.push(`  encodeResponse: encode${name}Response,`);
  out.push(`  decodeResponse: decode${name}Response,`);
  out.push('} as const;', '');
  return { stem: fileStem(apiKey, name), text: [...header(used, out), ...out].join('\n'), meta: name };
}

function generateData(specDir: string, name: string): { stem: string; text: string } {
  const spec = loadSpec(specDir, `${name}.json`);
  const used = new Set<string>();
  const e = new Emitter(spec, (n) => (n.startsWith(name) ? n : `${name}${n}`), used);
  e.collect();
  let out: string[] = [];
  e.emitTypes(out);
  e.emitCodecs(out);
  e.emitDefaults(out);
  out = dropUnusedFlex(out);
  const valid = parseRange(spec.validVersions)!;
  out.push(`export const ${name}Versions = { min: ${valid.min}, max: ${valid.max} } as const;`, '');
  const stem = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return { stem, text: [...header(used, out), ...out].join('\n') };
}

/** A field tree with names, types and version ranges only, for property tests and tooling. */
function schemaOf(fields: FieldSpec[], common: Map<string, FieldSpec[]>): unknown[] {
  return fields.map((f) => {
    const elem = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
    const sub = SCALARS.has(elem) ? undefined : (f.fields ?? common.get(elem));
    const node: Record<string, unknown> = { name: camel(f.name), type: f.type.startsWith('[]') ? `[]${SCALARS.has(elem) ? elem : 'struct'}` : SCALARS.has(elem) ? elem : 'struct', versions: f.versions };
    if (f.nullableVersions !== undefined) node.nullableVersions = f.nullableVersions;
    if (f.taggedVersions !== undefined) {
      node.taggedVersions = f.taggedVersions;
      node.tag = f.tag;
    }
    if (f.default !== undefined) node.default = String(f.default);
    if (sub !== undefined) node.fields = schemaOf(sub, common);
    return node;
  });
}

function messageSchema(spec: MessageSpec): unknown {
  const common = new Map((spec.commonStructs ?? []).map((c) => [c.name, c.fields] as const));
  return { name: spec.name, validVersions: spec.validVersions, flexibleVersions: spec.flexibleVersions, fields: schemaOf(spec.fields, common) };
}

function main(): void {
  const specDir = process.argv[2];
  if (specDir === undefined) {
    console.error('usage: generate-protocol <kafka-message-spec-dir> [out-dir]');
    process.exit(2);
  }
  const outDir = resolve(process.argv[3] ?? 'src/protocol/messages');
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (f.endsWith('.ts')) rmSync(join(outDir, f));
  const index: string[] = ['// Generated by scripts/generate-protocol.ts. Do not edit.', ''];
  const names: string[] = [];
  for (const [key, name] of APIS) {
    const { stem, text } = generateApi(specDir, key, name);
    writeFileSync(join(outDir, `${stem}.ts`), text);
    index.push(`export * from './${stem}.js';`);
    names.push(name);
  }
  for (const name of DATA) {
    const { stem, text } = generateData(specDir, name);
    writeFileSync(join(outDir, `${stem}.ts`), text);
    index.push(`export * from './${stem}.js';`);
  }
  index.push('');
  for (const [key, name] of APIS) index.push(`import { ${name}Api } from './${fileStem(key, name)}.js';`);
  for (const [key, name] of APIS) {
    index.push(`import type { ${name}Request, ${name}RequestInit, ${name}Response, ${name}ResponseInit } from './${fileStem(key, name)}.js';`);
  }
  index.push('', '/** Request and response types of every generated API, by key. */');
  index.push('export interface ApiTypes {');
  for (const [key, name] of APIS) {
    index.push(`  ${key}: { request: ${name}Request; requestInit: ${name}RequestInit; response: ${name}Response; responseInit: ${name}ResponseInit };`);
  }
  index.push('}', '');
  index.push('export type ApiKey = keyof ApiTypes;', '');
  index.push('', '/** Every generated API, by key. */');
  index.push('export const API_SPECS = {');
  for (const [key, name] of APIS) index.push(`  ${key}: ${name}Api,`);
  index.push('} as const;', '');
  writeFileSync(join(outDir, 'index.ts'), index.join('\n'));
  const schema: Record<string, unknown> = {};
  for (const [key, name] of APIS) {
    schema[key] = { request: messageSchema(loadSpec(specDir, `${name}Request.json`)), response: messageSchema(loadSpec(specDir, `${name}Response.json`)) };
  }
  for (const name of DATA) schema[name] = messageSchema(loadSpec(specDir, `${name}.json`));
  writeFileSync(
    join(outDir, 'schema.ts'),
    [
      '// Generated by scripts/generate-protocol.ts. Do not edit.',
      '// Field names, types and version ranges of every generated message, for property tests and tools.',
      "import type { MessageSchema } from '../schema-types.js';",
      '',
      `export const MESSAGE_SCHEMAS: Record<string, { request: MessageSchema; response: MessageSchema } | MessageSchema> = ${JSON.stringify(schema, null, 1)};`,
      '',
    ].join('\n'),
  );
  console.log(`generated ${names.length} APIs and ${DATA.length} data structures into ${outDir}`);
}

main();
