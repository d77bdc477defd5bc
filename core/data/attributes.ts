/**
 * Attribute strings in AdvertiseGen form: `key#value*key#value…` (类型#裙*材质#雪纺*颜色#白色).
 * A key may repeat (图案#条纹*图案#线条). Keys and values are trimmed and must be non-empty
 * and free of `#` and `*`.
 */

export interface Attribute {
  key: string;
  value: string;
}

/** Parses `key#value*key#value`; throws an Error naming the bad pair (the loaders add file/line/field). */
export function parseAttributes(s: string): Attribute[] {
  if (s.trim() === '') throw new Error('attribute string is empty (expected key#value*key#value)');
  const out: Attribute[] = [];
  const pairs = s.split('*');
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    const where = `pair ${i + 1} "${pair.length > 30 ? `${pair.slice(0, 30)}…` : pair}"`;
    const parts = pair.split('#');
    if (parts.length !== 2) {
      throw new Error(`${where} is not key#value (${parts.length === 1 ? 'no "#"' : 'more than one "#"'}; expected key#value*key#value)`);
    }
    const key = parts[0].trim();
    const value = parts[1].trim();
    if (key === '') throw new Error(`${where} has an empty key (expected key#value)`);
    if (value === '') throw new Error(`${where} has an empty value (expected key#value)`);
    out.push({ key, value });
  }
  return out;
}

/** Writes attributes back as `key#value*key#value`. */
export function formatAttributes(attrs: Attribute[]): string {
  for (const { key, value } of attrs) {
    if (/[#*]/.test(key) || /[#*]/.test(value) || key.trim() === '' || value.trim() === '') {
      throw new Error(`cannot format attribute ${key}#${value}: empty or contains # or *`);
    }
  }
  return attrs.map((a) => `${a.key}#${a.value}`).join('*');
}

