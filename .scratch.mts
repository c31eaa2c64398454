import { formatTwitter } from './adapters/twitter/format.js';
import { TwitterTarget } from './config/targets/twitter.js';
import { toArticle } from './src/article/schema.js';
import tt from 'twitter-text';
const target = TwitterTarget.parse({ id: 'x', platform: 'twitter', thread: true });
const a = toArticle({ url: 'https://example.com/news/ferry?id=5', title: 'Harbour Town Opens Its First Night Ferry &amp; Bike Lane "Loop" <b>today</b> 👩‍👩‍👧 '.repeat(4), tags: ['Northern Europe', 'Transport & Mobility', 'C++', 'Climate'], summary: 'The ferry runs every 20 minutes. '.repeat(20) + 'Word'.repeat(80) + '. 日本語の文章です。'.repeat(30), image: { url: 'https://example.com/a.jpg' } });
const p = formatTwitter(a, target);
for (const t of p.tweets) console.log(JSON.stringify(t), tt.parseTweet(t.text).weightedLength);
