/**
 * Keeps the name maps honest: every name of ours that docs/python-names.md and
 * docs/influxdb-python-names.md print in their second column (method calls, members, option keys,
 * bare names in backticks) must be a public name of the package: an export of one of its entry
 * points, or a public member of an exported class, interface or type (options included). Rows
 * that say "not provided" are skipped, but must give a reason. The names are read with the
 * TypeScript checker, so interface members and options count, not only what exists at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');
const entryPoints = [
  'src/index.ts',
  'src/server/index.ts',
  'src/influx/index.ts',
  'dialect/index.ts',
  'src/protocol.ts',
];
const maps = ['docs/python-names.md', 'docs/influxdb-python-names.md'];
/** Knex's own API, which the dialect's rows call, and the pages' example class: not ours to export. */
const foreignNames = new Set(['knex', 'columnInfo', 'hasTable', 'schema', 'MySeries']);
const keywords = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'function',
  'await',
  'new',
  'of',
  'using',
]);

/** Every public name of the package: exports, and members of our exported types, recursively. */
function publicNames(): Set<string> {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile).config as object;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram(
    entryPoints.map((e) => join(root, e)),
    { ...options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const names = new Set<string>();
  const seen = new Set<ts.Type>();
  const ours = (symbol: ts.Symbol | undefined): boolean =>
    (symbol?.declarations ?? []).some((d) => !d.getSourceFile().fileName.includes('node_modules'));
  const isPublic = (declaration: ts.Declaration | undefined): boolean =>
    declaration === undefined ||
    (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) ===
      0;

  function addSignatures(type: ts.Type): void {
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.getParameters()) {
        const declaration = parameter.valueDeclaration ?? parameter.declarations?.[0];
        if (declaration) addType(checker.getTypeOfSymbolAtLocation(parameter, declaration), false);
      }
    }
  }

  function addType(type: ts.Type, exported: boolean): void {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) {
      for (const part of type.types) addType(part, exported);
      return;
    }
    // Members of types from other packages (Arrow's, Knex's) are not ours, unless we export the type.
    if (!exported && !ours(type.aliasSymbol ?? type.getSymbol())) return;
    for (const property of checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (!isPublic(declaration) || property.name.startsWith('#')) continue;
      names.add(property.name);
      if (declaration) {
        const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
        addType(checker.getNonNullableType(propertyType), false);
        addSignatures(propertyType);
      }
    }
  }

  for (const entry of entryPoints) {
    const source = program.getSourceFile(join(root, entry));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`cannot read the exports of ${entry}`);
    for (const exported of checker.getExportsOfModule(module)) {
      names.add(exported.name);
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
        addType(checker.getDeclaredTypeOfSymbol(symbol), true);
      }
      if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function | ts.SymbolFlags.Variable)) {
        const valueType = checker.getTypeOfSymbol(symbol);
        if (symbol.flags & ts.SymbolFlags.Class) addType(valueType, true);
        addSignatures(valueType);
      }
    }
  }
  return names;
}

interface Row {
  readonly file: string;
  readonly line: number;
  readonly cells: string[];
}

/** The rows of every table of a page (header and separator rows left out). */
function tableRows(file: string): Row[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const rows: Row[] = [];
  const isSeparator = (line: string | undefined) => line !== undefined && /^\|(\s*-+\s*\|)+\s*$/.test(line);
  lines.forEach((text, index) => {
    if (!text.startsWith('|') || isSeparator(text) || isSeparator(lines[index + 1])) return;
    const cells = text
      .slice(1, text.trimEnd().endsWith('|') ? text.trimEnd().length - 1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.replaceAll('\\|', '|').trim());
    rows.push({ file, line: index + 1, cells });
  });
  return rows;
}

/** The keys of the object literals in `code`: `{ a, b: 1, c: { d } }` gives a, b, c, d. */
function objectKeys(code: string): string[] {
  const keys: string[] = [];
  for (let open = code.indexOf('{'); open >= 0; open = code.indexOf('{', open + 1)) {
    // The literal's top-level parts, split at commas outside nested brackets.
    const parts: string[] = [''];
    for (let i = open + 1, depth = 0; i < code.length; i++) {
      const c = code[i]!;
      if (depth === 0 && c === '}') break;
      if ('{[('.includes(c)) depth++;
      if ('}])'.includes(c)) depth--;
      if (depth === 0 && c === ',') parts.push('');
      else parts[parts.length - 1] += c;
    }
    for (const part of parts) {
      const key = /^\s*([A-Za-z_$][\w$]*)\s*(?::|$)/.exec(part);
      if (key) keys.push(key[1]!);
    }
  }
  return keys;
}

/** The names of ours that a code span uses. */
function namesIn(span: string): string[] {
  const code = span.replace(/'[^']*'|"[^"]*"/g, "''").replaceAll('...', ' ');
  const names = new Set<string>();
  if (/^[A-Za-z_$][\w$]*$/.test(code)) names.add(code);
  for (const m of code.matchAll(/\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  for (const m of code.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) names.add(m[1]!);
  for (const m of code.matchAll(/\b([A-Z][\w$]*)\./g)) names.add(m[1]!);
  for (const key of objectKeys(code)) names.add(key);
  return [...names].filter((n) => !keywords.has(n) && !foreignNames.has(n));
}

const rows = maps.flatMap(tableRows);

test('the name maps are tables whose rows have the other library, ours, and what differs', () => {
  expect(rows.length).toBeGreaterThan(150);
  for (const row of rows) {
    expect([row.file, row.line, row.cells.length >= 2]).toEqual([row.file, row.line, true]);
  }
});

test('every "not provided" says why', () => {
  const missing = rows.filter((row) => /^not provided\b/i.test(row.cells[1]!));
  expect(missing.length).toBeGreaterThan(20);
  const unexplained = missing
    .filter((row) => (row.cells[2] ?? '').length < 10)
    .map((r) => `${r.file}:${r.line}`);
  expect(unexplained).toEqual([]);
});

test('every name of ours in the maps exists in the package', () => {
  const names = publicNames();
  // Sanity: the checker saw members and options, not only exports.
  for (const known of ['fetchmany', 'dbSchemaFilterPattern', 'timePrecision', 'getPoints', 'fromDSN']) {
    expect([known, names.has(known)]).toEqual([known, true]);
  }
  let checked = 0;
  const unknown: string[] = [];
  for (const row of rows) {
    const ours = row.cells[1]!;
    if (/^not provided\b/i.test(ours)) continue;
    for (const span of ours.matchAll(/`([^`]+)`/g)) {
      for (const name of namesIn(span[1]!)) {
        checked++;
        if (!names.has(name)) unknown.push(`${row.file}:${row.line}: ${name} (in \`${span[1]}\`)`);
      }
    }
  }
  expect(unknown).toEqual([]);
  expect(checked).toBeGreaterThan(400);
});
