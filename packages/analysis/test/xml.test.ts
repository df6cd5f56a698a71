import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyse } from './support.js';

const catalog = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a catalog -->
<catalog xmlns:x="urn:x">
  <book id="1" lang="en"><title>Ada</title><price>10</price></book>
  <book id="2"><title><![CDATA[<Bob>]]></title><x:note/></book>
  <?render fast?>
</catalog>
`;

let dir: string;
let secretPath: string;
const SECRET = 'atrium-secret-marker-4f9c';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atrium-analysis-xml-'));
  secretPath = join(dir, 'secret.txt');
  await writeFile(secretPath, SECRET);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('XML analysis', () => {
  it('reports the root, element counts, depth and attributes seen', async () => {
    const analysis = await analyse(catalog, 'application/xml');
    expect(analysis.status).toBe('analysed');
    expect(analysis.result).toEqual({
      root: 'catalog',
      elements: 7,
      depth: 3,
      elementCounts: [
        { name: 'book', count: 2 },
        { name: 'title', count: 2 },
        { name: 'catalog', count: 1 },
        { name: 'price', count: 1 },
        { name: 'x:note', count: 1 },
      ],
      attributes: [
        { name: 'id', count: 2 },
        { name: 'xmlns:x', count: 1 },
        { name: 'lang', count: 1 },
      ],
      unlistedNames: 0,
      comments: 1,
      cdataSections: 1,
      processingInstructions: 1,
      doctype: false,
      encoding: 'UTF-8',
    });
    expect(analysis.summary).toBe('XML: root <catalog>, 7 elements (5 names), depth 3');
  });

  it('never reads a file an external entity points at', async () => {
    for (const target of [`file://${secretPath}`, 'file:///etc/passwd']) {
      const xxe = `<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "${target}">]>
<data>&xxe;</data>`;
      const analysis = await analyse(xxe, 'text/xml');
      expect(analysis.status).toBe('failed');
      expect(analysis.error).toMatch(/undefined entity/);
      const text = JSON.stringify(analysis);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('root:');
    }
  });

  it('does not expand a billion-laughs document: it fails at the first reference', async () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) {
      levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    }
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [${levels.join('')}]>\n<lolz>&lol9;</lolz>`;
    const before = process.memoryUsage().heapUsed;
    const analysis = await analyse(bomb, 'application/xml');
    expect(analysis).toMatchObject({ status: 'failed', kind: 'xml' });
    expect(analysis.error).toBe('not well-formed XML: 3:12: undefined entity.');
    // Expanded, the document would be 3 GB of "lol"; nothing near that was allocated.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    expect(JSON.stringify(analysis)).not.toContain('lollol');
  });

  it('fails an attribute value larger than the bound instead of buffering it', async () => {
    const body = `<a b="${'x'.repeat(200_000)}"/>`;
    const analysis = await analyse(body, 'application/xml', { maxRecordBytes: 1000 });
    expect(analysis).toMatchObject({
      status: 'failed',
      error: 'an attribute, comment, CDATA section or DOCTYPE is larger than 1000 bytes',
    });
  });

  it('fails an element with more attributes than the bound', async () => {
    const attributes = Array.from({ length: 10_001 }, (_, i) => `a${i}="1"`).join(' ');
    expect(await analyse(`<r ${attributes}/>`, 'application/xml')).toMatchObject({
      status: 'failed',
      error: 'an element with more than 10000 attributes',
    });
    const fewer = Array.from({ length: 10_000 }, (_, i) => `a${i}="1"`).join(' ');
    expect((await analyse(`<r ${fewer}/>`, 'application/xml')).status).toBe('analysed');
  });

  it('reads long element text without buffering it', async () => {
    const body = `<a>${'text '.repeat(100_000)}</a>`;
    const analysis = await analyse(body, 'application/xml', { maxRecordBytes: 1000 });
    expect(analysis).toMatchObject({ status: 'analysed', result: { root: 'a', elements: 1 } });
  });

  it('fails malformed XML with the line and column', async () => {
    const analysis = await analyse('<a>\n<b></a>', 'application/xml');
    expect(analysis.status).toBe('failed');
    expect(analysis.error).toMatch(/^not well-formed XML: 2:\d+: unexpected close tag/);
  });

  it('fails an unclosed document, an empty file, and nesting past the bound', async () => {
    expect((await analyse('<a><b>', 'application/xml')).status).toBe('failed');
    expect((await analyse('', 'application/xml')).status).toBe('failed');
    const deep = `${'<d>'.repeat(300)}${'</d>'.repeat(300)}`;
    expect(await analyse(deep, 'application/xml')).toMatchObject({
      status: 'failed',
      error: 'nested deeper than 256',
    });
  });

  it('lists the first names and counts the rest', async () => {
    const body = `<r>${Array.from({ length: 6 }, (_, i) => `<e${i}/>`).join('')}<e0/></r>`;
    const analysis = await analyse(body, 'application/xml', { maxNames: 3 });
    expect(analysis.result.elementCounts).toEqual([
      { name: 'e0', count: 2 },
      { name: 'r', count: 1 },
      { name: 'e1', count: 1 },
    ]);
    expect(analysis.result.unlistedNames).toBe(4);
    expect(analysis.summary).toBe('XML: root <r>, 8 elements (3+ names), depth 2');
  });
});
