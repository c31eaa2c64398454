import { describe, expect, it } from 'vitest';
import { toArticle } from '../../src/article/schema.js';
import { mapWebhookBody, WebhookBodyError } from '../../src/http/webhook-mappers.js';

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
    expect(() => mapWebhookBody({ title: { rendered: 'Later' }, status: 'future', link: 'https://gazette.example/l' })).toThrow(/"future", not published/);
  });

  it('should leave a Ghost body without a URL for validation to name', () => {
    const { input } = mapWebhookBody({ post: { current: { title: 'No URL yet', status: 'published' } } });
    expect(input).toEqual({ title: 'No URL yet' });
  });
});
