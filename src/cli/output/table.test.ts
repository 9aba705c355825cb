import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourWanted, createStyle } from './style.js';
import { renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns left with two spaces, prints "-" for missing values and no trailing spaces', () => {
    const text = renderTable(['GROUP', 'LAG', 'CLIENT-ID'], [['g', 10, null], ['longer-group', null, 'c1']]);
    assert.equal(text, 'GROUP         LAG  CLIENT-ID\ng             10   -\nlonger-group  -    c1\n');
  });

  it('keeps columns aligned when colour is on', () => {
    const style = createStyle(true);
    const text = renderTable(['A', 'STATUS', 'B'], [['x', 'OK', 'y'], ['x', 'STALL', 'y']], { style, colour: (h, t) => (h === 'STATUS' ? style.red(t) : t) });
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
    assert.equal(plain, 'A  STATUS  B\nx  OK      y\nx  STALL   y\n');
    assert.match(text, /\u001b\[31mSTALL \u001b\[39m  y/);
  });

  it('renders KEY value fields', () => {
    assert.equal(renderFields([['TOPIC', 'a'], ['PARTITIONS', 3], ['CONFIGS', '']]), 'TOPIC       a\nPARTITIONS  3\nCONFIGS     -\n');
  });
});

describe('colourWanted', () => {
  it('needs a TTY, honours NO_COLOR and FORCE_COLOR', () => {
    assert.equal(colourWanted({ isTTY: true }, {}), true);
    assert.equal(colourWanted({ isTTY: false }, {}), false);
    assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(colourWanted({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(colourWanted({ isTTY: false }, { FORCE_COLOR: '0' }), false);
  });
});
