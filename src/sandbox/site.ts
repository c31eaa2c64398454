import sharp from 'sharp';
import { listen, type RunningServer } from './http.js';
import { sampleArticleMarkdown } from './sample-article.js';

/**
 * A publisher's site in the sandbox: serves the sample article and its photo, so the
 * demo exercises the real media download path on loopback.
 */
export interface SandboxSite extends RunningServer {
  /** Extra pages tests can serve: path → [content-type, body]. */
  pages: Map<string, [string, Buffer | string]>;
  /** Count of requests per path. */
  hits: Map<string, number>;
}

export async function renderSamplePhoto(width = 1600, height = 900): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#0b1d3a"/><stop offset="0.6" stop-color="#3b5f8f"/><stop offset="1" stop-color="#f2a65a"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#sky)"/>
  <rect y="${height * 0.72}" width="100%" height="${height * 0.28}" fill="#12314f"/>
  <polygon points="${width * 0.3},${height * 0.72} ${width * 0.62},${height * 0.72} ${width * 0.58},${height * 0.8} ${width * 0.34},${height * 0.8}" fill="#f4f1de"/>
  <rect x="${width * 0.4}" y="${height * 0.62}" width="${width * 0.12}" height="${height * 0.1}" fill="#e07a5f"/>
  <circle cx="${width * 0.8}" cy="${height * 0.25}" r="${height * 0.08}" fill="#f2cc8f"/>
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

export async function startSandboxSite(port = 0): Promise<SandboxSite> {
  const pages = new Map<string, [string, Buffer | string]>();
  const hits = new Map<string, number>();
  const photo = await renderSamplePhoto();
  const server = await listen((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const page = pages.get(path);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': page[0] });
      res.end(page[1]);
      return;
    }
    if (path === '/images/ferry.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.length });
      res.end(photo);
      return;
    }
    if (path === '/2026/03/03/night-ferry-loop.md') {
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' });
      res.end(sampleArticleMarkdown(site.url));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }, port);
  const site: SandboxSite = Object.assign(server, { pages, hits });
  return site;
}
