import { describe, expect, it } from 'vitest';
import { formatTelegram } from '../../../adapters/telegram/format.js';
import { compileTemplate, DEFAULT_TEMPLATE, renderTemplate, validateTelegramTemplate, type TemplateValues } from '../../../adapters/telegram/template.js';
import { TelegramTarget } from '../../../config/targets/telegram.js';
import { toArticle } from '../../../src/article/schema.js';
import { parseTelegramHtml } from '../../../src/sandbox/telegram-html.js';

const empty: TemplateValues = { title: '', subtitle: '', summary: '', byline: '', authors: '', source: '', hashtags: '', url: '', link: '' };

describe('validateTelegramTemplate', () => {
  it('should accept the default template and Telegram-only markup', () => {
    expect(validateTelegramTemplate(DEFAULT_TEMPLATE)).toBeUndefined();
    expect(
      validateTelegramTemplate('<blockquote expandable><b>{title}</b></blockquote>\n<span class="tg-spoiler">{summary}</span> &amp; <code class="language-js">x</code>\n<a href="{url}">more</a>'),
    ).toBeUndefined();
  });

  it('should name each problem and where it is', () => {
    expect(validateTelegramTemplate('<p>{title}</p>')).toMatch(/^unsupported tag <p> at character 1; Telegram allows b, strong/);
    expect(validateTelegramTemplate('{title}<br>')).toMatch(/^unsupported tag <br> at character 8/);
    expect(validateTelegramTemplate('{title} {teaser}')).toMatch(/^unknown placeholder \{teaser\} at character 9/);
    expect(validateTelegramTemplate('<b>{summary}</b>')).toBe('must contain {title} (outside any attribute)');
    expect(validateTelegramTemplate('<b>{title}')).toBe('<b> is never closed');
    expect(validateTelegramTemplate('<b>{title}</i>')).toBe('</i> does not close <b> at character 11');
    expect(validateTelegramTemplate('{title}</b>')).toBe('</b> closes nothing at character 8');
    expect(validateTelegramTemplate('{title} & co')).toBe('"&" must be written as &amp; at character 9');
    expect(validateTelegramTemplate('{title} < 3')).toBe('"<" must be written as &lt; at character 9');
    expect(validateTelegramTemplate('{title} <a href="{summary}">x</a>')).toBe('{url} is the only placeholder allowed in an attribute at character 9');
    expect(validateTelegramTemplate('{title} <a href="javascript:x">x</a>')).toBe('href must be {url} or an http(s) URL at character 9');
    expect(validateTelegramTemplate('{title} <a>x</a>')).toBe('<a> needs href="…" at character 9');
    expect(validateTelegramTemplate('{title} <b style="x">x</b>')).toBe('attribute "style" is not allowed on <b> at character 9');
    expect(validateTelegramTemplate(`{title} ${'x'.repeat(901)}`)).toBe('its own text must be at most 900 characters');
  });

  it('should make the config refuse a bad template', () => {
    const result = TelegramTarget.safeParse({ id: 'tg', platform: 'telegram', template: '<h1>{title}</h1>' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^invalid Telegram template: unsupported tag <h1>/);
  });
});

describe('renderTemplate', () => {
  it('should escape every value and keep only the template tags', () => {
    const template = compileTemplate('<b>{title}</b> — <a href="{url}">{source}</a>\n{summary}');
    const url = 'https://x.example/a?b=1&c="2"';
    const rendered = renderTemplate(template, { ...empty, title: '<i>T&C</i>', source: '</a><b>', summary: '&amp; stays', url }, url);
    const parsed = parseTelegramHtml(rendered.html);
    expect(parsed.text).toBe('<i>T&C</i> — </a><b>\n&amp; stays');
    expect(rendered.text).toBe(parsed.text);
    expect(parsed.entities.map((e) => e.type)).toEqual(['bold', 'text_link']);
    expect(parsed.entities[1]?.url).toBe('https://x.example/a?b=1&c=%222%22');
  });

  it('should drop lines whose placeholders are empty and never leave two empty lines in a row', () => {
    const template = compileTemplate(DEFAULT_TEMPLATE);
    const rendered = renderTemplate(template, { ...empty, title: 'T', hashtags: '#a' }, 'https://x.example/');
    expect(rendered.html).toBe('<b>T</b>\n\n#a');
    const withLink = renderTemplate(template, { ...empty, title: 'T', link: 'Read more' }, 'https://x.example/');
    expect(withLink.html).toBe('<b>T</b>\n\n<a href="https://x.example/">Read more</a>');
    expect(withLink.text).toBe('T\n\nRead more');
  });

  it('should keep a line with its own text even when its placeholder is empty', () => {
    const rendered = renderTemplate(compileTemplate('{title}\nSource: {source}'), { ...empty, title: 'T' }, 'https://x.example/');
    expect(rendered.text).toBe('T\nSource: ');
  });

  it('should be used by the formatter, with a link added when the template has none and there is no button', () => {
    const article = toArticle({ url: 'https://news.example.org/a', title: 'A & B', summary: 'Sum.', tags: ['Tag'] });
    const target = TelegramTarget.parse({ id: 'tg', platform: 'telegram', link: 'preview', template: '<u>{title}</u> {hashtags}' });
    const post = formatTelegram(article, target);
    expect(post.text).toBe('<u>A &amp; B</u> #Tag\n\n<a href="https://news.example.org/a">Read more</a>');
  });
});
