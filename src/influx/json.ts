/**
 * JSON of InfluxDB answers, read without losing integers: InfluxDB sends int64 values (and
 * nanosecond epochs) as bare JSON numbers, which JSON.parse rounds beyond 2^53. Integers
 * outside the safe range come back as bigint; everything else is JSON.parse's own result.
 */

/** Parses JSON text; integer literals beyond ±(2^53 - 1) become bigint. */
export function parseJson(text: string): unknown {
  // Fast path: no run of 16+ digits, so no integer can exceed 2^53 - 1 (9007199254740991).
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const marker = uniqueMarker(text);
  const escapedMarker = JSON.stringify(marker).slice(1, -1);
  let replaced = false;
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, honouring escapes.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d)
          i++;
        else break;
      }
      const literal = text.slice(start, i);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(last, start) + `"${escapedMarker}${literal}"`;
        last = i;
        replaced = true;
      }
    } else {
      i++;
    }
  }
  if (!replaced) return JSON.parse(text);
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value,
  );
}

// A prefix no string of `text` starts with, so marked numbers cannot be confused with data.
function uniqueMarker(text: string): string {
  let marker = '\u0001int:';
  while (text.includes(JSON.stringify(marker).slice(1, -1))) marker += '\u0001';
  return marker;
}

/**
 * Splits a byte stream into lines (InfluxDB's chunked answers are one JSON document per
 * line) and yields each complete line as text as soon as it has arrived.
 */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield line;
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  const rest = pending.trim();
  if (rest) yield rest;
}
