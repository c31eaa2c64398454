import { describe, expect, it } from 'vitest';
import { findImages, findLinks, isItalic, isLinkOnly, plainText } from '../../src/article/markdown-inline.js';
import { splitBlocks } from '../../src/article/markdown-blocks.js';

describe('plainText', () => {
  it('should turn links into their text and drop images', () => {
    expect(plainText('See [the report](https://r.example/a "Report") and ![chart](c.png) [[1]](#fn1).')).toBe('See the report and [1].');
    expect(plainText('[![logo](l.png)](https://home.example)Welcome')).toBe('Welcome');
    expect(plainText('A [ref link][r1] and <https://auto.example/x>.')).toBe('A ref link and https://auto.example/x.');
  });

  it('should remove emphasis and code markers but keep escaped characters and snake_case', () => {
    expect(plainText('**Bold**, *italic*, _also_, __strong__, ~~gone~~ and `code`')).toBe('Bold, italic, also, strong, gone and code');
    expect(plainText('a \\*literal\\* star, file_name_here, 2 * 3 * 4')).toBe('a *literal* star, file_name_here, 2 * 3 * 4');
  });

  it('should decode entities after stripping tags, so escaped markup stays literal', () => {
    expect(plainText('Fish &amp; chips &lt;b&gt; <span class="x">caf&eacute;</span> &#8220;q&#x201D;')).toBe('Fish & chips <b> café “q”');
    expect(plainText('Title with <b>tag</b>', { keepTags: true })).toBe('Title with <b>tag</b>');
  });
});

describe('links, images, italics', () => {
  it('should list links and images in order with plain text', () => {
    expect(findLinks('By [**Ann**](/a) and <a href="https://b.example">Bo</a>')).toEqual([
      { text: 'Ann', url: '/a' },
      { text: 'Bo', url: 'https://b.example' },
    ]);
    expect(findImages('x <img src="/a.jpg" alt="A &amp; B"> ![C](c.png)')).toEqual([
      { url: '/a.jpg', alt: 'A & B' },
      { url: 'c.png', alt: 'C' },
    ]);
  });

  it('should recognise link-only rows and italic blocks', () => {
    expect(isLinkOnly('[Share](a) | [Tweet](b) · [Email](mailto:x)')).toBe(true);
    expect(isLinkOnly('**[Become a member](https://m.example)**')).toBe(true);
    expect(isLinkOnly('Read [the report](a) today')).toBe(false);
    expect(isItalic('*A whole lead paragraph.*')).toBe(true);
    expect(isItalic('_Also a lead._')).toBe(true);
    expect(isItalic('*one* and *two*')).toBe(false);
    expect(isItalic('**bold, not italic**')).toBe(false);
  });
});

describe('splitBlocks', () => {
  it('should recognise headings (ATX and setext), separators (also escaped), lists, code and soft wraps', () => {
    const blocks = splitBlocks('# H1\n\nTitle two\n---\n\n\\*\\*\\*\n\nline one\nline two  \nhard\n\n- a\n- b\n\n```\ncode\n```\n\n\\*');
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, raw: 'H1' },
      { kind: 'heading', level: 2, raw: 'Title two' },
      { kind: 'separator' },
      { kind: 'paragraph', lines: ['line one line two', 'hard'], list: false, sourceLines: ['line one', 'line two', 'hard'] },
      { kind: 'paragraph', lines: ['a', 'b'], list: true, sourceLines: ['a', 'b'] },
      { kind: 'code', text: 'code' },
      { kind: 'separator' },
    ]);
  });
});
