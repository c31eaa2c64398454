import { describe, expect, it } from 'vitest';
import twitterText from 'twitter-text';
import { articleLink, formatTwitter, leadText, renderTemplate, threadReplies } from '../../../adapters/twitter/format.js';
import { plainText } from '../../../adapters/twitter/text.js';
import { TwitterTarget } from '../../../config/targets/twitter.js';
import { toArticle, type ArticleInput } from '../../../src/article/schema.js';

const target = (extra: Record<string, unknown> = {}) => TwitterTarget.parse({ id: 'x-main', platform: 'twitter', ...extra });
const article = (extra: Partial<ArticleInput> = {}) =>
  toArticle({ url: 'https://news.example.com/2026/03/ferry', title: 'Harbour Town opens its first night ferry', ...extra });
const weight = (text: string) => twitterText.parseTweet(text).weightedLength;

describe('formatTwitter', () => {
  it('should lay out title, link and hashtags by default', () => {
    const post = formatTwitter(article({ tags: ['Northern Europe', 'Transport & Mobility'] }), target());
    expect(post).toEqual({
      target: 'x-main',
      platform: 'twitter',
      tweets: [{ text: 'Harbour Town opens its first night ferry\n\nhttps://news.example.com/2026/03/ferry\n\n#NorthernEurope #TransportMobility' }],
    });
  });

  it('should add the target tracking parameters to the link', () => {
    const post = formatTwitter(article(), target({ tracking: { utm_source: 'x', utm_medium: 'social' } }));
    expect(post.tweets[0]?.text).toContain('https://news.example.com/2026/03/ferry?utm_source=x&utm_medium=social');
    expect(articleLink({ url: 'https://a.example.com/p?id=1' }, { ref: 'x' })).toBe('https://a.example.com/p?id=1&ref=x');
  });

  it('should use the tag map and the maximum, and keep only the hashtags that fit', () => {
    const tags = ['Northern Europe', 'Climate', 'Budget', 'Harbour Town'];
    const mapped = formatTwitter(article({ tags }), target({ hashtags: { map: { 'Northern Europe': 'Nordics', Climate: '' }, max: 2 } }));
    expect(mapped.tweets[0]?.text.endsWith('\n\n#Nordics #Budget')).toBe(true);

    const longTitle = 'Council approves budget '.repeat(9).trim(); // 215 characters: room for some tags only
    const text = formatTwitter(article({ title: longTitle, tags: ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot'] }), target()).tweets[0]?.text ?? '';
    expect(text.startsWith(longTitle)).toBe(true);
    expect(weight(text)).toBeLessThanOrEqual(280);
    expect(text).toContain('#Alpha');
    expect(text).not.toContain('#Foxtrot');
  });

  it('should carry two hashtags by default, as many as hashtags.max allows, and none shouting', () => {
    const tags = ['BREAKING NEWS', 'Harbour Town', 'Transport', 'Budget', 'Weather', 'Ports', 'Europe'];
    expect(formatTwitter(article({ tags }), target()).tweets[0]?.text.split('\n\n').pop()).toBe('#BreakingNews #HarbourTown');
    expect(formatTwitter(article({ tags }), target({ hashtags: { max: 4 } })).tweets[0]?.text.split('\n\n').pop()).toBe('#BreakingNews #HarbourTown #Transport #Budget');
    expect(formatTwitter(article({ tags }), target({ hashtags: { max: 0 } })).tweets[0]?.text).not.toContain('#');
  });

  it('should end a lead the CMS cut mid-word at a whole word, with an ellipsis', () => {
    const body = 'The night ferry leaves at eleven. Tickets go on sale on Monday morning at the harbour office, at the ferry terminal and online from nine.';
    expect(leadText(article({ summary: body.slice(0, body.indexOf('terminal') + 4), body }))).toBe('The night ferry leaves at eleven. Tickets go on sale on Monday morning at the harbour office, at the ferry…');
  });

  it('should shorten a long title at a word boundary with an ellipsis and keep the link whole', () => {
    const title = 'The council voted on Monday to extend the night ferry service to the northern islands ' + 'and beyond '.repeat(30);
    const text = formatTwitter(article({ title: title.trim() }), target()).tweets[0]?.text ?? '';
    const [head, link] = text.split('\n\n');
    expect(link).toBe('https://news.example.com/2026/03/ferry');
    expect(head?.endsWith('…')).toBe(true);
    expect(title.startsWith(head?.slice(0, -1) ?? '')).toBe(true);
    expect(/\b(and|beyond)$/.test(head?.slice(0, -1) ?? '')).toBe(true);
    expect(twitterText.parseTweet(text).valid).toBe(true);
  });

  it('should count CJK and emoji double and never split an emoji sequence', () => {
    const title = '東京都の新しい渡し船が運航を開始しました'.repeat(8) + '👩‍👩‍👧‍👦'.repeat(20);
    const text = formatTwitter(article({ title }), target()).tweets[0]?.text ?? '';
    expect(twitterText.parseTweet(text).valid).toBe(true);
    expect(weight(text)).toBeGreaterThan(250);
    const head = (text.split('\n\n')[0] ?? '').replace(/…$/u, '');
    expect(title.startsWith(head)).toBe(true);
    expect(head.endsWith('\u200D')).toBe(false);
  });

  it('should post plain text: entities decoded, markup kept literally, refused characters removed', () => {
    const post = formatTwitter(article({ title: 'AT&amp;amp;T &lt;b&gt;wins&lt;/b&gt; <i>big</i> \uFEFFnow\u202E!' }), target());
    expect(post.tweets[0]?.text.split('\n\n')[0]).toBe('AT&T <b>wins</b> <i>big</i> now!');
    expect(plainText('e\u0301')).toBe('é');
  });

  it('should attach the article image with its alt text, or the title, at most 1000 characters', () => {
    const withAlt = formatTwitter(article({ image: { url: 'https://cdn.example.com/f.jpg', alt: 'The night ferry &amp; pier' } }), target());
    expect(withAlt.tweets[0]?.media).toEqual([{ url: 'https://cdn.example.com/f.jpg', alt: 'The night ferry & pier' }]);
    const long = formatTwitter(article({ title: 'word '.repeat(199) + 'end', image: { url: 'https://cdn.example.com/f.jpg' } }), target());
    expect([...(long.tweets[0]?.media?.[0]?.alt ?? '')].length).toBeLessThanOrEqual(1000);
    expect(long.tweets[0]?.media?.[0]?.alt?.startsWith('word word')).toBe(true);
    expect(formatTwitter(article({ image: { url: 'https://cdn.example.com/f.jpg' } }), target({ media: false })).tweets[0]?.media).toBeUndefined();
  });

  it('should fill a per-target template and drop lines left empty', () => {
    const a = article({ summary: 'Night ferries start Monday.', authors: ['Mira Okafor', 'Jonas Lindqvist'], tags: ['Climate'] });
    const post = formatTwitter(a, target({ template: '{byline}: {title}\n{summary}\n{hashtags}\n{url}' }));
    expect(post.tweets[0]?.text).toBe(
      'Mira Okafor, Jonas Lindqvist: Harbour Town opens its first night ferry\nNight ferries start Monday.\n#Climate\nhttps://news.example.com/2026/03/ferry',
    );
    expect(renderTemplate('{title}\n{summary}\n{url}', { title: 'T', url: 'U', hashtags: '', summary: '', byline: '' })).toBe('T\nU');
  });

  it('should shorten template fields so the result stays valid, and fall back to the default when the link would be lost', () => {
    const a = article({ summary: 'A long lead sentence about the ferry. '.repeat(20) });
    const text = formatTwitter(a, target({ template: '{title}\n\n{summary}\n\n{url}' })).tweets[0]?.text ?? '';
    expect(twitterText.parseTweet(text).valid).toBe(true);
    expect(text.startsWith('Harbour Town opens its first night ferry\n\nA long lead')).toBe(true);
    expect(text.endsWith('https://news.example.com/2026/03/ferry')).toBe(true);

    const fallback = formatTwitter(a, target({ template: 'x'.repeat(290) + ' {url}' })).tweets[0]?.text;
    expect(fallback).toBe('Harbour Town opens its first night ferry\n\nhttps://news.example.com/2026/03/ferry');
  });

  it('should post only the first tweet unless the target is in thread mode', () => {
    const a = article({ summary: 'First sentence. Second sentence.' });
    expect(formatTwitter(a, target()).tweets).toHaveLength(1);
    expect(formatTwitter(a, target({ thread: true })).tweets.map((t) => t.text)).toEqual([
      'Harbour Town opens its first night ferry\n\nhttps://news.example.com/2026/03/ferry',
      'First sentence. Second sentence.',
    ]);
  });

  it('should split a long lead at sentence boundaries into numbered replies', () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `Sentence number ${i + 1} tells the reader one more fact about the new ferry line and its timetable.`);
    const replies = threadReplies(sentences.join(' '), 9);
    expect(replies.length).toBeGreaterThan(1);
    replies.forEach((reply, i) => {
      expect(reply.endsWith(` (${i + 2}/${replies.length + 1})`)).toBe(true);
      expect(twitterText.parseTweet(reply).valid).toBe(true);
      const body = reply.replace(/ \(\d+\/\d+\)$/, '');
      expect(body.startsWith('Sentence number')).toBe(true);
      expect(body.endsWith('timetable.')).toBe(true);
    });
    expect(replies.map((r) => r.replace(/ \(\d+\/\d+\)$/, '')).join(' ')).toBe(sentences.join(' '));
  });

  it('should cut a sentence longer than a tweet at word boundaries across replies', () => {
    const sentence = Array.from({ length: 90 }, (_, i) => `w${i}`).join(' ') + ' ' + 'longword '.repeat(30).trim() + '.';
    const replies = threadReplies(sentence, 9);
    expect(replies.length).toBeGreaterThan(1);
    const bodies = replies.map((r) => r.replace(/ \(\d+\/\d+\)$/, ''));
    expect(bodies[0]?.endsWith('…')).toBe(true);
    expect(bodies.map((b) => b.replace(/…$/u, '')).join(' ')).toBe(sentence);
  });

  it('should stop at threadMax tweets and end the last reply with an ellipsis', () => {
    const lead = Array.from({ length: 40 }, (_, i) => `This is sentence ${i} of a very long lead paragraph that goes on.`).join(' ');
    const post = formatTwitter(article({ summary: lead }), target({ thread: true, threadMax: 3 }));
    expect(post.tweets).toHaveLength(3);
    expect(post.tweets[2]?.text).toMatch(/… \(3\/3\)$/u);
  });
});
