import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toArticle } from '../../src/article/schema.js';
import { mapWebhookBody, scheduleIsNew, WebhookBodyError, webhookRetraction } from '../../src/http/webhook-mappers.js';

const articleOf = (body: unknown) => {
  const { format, input } = mapWebhookBody(body);
  return { format, article: toArticle(input) };
};

describe('webhook body mappers', () => {
  it('should pass Article JSON through untouched', () => {
    const body = { id: 'cms-77', url: 'https://gazette.example/a', title: 'A' };
    expect(mapWebhookBody(body)).toEqual({ format: 'article', input: body });
  });

  it('should map a flat WordPress body, with GMT dates, comma lists, and shortcodes removed', () => {
    const { format, article } = articleOf({
      post_id: 812, post_title: 'Harbour wall repairs begin', post_url: 'https://gazette.example/?p=812',
      permalink: 'https://gazette.example/harbour-wall', post_status: 'publish',
      post_excerpt: '', post_content: '[caption id="a1"]<img src="x.jpg"> Crane[/caption]<p>Work starts <em>Monday</em>.</p>',
      post_date_gmt: '2026-06-08 06:00:00', tags: 'Harbour, Works', categories: ['Local'], author_name: 'Jonas Berg',
      featured_image: 'https://gazette.example/wp-content/uploads/wall.jpg',
    });
    expect(format).toBe('wordpress');
    expect(article).toMatchObject({
      url: 'https://gazette.example/harbour-wall', title: 'Harbour wall repairs begin', body: 'Crane\n\nWork starts Monday.',
      publishedAt: '2026-06-08T06:00:00.000Z', tags: ['Harbour', 'Works', 'Local'], authors: ['Jonas Berg'],
      image: { url: 'https://gazette.example/wp-content/uploads/wall.jpg' },
    });
    expect(article.summary).toBeUndefined();
  });

  it('should read WordPress fields nested under "post" with the permalink beside them', () => {
    const { article } = articleOf({ post: { ID: 9, post_title: 'Quay lights', post_status: 'publish' }, post_permalink: 'https://gazette.example/quay-lights' });
    expect(article).toMatchObject({ url: 'https://gazette.example/quay-lights', title: 'Quay lights' });
  });

  it('should read when the CMS last changed a post, so revisions arriving out of order are put in order', () => {
    const ghost = JSON.parse(readFileSync(new URL('../fixtures/webhooks/ghost-post-published-edited.json', import.meta.url), 'utf8')) as { post: { current: { updated_at: string } } };
    expect(articleOf(ghost).article.updatedAt).toBe(new Date(ghost.post.current.updated_at).toISOString());
    const flat = articleOf({ post_title: 'Quay', post_status: 'publish', permalink: 'https://gazette.example/q', post_modified_gmt: '2026-06-01 10:05:00' });
    expect(flat.article.updatedAt).toBe('2026-06-01T10:05:00.000Z');
    const rest = articleOf({ title: { rendered: 'Quay' }, status: 'publish', link: 'https://gazette.example/q', modified_gmt: '2026-06-01T10:06:00' });
    expect(rest.article.updatedAt).toBe('2026-06-01T10:06:00.000Z');
  });

  it('should decode the entities WordPress keeps in a flat post_title', () => {
    const { article } = articleOf({ post_title: 'Arts &amp; Culture: Rock &#8217;n&#8217; roll', post_status: 'publish', permalink: 'https://gazette.example/rock' });
    expect(article.title).toBe('Arts & Culture: Rock ’n’ roll');
  });

  it('should map a WordPress REST post with _embed, decoding rendered HTML', () => {
    const { format, article } = articleOf({
      id: 4, status: 'publish', link: 'https://gazette.example/tides/', date_gmt: '2026-06-09T05:00:00',
      title: { rendered: 'Tides &#8211; what&#8217;s next' }, excerpt: { rendered: '<p>Spring tides.</p>\n' }, content: { rendered: '<p>Long read.</p>' },
      _embedded: { author: [{ name: 'Ines Duarte' }], 'wp:featuredmedia': [{ source_url: 'https://gazette.example/t.jpg', alt_text: 'Tide gauge' }], 'wp:term': [[{ name: 'Weather' }], [{ name: 'Sea' }]] },
    });
    expect(format).toBe('wordpress-rest');
    expect(article).toMatchObject({
      title: 'Tides – what’s next', summary: 'Spring tides.', body: 'Long read.', publishedAt: '2026-06-09T05:00:00.000Z',
      tags: ['Weather', 'Sea'], authors: ['Ines Duarte'], image: { url: 'https://gazette.example/t.jpg', alt: 'Tide gauge' },
    });
  });

  it('should refuse posts that are not published', () => {
    expect(() => mapWebhookBody({ post_title: 'Draft', post_status: 'draft', permalink: 'https://gazette.example/d' })).toThrow(WebhookBodyError);
    expect(() => mapWebhookBody({ title: { rendered: 'Later' }, status: 'pending', link: 'https://gazette.example/l' })).toThrow(/"pending", not published/);
    expect(() => mapWebhookBody({ post: { current: { title: 'Draft', status: 'draft', url: 'https://gazette.example/p/x/' } } })).toThrow(/"draft", not published/);
  });

  it('should map scheduled posts (Ghost "scheduled", WordPress "future") with their future date, and priority from tags', () => {
    const priorityTags = { breaking: ['breaking'], low: ['Evergreen'] };
    const ghost = mapWebhookBody(
      { post: { current: { status: 'scheduled', title: 'Embargoed', url: 'https://gazette.example/p/3f1b0c2e-8d4a-4e5b-9c7d-2a1e0f6b5c4d/', slug: 'embargoed', published_at: '2099-01-01T08:00:00.000Z', tags: [{ name: 'Politics' }, { name: '#breaking' }] } } },
      { priorityTags },
    );
    // The preview URL is not the one readers will get: the live /<slug>/ is.
    expect(toArticle(ghost.input)).toMatchObject({ url: 'https://gazette.example/embargoed/', publishedAt: '2099-01-01T08:00:00.000Z', tags: ['Politics'], priority: 'breaking' });
    const rest = mapWebhookBody({ title: { rendered: 'Later' }, status: 'future', link: 'https://gazette.example/l', date_gmt: '2099-01-01T08:00:00', _embedded: { 'wp:term': [[{ name: 'evergreen' }]] } }, { priorityTags });
    expect(toArticle(rest.input)).toMatchObject({ publishedAt: '2099-01-01T08:00:00.000Z', priority: 'low' });
    const flat = mapWebhookBody({ post_title: 'Soon', post_status: 'future', permalink: 'https://gazette.example/soon', post_date_gmt: '2099-01-01 08:00:00' });
    expect(toArticle(flat.input)).toMatchObject({ publishedAt: '2099-01-01T08:00:00.000Z' });
    expect(toArticle(flat.input).priority).toBeUndefined();
  });

  it('should file a scheduled Ghost post of a site in a subfolder under its live URL there, and retract it from there when deleted', () => {
    const preview = 'https://gazette.example/blog/p/3f1b0c2e-8d4a-4e5b-9c7d-2a1e0f6b5c4d/';
    const scheduled = mapWebhookBody({ post: { current: { status: 'scheduled', title: 'Embargoed', url: preview, slug: 'embargoed', published_at: '2099-01-01T08:00:00.000Z' } } });
    expect(toArticle(scheduled.input).url).toBe('https://gazette.example/blog/embargoed/');
    // post.deleted of the scheduled post: the article it was filed under comes down (nothing goes out at its time).
    const deleted = webhookRetraction({ post: { current: {}, previous: { status: 'scheduled', url: preview, slug: 'embargoed' } } });
    expect(deleted?.urls).toContain('https://gazette.example/blog/embargoed/');
    expect(toArticle({ url: deleted?.urls.at(-1) as string, title: 'x' }).id).toBe(toArticle(scheduled.input).id);
  });

  it('should retract a published Ghost post of a site in a subfolder from its live URL there when it is unpublished', () => {
    // Unpublished: Ghost's current url is the preview one, and previous may carry no url at all.
    const unpublished = webhookRetraction({
      post: { current: { status: 'draft', url: 'https://gazette.example/blog/p/3f1b0c2e-8d4a-4e5b-9c7d-2a1e0f6b5c4d/', slug: 'sub-post' }, previous: { status: 'published' } },
    });
    expect(unpublished?.urls).toContain('https://gazette.example/blog/sub-post/');
    expect(unpublished?.urls).not.toContain('https://gazette.example/sub-post/');
  });

  it('should tell a schedule set anew (scheduled, moved) from one repeated (an edit of the scheduled post, a replay)', () => {
    const post = (status: string, at: string) => ({ status, url: 'https://gazette.example/p/3f1b0c2e-8d4a-4e5b-9c7d-2a1e0f6b5c4d/', slug: 's', title: 'S', published_at: at });
    expect(scheduleIsNew({ post: { current: post('scheduled', '2099-01-01T08:00:00.000Z'), previous: { status: 'draft' } } })).toBe(true);
    expect(scheduleIsNew({ post: { current: post('scheduled', '2099-01-01T09:00:00.000Z'), previous: { status: 'scheduled', published_at: '2099-01-01T08:00:00.000Z' } } })).toBe(true);
    expect(scheduleIsNew({ post: { current: post('scheduled', '2099-01-01T08:00:00.000Z'), previous: { status: 'scheduled', title: 'Old title' } } })).toBe(false);
    expect(scheduleIsNew({ post: { current: post('published', '2099-01-01T08:00:00.000Z'), previous: { status: 'draft' } } })).toBe(false);
    expect(scheduleIsNew({ title: { rendered: 'WordPress' }, status: 'future' })).toBe(false);
  });

  it('should leave a Ghost body without a URL for validation to name', () => {
    const { input } = mapWebhookBody({ post: { current: { title: 'No URL yet', status: 'published' } } });
    expect(input).toEqual({ title: 'No URL yet' });
  });
});

describe('webhook bodies in the shapes the CMSs really send', () => {
  const body = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8'));

  it('should map a Ghost post.published body, leading with the first real paragraph rather than the excerpt Ghost cut mid-word', () => {
    const { format, article } = articleOf(body('ghost-post-published.json'));
    expect(format).toBe('ghost');
    expect(article).toMatchObject({
      url: 'https://gazette.example/night-ferry-second-boat/',
      title: 'The night ferry gets a second boat',
      summary: "From June the harbour's night ferry will run with two boats, so the wait at the pier drops from an hour to thirty minutes.",
      authors: ['Mira Okafor'],
      tags: ['Transport'],
      publishedAt: '2026-05-21T06:00:00.000Z',
      image: { url: 'https://gazette.example/content/images/2026/05/ferry-dawn.jpg', alt: 'The night ferry leaving the pier at dawn' },
    });
    expect(article.summary).not.toMatch(/compl$/);
    expect(article.body).toContain('a year of complaints from shift workers.');
  });

  it('should prefer an excerpt the editor wrote in Ghost', () => {
    const ghost = body('ghost-post-published.json') as { post: { current: Record<string, unknown> } };
    ghost.post.current.custom_excerpt = 'Two boats from June: the night wait halves.';
    expect(articleOf(ghost).article.summary).toBe('Two boats from June: the night wait halves.');
  });

  it('should map a WordPress REST post with _embed: entities decoded in terms, the generated "Continue reading" excerpt passed over for Yoast\'s description', () => {
    const { format, article } = articleOf(body('wordpress-rest-embed.json'));
    expect(format).toBe('wordpress-rest');
    expect(article).toMatchObject({
      url: 'https://harbourtimes.example/2026/05/18/market-hall-roof/',
      title: 'Market hall’s roof repaired – in time for summer',
      summary: 'The market hall roof that leaked through three winters has been fixed, at a cost of £240,000.',
      authors: ['Jonas Berg'],
      tags: ['Local', 'Food & Drink', 'Markets'],
      publishedAt: '2026-05-18T07:30:00.000Z',
      image: { url: 'https://harbourtimes.example/wp-content/uploads/2026/05/roof.jpg', alt: 'Roofers working on the market hall at dusk' },
    });
    expect(article.body?.split('\n\n')[0]).toBe('Traders at the market hall will not need buckets this summer: the roof that leaked through three winters has been fixed at a cost of £240,000.');
  });

  it('should lead a WordPress REST post without Yoast with its first real paragraph, not the cut-off excerpt', () => {
    const wp = body('wordpress-rest-embed.json') as Record<string, unknown>;
    delete wp.yoast_head_json;
    expect(articleOf(wp).article.summary).toBe('Traders at the market hall will not need buckets this summer: the roof that leaked through three winters has been fixed at a cost of £240,000.');
  });
});
