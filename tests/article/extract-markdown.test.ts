import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BOILERPLATE } from '../../config/schema.js';
import { extractMarkdown } from '../../src/article/extract-markdown.js';
import { ArticleError } from '../../src/article/schema.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/articles/${name}`, import.meta.url), 'utf8');

/** Every boilerplate sentence in a fixture: none may survive into the body or summary. */
function expectNoBoilerplate(text: string | undefined, phrases: string[]): void {
  for (const phrase of phrases) expect(text ?? '', phrase).not.toContain(phrase);
  for (const pattern of DEFAULT_BOILERPLATE) {
    for (const paragraph of (text ?? '').split('\n\n')) expect(new RegExp(pattern, 'i').test(paragraph), `${pattern} matched "${paragraph}"`).toBe(false);
  }
}

describe('extractMarkdown on a seed-shaped page (Ridgeline Dispatch)', () => {
  const article = extractMarkdown(fixture('ridgeline-dispatch.md'));

  it('should take the title from the first # heading, entities decoded, and the ## deck as subtitle', () => {
    expect(article.title).toBe('Mountain Villages Vote to Share One Water Utility & Its Debts');
    expect(article.subtitle).toBe('Four councils merge their pipes after a drought summer left two of them dry');
  });

  it('should read the byline with links, commas and "and"', () => {
    expect(article.authors).toEqual(['Lena Hartmann', 'Tomás Ibarra', 'Priya Nair']);
  });

  it('should parse the first dateline (with time and zone) into ISO 8601', () => {
    expect(article.publishedAt).toBe('2025-01-06T14:30:00.000Z');
  });

  it('should take the URL from the "Source URL:" line', () => {
    expect(article.url).toBe('https://ridgeline.example/2025/01/06/villages-water-utility');
  });

  it('should turn Region/Theme/In-depth Report links and a trailing Tags line into tags', () => {
    expect(article.tags).toEqual(['Central Europe', 'Alps', 'Environment', 'Local Government', 'Drought Watch', 'water', 'drought']);
  });

  it('should take the original source from the "originally published on" line', () => {
    expect(article.source).toEqual({ name: 'The Alpine Courier', url: 'https://alpinecourier.example/2025/01/05/water' });
  });

  it('should keep the first image with its alt text', () => {
    expect(article.image).toEqual({ url: 'https://cdn.ridgeline.example/img/pipes.jpg', alt: 'Workers lay a new pipe above Oberwald' });
  });

  it('should use the italic lead as summary, without the emphasis markers', () => {
    expect(article.summary).toBe(
      'Four mountain villages voted on Sunday to fold their water systems into one shared utility, a year after the driest summer on record left two of them relying on tanker trucks.',
    );
  });

  it('should give the body as plain paragraphs: links to text, entities decoded, broken paragraph rejoined', () => {
    const paragraphs = (article.body ?? '').split('\n\n');
    expect(paragraphs).toHaveLength(5);
    expect(paragraphs[0]).toBe(article.summary);
    expect(paragraphs[1]).toBe('The new utility will serve about 9,400 residents and take over all four networks, including the villages’ combined debt of €3.1 million.');
    expect(paragraphs[2]).toContain('the vote — 71% in favour overall — was "the end of every village for itself."');
    expect(paragraphs[2]).toContain('argued that their spring-fed supply had never failed and that they were being asked to pay for their neighbours’ leaks.');
    expect(paragraphs[4]).toBe('The cantonal government has promised to cover a third of the cost of the ring main if construction starts before the end of 2026, calling it the #1 priority.');
    expect(article.body).not.toMatch(/\]\(|!\[|\*\*|&[a-z#0-9]+;|https?:\/\//);
  });

  it('should drop all boilerplate: translate note, newsletter, social prompts, share row, note to readers, bio, trailer', () => {
    const phrases = [
      'available in 30 languages',
      'newsletter',
      'Join us on',
      'Share',
      'Tweet',
      'Note to readers',
      'senior correspondent',
      'originally published',
      'Copyright',
      'Comment on',
      'Disclaimer',
      'sole responsibility',
      'Skip to content',
      'Donate',
    ];
    expectNoBoilerplate(article.body, phrases);
    expectNoBoilerplate(article.summary, phrases);
  });
});

describe('extractMarkdown with front matter', () => {
  const article = extractMarkdown(fixture('harbour-notes-frontmatter.md'), { url: 'https://ignored.example/x' });

  it('should let front matter fields win over what the page says', () => {
    expect(article.id).toBe('hn-2024-0412');
    expect(article.url).toBe('https://harbournotes.example/2024/04/12/ferry-strike');
    expect(article.authors).toEqual(['Aiko Mori']);
    expect(article.publishedAt).toBe('2024-04-12T04:00:00.000Z');
    expect(article.tags).toEqual(['Transport', 'Labour']);
    expect(article.source).toEqual({ name: 'Harbour Notes Wire' });
  });

  it('should still extract what the front matter leaves out', () => {
    expect(article.title).toBe('Ferry Crews Strike Over Night Rosters');
    expect(article.subtitle).toBe('Sailings between the islands are cut to two a day until Thursday');
    expect(article.summary).toBe(
      'Ferry crews walked out at dawn on Friday after talks over night-shift rosters collapsed, leaving the islands with two sailings a day instead of eleven.',
    );
  });

  it('should drop everything after the © trailer, and the social prompts before it', () => {
    expect(article.body?.split('\n\n')).toHaveLength(2);
    expectNoBoilerplate(article.body, ['Follow us', 'Subscribe', 'rights reserved', 'coast guard shuttle']);
  });

  it('should report unreadable YAML in one line', () => {
    expect(() => extractMarkdown('---\ntitle: [unclosed\n---\n# T\n', { url: 'https://a.example/' })).toThrow(/^front matter: not valid YAML: [^\n]+$/);
    expect(() => extractMarkdown('---\ndate: not a date at all\n---\n# T\n', { url: 'https://a.example/' })).toThrow(/front matter: publishedAt/);
  });
});

describe('extractMarkdown without a URL in the file', () => {
  const text = fixture('quarry-times-no-url.md');

  it('should fail with a clear error when no --url is given', () => {
    expect(() => extractMarkdown(text)).toThrow(ArticleError);
    expect(() => extractMarkdown(text)).toThrow('article has no URL: pass --url URL');
  });

  it('should use the url option, a Title: line kept literal, and a labelled date', () => {
    const article = extractMarkdown(text, { url: 'https://quarrytimes.example/2023/quarry' });
    expect(article.url).toBe('https://quarrytimes.example/2023/quarry');
    expect(article.title).toBe('Old Quarry Becomes a Swimming Lake <b>Again</b>');
    expect(article.publishedAt).toBe('2023-07-19T09:15:00.000Z');
    expect(article.authors).toEqual(['Jane Roe']);
    expect(article.subtitle).toBeUndefined();
  });

  it('should keep quotes and list items as text and drop the related-links tail', () => {
    const article = extractMarkdown(text, { url: 'https://quarrytimes.example/2023/quarry' });
    const paragraphs = (article.body ?? '').split('\n\n');
    expect(paragraphs[0]).toBe("The town's council has reopened the flooded quarry for swimming after a decade of closure, with lifeguards on duty every weekend.");
    expect(paragraphs[1]).toContain('A 3 × 2 m raft');
    expect(paragraphs[2]).toBe('"We grew up swimming here," said resident Omar Haddad. "My kids finally can too."');
    expect(paragraphs[3]).toBe('Open Saturdays and Sundays, 10:00–18:00\nEntry is free');
    expect(paragraphs).toHaveLength(4);
    expectNoBoilerplate(article.body, ['Listen to this article', 'Related articles', 'Summer events']);
  });
});

describe('extractMarkdown on converter output with a metadata header', () => {
  const article = extractMarkdown(fixture('converter-header.md'));

  it('should read URL Source / Published Time and prefer the setext heading over the Title: line', () => {
    expect(article.url).toBe('https://valleypost.example/news/rail-link-reopens');
    expect(article.publishedAt).toBe('2024-11-02T07:45:00.000Z');
    expect(article.title).toBe('Rail Link Reopens After Landslide');
  });

  it('should stop at the separator that starts the read-more trailer', () => {
    expect(article.body?.split('\n\n')).toEqual([
      'Trains are running again between Alder and Brook after a landslide closed the line for nine days.',
      'Crews removed 4,000 tonnes of rock and rebuilt a retaining wall. Services will run at reduced speed until the end of the month.',
    ]);
  });
});

describe('extractMarkdown edge cases', () => {
  const url = 'https://edge.example/a';

  it('should say "article has no title" for text without any heading or Title: line', () => {
    expect(() => extractMarkdown('just some words\n\nand more', { url })).toThrow('article has no title');
    expect(() => extractMarkdown('', { url })).toThrow('article has no title');
  });

  it('should refuse a non-http URL line or option with a one-line message', () => {
    expect(() => extractMarkdown('# T\n\nBody.', { url: 'ftp://x.example/a' })).toThrow(/^url: must be an http\(s\) URL/);
  });

  it('should use the first body paragraph as summary when there is no italic lead', () => {
    const article = extractMarkdown('# Title\n\nFirst paragraph here.\n\nSecond one.', { url });
    expect(article.summary).toBe('First paragraph here.');
    expect(article.subtitle).toBeUndefined();
    expect(article.body).toBe('First paragraph here.\n\nSecond one.');
  });

  it('should honour custom boilerplate patterns', () => {
    const text = '# Title\n\nKeep me.\n\nSPONSORED: buy things.\n\nKeep me too.';
    expect(extractMarkdown(text, { url, boilerplate: ['^sponsored:'] }).body).toBe('Keep me.\n\nKeep me too.');
    expect(() => extractMarkdown(text, { url, boilerplate: ['(unclosed'] })).toThrow(/boilerplate pattern "\(unclosed" is not a valid regex/);
  });

  it('should resolve a relative image against the article URL and drop unparseable dates', () => {
    const article = extractMarkdown('# T\n\nBy Ann Lee\n\nSometime last spring\n\n![](/img/a.png)\n\nText.', { url });
    expect(article.image).toEqual({ url: 'https://edge.example/img/a.png' });
    expect(article.publishedAt).toBeUndefined();
    expect(article.authors).toEqual(['Ann Lee']);
  });

  it('should read a byline and a dateline written on consecutive lines of one paragraph', () => {
    const article = extractMarkdown('# T\n\nBy Ann Lee\nThe Daily Example, May 2, 2024\n\nBody text.', { url });
    expect(article.authors).toEqual(['Ann Lee']);
    expect(article.publishedAt).toBe('2024-05-02T00:00:00.000Z');
    expect(article.body).toBe('Body text.');
  });

  it('should prefer the H1 that a byline follows over a site-name H1', () => {
    const article = extractMarkdown('# The Daily Example\n\n[Home](/) [World](/w)\n\n# Real Headline\n\nBy Ann Lee\n\nBody text.', { url });
    expect(article.title).toBe('Real Headline');
    expect(article.body).toBe('Body text.');
  });

  it('should not take a body sentence that starts with "By" for a byline', () => {
    const article = extractMarkdown('# T\n\nBy Monday, officials said the talks had failed.\n\nMore.', { url });
    expect(article.authors).toEqual([]);
    expect(article.body?.startsWith('By Monday, officials said')).toBe(true);
  });
});
